"""Neural Network Lab — entry point: page config, navigation over the lessons, and the home page."""
import streamlit as st

from lessons.challenges import CHALLENGES
from ui import layout, progress

# (script, title, icon, url path, what the learner will see)
LESSONS = [
    ("pages/1_perceptron.py", "Perceptron", ":material/call_split:", "perceptron",
     "Step through a perceptron's decision and its learning rule, watch the line move, and see it fail on XOR."),
    ("pages/2_neuron.py", "Neuron & activations", ":material/show_chart:", "neuron",
     "See one neuron compute, compare activation functions and their derivatives, and how layers fit together."),
    ("pages/3_backprop.py", "Forward & backward pass", ":material/swap_horiz:", "backprop",
     "Walk through one training step of a small network, number by number, with the chain rule written out."),
    ("pages/4_playground.py", "MLP playground", ":material/hub:", "playground",
     "Build a multi-layer perceptron, train it live on 2-D data and watch its decision boundary form."),
    ("pages/5_optimizers.py", "Optimizers & losses", ":material/speed:", "optimizers",
     "Race SGD, momentum, RMSprop and Adam on loss surfaces, sweep learning rates and compare losses."),
    ("pages/6_cnn.py", "Convolutional networks", ":material/grid_on:", "cnn",
     "Slide a kernel over an image number by number, then train a small CNN and look inside it."),
    ("pages/7_rnn.py", "Recurrent networks", ":material/replay:", "rnn",
     "Unroll an RNN in time, watch its hidden state, and see how far back its memory reaches."),
]


def home():
    st.title("Neural Network Lab")
    st.markdown(
        "**Deep learning** builds **artificial neural networks (ANNs)**: networks of simple units — *neurons* "
        "— joined by weighted connections and organised in layers: an **input layer** that receives the data, one or more **hidden layers** "
        "that transform it, and an **output layer** that gives the answer. A network *learns* by adjusting "
        "its weights, a little at a time, so that a **loss** — a number that measures how wrong its answers "
        "are — goes down.\n\n"
        "The name is an analogy with the brain, whose nerve cells pass signals through connections of different "
        "strengths. It stops there: an artificial neuron is a weighted sum and a simple function, nothing like a "
        "living cell, and no brain is known to learn by backpropagation. ANNs are inspired by the brain, not "
        "models of it (lesson 2 says more).\n\n"
        "Here you can touch every piece: each number on screen is computed by this lab's own small engine, "
        "`nn_core`, written in plain NumPy so that you can read it too.")
    st.info(
        "An honest caveat: with many layers, a network can answer correctly without our being able to say "
        "*why*. We can always follow every multiplication, but the meaning spread across thousands of weights "
        "is often hard to explain. The small networks here are the ones where we still can look inside: in the "
        "MLP playground, knock neurons out of a trained network and see which ones its answers depend on.",
        icon=":material/visibility:")
    solved, known = progress.sync("progress_home")
    head, button = st.columns([4, 1], vertical_alignment="bottom")
    head.subheader("Lessons, in learning order")
    if button.button("Start over", key="home_start_over", icon=":material/restart_alt:", disabled=not solved,
                     help="Forget which challenges you solved (kept only in this browser)."):
        progress.start_over()
        st.rerun()
    total = sum(len(chs) for chs in CHALLENGES.values())
    done = sum(ch.id in solved for chs in CHALLENGES.values() for ch in chs)
    st.caption(f"Each lesson builds on the one before and ends with challenges. You have solved {done} of {total}"
               + ("" if known else " (reading your progress from this browser…)")
               + "; your progress stays in this browser only — nothing is stored on the server.")
    columns = st.columns(2)
    for i, (path, title, icon, url, sentence) in enumerate(LESSONS, start=1):
        with columns[(i - 1) % 2].container(border=True, height="stretch", key=f"home_{url}"):
            st.markdown(f"#### {i}. {title}")
            st.markdown(sentence)
            lesson_progress(path, icon, CHALLENGES.get(url, []), solved)


def lesson_progress(path, icon, challenges, solved):
    """A lesson card's progress line: ✓ per solved challenge, and a link to the next unsolved one."""
    if challenges:
        marks = " · ".join(("✓ " if ch.id in solved else "○ ") + ch.title for ch in challenges)
        st.caption(f"Challenges {sum(ch.id in solved for ch in challenges)} of {len(challenges)}: {marks}")
    todo = next((ch for ch in challenges if ch.id not in solved), None)
    if todo is None:
        st.page_link(path, label="Open the lesson" + (" (all solved)" if challenges else ""), icon=icon)
    else:
        st.page_link(path, label=f"Next challenge: {todo.title}", icon=icon)


st.set_page_config(page_title="Neural Network Lab", page_icon="🧠", layout="wide")
layout.setup()
pages = [st.Page(home, title="Home", icon=":material/home:", url_path="home", default=True)]
pages += [st.Page(path, title=title, icon=icon, url_path=url) for path, title, icon, url, _ in LESSONS]
st.navigation(pages).run()

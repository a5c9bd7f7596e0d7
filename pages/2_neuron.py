"""Lesson 2: the neuron — activation functions and their derivatives, softmax, one neuron over the plane,
and how input, hidden and output layers fit together."""
import numpy as np
import pandas as pd
import streamlit as st

from nn_core import CrossEntropy, Dense, Identity, LeakyReLU, ReLU, Sequential, Sigmoid, Step, Tanh, mlp, softmax
from nn_core.data import grid
from nn_core.docmath import latex_blocks
from lessons.neuron import derivative_at, layer_counts, softmax_cross_entropy, steepness_ratio
from lessons.challenges import edge_width
from ui import challenges, links
from ui.common import show_equations
from ui.layout import chart, explain, table
from viz.neuron import gallery_figure, network_figure, neuron_map_figure, softmax_figure

ACTS = {"sigmoid": Sigmoid, "tanh": Tanh, "ReLU": ReLU, "leaky ReLU": LeakyReLU, "step": Step, "linear": Identity}
FLAT_TOL = 0.02
MAP_LIM = 3.0
# Fixed colour range of the neuron map for each activation (never the map's own min–max):
# bounded activations use their bound; unbounded ones saturate the colour at ±4.
MAP_VMAX = {"sigmoid": 1.0, "tanh": 1.0, "step": 1.0, "ReLU": 4.0, "leaky ReLU": 4.0, "linear": 4.0}
SATURATION_WORDS = {
    "sigmoid": "For large |z| the curve is flat: f′(z) is almost 0, so a saturated sigmoid barely learns.",
    "tanh": "Like the sigmoid, flat for large |z| — but centred on 0 and {ratio:g} times as steep in the middle: "
            "tanh′(0) = 1, σ′(0) = 0.25.",
    "ReLU": "For z ≤ 0 the output and the gradient are exactly 0: a neuron stuck there stops learning ('dead ReLU').",
    "leaky ReLU": "For z ≤ 0 the slope is α = {alpha:g} instead of 0: small (faintly shaded), never zero, so some "
                  "gradient always flows back and the neuron can recover.",
    "step": "Flat everywhere: f′(z) = 0, and at z = 0 itself undefined (a jump). No gradient at all — why "
            "perceptrons are not trained by backpropagation.",
    "linear": "Never saturates — but stacking linear layers gives only another linear function.",
}


def num(v, digits=3):
    return f"{float(v):.{digits}f}"


def deriv_text(act, zval):
    d = derivative_at(act, zval)
    return "undefined" if d is None else num(d)


def make_act(name, alpha):
    return ACTS[name](alpha) if name == "leaky ReLU" else ACTS[name]()


st.title("Neuron & activations")
explain(
    "A **neuron** computes like a perceptron — a **weighted sum z** = w·x + b of its inputs — but then passes z "
    "through a smooth **activation function** f, giving its **activation a** = f(z). Smooth means it has a "
    "useful **gradient** f′(z), and that is what lets a network learn by backpropagation. Many neurons joined "
    "in layers make an **artificial neural network** (ANN) — section 4 below.")
links.start("neuron", {"gallery": "z, activation to look at, α", "softmax": "softmax scores",
                       "neuron": "the neuron over the plane", "layers": "the layers example"})
with st.expander("Why “neural”? The brain analogy, and where it stops"):
    st.markdown(
        "The name comes from the brain. A biological neuron collects signals from thousands of others through "
        "synapses of different strengths and fires when the total is large enough; an artificial neuron "
        "multiplies its inputs by **weights** (the synapse strengths), adds them up with a **bias**, and passes "
        "the sum through f (the \"firing\").\n\n"
        "**Where the analogy stops.** Real neurons send timed electrical spikes, not one number; their chemistry, "
        "shapes and many cell types have no counterpart here; the brain has about 86 billion of them, wired in "
        "loops; and as far as is known it does not learn by backpropagation, which needs every error sent "
        "exactly backwards through the same weights. An ANN is a mathematical function with adjustable "
        "numbers, fitted to examples by gradient descent — inspired by the brain, not a model of it.")

# ---------------------------------------------------------------- 1. activation gallery
st.header("1 · Activation functions and their derivatives")
c1, c2, c3 = st.columns([1.4, 1, 1])
z = links.place("gallery", c1).slider("weighted sum z", -6.0, 6.0, 1.0, 0.1, **links.kw("nr_z", "gallery"))
focus = links.place("gallery", c2).selectbox("look closer at", list(ACTS), **links.kw("nr_focus", "gallery"))
alpha = links.place("gallery", c3).slider("leaky ReLU slope α", 0.01, 0.3, 0.01, 0.01, **links.kw("nr_alpha", "gallery"))

acts = {name: make_act(name, alpha) for name in ACTS}
undefined = [name for name, a in acts.items() if derivative_at(a, z) is None]
zv = np.array([z])
gallery, side = st.columns([2.5, 1], gap="medium")
chart(gallery_figure(acts, z, tol=FLAT_TOL, selected=focus, undefined=undefined, panel_height=235),
      width="stretch", key="nr_gallery", where=gallery)
with side.container(key="nr_readout"):
    act = acts[focus]
    fz = float(act.fn(zv)[0])
    st.markdown(f"**{focus} at your z = {z:.1f}:**")
    dtext = deriv_text(act, z).replace("undefined", r"\text{undefined}")
    st.latex(rf"f({z:.1f}) = {num(fz)} \\ f'({z:.1f}) = {dtext}")
    st.info(SATURATION_WORDS[focus].format(ratio=steepness_ratio(), alpha=alpha))
st.caption(f"Solid: f(z). Dashed: its derivative f′(z). Strong shade: f′(z) = 0, no gradient flows back at all. "
           f"Faint shade: 0 < |f′(z)| < {FLAT_TOL} — saturated, a small gradient still flows. The red line is your z.")

left, right = st.columns([1, 1], gap="large")
with left:
    st.markdown(f"**{focus}**, as written in the engine (`nn_core/activations.py`):")
    show_equations(ACTS[focus])
values = pd.DataFrame({"activation": list(acts),
                      "f(z)": [num(a.fn(zv)[0]) for a in acts.values()],
                      "f′(z)": [deriv_text(a, z) for a in acts.values()]})
with right.expander(f"All six at z = {z:.1f}"):
    table(values)

# ---------------------------------------------------------------- 2. softmax
st.header("2 · Softmax: scores into probabilities")
st.markdown("For several classes the output layer gives one score per class, and **softmax** turns the scores "
            "into probabilities that are positive and add up to 1. The largest score gets the largest share.")
k = links.place("softmax", st).slider("number of classes", 2, 6, 3, 1, **links.kw("nr_k", "softmax"))
defaults = [2.0, 1.0, 0.1, -1.0, 0.5, -2.0]
cols = st.columns(k)
scores = np.array([links.place("softmax", cols[i]).number_input(f"z{i + 1}", -20.0, 20.0, defaults[i], 0.5,
                                                                **links.kw(f"nr_s{i}", "softmax"))
                   for i in range(k)])
probs = softmax(scores)
left, right = st.columns([1, 1.5], gap="large")
with left:
    show_equations(softmax)
    total = " + ".join(rf"e^{{{s:.1f}}}" for s in scores) if k <= 4 else r"\sum_j e^{z_j}"
    best = int(np.argmax(probs))
    st.latex(rf"\mathrm{{softmax}}(z)_{best + 1} = \frac{{e^{{{scores[best]:.1f}}}}}{{{total}}} = {num(probs[best])}")
    st.caption(f"Sum of the probabilities: {probs.sum():.3f}. Add the same number to every score: nothing changes.")
with right:
    chart(softmax_figure(scores, probs), width="stretch", key="nr_softmax")
st.markdown("**Its gradient.** Softmax is trained together with the **cross-entropy** loss L = −log p_y of the true "
            "class y. Their combined derivative with respect to the scores is simply p − y (y one-hot), as the "
            "engine's `CrossEntropy` computes it:")
c1, c2 = st.columns([1, 2.2], gap="large")
true = links.place("softmax", c1).selectbox("true class y", [f"class {i + 1}" for i in range(k)],
                                            **links.kw("nr_true", "softmax"))
ce, p_ce, grad = softmax_cross_entropy(scores, int(true.split()[1]) - 1)
with c2:
    st.latex(latex_blocks(CrossEntropy)[1] + r"\qquad (N = 1)")
    onehot = [1 if f"class {i + 1}" == true else 0 for i in range(k)]
    terms = ", ".join(rf"{num(p_ce[i])} - {onehot[i]}" for i in range(k))
    st.latex(rf"\frac{{\partial L}}{{\partial z}} = ({terms}) = ({', '.join(num(g) for g in grad)})")
st.caption(f"Loss L = {num(ce)}. Raising a score lowers L only for the true class (its gradient is negative); "
           "every other class's gradient is its probability.")

# ---------------------------------------------------------------- 3. one neuron over the plane
st.header("3 · One neuron over the input plane")
explain("Give the neuron two inputs x₁ and x₂ and colour every point of the plane by its activation a. "
            "The weights and bias place and turn the line z = 0; the activation decides how sharp the change "
            "across it is — a sigmoid neuron is a soft perceptron.")
c1, c2 = st.columns([1.2, 1.6], gap="large")
with c1:
    here = links.place("neuron", st)
    map_act = here.selectbox("activation", list(ACTS), **links.kw("nr_map_act", "neuron"))
    mw1 = here.slider("weight w1", -3.0, 3.0, 1.5, 0.1, **links.kw("nr_w1", "neuron"))
    mw2 = here.slider("weight w2", -3.0, 3.0, -1.0, 0.1, **links.kw("nr_w2", "neuron"))
    mb = here.slider("bias b", -3.0, 3.0, 0.5, 0.1, **links.kw("nr_b", "neuron"))
    st.latex(r"a = f(w_1 x_1 + w_2 x_2 + b)")
    st.latex(rf"a = f({mw1:.1f}\,x_1 + ({mw2:.1f})\,x_2 + ({mb:.1f}))")
    dense = Dense(2, 1)
    dense.params["W"][:, 0] = [mw1, mw2]
    dense.params["b"][0] = mb
    neuron = Sequential([dense, make_act(map_act, alpha)])
    xs, ys, XY = grid(121, MAP_LIM)
    a = neuron.forward(XY).reshape(len(ys), len(xs))
    probe = neuron.forward(np.array([[1.0, 1.0]]))[0, 0]
    st.markdown(f"At x = (1, 1): a = **{num(probe)}**. Colours fixed at ±{MAP_VMAX[map_act]:g}: "
                "orange negative, grey 0, blue positive.")
with c2:
    chart(neuron_map_figure(xs, ys, a, MAP_VMAX[map_act], [mw1, mw2], mb, (-MAP_LIM, MAP_LIM)),
          width="stretch", key="nr_map")
st.markdown(f"**Try:** with a sigmoid, double the starting weights (w1 = 3.0, w2 = −2.0): the soft edge — the band "
            f"where 0.1 < a < 0.9 — narrows from {edge_width((1.5, -1.0), 0.5):.2f} to {edge_width((3.0, -2.0), 0.5):.2f} "
            "across, closer to a step. "
            "However you set them, one neuron only ever splits the plane along one straight line.")

# ---------------------------------------------------------------- 4. layers
st.header("4 · Layers: input, hidden, output")
explain(
    "Neurons arranged in **layers** make an **artificial neural network**. The **input layer** is just the data — one unit per feature, nothing "
    "computed. Each **hidden layer** computes new features from the previous layer; several hidden layers "
    "let the network bend its decision boundary. The **output layer** gives the answer, and its size and "
    "activation depend on the question asked.")
TASKS = {   # short names (the link holds them), what each is, its output layer
    "Binary": ("classification: yes / no", "one sigmoid neuron: its activation is the probability of class 1."),
    "Multi-class": ("classification", "one neuron per class, then softmax: probabilities over the classes."),
    "Regression": ("predict numbers", "one linear neuron per number to predict: no squashing, any value."),
}
c1, c2 = st.columns([1, 1.7], gap="large")
with c1:
    here = links.place("layers", st)
    task = here.radio("task", list(TASKS), captions=[c for c, _ in TASKS.values()], **links.kw("nr_task", "layers"))
    n_in = here.slider("inputs (features)", 1, 6, 2, 1, **links.kw("nr_in", "layers"))
    n_hidden = here.slider("hidden units", 1, 8, 4, 1, **links.kw("nr_hidden", "layers"))
    if task.startswith("Multi"):
        n_out = here.slider("classes", 3, 6, 3, 1, **links.kw("nr_classes", "layers"))
        output, out_name = None, "softmax"
    elif task.startswith("Regression"):
        n_out = here.slider("numbers to predict", 1, 3, 1, 1, **links.kw("nr_targets", "layers"))
        output, out_name = "identity", "linear"
    else:
        n_out, output, out_name = 1, "sigmoid", "sigmoid"
    st.success(f"Output layer: {TASKS[task][1]}")
    model = mlp([n_in, n_hidden, n_out], activation="relu", output=output, seed=0)
    x = np.linspace(-1.0, 1.0, n_in)[None, :] if n_in > 1 else np.array([[0.5]])
    out = model.forward(x)[0]
    if output is None:
        out = softmax(out)
    total = f", adding up to {out.sum():.2f}" if output is None else ""    # only softmax's outputs sum to 1
    st.markdown(f"With random starting weights and the input x = ({', '.join(f'{v:.2f}' for v in x[0])}) the "
                f"output is ({', '.join(f'{v:.2f}' for v in out)}){total}. This network has "
                f"**{model.num_params()}** weights and biases to learn.")
with c2:
    labels = [f"input layer ({n_in})", f"hidden layer ({n_hidden}, ReLU)", f"output layer ({n_out}, {out_name})"]
    chart(network_figure([n_in, n_hidden, n_out], labels, values=out), width="stretch", key="nr_net")
st.markdown("**Try this — layers.** Each layer joins every unit before it to every unit after it: inputs × units "
            "weights, plus one bias per unit. Work out the count for the network you have set, then check it:")
c1, c2 = st.columns([1, 2], gap="large")
guess = c1.number_input("your count of weights and biases", 0, 10_000, 0, 1, key="nr_guess")
counts = layer_counts(model)
sums = " + ".join(f"({i}·{o} + {o})" for i, o, _, _ in counts)
if guess == model.num_params():
    c2.success(f"Right: {sums} = {model.num_params()}. Add a hidden unit and predict how much it grows.")
elif guess:
    c2.warning(f"Not quite — count each layer: inputs × units weights, plus one bias per unit "
               f"({len(counts)} layers here).")
with st.expander("The count, layer by layer"):
    st.markdown(f"{sums} = **{model.num_params()}**")
st.markdown("**Try this — output sizing.** Pick *Multi-class*, then change *classes*: the output layer grows to "
            "one unit per class, and its outputs always add up to 1.00 (softmax). Pick *Regression* with 2 numbers "
            "to predict: two linear units, whose outputs can be any values and need not add up to anything. Pick "
            "*Binary*: one sigmoid unit is enough, since P(class 0) = 1 − P(class 1).")
st.markdown("**Next:** the forward & backward pass lesson follows one training step through such a network, "
            "number by number.")
challenges.panel("neuron", {"act": map_act, "w": (mw1, mw2), "b": mb})
links.finish()

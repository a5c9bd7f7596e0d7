"""Lesson 7: recurrent networks — three tasks trained live (the settings, the Play bar and the live pictures on one
screen), the network unrolled in time, the hidden state over time, and the gradient through time (vanishing,
exploding, clipped)."""
import numpy as np
import streamlit as st

from nn_core import RNN
from nn_core.docmath import latex_blocks
from nn_core import softmax
from lessons.rnn import (MAX_TEXT, MIN_TEXT, OWN_CHARS, TEXT_HELP, SeqTrainer, hidden_states, last_step_grad_norms,
                         make_model, make_task, sample, spectral_radius, step_numbers)
from lessons import export
from ui import challenges, link_state, links, live
from ui import rnn_live as RL
from ui.export import code_panel
from ui.common import show_equations
from ui.layout import chart, explain
from ui.guards import escaped, refusal
from viz import rnn as vz

TASKS = {"forecast": "Forecast a wave", "echo": "Echo k steps back", "chars": "Next character"}   # short: in the link
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD + momentum", "rmsprop": "RMSprop", "adam": "Adam"}
LRS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
UNITS = 4                    # hidden units shown in the step-by-step numbers
ss = st.session_state


def vec(v):
    return r"\begin{bmatrix}" + " & ".join(f"{x:+.3f}" for x in np.ravel(v)) + r"\end{bmatrix}"


st.title("Recurrent networks: memory through time")
explain(
    "A **recurrent network** reads a sequence one step at a time. At each step t it combines the new input "
    "x<sub>t</sub> with its own **hidden state** h<sub>t−1</sub> — its memory of everything so far — into a new "
    "state h<sub>t</sub>, and reads an output y<sub>t</sub> from it. The *same* weights are used at every step.",
    unsafe_allow_html=True)
st.markdown(
    "**What sequences they are for** — each with the task on this page that stands for it:\n"
    "- **Language**: text is a sequence of characters or words, and what comes next depends on what came "
    "before → *Next character*.\n"
    "- **Speech** (and any sound): a wave sampled many times a second, a mixture of frequencies, read one "
    "slice at a time → *Forecast a wave*, the *sum of two sines*.\n"
    "- **Time series** (temperatures, sales, heartbeats): one number per step with a rhythm → *Forecast a "
    "wave*, *one sine*.\n"
    "- Behind all three, **memory**: a word agreeing with one several words back, a sound's rhythm → *Echo*, "
    "which asks for exactly k steps of memory.")

# --- the task, the settings and the live view on one screen (issue 21): those a learner changes while watching
links.start("rnn", {"task": "the task", "network": "H, seed and ρ", "training": "T, optimizer, η and clipping"})
st.header("1. Choose a task and train it live")
c1, c2, c3 = (links.place("task", c) for c in st.columns([2.1, 1.2, 1.2], vertical_alignment="bottom"))
task_name = c1.radio("Task", list(TASKS), horizontal=True, **links.kw("rnn_task", "task", TASKS.get))
link_state.own_text(ss, "rnn_text", task_name == "chars" and ss.get("rnn_source") == "own", MAX_TEXT)   # a short own text
if task_name == "forecast":
    kind = c2.radio("Wave", ["sine", "sum"], horizontal=True,
                    **links.kw("rnn_kind", "task", {"sine": "one sine", "sum": "sum of two sines"}.get))
    task_kw = {"kind": kind}
    warm = c3.slider("Warm-up on the truth", 1, 48, 16, **links.kw("rnn_warm"),
                     help="Steps of the true wave the network reads before it feeds itself its own forecasts.")
elif task_name == "echo":
    k = c2.slider("Delay k (steps back)", 1, 30, 2, **links.kw("rnn_k", "task"),
                  help="The answer at step t is the symbol read at step t − k: k steps of memory.")
    task_kw = {"k": k}
else:
    source = c2.radio("Text", ["sonnets", "own"], horizontal=True, **links.kw(
        "rnn_source", "task", {"sonnets": "Shakespeare", "own": "My own text"}.get))
    temperature = c3.slider("Sampling temperature τ", 0.1, 2.0, 0.7, 0.1, **links.kw("rnn_temp"),
                            help="Low τ: the likeliest characters; high τ: more surprises.")
    task_kw = {"text": None}
    if source == "own":
        own = links.place("task", st).text_area(
            "Your text", "", key="rnn_text", persist_state="session", height=120, max_chars=MAX_TEXT,
            help=TEXT_HELP, placeholder=f"Type or paste at least {MIN_TEXT} characters…")
        task_kw = {"text": own}

cols = st.columns([0.95, 1.2, 1.15, 1.15, 0.7, 0.9], vertical_alignment="bottom")   # T unwrapped when presenting
c1, c2, c3, c4, c5, c6 = (links.place(g, c) for g, c in zip(["network"] + ["training"] * 5, cols))
hidden = c1.select_slider("Hidden size H", [4, 8, 16, 32, 64, 128], 32, **links.kw("rnn_hidden", "network"))
seq_len = c2.slider("Sequence length T", 2, 64, 16, **links.kw("rnn_T", "training"),
                    help="Truncated BPTT: the gradient flows back at most T steps; a chunk of T steps is one update.")
opt = c3.selectbox("Optimizer", list(OPTIMIZERS), index=3, **links.kw("rnn_opt", "training", OPTIMIZERS.get))
lr = c4.select_slider("Learning rate η", LRS, 0.01, **links.kw("rnn_lr", "training"))
clip_on = c5.toggle("Clip", False, **links.kw("rnn_clip_on", "training"),
                    help="Gradient clipping: rescale the gradient g when its norm exceeds c (the formula below).")
clip_c = c6.select_slider("Clip threshold c", [0.1, 0.3, 1.0, 3.0, 10.0], 1.0,
                          **dict(links.kw("rnn_clip", "training"), disabled=not clip_on or links.hidden("training")))
clip = clip_c if clip_on else None
live_box = st.container()       # the bar and the live view, drawn once the network exists (below in the script)
# Below the live view on the screen, before it in the script (the network needs them): what is set once.
if task_name == "chars":
    prime_col, c2 = st.columns(2)
    prime = prime_col.text_input("Start the sample with", "Shall " if task_kw["text"] is None else task_kw["text"][:1],
                          key="rnn_prime", max_chars=40, help=OWN_CHARS)
    c2.latex(latex_blocks(sample)[0] + rf"\qquad (\tau = {temperature:g})")
else:
    temperature = prime = None
c1, c2, c3 = (links.place("network", c) for c in st.columns(3, vertical_alignment="bottom"))
seed = links.int_input(c1, "Seed", 0, 9999, 0, "rnn_seed", "network")
radius_on = c2.toggle("Rescale W_h at the start", False, **links.kw("rnn_radius_on", "network"))
radius = c3.slider("Spectral radius ρ of W_h", 0.1, 3.0, 1.0, 0.1,
                   **dict(links.kw("rnn_radius", "network"), disabled=not radius_on or links.hidden("network")),
                   help="W_h is rescaled so that its largest |eigenvalue| is ρ: < 1 gradients fade, > 1 they can explode.")
st.latex(latex_blocks(SeqTrainer)[0].split(r", \qquad")[0]
         + (rf"\qquad (c = {clip_c:g})" if clip_on else r"\qquad \text{(clipping off: } g \text{ unchanged)}"))
st.caption("Training cuts each sequence into chunks of T steps and makes one update per chunk; the hidden state "
           "flows on from chunk to chunk, but the gradient stops at a chunk's start (truncated backpropagation "
           "through time) — so the network cannot learn links longer than T steps. Changing H, the seed, ρ or "
           "the task draws new weights; η, T, the optimizer and clipping change on the fly.")

config = (task_name, tuple(sorted(task_kw.items())), hidden, int(seed), radius if radius_on else None)
if ss.get("rnn_config") != config:
    try:
        task = make_task(task_name, seed=int(seed), **task_kw)          # measures the text before using it
    except ValueError as e:
        # A refused text keeps the learner's network, its training and its curves as they were.
        kept = ss.get("rnn_trainer") is not None
        refusal("This text cannot be learned from" + (": your previous network is kept." if kept else "."),
                str(e), kind="warning")
        if not kept:
            links.stop()
        config = ss.rnn_config
if ss.get("rnn_config") != config:
    old = ss.get("rnn_trainer")
    if old is not None and old.task.name == "echo" and old.steps >= 200:
        ss.setdefault("rnn_echo_results", {})[old.task.k] = old.history["val_acc"][-1]
    model = make_model(task, hidden, seed=int(seed), radius=radius if radius_on else None)
    ss.rnn_trainer = SeqTrainer(task, model, optimizer=opt, lr=lr, seq_len=seq_len, clip=clip, seed=int(seed))
    ss.rnn_config = config
    ss.rnn_playing = False
    ss.rnn_sample_rng = np.random.default_rng(int(seed))
trainer = ss.rnn_trainer
trainer.set_hyper(lr=lr, clip=clip, seq_len=seq_len, optimizer=opt)
task, model = trainer.task, trainer.model
rnn = model.layers[0]

x_probe, y_probe = task.probe()
if task.name == "chars":
    unknown = sorted(set(prime) - set(task.vocab.chars))
    if unknown or not prime:
        with prime_col:
            refusal("The start must not be empty" if not prime else
                    "The network does not know these characters of the start (it only knows its text's); "
                    "starting from its text's beginning instead:", " ".join(unknown), kind="info")
        prime = "Shall " if task_kw["text"] is None else task.text[0]


def one_update():
    ss.rnn_trainer.resume()
    ss.rnn_trainer.run_for(0.0, max_updates=1)


def new_weights():
    ss.rnn_config = None                   # the page draws fresh weights (same seed) on this run


def train_advance(seconds, until):
    trainer.run_for(seconds, until=until)
    return bool(trainer.stopped)           # the whole page then shows the message and Play again


with live_box:
    bar_col, sweep_col = st.columns([2.5, 1.5])     # room for "New weights" at 1280 px; top-aligned: Play stays put
    with bar_col:
        live.control_bar("rnn", on_play=lambda: ss.rnn_trainer.resume(), step=one_update, reset=new_weights,
                         step_help="Train on one batch (one update per chunk of T steps).", reset_label="New weights",
                         reset_help="Start over from freshly drawn weights (same seed).")
if task.name == "echo":
    with sweep_col:
        live.control_bar("rnn_sweep", on_play=lambda: RL.sweep_start(hidden, seq_len, opt, lr, int(seed)),
                         labels=("Sweep k", "Stop"))
        live.live_view("rnn_sweep", RL.sweep_advance, RL.sweep_view, training=0.03, floor=0.02,
                       count=lambda: len(ss.rnn_sweep_job.results), unit="delays")
with live_box:                             # after the bar in the script: a Pause's run reaches the bar first
    live.live_view("rnn", train_advance, lambda playing: RL.train_view(
        playing, trainer, x_probe, y_probe, warm if task.name == "forecast" else None, temperature, prime,
        radius if radius_on else None), training=0.03, floor=0.015, count=lambda: trainer.steps, unit="updates")
code_panel(lambda f, n: export.rnn_code(trainer, f, batches=n), "rnn_code", len(trainer.history["batch_step"]),
           unit="batches", default=50)

# --- the unrolled view (after the live view: nothing heavy before the Play bar, issue 17) --------------------
st.header("2. One cell, unrolled in time")
if live.playing("rnn"):
    st.caption("Sections 2 and 3 are drawn for the weights at the moment you pressed Play: press Pause to look "
               "inside the network as it is now.")
if task.name == "forecast":
    step_labels = [f"{v:+.2f}" for v in x_probe[:, 0]]
elif task.name == "echo":
    step_labels = [f"sym {int(i)}" for i in x_probe.argmax(1)]
else:
    step_labels = ["'" + vz._show(c) + "'" for c in task.vocab.decode(x_probe.argmax(1))]
n_show = 8
t_sel = st.slider("Time step t to look at", 1, n_show, 3, **links.kw("rnn_t"))
num = step_numbers(model, x_probe, t_sel - 1, units=UNITS)
H = num["hidden_size"]
u = min(UNITS, H)
if task.name == "forecast":
    y_text = f"{num['y'][0]:+.3f}"
else:
    p_y = softmax(num["y"])
    best = int(np.argmax(p_y))
    name = f"sym {best}" if task.name == "echo" else "'" + vz._show(task.vocab.decode([best])) + "'"
    y_text = f"→ {name}<br>p = {p_y[best]:.2f}"
h_text = "<br>".join(f"{v:+.2f}" for v in num["h"]) + (f"<br>…{H - u} more" if H > u else "")
chart(vz.unrolled_figure(n_show, t_sel, step_labels[:n_show],
                         values={"x": step_labels[t_sel - 1], "h": h_text, "y": y_text}), key="rnn_unrolled")
st.caption("Green W_x, purple W_h and red W_y arrows are the same three weight matrices at every step — "
           "unrolling copies the drawing, not the weights. Under each x_t: the input of the sequence shown. Beside "
           f"the highlighted step: its input, the first {u} of {H} hidden units of h_t, and its read-out y_t"
           + (" (the value forecast)." if task.name == "forecast" else " — the likeliest next symbol and its "
              "probability, softmax(y_t)."))
st.markdown(f"**Step t = {t_sel}**, input x<sub>{t_sel}</sub> = {escaped(step_labels[t_sel - 1])} — the first {u} of "
            f"H = {H} hidden units (the products use all of them):", unsafe_allow_html=True)
tp, tc = t_sel - 1, t_sel
st.latex(r"\begin{aligned}"
         rf"h_{{{tp}}} &= {vec(num['h_prev'])} \\"
         rf"x_{{{tc}}} W_x &= {vec(num['xWx'])} \\"
         rf"h_{{{tp}}} W_h &= {vec(num['hWh'])} \\"
         rf"b &= {vec(num['b'])} \\"
         rf"z_{{{tc}}} = x_{{{tc}}} W_x + h_{{{tp}}} W_h + b &= {vec(num['z'])} \\"
         rf"h_{{{tc}}} = \tanh(z_{{{tc}}}) &= {vec(num['h'])} \\"
         rf"y_{{{tc}}} = h_{{{tc}}} W_y + b_y &= {vec(num['y'][:UNITS])}"
         r"\end{aligned}")
if len(num["y"]) > UNITS:
    st.caption(f"y_{tc} has {len(num['y'])} entries, one score per symbol; the first {UNITS} are shown, "
               f"each computed from all {H} hidden units.")
with st.expander("The engine's equations, forward and backward through time (nn_core/rnn.py)"):
    show_equations(RNN)
st.caption(f"W_x is {rnn.input_size}×{H}, W_h is {H}×{H}, b has {H} entries; the spectral radius of W_h "
           f"is now ρ = {spectral_radius(rnn.params['Wh']):.2f}.")

st.header("3. Inside the network")
left, right = st.columns(2)
with left:
    if task.name == "chars":
        seq = st.text_input("Input sequence to read", task.text[:40], key="rnn_seq_text", max_chars=80, help=OWN_CHARS)
        try:
            ids = task.vocab.encode(seq)
        except ValueError as e:
            refusal("The network only knows the characters of its text; showing its first line instead.",
                    str(e), kind="info")
            ids = task.vocab.encode(task.text[:40])
        if len(ids) == 0:
            ids = task.vocab.encode(task.text[:40])
        xs, labels = task.vocab.one_hot(ids), ["'" + vz._show(c) + "'" for c in task.vocab.decode(ids)]
    else:
        which = st.selectbox("Input sequence", range(1, 6), format_func=lambda i: f"validation sequence {i}",
                             key="rnn_seq_idx")
        xs = task.X_val[which - 1][:40]
        labels = ([f"x = {v:+.2f}" for v in xs[:, 0]] if task.name == "forecast"
                  else [f"symbol {int(i)}" for i in xs.argmax(1)])
    chart(vz.hidden_heatmap(hidden_states(model, xs), labels), key="rnn_heatmap")
    st.caption("Each row is h_t: orange −1, grey 0, blue +1 (fixed range). Rows that copy the row above "
               "are memory; units stuck at ±1 are saturated (their gradient 1 − h² is near 0).")
with right:
    T = trainer.seq_len
    xs_g, ys_g = x_probe[:T], y_probe[:T]
    last = last_step_grad_norms(model, task.make_loss(), xs_g, ys_g)
    mark = len(xs_g) - task.k if task.name == "echo" and task.k < len(xs_g) else None
    ss.rnn_last_norms = last
    train = trainer.grad_norms if trainer.grad_norms is not None else np.full(len(last), np.nan)
    chart(vz.grad_norm_figure(train, last, mark), key="rnn_grad")
    st.caption("Blue: the latest update's ‖∂L/∂h_t‖ over its chunk of T steps (the engine's `grad_norms`; "
               "it appears after the first update). "
               "Orange: only the last step's loss — how much of its error reaches each earlier step. "
               "Falling to the left: the gradient vanishes; rising: it explodes."
               + (f" The dashed line is the step the last answer must echo (k = {task.k})." if mark else ""))
    if trainer.history["grad_norm"]:
        chart(vz.clip_figure(trainer.history["grad_norm"], trainer.clip), key="rnn_clipfig")


st.header("What to try next")
st.markdown(
    "- **Echo:** press *Sweep k* (or raise k yourself) and watch the accuracy fall towards chance. Then set T "
    "smaller than k: the gradient can no longer reach the step it needs.\n"
    "- **Gradient through time:** turn on *Rescale W_h at the start* and set ρ = 0.5, then ρ = 2.5 (each draws new weights). "
    "The orange curve falls by orders of magnitude (vanishing) or climbs (exploding).\n"
    "- **Exploding, tamed:** forecast with SGD, η = 0.3 and ρ = 2: training blows up; turn on clipping at c = 1 "
    "and it trains. Then try η = 10 — the page stops, explains, and you can go on after lowering η.\n"
    "- **Characters:** watch the samples go from noise to words; lower τ for safe text, raise it for wild text.")
links.finish()

"""Lesson 1: the perceptron — its anatomy, its decision line, Rosenblatt's learning rule step by step, XOR."""
import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import nn_core.perceptron as perceptron_module
from nn_core.perceptron import Perceptron, margin_bound
from lessons.perceptron import GATES, PerceptronStepper, gate, max_margin, radius, random_separable
from ui import challenges, link_state, links
from ui.common import show_equations, state
from ui.layout import chart, explain, table
from viz.perceptron import anatomy_figure, mistakes_figure, plane_figure, weight_path_figure

GATE_LIMS = (-0.6, 1.6)
RANDOM_LIMS = (-2.3, 2.3)
OWN_LIMS = (-3.0, 3.0)
DATASETS = ["AND", "OR", "NAND", "XOR", "Random separable points", "Your own points"]
MAX_OWN_POINTS = 40
MAX_RUN_EPOCHS = 100      # "Run until converged" gives up after this many epochs


def num(v):
    """How every number is written on this page."""
    return f"{float(v):.2f}"


def tex(v):
    """A number for LaTeX, in brackets when negative."""
    s = num(v)
    return f"({s})" if s.startswith("-") else s


def vec(v):
    return "(" + ", ".join(num(t) for t in v) + ")"


@st.cache_data(max_entries=64)
def cached_max_margin(X_bytes, y_bytes, n):
    X = np.frombuffer(X_bytes).reshape(n, 2)
    y = np.frombuffer(y_bytes, dtype=int)
    return max_margin(X, y)


st.title("Perceptron")
explain(
    "A **perceptron** is the smallest learning machine: it multiplies each input by a **weight**, adds a "
    "**bias**, and answers 1 if that **weighted sum z** is at least 0, else 0. It was invented by Frank "
    "Rosenblatt in 1958 — and every neuron in a deep network is a close relative.")
links.start("perceptron", {"anatomy": "inputs, weights and bias of section 1", "data": "data set",
                           "learning": "learning rate and start", "goal": "the gate to compute by hand"})

# ---------------------------------------------------------------- 1. anatomy
st.header("1 · Anatomy: inputs, weights, sum, step")
left, right = st.columns([1, 1.6], gap="large")
with left:
    n = st.radio("Number of inputs", [2, 3], horizontal=True, **links.kw("pc_n", "anatomy"))
    x, w = [], []
    defaults_x, defaults_w = [1.0, 0.0, 1.0], [0.8, -0.5, 0.3]
    for i in range(n):
        cx, cw = st.columns(2)
        x.append(cx.slider(f"input x{i + 1}", -2.0, 2.0, defaults_x[i], 0.1, **links.kw(f"pc_x{i + 1}", "anatomy")))
        w.append(cw.slider(f"weight w{i + 1}", -3.0, 3.0, defaults_w[i], 0.1, **links.kw(f"pc_w{i + 1}", "anatomy")))
    b = st.slider("bias b", -3.0, 3.0, -0.5, 0.1, **links.kw("pc_b", "anatomy"))

unit = Perceptron(n)
unit.w, unit.b = np.array(w), float(b)
z = float(unit.net_input(np.array(x)))
y_hat = unit.predict(np.array(x))

with right:
    chart(anatomy_figure(x, w, b, z, y_hat), width="stretch", key="pc_anatomy")
    terms = " + ".join(f"w_{i} x_{i}" for i in range(1, n + 1))
    st.latex(rf"z = {terms} + b, \qquad \hat y = H(z) = \begin{{cases}} 1 & z \ge 0 \\ 0 & z < 0 \end{{cases}}")
    numbers = " + ".join(f"{tex(wi)} \\cdot {tex(xi)}" for wi, xi in zip(w, x))
    st.latex(rf"z = {numbers} + {tex(b)} = {num(z)}")
    st.latex(rf"\hat y = H({num(z)}) = {y_hat}")

if n == 2:
    c1, c2 = st.columns([1.6, 1], gap="large")
    with c1:
        chart(plane_figure(w, b, OWN_LIMS, point=x, height=420), width="stretch",
              key="pc_anatomy_plane")
    with c2:
        st.markdown(
            "**The same perceptron as a line.** Every input x is a point in the plane. The points where "
            "z = w·x + b is exactly 0 form a straight line, the **decision line**. On the blue side z ≥ 0 "
            "and the answer is 1; on the orange side it is 0.\n\n"
            "The arrow is the weight vector **w**: it stands at right angles to the line and points to the "
            "side that answers 1. Changing the bias slides the line without turning it.")
        side = "blue (ŷ = 1)" if y_hat == 1 else "orange (ŷ = 0)"
        st.info(f"Your input x = {vec(x)} (the star) lies on the {side} side: z = {num(z)}.")
else:
    st.caption("With three inputs the decision boundary is a plane in 3-D space; switch to two inputs to see it "
               "as a line.")

with st.expander("The rule as written in the engine (nn_core/perceptron.py)"):
    show_equations(perceptron_module)

# ---------------------------------------------------------------- 2. learning
st.header("2 · Learning: Rosenblatt's rule, one sample at a time")
explain(
    "Show the perceptron one sample at a time. If it answers right, nothing changes. If it answers wrong, "
    "nudge the weights towards the right answer: **Δw = η (y − ŷ) x** and **Δb = η (y − ŷ)**, where y is the "
    "true label, ŷ the perceptron's answer and η the learning rate.")

c_data, c_lr, c_opt = st.columns([1.2, 1, 1])
data_name = links.place("data", c_data).selectbox("Data", DATASETS, **links.kw("pc_data", "data"))
lr = links.place("learning", c_lr).slider("learning rate η", 0.1, 2.0, 1.0, 0.1, **links.kw("pc_lr", "learning"))
random_start = links.place("learning", c_opt).toggle("start from random weights", **links.kw("pc_random_start", "learning"),
                            help="Off: w = 0 and b = 0 at the start, as in the convergence theorem.")

link_state.read_points(st.session_state, "pc_points", OWN_LIMS, MAX_OWN_POINTS)   # a link's own points
points = state("pc_points", list)
if data_name in GATES:
    X, y = gate(data_name)
    lims, data_key = GATE_LIMS, data_name
elif data_name == "Random separable points":
    cn, cs = st.columns(2)
    n_points = links.place("data", cn).slider("number of points", 4, 40, 20, 1, **links.kw("pc_rand_n", "data"))
    seed = links.int_input(links.place("data", cs), "seed (another seed, another set)", 0, 9999, 4, "pc_rand_seed", "data")
    X, y, _ = random_separable(n_points, seed=int(seed))
    lims, data_key = RANDOM_LIMS, ("random", n_points, int(seed))
else:
    st.markdown("Add points one by one: choose where and which class.")
    c1, c2, c3, c4, c5, c6 = st.columns([1, 1, 1, 0.8, 0.8, 0.8], vertical_alignment="bottom")
    px = c1.number_input("x₁", OWN_LIMS[0], OWN_LIMS[1], 1.0, 0.1, key="pc_px")
    py = c2.number_input("x₂", OWN_LIMS[0], OWN_LIMS[1], 1.0, 0.1, key="pc_py")
    pcls = c3.radio("class", [0, 1], horizontal=True, index=1, key="pc_pcls")
    if c4.button("Add point", key="pc_add", disabled=len(points) >= MAX_OWN_POINTS):
        points.append((float(px), float(py), int(pcls)))
    if c5.button("Remove last", key="pc_undo", disabled=not points):
        points.pop()
    if c6.button("Clear", key="pc_clear", disabled=not points):
        points.clear()
    X = np.array([p[:2] for p in points], dtype=float).reshape(-1, 2)
    y = np.array([p[2] for p in points], dtype=int)
    lims, data_key = OWN_LIMS, ("own", tuple(points))
link_state.write_points(points, data_name == "Your own points")

config = (data_key, random_start)
if st.session_state.get("pc_config") != config or "pc_stepper" not in st.session_state:
    st.session_state["pc_config"] = config
    st.session_state["pc_stepper"] = PerceptronStepper(X, y, lr=lr, init_scale=1.0 if random_start else 0.0, seed=0)
stepper = st.session_state["pc_stepper"]
stepper.perceptron.lr = lr          # η may change between steps; the weights stay

empty = len(X) == 0
b1, b2, b3, b4 = st.columns(4)
if b1.button("Step (one sample)", key="pc_step", disabled=empty, width="stretch"):
    stepper.step()
if b2.button("Epoch (all samples)", key="pc_epoch", disabled=empty, width="stretch"):
    stepper.run_epoch()
if b3.button("Run until converged", key="pc_run", disabled=empty, width="stretch", type="primary"):
    if stepper.status == "learning":
        stepper.run(max_epochs=MAX_RUN_EPOCHS)
        if stepper.status == "learning":
            st.session_state["pc_ran_out"] = stepper.steps
if b4.button("Reset", key="pc_reset", width="stretch"):
    stepper = PerceptronStepper(X, y, lr=lr, init_scale=1.0 if random_start else 0.0, seed=0)
    st.session_state["pc_stepper"] = stepper

if empty:
    st.info("There are no points yet: add a few of each class above, then press Step.")

p = stepper.perceptron
last = stepper.last
predicted = p.predict(X) if not empty else None
current = last["index"] if last is not None else (0 if not empty else None)
old = (last["w_before"], last["b_before"]) if last is not None and last["updated"] else None

# status line
if stepper.status == "converged":
    epochs, n_up = stepper.converged_at
    msg = (f"**Converged** after **{n_up} update{'s' if n_up != 1 else ''}** (epoch {epochs} made no mistake): every point is on its "
           "own side of the line.")
    mm = cached_max_margin(X.tobytes(), y.tobytes(), len(X)) if len(set(y.tolist())) == 2 else None
    if mm is not None and stepper.from_zero:
        bound = margin_bound(X, y, mm[0], mm[1])
        msg += (f" The perceptron convergence theorem promises at most (R/γ)² = ({num(radius(X))} / "
                f"{mm[2]:.3f})² = **{bound:.1f}** updates for this data — it needed {n_up}.")
    elif mm is not None:
        msg += " (The theorem's bound (R/γ)² assumes the weights start at zero; switch off the random start to compare.)"
    st.success(msg)
elif stepper.status == "cycling":
    later, earlier = stepper.cycle
    w_rep, b_rep = stepper.cycle_state
    st.warning(
        f"**The weights are going round in circles.** At the end of epoch {later} the weights and bias "
        f"are exactly what they were at the end of epoch {earlier if earlier else '0 (the start)'}: "
        f"w = {vec(w_rep)}, b = {num(b_rep)}. From there the same updates repeat for ever "
        f"(now in epoch {stepper.epoch}, {stepper.n_updates} updates so far; the weights at this moment: "
        f"w = {vec(p.w)}, b = {num(p.b)}).")
elif st.session_state.get("pc_ran_out") == stepper.steps and not empty:
    st.warning(f"**{MAX_RUN_EPOCHS} epochs and still no epoch without a mistake** ({stepper.n_updates} updates so "
               "far), and no repeated state yet. If no straight line can separate your points, it never will "
               "converge; otherwise press Run again.")
elif not empty:
    mistakes_now = int((predicted != y).sum())
    st.info(f"Epoch {stepper.epoch}, next sample #{stepper.next_index + 1} of {len(X)}. "
            f"Updates so far: {stepper.n_updates}. Points on the wrong side now: {mistakes_now}.")

left, right = st.columns([1.2, 1], gap="large")
with left:
    chart(plane_figure(p.w, p.b, lims, X, y, predicted=predicted, current=current, old=old),
          width="stretch", key="pc_plane")
    st.caption("Ringed in red: the sample the last step looked at. ✕: a point the perceptron now gets wrong. "
               "Dashed: the line before the last update.")
with right.container(key="pc_last"):
    st.markdown(f"**Now:** w = {vec(p.w)}, b = {num(p.b)}")
    if last is None:
        st.markdown("Press **Step** to show the perceptron its first sample.")
    else:
        xi = last["x"]
        err = last["y"] - last["y_hat"]
        st.markdown(f"**Last step** — sample #{last['index'] + 1}, x = {vec(xi)}, label y = {last['y']}:")
        st.latex(rf"z = w \cdot x + b = {num(last['z'])}, \quad \hat y = H(z) = {last['y_hat']}")
        if last["updated"]:
            st.latex(rf"\Delta w = \eta\,(y - \hat y)\,x = {num(last['lr'])} \cdot ({err}) \cdot {vec(xi)}")
            st.latex(rf"\Delta w = {vec(last['dw'])}")
            st.latex(rf"\Delta b = \eta\,(y - \hat y) = {num(last['db'])}")
        else:
            st.markdown("Right answer, so **no update**: Δw = 0, Δb = 0.")
with right:
    chart(weight_path_figure(stepper.updates, stepper.updates[0]["w_before"] if stepper.updates else p.w,
                             height=320), width="stretch", key="pc_wpath")
    st.caption("The weights (w₁, w₂) after every update; the red arrow is the last Δw.")

if stepper.status == "cycling":
    st.markdown(
        "#### Why XOR cannot be learned by one perceptron\n"
        "XOR answers 1 for (0, 1) and (1, 0), and 0 for (0, 0) and (1, 1): the two 1s sit on one diagonal of "
        "the square, the two 0s on the other. A perceptron can only cut the plane with **one straight line**, "
        "and no straight line puts both diagonals' corners on opposite sides — whichever way you turn it, at "
        "least one point is on the wrong side. So every epoch makes a mistake, every mistake moves the line, "
        "and the weights come back to where they were.\n\n"
        "The fix is to combine several lines: a **hidden layer** of neurons, each drawing its own line, and an "
        "output neuron that combines them. That is a multi-layer perceptron.")
    try:
        st.page_link("pages/4_playground.py", label="See a hidden layer solve XOR in the MLP playground",
                     icon=":material/hub:")
    except StreamlitPageNotFoundError:      # the page runs on its own (tests), outside app.py's navigation
        st.markdown("See a hidden layer solve XOR in the [MLP playground](/playground).")

if stepper.mistakes:
    c1, c2 = st.columns([1, 1.35], gap="large")
    with c1:
        st.markdown("**Mistakes per epoch**")
        chart(mistakes_figure(stepper.mistakes), width="stretch", key="pc_mistakes")
    with c2:
        st.markdown(f"**Past updates** ({stepper.n_updates}, newest first)")
        rows = [{"update": k, "epoch": r["epoch"], "sample": r["index"] + 1, "x": vec(r["x"]), "y": r["y"],
                 "ŷ": r["y_hat"], "Δw": vec(r["dw"]), "Δb": num(r["db"]), "w after": vec(r["w"]),
                 "b after": num(r["b"])}
                for k, r in reversed(list(enumerate(stepper.updates, start=1))[-200:])]
        table(pd.DataFrame(rows), height=300)
elif stepper.updates:
    st.markdown(f"**Past updates:** {stepper.n_updates} so far in this epoch.")

st.markdown("**Try next:** step through AND and watch the line settle; then pick XOR and press "
            "*Run until converged*; change η with weights starting at zero — does the line move differently?")

# ---------------------------------------------------------------- 3. challenge
st.header("3 · Try this: be the learning rule")
goal = links.place("goal", st).selectbox("Make the perceptron compute", ["NAND", "AND", "OR", "XOR"],
                                         **links.kw("pc_goal", "goal"))
st.markdown(f"Set the two weights and the bias by hand so that the perceptron outputs **{goal}** for all four "
            "inputs. The table checks your answer as you move the sliders.")
c1, c2 = st.columns([1, 1.3], gap="large")
with c1:
    cw1, cw2, cb = st.columns(3)
    gw1 = cw1.slider("w1", -3.0, 3.0, 0.0, 0.1, **links.kw("pc_ch_w1"))
    gw2 = cw2.slider("w2", -3.0, 3.0, 0.0, 0.1, **links.kw("pc_ch_w2"))
    gb = cb.slider("b", -3.0, 3.0, 0.0, 0.1, **links.kw("pc_ch_b"))
    guess = Perceptron(2)
    guess.w, guess.b = np.array([gw1, gw2]), float(gb)
    GX, Gy = gate(goal)
    gz, gy_hat = guess.net_input(GX), guess.predict(GX)
    truth = pd.DataFrame({"x₁": GX[:, 0].astype(int), "x₂": GX[:, 1].astype(int), "z": [num(v) for v in gz],
                          "ŷ": gy_hat, f"{goal}": Gy, "right?": ["✓" if a == t else "✗" for a, t in zip(gy_hat, Gy)]})
    table(truth)
    right_count = int((gy_hat == Gy).sum())
    if right_count == 4:
        st.success(f"Solved: w = ({num(gw1)}, {num(gw2)}), b = {num(gb)} computes {goal} on all four inputs.")
    elif goal == "XOR":
        st.warning(f"{right_count} of 4 right. Keep trying — and if you can never get all four, section 2 explains why.")
    else:
        st.info(f"{right_count} of 4 right so far.")
with c2:
    chart(plane_figure([gw1, gw2], gb, GATE_LIMS, GX, Gy, predicted=gy_hat, height=400),
          width="stretch", key="pc_ch_plane")

challenges.panel("perceptron", {"goal": goal, "w": (gw1, gw2), "b": gb, "data": data_name, "status": stepper.status})
links.finish()

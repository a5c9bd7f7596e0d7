"""Lesson 3: one training step of a small network — forward, loss, backward, update — number by number."""
import importlib

import pandas as pd
import streamlit as st

from lessons import backprop as stepper
from nn_core import ACTIVATIONS, LOSSES, SGD
from ui import challenges, link_state, links
from ui.common import show_equations
from ui.layout import chart, explain, grid_editor, table
from viz import backprop as viz

PRESET_LABELS = {"textbook": "Textbook 2-2-2", "xor": "XOR 2-2-1", "softmax": "Softmax 2-3-3",   # short: in the link
                 "custom": "Custom network"}
PHASE_LABELS = {"forward": "Forward", "loss": "Loss", "backward": "Backward", "update": "Update"}
LOSS_LABELS = {"mse": "mean squared error", "bce": "binary cross-entropy", "cross_entropy": "cross-entropy (softmax)"}
ACT_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU", "identity": "identity (linear)"}
TEXTBOOK_TOTAL_ERROR, TEXTBOOK_W5 = "0.298371109", "0.35891648"   # published in Mazur's article
TEXTBOOK_AFTER_1, TEXTBOOK_AFTER_10000 = "0.291027924", "0.0000351085"

ss = st.session_state


# --- state ------------------------------------------------------------------------------------------
def custom_spec(seed, show=True):
    n_layers = ss.get("bp_c_layers", 2)
    sizes = [ss.get("bp_c_in", 2)] + [ss.get(f"bp_c_n{l}", 2) for l in range(n_layers)]
    loss = ss.get("bp_c_loss", "mse")
    acts = [ss.get(f"bp_c_act{l}", "sigmoid") for l in range(n_layers)]
    if loss == "cross_entropy":
        acts[-1], sizes[-1] = "identity", max(sizes[-1], 2)
    elif loss == "bce":
        acts[-1] = "sigmoid"
    if show and "bp_c_layers" in ss:   # called from a callback: show the forced choices on the (disabled) widgets
        ss[f"bp_c_act{n_layers - 1}"], ss[f"bp_c_n{n_layers - 1}"] = acts[-1], sizes[-1]
    return stepper.random_spec(sizes, acts, loss, seed=seed, lr=ss.get("bp_lr", 0.5),
                               update_biases=ss.get("bp_biases", True))


def load(spec, settings=True):
    """Replace the network (new preset, random weights, trained weights): fresh tables, back to step 1."""
    ss.bp_spec, ss.bp_k, ss.bp_phase = spec, 0, "forward"
    ss.bp_ver = ss.get("bp_ver", 0) + 1
    if settings:
        ss.bp_lr, ss.bp_biases = spec["lr"], spec["update_biases"]


def on_preset():
    ss.bp_history = []
    name = ss.bp_preset
    load(custom_spec(ss.get("bp_seed", 0)) if name == "custom" else stepper.preset(name))


def drawn(spec, show=True):
    """The network the seed draws: a custom one from the shape's widgets, else ``spec``'s shape with new numbers."""
    if ss.bp_preset == "custom":
        return custom_spec(ss.bp_seed, show)
    return stepper.random_spec(spec["sizes"], spec["activations"], spec["loss"], seed=ss.bp_seed, lr=spec["lr"],
                               update_biases=spec["update_biases"])


def on_random():
    ss.bp_history = []
    load(drawn(ss.bp_spec))


def on_custom_shape():
    ss.bp_history = []
    load(custom_spec(ss.get("bp_seed", 0)))


def go_to(k):
    k = max(0, min(k, len(ss.bp_steps) - 1))
    ss.bp_k, ss.bp_phase = k, ss.bp_steps[k]["phase"]


def on_phase():
    go_to(stepper.first_step_of(ss.bp_steps, ss.bp_phase))


def on_train():
    losses, spec, reason = stepper.train(ss.bp_spec, ss.bp_n)
    ss.bp_history = (ss.get("bp_history") or [])[:-1] + losses
    ss.bp_train_msg = reason
    k = ss.bp_k
    load(spec)
    ss.bp_k, ss.bp_phase = k, ss.bp_steps[k]["phase"]


if "bp_spec" not in ss:
    ss.bp_history, ss.bp_first = [], True
    load(stepper.preset("textbook"))

# --- the lesson -------------------------------------------------------------------------------------
st.title("Forward & backward pass, step by step")
explain(
    "One training step of a small network, one neuron at a time: **forward** (weighted sum z = Σ w·a + b, then "
    "the activation a = f(z)), **loss**, **backward** (the chain rule gives each neuron's δ = ∂L/∂z and every "
    "**gradient**), **update** (each weight and bias steps against its gradient). Every number comes from the "
    "lab's engine — check any of them by hand.")
links.start("backprop", {"network": "network, learning rate and biases", "custom": "custom network and seed"})

top = st.columns([2, 1, 1])
top[0].selectbox("Network", list(PRESET_LABELS), on_change=on_preset,
                 **links.kw("bp_preset", "network", PRESET_LABELS.get))
top[1].number_input("Learning rate η", min_value=0.001, max_value=100.0, step=0.1, format="%.3f",
                    **links.kw("bp_lr", "network"))
top[2].checkbox("Update the biases too", **links.kw("bp_biases", "network"),
                help="Mazur's textbook example keeps the biases fixed; a real training step updates them.")

st.caption(stepper.PRESET_NOTES[ss.bp_preset] + ((" Check every number against the article." if stepper.is_article(ss.bp_spec)
                                          else " The weights are no longer the article's, so its numbers do not "
                                               "apply.") if ss.bp_preset == "textbook" else ""))
spec = dict(ss.bp_spec, lr=float(ss.bp_lr), update_biases=bool(ss.bp_biases))
with st.expander("Edit the network: sample, target, every weight and bias — or draw them at random", expanded=False):
    if ss.bp_preset == "custom":
        c = st.columns(4)
        c[0].slider("Layers (after the inputs)", 1, stepper.MAX_LAYERS, 2, on_change=on_custom_shape,
                    **links.kw("bp_c_layers", "custom"))
        c[1].slider("Inputs", 1, stepper.MAX_NEURONS, 2, on_change=on_custom_shape, **links.kw("bp_c_in", "custom"))
        c[2].selectbox("Loss", list(LOSS_LABELS), on_change=on_custom_shape,
                       **links.kw("bp_c_loss", "custom", LOSS_LABELS.get))
        c = st.columns(stepper.MAX_LAYERS)
        for l in range(ss.bp_c_layers):
            last = l == ss.bp_c_layers - 1
            c[l].slider(f"Neurons in layer {l + 1}", 1, stepper.MAX_NEURONS, 2, on_change=on_custom_shape,
                        **links.kw(f"bp_c_n{l}", "custom"))
            c[l].selectbox(f"Activation of layer {l + 1}", list(ACT_LABELS), on_change=on_custom_shape,
                           **dict(links.kw(f"bp_c_act{l}", "custom", ACT_LABELS.get),
                                  disabled=(last and ss.bp_c_loss != "mse") or links.hidden("custom")),
                           help="Fixed by the loss: sigmoid for binary cross-entropy, identity (raw scores) "
                                "for cross-entropy." if last else None)
    c = st.columns([1, 1.5, 2.5])       # the button's label whole in presenter mode's larger type
    links.int_input(c[0], "Seed", 0, 10_000, 0, "bp_seed", "custom")
    c[1].button("Draw random weights", key="bp_random", on_click=on_random, help="Sample, target, weights and biases drawn from the seed.")
    if ss.pop("bp_first", False):   # a link's network: its preset, custom shape and seed, as just read above
        first = stepper.preset(ss.bp_preset) if ss.bp_preset != "custom" else None
        load(first if first and not ss.bp_seed else drawn(first, show=False), settings=False)
        load(link_state.read_net(ss.bp_spec, stepper.validate) or ss.bp_spec, settings=False)   # its edited numbers
        spec = dict(ss.bp_spec, lr=float(ss.bp_lr), update_biases=bool(ss.bp_biases))
    v = ss.bp_ver
    edited = dict(spec)
    c = st.columns([1, 1] + [2] * (len(spec["sizes"]) - 1))
    names = {n: [viz.node_name(spec["sizes"], n, j, html=True).replace("<sub>", "").replace("</sub>", "")
                 .replace("<sup>", "").replace("</sup>", "") for j in range(k)] for n, k in enumerate(spec["sizes"])}
    sample = grid_editor(pd.DataFrame({"sample": spec["x"]}, index=names[0]), key=f"bp_x_{v}", where=c[0])
    edited["x"] = sample["sample"].tolist()
    if spec["loss"] == "cross_entropy":
        t = grid_editor(pd.DataFrame({"class y": [int(spec["target"][0]) + 1]}, index=["target"]), key=f"bp_t_{v}",
                        where=c[1], column_config={"class y": st.column_config.NumberColumn(
                            min_value=1, max_value=spec["sizes"][-1], step=1)})
        edited["target"] = [float(t["class y"].iloc[0]) - 1]
    else:
        t = grid_editor(pd.DataFrame({"target": spec["target"]}, index=names[len(spec["sizes"]) - 1]),
                        key=f"bp_t_{v}", where=c[1])
        edited["target"] = t["target"].tolist()
    edited["W"], edited["b"] = [], []
    for l in range(len(spec["sizes"]) - 1):
        weights = pd.DataFrame(spec["W"][l] + [spec["b"][l]], index=names[l] + ["bias"], columns=names[l + 1])
        out = grid_editor(weights, key=f"bp_W{l}_{v}", where=c[2 + l])
        c[2 + l].caption(f"Layer {l + 1}: a row per input (and the bias), a column per neuron")
        edited["W"].append(out.iloc[:-1].to_numpy(dtype=float).tolist())
        edited["b"].append(out.iloc[-1].to_numpy(dtype=float).tolist())
    try:
        stepper.validate(edited)
        spec = edited
    except ValueError as e:
        st.warning(f"That edit was not applied: {e}.")
    except (TypeError, KeyError):
        st.warning("That edit was not applied: every cell must hold a number.")

try:
    rec = stepper.run(spec)
except ValueError as e:   # e.g. a learning rate field emptied: keep the last good network
    st.warning(f"This network cannot be run: {e}. The last working network is shown.")
    spec = ss.bp_spec
    rec = stepper.run(spec)
ss.bp_spec = spec
link_state.write_net(spec, stepper.preset(ss.bp_preset) if ss.bp_preset != "custom" and not ss.bp_seed
                     else drawn(spec, show=False))   # the link carries the network's numbers once edited or trained
steps = ss.bp_steps = stepper.build_steps(spec)
ss.bp_k = min(ss.bp_k, len(steps) - 1)
k, step = ss.bp_k, steps[ss.bp_k]
digits = ss.get("bp_digits", 5)
tr, sizes, L = rec["trace"], spec["sizes"], len(spec["sizes"]) - 1
textbook = ss.bp_preset == "textbook" and spec["x"] == [0.05, 0.10] and spec["W"] == stepper.PRESETS["textbook"]["W"] \
    and spec["b"] == stepper.PRESETS["textbook"]["b"] and spec["target"] == [0.01, 0.99]

# --- the stepper ------------------------------------------------------------------------------------
left, right = st.columns([1, 1], gap="medium")
nav = right.columns([1, 1, 1], vertical_alignment="center")
nav[0].button("◀ Previous", key="bp_prev", on_click=go_to, args=(k - 1,), disabled=k == 0, use_container_width=True)
nav[1].button("Next ▶", key="bp_next", on_click=go_to, args=(k + 1,), disabled=k == len(steps) - 1, type="primary",
              use_container_width=True)
nav[2].markdown(f"**step {k + 1} of {len(steps)}**")
ss.bp_phase = step["phase"]
right.radio("Jump to phase", list(PHASE_LABELS), format_func=PHASE_LABELS.get, key="bp_phase", horizontal=True,
            on_change=on_phase, label_visibility="collapsed")
chart(viz.network_figure(spec, rec, step, digits=min(digits, 4)), config={"displayModeBar": False},
      key="bp_diagram", where=left)
left.caption(f"Links: colour = sign of the weight (blue +, orange −), thickness = size, fixed scale "
             f"±{viz.colour_range(spec):g}. Link labels: the weight, then ∂ and ∂L/∂w once known (backward), then "
             "the new weight (update: \"new\", or w5′ for the article's new w5); a backward step's formula reads "
             "the weights leaving its neuron, so those links "
             "show their weights. Each bias is a link from a *bias* square (a constant input 1). In each neuron its "
             "activation a; under it z, or ∂L/∂a and δ = ∂L/∂z once known. Hover for every value."
             + (" With 3 or more neurons in a layer only the links of the current step carry numbers."
                if max(sizes) > 2 else "")
             + (" ★ marks the true class y." if spec["loss"] == "cross_entropy" else ""))

with right.container(key="bp_formula"):
    phase, l, j = step["phase"], step["layer"], step["neuron"]
    if phase == "forward":
        me = viz.node_name(sizes, l + 1, j)
        st.header(f"Forward: neuron ${me}$")
        st.markdown(f"Weighted sum of its inputs plus its bias, then the activation ({ACT_LABELS[tr['layers'][l]['activation']]}).")
        for line in viz.forward_latex(spec, rec, l, j, digits):
            st.latex(line)
    elif phase == "loss":
        st.header(f"Loss: {LOSS_LABELS[spec['loss']]}")
        for line in viz.loss_latex(spec, rec, digits):
            st.latex(line)
        if spec["loss"] == "mse" and sizes[-1] == 2:
            st.markdown("With M = 2 outputs, $\\frac{1}{M}\\sum(\\dots)^2 = \\frac{1}{2}\\sum(\\text{target} - "
                        "\\text{out})^2$: exactly the textbook's **total error**.")
        if textbook:
            st.success(f"Total error **{tr['loss']:.9f}** — the article gives {TEXTBOOK_TOTAL_ERROR}.")
    elif phase == "backward":
        me = viz.node_name(sizes, l + 1, j)
        st.header(f"Backward: δ of neuron ${me}$")
        st.markdown("δ = ∂L/∂z by the chain rule" + (" — from the loss" if l == L - 1 else
                    " — from the δ of the neurons it feeds") + "; then the gradient of each incoming weight and its bias.")
        for line in viz.backward_latex(spec, rec, l, j, digits):
            st.latex(line)
    elif l is not None:
        st.header(f"Update: layer {l + 1}")
        st.markdown(f"Every weight{' and bias' if spec['update_biases'] else ''} takes a step of size η = "
                    f"{spec['lr']:g} against its gradient.")
        for line in viz.update_latex(spec, rec, l, digits):
            st.latex(line)
        rows = pd.DataFrame(viz.update_rows(spec, rec, l))
        table(rows, where=right.container(key="bp_upd_box"), key="bp_upd",   # the formulas' significant digits: one number each
              column_config={c: st.column_config.NumberColumn(format=f"%.{digits}g") for c in ("old", "gradient", "new")})
        if not spec["update_biases"]:
            right.info("As in the textbook, the **biases are not updated** here: only the weights learn. Tick "
                    "*Update the biases too* to see what changes.", icon=":material/menu_book:")
        shared = stepper.shared_bias_gradient(spec, tr, l)
        if shared and spec["update_biases"]:
            d = tr["layers"][l]["dL_db"]
            right.caption(f"The article has one bias {shared[0]} shared by this layer's neurons; the engine gives each "
                       f"neuron its own copy, so each gets its own gradient. A single shared {shared[0]} would get "
                       f"their sum: {' + '.join(viz.fmt(v, digits) for v in d)} = {viz.fmt(shared[1], digits)}.")
        if textbook and l == 1:
            right.success(f"New w5 = **{rec['after']['W'][1][0][0]:.8f}** — the article gives {TEXTBOOK_W5}.")
    else:
        st.header("After the update: a fresh forward pass")
        st.latex(rf"L_\text{{before}} = {viz.fmt(tr['loss'], digits)} \quad\longrightarrow\quad "
                 rf"L_\text{{after}} = {viz.fmt(rec['loss_after'], digits)}")
        with_b, without_b = ((rec["loss_after"], rec["loss_after_other_biases"]) if spec["update_biases"]
                             else (rec["loss_after_other_biases"], rec["loss_after"]))
        m = st.columns(2)
        m[0].metric("Loss after, biases fixed (textbook)", viz.fmt(without_b, digits),
                    delta=viz.fmt(without_b - tr["loss"], 3), delta_color="inverse")
        m[1].metric("Loss after, biases updated too", viz.fmt(with_b, digits),
                    delta=viz.fmt(with_b - tr["loss"], 3), delta_color="inverse")
        st.markdown("The same sample goes forward again through the new weights. "
                    "**Next:** train more steps below and watch the loss keep falling.")

# --- beside the stepper: gradient check, one neuron's graph, more training ----------------------------
st.divider()
tabs = st.tabs(["Gradient check", "Computation graph of one neuron", "Train N more steps", "The engine's equations"])
with tabs[0]:
    st.markdown("Backprop's gradient beside a **central finite difference** (nudge one parameter by ±ε = 10⁻⁵ and "
                "watch the loss). They agree to about 10⁻⁹ when backprop is right.")
    st.latex(r"\frac{\partial L}{\partial \theta} \approx \frac{L(\theta + \varepsilon) - L(\theta - \varepsilon)}{2\varepsilon}")
    raw = stepper.gradient_check(spec)
    check = viz.gradcheck_rows(spec, raw)
    worst = max(r["rel_error"] for r in raw)
    if all(r["agrees"] for r in raw):
        st.success(f"Backprop and finite differences agree for all {len(raw)} parameters "
                   f"(largest relative error {worst:.1e}).")
    else:
        cause = {"kink": "at a ReLU kink, z ≈ 0, the finite difference straddles the corner",
                 "overflow": "the weights, weighted sums or loss are huge (up to "
                             f"{stepper.largest(spec, tr):.1e}"
                             "): a nudge of ε = 10⁻⁵ is lost in the rounding of such numbers (float64 keeps about "
                             "16 digits), so the finite difference is meaningless — the learning rate was too large",
                 "precision": "float64 rounding limits the finite difference here"}[stepper.disagreement_cause(spec, tr)]
        st.warning(f"{sum(not r['agrees'] for r in raw)} of {len(raw)} gradients disagree (largest relative error "
                   f"{worst:.1e}) — {cause}.")
    table(pd.DataFrame(check), key="bp_gc",
          column_config={"backprop": st.column_config.NumberColumn(format="%.9f"),
                         "finite difference": st.column_config.NumberColumn(format="%.9f"),
                         "relative error": st.column_config.NumberColumn(format="%.1e"),
                         "|difference|": st.column_config.NumberColumn(format="%.1e")})
    st.caption("When both gradients are about 0 (a ReLU that is off), the relative error means nothing: "
               "then the absolute difference is what counts (below 10⁻⁹ here).")
with tabs[1]:
    options = [(l2, j2) for l2 in range(L) for j2 in range(sizes[l2 + 1])]
    default = (step["layer"], step["neuron"]) if step["neuron"] is not None else (L - 1, 0)
    pick = st.selectbox("Neuron", options, index=options.index(default), key=f"bp_gn_{k}",
                        format_func=lambda o: viz.node_name(sizes, o[0] + 1, o[1], html=True)
                        .replace("<sub>", "").replace("</sub>", "").replace("<sup>", "").replace("</sup>", ""))
    st.markdown("Each box holds a **value** (forward) and a **grad** = ∂L/∂(that value) (backward), as an autograd "
                "engine stores them. A product passes δ·(the other factor) back; a sum passes δ to every input. "
                "Border colour: the sign of the grad.")
    chart(viz.graph_figure(spec, rec, pick[0], pick[1], stepper.neuron_graph(tr, *pick), digits=min(digits, 5)),
          config={"displayModeBar": False}, key="bp_graph")
with tabs[2]:
    c = st.columns([1, 1, 3])
    c[0].number_input("Steps N", 1, stepper.MAX_TRAIN_STEPS, 100, key="bp_n")
    c[1].button("Train N more steps", key="bp_train", on_click=on_train, type="primary")
    if ss.get("bp_train_msg"):
        st.warning(f"Training stopped: {ss.bp_train_msg}. The last finite weights are kept.")
    hist = ss.get("bp_history") or []
    if hist:
        chart(viz.loss_curve_figure(hist), config={"displayModeBar": False}, key="bp_curve")
        st.caption(f"Loss on this one sample: {viz.fmt(hist[0], digits)} → {viz.fmt(hist[-1], digits)} after "
                   f"{len(hist) - 1} steps. The walk-through above now uses the trained weights.")
        if ss.bp_preset == "textbook" and len(hist) == 10_001 and f"{hist[0]:.9f}" == TEXTBOOK_TOTAL_ERROR:
            st.info(f"The article gives {TEXTBOOK_AFTER_10000} after 10,000 steps; the engine gets "
                    f"{hist[-1]:.10f}. The article rounded its numbers along the way: already after one step it "
                    f"prints {TEXTBOOK_AFTER_1} where exact arithmetic gives {hist[1]:.9f}, and 10,000 steps carry "
                    "that difference forward. The engine keeps every digit float64 has.")
    else:
        st.caption("Each step is the forward–loss–backward–update cycle above, on this one sample."
                   + (" The article's network reaches a total error of 0.0000351085 after 10,000 steps."
                      if ss.bp_preset == "textbook" else ""))
with tabs[3]:
    st.markdown("The equations the engine documents — and runs — for this network:")
    show_equations(importlib.import_module("nn_core.trace"))   # the module: nn_core.trace is also a function
    show_equations(LOSSES[spec["loss"]])
    for name in dict.fromkeys(spec["activations"]):
        show_equations(ACTIVATIONS[name])
    show_equations(SGD)

with st.expander("Display"):
    st.select_slider("Significant digits in the formulas", options=list(range(3, 10)), value=5, **links.kw("bp_digits"))
st.markdown("**Try next:** tick *Update the biases too* and compare the loss after the update; make the learning "
            "rate 5 or 50 and train 100 steps; in a custom network use ReLU and find a neuron whose δ is 0.")

challenges.close("backprop", challenges.backprop_view(ss.bp_preset, rec, steps, k))

"""Lesson 4: the MLP playground — build a multi-layer perceptron, train it live on 2-D data, watch it learn."""
import copy
import time

import numpy as np
import streamlit as st

import nn_core.playground as pg
from nn_core import ModelFileError, Sequential
from nn_core.data import DATASETS_2D, FEATURE_LATEX, FEATURES
from nn_core.layers import Dense
from nn_core.training import Trainer
from pages.common import show_equations
from viz.palette import data_uri
from viz.playground import (class_map_rgb, confusion_figure, curves_figure, data_figure, map_png, network_figure,
                            neuron_pngs, value_rgb)

FRAME_BUDGET = 0.035          # seconds of training per live frame
GRID = 100                    # the decision map is GRID × GRID
S = st.session_state


# ---------------------------------------------------------------- state
def widget_defaults(setup):
    """Put a setup into the widgets' keys (on first load, from a share link, after a model is loaded)."""
    S.pg_w_data, S.pg_w_noise, S.pg_w_train, S.pg_w_seed = setup["data"], setup["noise"], setup["train"], setup["seed"]
    S.pg_w_lr, S.pg_w_opt, S.pg_w_batch = setup["lr"], setup["opt"], setup["batch"]
    S.pg_w_reg, S.pg_w_rate, S.pg_w_loss = setup["reg"], setup["rate"], setup["loss"]
    S.pg_w_stop_loss, S.pg_w_stop_epoch = setup["stop_loss"], setup["stop_epoch"]
    for f in FEATURES:
        S[f"pg_w_feat_{f}"] = f in setup["features"]
    S.pg_layers = list(setup["layers"])
    for i, a in enumerate(setup["acts"]):
        S[f"pg_w_act_{i}"] = a


def first_load():
    setup, classroom, notices = pg.decode_setup(st.query_params.to_dict())
    S.pg_classroom, S.pg_link_notices = classroom, notices
    S.pg_playing, S.pg_added, S.pg_upload, S.pg_message = False, ([], []), None, None
    S.pg_show_test, S.pg_discrete = False, False
    widget_defaults(setup)
    build(setup, None)


def added_points():
    xs, ys = S.pg_added
    return (np.array(xs, dtype=float).reshape(-1, 2), np.array(ys)) if xs else None


def build(setup, why):
    """New data and a new network for ``setup``; ``why`` is said on the page."""
    data = pg.make_data(setup, S.pg_upload, added_points())
    S.pg_trainer = pg.make_trainer(setup, data)
    S.pg_data, S.pg_setup, S.pg_initial = data, setup, S.pg_trainer.model.get_weights()
    S.pg_playing = False
    S.pg_message = why


def gather():
    """The setup the widgets show now."""
    layers = list(S.pg_layers)
    return {"data": S.pg_w_data, "noise": S.pg_w_noise, "seed": int(S.pg_w_seed), "train": S.pg_w_train,
            "features": [f for f in FEATURES if S[f"pg_w_feat_{f}"]], "layers": layers,
            "acts": [S.get(f"pg_w_act_{i}", "tanh") for i in range(len(layers))],
            "loss": S.pg_w_loss, "opt": S.pg_w_opt, "lr": S.pg_w_lr, "batch": S.pg_w_batch,
            "reg": S.pg_w_reg, "rate": S.pg_w_rate, "stop_loss": float(S.pg_w_stop_loss),
            "stop_epoch": int(S.pg_w_stop_epoch)}


# ---------------------------------------------------------------- callbacks (run before the script)
def on_play():
    S.pg_playing = not S.pg_playing and not S.pg_trainer.stopped
    S.pg_message = None


def on_step():
    S.pg_playing = False
    S.pg_trainer.run_epoch()


def on_reset():
    S.pg_playing = False
    S.pg_trainer.reset(S.pg_initial)
    S.pg_message = "Reset: the weights are back to their starting values and the epoch counter to 0."


def on_lower_lr():
    lower = [r for r in pg.LEARNING_RATES if r < S.pg_trainer.optimizer.lr / 3] or [pg.LEARNING_RATES[0]]
    S.pg_w_lr = lower[-1]
    S.pg_trainer.optimizer.lr = lower[-1]
    S.pg_setup = {**S.pg_setup, "lr": lower[-1]}
    S.pg_trainer.reset(S.pg_initial)
    S.pg_message = f"Reset with the learning rate lowered to {lower[-1]:g}; the data and the network are unchanged."


def on_layers(delta):
    layers = S.pg_layers
    if delta > 0 and len(layers) < pg.MAX_LAYERS:
        S[f"pg_w_act_{len(layers)}"] = S.get(f"pg_w_act_{len(layers) - 1}", "tanh") if layers else "tanh"
        layers.append(layers[-1] if layers else 4)
    elif delta < 0 and layers:
        layers.pop()


def on_neurons(i, delta):
    S.pg_layers[i] = int(np.clip(S.pg_layers[i] + delta, 1, pg.MAX_NEURONS))


def on_new_seed():
    S.pg_w_seed = int(S.pg_w_seed) + 1


def on_clear_added():
    S.pg_added = ([], [])


# ---------------------------------------------------------------- page
if "pg_setup" not in S:
    first_load()
if S.get("pg_w_data_pending"):            # an upload just succeeded: show it
    S.pg_w_data = S.pop("pg_w_data_pending")
hide = set(S.pg_classroom)

st.title("MLP playground")
st.markdown(
    "A **multi-layer perceptron** stacks layers of neurons: each neuron takes a weighted sum z of the previous "
    "layer's outputs plus a bias, and passes it through an activation. Press **Play** and watch it learn to "
    "separate the points: the big map shows what the network answers everywhere, the small maps what each "
    "neuron has learned to respond to.")
for note in S.pg_link_notices:
    st.info(f"This link's setting {note} was ignored; the default is used instead.")
if S.pg_classroom:
    st.caption("Classroom link: some controls are hidden by your teacher.")

# --- training bar
bar = st.columns([1.1, 0.8, 0.8, 1.7, 1.4, 1.4, 1.2, 1.3, 1.5])
trainer = S.pg_trainer
bar[0].button("⏸ Pause" if S.pg_playing else "▶ Play", key="pg_play", on_click=on_play, type="primary",
              width="stretch", disabled=bool(trainer.stopped))
bar[1].button("Step", key="pg_step", on_click=on_step, width="stretch", help="Train one epoch")
bar[2].button("Reset", key="pg_reset", on_click=on_reset, width="stretch", help="Start again from the first weights")
lr_col, opt_col, batch_col, reg_col, rate_col, loss_col = bar[3:]
if "lr" not in hide:
    lr_col.select_slider("Learning rate", pg.LEARNING_RATES, key="pg_w_lr", format_func=lambda v: f"{v:g}")
if "optimizer" not in hide:
    opt_col.selectbox("Optimizer", list(pg.OPTIMIZERS), key="pg_w_opt", format_func=pg.OPTIMIZERS.get)
if "batch" not in hide:
    batch_col.select_slider("Batch size", pg.BATCH_SIZES, key="pg_w_batch",
                            format_func=lambda v: "all" if v == 0 else str(v))
if "regularization" not in hide:
    reg_col.selectbox("Regularisation", list(pg.REGULARIZATION), key="pg_w_reg", format_func=pg.REGULARIZATION.get)
    rate_col.select_slider("Regularisation rate", pg.REG_RATES, key="pg_w_rate", format_func=lambda v: f"{v:g}",
                           disabled=S.pg_w_reg == "none")
if "loss" not in hide:
    loss_col.selectbox("Loss", list(pg.LOSS_CHOICES), key="pg_w_loss",
                       format_func=lambda v: ("by the problem" if v == "auto" else "MSE"),
                       help="Classification normally uses cross-entropy; pick MSE to compare.")

left, right = st.columns([1, 3.6], gap="medium")

# --- data panel
with left:
    st.subheader("Data")
    if "data" not in hide:
        options = list(DATASETS_2D) + (["upload"] if S.pg_upload is not None else [])
        st.selectbox("Data set", options, key="pg_w_data",
                     format_func=lambda k: "Your uploaded points" if k == "upload" else DATASETS_2D[k]["label"])
        st.slider("Noise (%)", 0, 50, step=5, key="pg_w_noise")
        st.slider("Training data (%)", 10, 90, step=10, key="pg_w_train",
                  help="The rest is the test set, never trained on.")
        c1, c2 = st.columns([1.3, 1], vertical_alignment="bottom")
        c1.number_input("Seed", 0, 10**6, step=1, key="pg_w_seed")
        c2.button("New", key="pg_regen", on_click=on_new_seed, help="Regenerate the data with a new seed")
    st.toggle("Show test points", key="pg_show_test")
    st.toggle("Discretize output", key="pg_discrete")

# --- network builder
with right:
    if "features" not in hide:
        fcols = st.columns(len(FEATURES) + 1)
        fcols[0].markdown("**Features**")
        for c, f in zip(fcols[1:], FEATURES):
            c.checkbox(f"${FEATURE_LATEX[f]}$", key=f"pg_w_feat_{f}")
    if "network" not in hide or "activation" not in hide:
        layers = S.pg_layers
        lcols = st.columns([1.3] + [1] * pg.MAX_LAYERS)
        with lcols[0]:
            st.markdown(f"**{len(layers)} hidden layer{'s' if len(layers) != 1 else ''}**")
            if "network" not in hide:
                a, b = st.columns(2)
                a.button("＋", key="pg_layer_add", on_click=on_layers, args=(1,), disabled=len(layers) >= pg.MAX_LAYERS,
                         help="Add a hidden layer")
                b.button("－", key="pg_layer_del", on_click=on_layers, args=(-1,), disabled=not layers,
                         help="Remove the last hidden layer")
        for i, n in enumerate(layers):
            with lcols[i + 1]:
                if "network" not in hide:
                    a, b = st.columns(2)
                    a.button("＋", key=f"pg_n_add_{i}", on_click=on_neurons, args=(i, 1), disabled=n >= pg.MAX_NEURONS)
                    b.button("－", key=f"pg_n_del_{i}", on_click=on_neurons, args=(i, -1), disabled=n <= 1)
                if "activation" not in hide:
                    st.selectbox(f"Layer {i + 1}", list(pg.ACTIVATIONS), key=f"pg_w_act_{i}",
                                 format_func=pg.ACTIVATIONS.get)

# --- apply the controls: rebuild on data/network changes, keep the weights otherwise
setup = gather()
old = S.pg_setup
try:
    if setup["data"] == "upload" and S.pg_upload is None:
        raise ValueError("No uploaded points yet.")
    pg.check_setup(setup)
    if any(setup[k] != old[k] for k in pg.DATA_KEYS):
        if S.pg_added[0]:
            S.pg_added = ([], [])
        build(setup, "New data: the network was rebuilt with fresh weights.")
    elif any(setup[k] != old[k] for k in pg.NET_KEYS):
        build(setup, "The network changed: it was rebuilt with fresh weights.")
    else:
        pg.apply_hyper(S.pg_trainer, setup)
        S.pg_setup = setup
except ValueError as e:
    st.warning(f"{e} The previous network is kept.")
setup, trainer, data = S.pg_setup, S.pg_trainer, S.pg_data
st.query_params.from_dict(pg.encode_setup(setup, S.pg_classroom))
task, classes = data["task"], data["classes"]

if S.pg_message:
    left.info(S.pg_message)
if trainer.stopped:
    with right:
        st.warning(f"**Training stopped — the network diverged.** {trainer.stopped}", icon=":material/warning:")
        st.button(f"Reset the weights with a lower learning rate", key="pg_lower_lr", on_click=on_lower_lr,
                  type="primary")


# ---------------------------------------------------------------- the live view
def display_model(epoch_weights):
    if epoch_weights is None:
        return trainer.model
    model = copy.deepcopy(trainer.model)
    model.set_weights(epoch_weights)
    return model


@st.fragment(run_every=0.1 if S.pg_playing else None)
def live_view():
    tr = S.pg_trainer
    if S.pg_playing:
        t0 = time.perf_counter()
        try:
            tr.run_for(FRAME_BUDGET)
        except (ValueError, FloatingPointError) as e:      # keep the page alive whatever the numbers do
            tr.stopped, tr.diverged = f"The computation failed ({e}).", True
        S.pg_train_ms = 1000 * (time.perf_counter() - t0)
        reason = tr.stopped or pg.stop_reason(tr, S.pg_setup)
        if reason:
            S.pg_playing = False
            S.pg_message = None if tr.stopped else reason
            st.rerun()
    t_draw = time.perf_counter()
    # rewind: paused, choose a saved snapshot
    weights, shown_epoch = None, tr.epoch
    if not S.pg_playing and len(tr.snapshots) > 1:
        epochs = [e for e, _ in tr.snapshots]
        if tr.epoch not in epochs:
            epochs.append(tr.epoch)
        if S.get("pg_rewind") not in epochs:
            S.pg_rewind = epochs[-1]
        shown_epoch = st.select_slider("Rewind: show the network as it was at epoch", epochs, key="pg_rewind")
        if shown_epoch != tr.epoch:
            weights = dict(tr.snapshots)[shown_epoch]
    model = display_model(weights)
    _, _, XY = pg.plane_grid(GRID)
    outs = pg.neuron_outputs(model, S.pg_setup, XY)
    diagram, out_col = st.columns([1.75, 1], gap="small")
    with out_col:
        h = tr.history
        m1, m2 = st.columns(2)
        m1.metric("Epoch", f"{shown_epoch:,}")
        if h["epoch"]:
            i = h["epoch"].index(shown_epoch) if shown_epoch in h["epoch"] else -1
            if i >= 0 or shown_epoch == tr.epoch:
                key = "test_acc" if tr.classifier else "test_loss"
                val = h[key][i]
                m2.metric("Test accuracy" if tr.classifier else "Test loss",
                          f"{val:.1%}" if tr.classifier else f"{val:.4f}")
                st.caption(f"train loss {h['train_loss'][i]:.4f} · test loss {h['test_loss'][i]:.4f}")
        if task == "multiclass":
            cls, conf = pg.output_map(outs[-1], task)
            rgb = class_map_rgb(cls, conf, GRID, classes, S.pg_discrete)
        else:
            rgb = value_rgb(pg.output_map(outs[-1], task), GRID, S.pg_discrete)
        test = (data["X_test"], data["y_test"]) if S.pg_show_test else None
        st.image(data_uri(map_png(rgb, (data["X_train"], data["y_train"]), test, task)), width="stretch")
        st.caption("Output over the plane x1, x2 ∈ [−6, 6]: orange = class 0 / −1, blue = class 1 / +1. "
                   "White rings: training points; black rings: test points.")
    with diagram:
        labels = [FEATURE_LATEX[f].replace("\\", "").replace("_", "").replace(" ", "·").replace("{", "").replace("}", "")
                  for f in S.pg_setup["features"]]
        fig = network_figure(pg.dense_layers(model), labels, neuron_pngs(outs, GRID),
                             act_names=[pg.ACTIVATIONS[a] for a in S.pg_setup["acts"]] + ["output"])
        st.plotly_chart(fig, key="pg_network", config={"displayModeBar": False})
    st.plotly_chart(curves_figure(tr.history, tr.classifier), key="pg_curves", config={"displayModeBar": False})
    S.pg_draw_ms = 1000 * (time.perf_counter() - t_draw)


with right:
    live_view()

# ---------------------------------------------------------------- below the live view
with left:
    if "points" not in hide:
        with st.expander("Add points by clicking"):
            if task == "regression":
                value = st.slider("Value of the new point", -1.0, 1.0, 0.5, 0.1, key="pg_add_value")
            else:
                value = st.radio("Class of the new point", list(range(classes)), horizontal=True, key="pg_add_class")
            allX = np.vstack([data["X_train"], data["X_test"]])
            ally = np.concatenate([data["y_train"], data["y_test"]])
            out = pg.output_map(pg.neuron_outputs(trainer.model, setup, pg.plane_grid(24)[2])[-1], task)
            bg = (class_map_rgb(*out, 24, classes) if task == "multiclass" else value_rgb(out, 24))
            event = st.plotly_chart(data_figure(bg, allX, ally, task), key="pg_click", on_select="rerun",
                                    selection_mode="points", config={"displayModeBar": False})
            pts = [p for p in (event.selection.points if event else []) if p.get("curve_number") == 0]
            if pts:
                xy = (round(float(pts[0]["x"]), 2), round(float(pts[0]["y"]), 2))
                if S.get("pg_last_click") != xy:
                    S.pg_last_click = xy
                    S.pg_added[0].append(xy)
                    S.pg_added[1].append(value)
                    build(setup, f"Added a point at {xy}: the network was rebuilt with fresh weights.")
                    st.rerun()
            n_added = len(S.pg_added[0])
            st.caption(f"Click the plot to add a point to the training set. Added so far: {n_added}.")
            st.button("Remove the added points", key="pg_clear_added", on_click=on_clear_added, disabled=not n_added)
        with st.expander("Upload your own points (CSV)"):
            st.caption("One row per point: x1, x2, label (class 0, 1, … or a number for regression); "
                       f"at most 2000 rows, x1 and x2 best within ±6.")
            up = st.file_uploader("CSV file", type=["csv", "txt"], key="pg_csv")
            if up is not None and S.get("pg_csv_seen") != up.file_id:
                S.pg_csv_seen = up.file_id
                try:
                    S.pg_upload = pg.read_points_csv(up.getvalue())
                except ValueError as e:
                    S.pg_csv_error = str(e)
                else:
                    S.pg_csv_error = None
                    S.pg_w_data_pending = "upload"
                    st.rerun()
            if S.get("pg_csv_error"):
                st.error(f"This file was not used: {S.pg_csv_error} Your current data is unchanged.")
            elif S.pg_upload is not None:
                X, y, kind = S.pg_upload
                st.success(f"Loaded {len(X)} points ({kind}). Choose “Your uploaded points” as the data set.")

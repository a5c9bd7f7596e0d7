"""Lesson 4: the MLP playground — build a multi-layer perceptron, train it live on 2-D data, watch it learn."""
import streamlit as st

import lessons.playground as pg
import lessons.playground_session as ps
from lessons import export
from nn_core import ModelFileError, Sequential
from nn_core.data import DATASETS_2D, FEATURE_LATEX, FEATURES, MAX_POINTS
from nn_core.activations import ACTIVATIONS
from nn_core.layers import Dense
from nn_core.training import Trainer
from ui import challenges, layout, links, live as robust
from ui import playground_links as plinks, playground_view
from ui.common import maths_expander
from ui.guards import refusal
from ui.export import code_panel
from ui.knockout import knockout_panel

S = st.session_state


# ---------------------------------------------------------------- page
first = "pg_setup" not in S
if first:
    ps.start(S)
plinks.translate_old_link(S)               # a link written before the binding: its names, renamed once
for _k, _v in S.pop("pg_pending", {}).items():  # widget values set after their widgets were drawn (upload, load)
    S[_k] = _v

st.title("MLP playground")
layout.explain(
    "A **multi-layer perceptron**: each neuron takes a weighted sum z of the layer before plus a bias, then an "
    "activation. Press **Play**: the big map is the network's answer everywhere, each small map one neuron's.")
hide = links.start("playground", pg.CLASSROOM_GROUPS)
plinks.read_layers(S)
D, K = pg.DEFAULT_SETUP, ps.KEYS

# --- training bar
SETTINGS = [1.5, 1.3, 1.1, 1.3, 0.9, 1.3]
bar = (st.columns([3.9, *SETTINGS], vertical_alignment="bottom") if not layout.presenting() else   # larger type:
       [st.columns([1, 1.3])[0], *st.columns(SETTINGS, vertical_alignment="bottom")])          # two rows
trainer = S.pg_trainer


with bar[0]:
    robust.control_bar("pg", on_play=lambda: ps.on_play(S, True), step=lambda: ps.on_step(S),
                       reset=lambda: ps.on_reset(S), can_play=not S.pg_trainer.stopped, step_help="Train one epoch",
                       reset_help="Start again from the first weights")
lr_col, opt_col, batch_col, reg_col, rate_col, loss_col = bar[1:]
links.place("lr", lr_col).select_slider("Learning rate", pg.LEARNING_RATES, D["lr"],
                                        **links.kw(K["lr"], "lr", lambda v: f"{v:g}"))
links.place("optimizer", opt_col).selectbox("Optimizer", list(pg.OPTIMIZERS), list(pg.OPTIMIZERS).index(D["opt"]),
                                            **links.kw(K["opt"], "optimizer", plinks.OPT_LABELS.get))
links.place("batch", batch_col).select_slider("Batch size", pg.BATCH_SIZES, D["batch"],
                                              **links.kw(K["batch"], "batch", lambda v: "all" if v == 0 else str(v)))
reg = links.place("regularization", reg_col).selectbox("Regularisation", list(pg.REGULARIZATION), 0,
                                                       **links.kw(K["reg"], "regularization", pg.REGULARIZATION.get))
links.place("regularization", rate_col).select_slider(
    "Its rate", pg.REG_RATES, D["rate"], **dict(links.kw(K["rate"], "regularization", lambda v: f"{v:g}"),
                                                disabled=reg == "none" or links.hidden("regularization")))
links.place("loss", loss_col).selectbox("Loss", list(pg.LOSS_CHOICES), 0, **links.kw(K["loss"], "loss", plinks.LOSS_LABELS.get),
                                        help="auto: cross-entropy for classes, MSE for regression. Pick MSE to compare.")

# three columns, as TensorFlow Playground: data | network | output (under the Play bar: map and curves)
left, right, out = st.columns(playground_view.MAIN_COLS, gap="small")

# --- data panel and features
with links.place("data", left):
    options = list(DATASETS_2D) + (["upload"] if S.pg_upload is not None else [])
    st.selectbox("Data set", options, options.index(D["data"]), **links.kw(K["data"], "data", plinks.DATA_LABELS.get))
    st.slider("Noise (%)", 0, 50, D["noise"], step=5, **links.kw(K["noise"], "data"))
    st.slider("Training data (%)", 10, 90, D["train"], step=10, **links.kw(K["train"], "data"),
              help="The rest is the test set, never trained on.")
    c1, c2 = st.columns([1.4, 1], vertical_alignment="bottom")
    links.int_input(c1, "Seed", 0, 10**6, D["seed"], K["seed"], "data", step=1)
    c2.button("", key="pg_regen", on_click=ps.on_new_seed, args=(S, int(S[K["seed"]]) + 1,), icon=":material/refresh:",
              help="Regenerate: new data (and first weights) with the next seed", disabled=links.hidden("data"))
with links.place("features", left):
    st.markdown("**Input features**")
    for f in FEATURES:
        st.checkbox(f"${FEATURE_LATEX[f]}$", f in D["features"], **links.kw(ps.feature_key(f), "features"))

# --- network builder
with right:
    if "network" not in hide or "activation" not in hide:
        k = S.pg_nlayers
        head = st.container(horizontal=True, vertical_alignment="center", key="pg_builder_head")
        head.markdown(f"**{k} hidden layer{'s' if k != 1 else ''}**")
        if "network" not in hide:
            head.button("", key="pg_layer_add", on_click=ps.on_layers, args=(S, k + 1,), icon=":material/add:",
                        disabled=k >= pg.MAX_LAYERS, help="Add a hidden layer")
            head.button("", key="pg_layer_del", on_click=ps.on_layers, args=(S, k - 1,), icon=":material/remove:",
                        disabled=not k, help="Remove the last hidden layer")
        # one column per hidden layer, under its layer of the diagram (its inputs and output at the ends)
        lcols = st.columns([0.6] + [1] * k + [0.6] if k <= 4 else k, gap="small" if k <= 4 else "xxsmall")[k <= 4:]
        for i in range(k):
            with lcols[i].container(key=f"pg_builder_{i}"):
                if "network" not in hide:
                    st.number_input(f"Layer {i + 1}", 1, pg.MAX_NEURONS, step=1, key=f"pg_n_{i}", persist_state="session")
                if "activation" not in hide:
                    st.selectbox(f"Layer {i + 1}: activation", list(pg.ACTIVATIONS), key=f"pg_act_{i}",
                                 persist_state="session",
                                 format_func=pg.ACTIVATIONS.get, label_visibility="collapsed"
                                 if "network" not in hide else "visible")

# --- apply the controls: rebuild on data/network changes, keep the weights otherwise
was_playing = S.pg_playing
try:
    ps.apply_controls(S, quiet=first)
except ValueError as e:
    right.warning(f"{e} The previous network is kept.")
if was_playing and not S.pg_playing:
    st.rerun()                             # rebuilt while playing: redraw the Play button, stop the timer
plinks.points(S)                           # points added by clicking: in the link too
setup, trainer, data = S.pg_setup, S.pg_trainer, S.pg_data
plinks.write_layers(setup)
task, classes = data["task"], data["classes"]

if S.pg_message:
    right.info(S.pg_message, icon=":material/info:")
if trainer.stopped:
    with right:
        st.warning(f"**Training stopped — the network diverged.** {trainer.stopped}", icon=":material/warning:")
        st.button("Reset the weights with a lower learning rate", key="pg_lower_lr", on_click=ps.on_lower_lr, args=(S,),
                  type="primary")


# ---------------------------------------------------------------- the live view
boxes = {"diagram": right.container(key="pg_diagram_box"), "below": st.container(key="pg_below")}
with out:
    playground_view.live_section(S, boxes)

# ---------------------------------------------------------------- below the live view
if "points" not in hide:
    add_col, upload_col = st.columns([1.3, 1], gap="medium")
    with add_col:
        with st.expander("Add points by clicking", icon=":material/add_location:", expanded=bool(S.pg_added[0])):
            st.toggle("Clicking the map adds a point", key="pg_add_on",
                      help="At the exact place clicked, also while playing; keyboard: Enter at the map's cursor")
            if task == "regression":
                st.slider("Value of the new point", -1.0, 1.0, 0.5, 0.1, key="pg_add_value")
            else:
                st.radio("Class of the new point", list(range(classes)), horizontal=True, key="pg_add_class")
            n_added = len(S.pg_added[0])
            st.caption(f"Added to the training set so far: {n_added}.")
            st.button("Remove the added points", key="pg_clear_added", on_click=ps.on_clear_added, args=(S,), disabled=not n_added)
    with upload_col:
        with st.expander("Upload your own points (CSV)", icon=":material/upload_file:"):
            st.caption("One row per point: x1, x2, label (class 0, 1, … or a number for regression); "
                       f"at most {MAX_POINTS} rows, x1 and x2 best within ±6.")
            up = st.file_uploader("CSV file", type=["csv", "txt"], key="pg_csv", max_upload_size=1, help=pg.CSV_HELP)
            if up is not None and S.get("pg_csv_seen") != up.file_id:
                S.pg_csv_seen = up.file_id
                S.pg_csv_error = ps.on_upload(S, up.getvalue())
                if S.pg_csv_error is None:
                    st.rerun()
            if S.get("pg_csv_error"):
                refusal("This file was not used; your current data is unchanged.", S.pg_csv_error)
            elif S.pg_upload is not None:
                X, y, kind = S.pg_upload
                st.success(f"Loaded {len(X)} points ({kind}): “Your uploaded points” is the data set now.")

# ---------------------------------------------------------------- stop rule, code, files, link, challenges
st.divider()
more = st.columns(2, gap="large")
with more[0]:
    with links.place("stop", st.container()) if links.hidden("stop") else st.expander("Stop rule", icon=":material/flag:"):
        st.caption("Pause by itself when the test loss reaches a target, or after a number of epochs (0 = off).")
        c1, c2 = st.columns(2)
        c1.number_input("Target test loss", 0.0, 10.0, D["stop_loss"], step=0.01, format="%.3f",
                        **links.kw(K["stop_loss"], "stop"))
        links.int_input(c2, "Epoch budget", 0, 10**6, D["stop_epoch"], K["stop_epoch"], "stop", step=100)
    ps.apply_stop_rule(S)
    if "code" not in hide:
        code_panel(lambda f, n: export.playground_code(setup, trainer, f, S.pg_upload, ps.added_points(S), epochs=n),
                   "pg_code", trainer.epoch)
    knockout_panel(S, playground_view.GRID, playground_view.MAP_SCALE)
    maths_expander("The maths behind it", [
        ("**The network**, layer after layer:", pg), ("**A hidden layer**: weighted sums z, then the activation "
                                                      "a = f(z).", Dense),
        *[(f"**{pg.ACTIVATIONS[a]}**", ACTIVATIONS["identity" if a == "linear" else a]) for a in sorted(set(setup["acts"]))],
        (f"**The loss: {pg.loss_name(setup, task)}**", type(trainer.loss)),
        (f"**The optimizer: {pg.OPTIMIZERS[setup['opt']]}** (θ stands for every weight and bias)",
         type(trainer.optimizer.inner)),
        ("**Training**", Trainer)])
with more[1]:
    if "files" not in hide:
        with st.expander("Save or load the model", icon=":material/save:"):
            st.download_button("Download the weights (.npz)", trainer.model.to_bytes(),
                               file_name="playground_model.npz",
                               mime="application/octet-stream", key="pg_download", icon=":material/download:")
            up = st.file_uploader("Load a model saved here (.npz)", type=["npz"], key="pg_npz", max_upload_size=1,
                                  help=pg.MODEL_HELP)
            if up is not None and S.get("pg_npz_seen") != up.file_id:
                S.pg_npz_seen = up.file_id
                try:
                    model = Sequential.load(up.getvalue(), max_bytes=pg.MODEL_BYTES)   # measured before it is read
                    ps.load_model(S, model)
                except (ModelFileError, ValueError) as e:
                    S.pg_npz_error = str(e)
                else:
                    S.pg_npz_error = None
                    st.rerun()
            if S.get("pg_npz_error"):
                refusal("This file was not loaded; your current network is unchanged.", S.pg_npz_error)
    share = st.container()
    if "challenges" not in hide:
        @st.fragment(run_every=1.0 if S.pg_playing else None)   # judged on the live run, refreshed while playing
        def challenge_panel():
            challenges.panel("playground", {"setup": S.pg_setup, "trainer": S.pg_trainer})
        challenge_panel()

links.finish(share, note=plinks.not_in_link(S))
st.markdown("**Try next:** the circle with only the features x1² and x2² and no hidden layer; the spiral with "
            f"sin(x1) and sin(x2); a learning rate of {pg.DIVERGE_TIP['lr']:g} with "
            f"{pg.OPTIMIZERS[pg.DIVERGE_TIP['opt']]} (watch it blow up); L2 regularisation on noisy "
            "data with a 10 % training split (overfitting, then less of it).")

"""Lesson 5: optimizers, loss functions and hyperparameters, made visible."""
import numpy as np
import streamlit as st

from lessons import surfaces as S
from lessons import sweeps
from nn_core.data import DATASETS_2D
from nn_core.losses import MSE, BinaryCrossEntropy, CrossEntropy
from nn_core.optimizers import SGD, Adam, RMSprop
from ui import challenges, layout, links, live
from ui import optimizer_views as OV
from ui.regression import regression_example
from ui.common import show_equations, state
from viz import optimizers as V
from viz.raster import jpeg_uri
from ui.layout import chart

OPT_CLASSES = {"sgd": SGD, "momentum": SGD, "rmsprop": RMSprop, "adam": Adam}
LR_OPTIONS = [round(m * 10.0 ** e, 6) for e in range(-4, 1) for m in (1, 1.5, 2, 3, 5, 7)] + [10.0]
G = "{:g}".format                # how the learning rates are written
SWEEP_LRS = sweeps.log_space(1e-3, 30.0, 13)
GRIDS = {  # kind -> (row key, rows, column key, columns, fixed settings, row label, column label)
    "Depth × width": ("depth", [1, 2, 3], "width", [2, 4, 8, 16],
                      {"optimizer": "adam", "lr": 0.03, "batch_size": 16}, "hidden layers", "neurons per layer"),
    "Batch size × rate": ("batch_size", [4, 16, 64, 150], "lr", [0.003, 0.03, 0.3],
                                   {"optimizer": "sgd", "depth": 2, "width": 8}, "batch size", "learning rate"),
}


def nearest(options, value):
    """The option closest to ``value`` on a log scale (the sliders' defaults)."""
    return min(options, key=lambda o: abs(np.log(o) - np.log(value)))


@st.cache_data(show_spinner=False, max_entries=64)
def race_cached(key, kappa, start, lrs, steps):
    surface = S.make_surface(key, kappa)
    return S.race(surface, start, dict(lrs), steps)


@st.cache_data(show_spinner=False, max_entries=16)
def grid_cached(key, kappa):
    return S.make_surface(key, kappa).grid(70)


@st.cache_data(show_spinner=False, max_entries=50)
def ladder_cached(lk):
    """Plain SGD at the ladder's four learning rates on the bowl of conditioning ``lk``, and their figure (four
    contour maps: ~50 ms to build, a cached copy ~15 ms to load, on every run of the tab, a Stop's included)."""
    bowl = S.Bowl(lk)
    ladder = {label: S.run(bowl, SGD(lr), bowl.start, 40, name=label) for label, lr in S.lr_ladder(bowl).items()}
    return ladder, V.ladder_figure(bowl, *grid_cached("bowl", lk), ladder, bowl.start)


def dataset_select(col, key, group, label=lambda k: DATASETS_2D[k]["label"]):
    return col.selectbox("Data set", sweeps.CLASSIFICATION_SETS, **links.kw(key, group, label))


def draw_sweep(results, playing):
    losses = [r["final_loss"] for r in results]
    with st.container(height=OV.JOB_H, border=False, key="op_sweep_box"):
        if playing:
            image = V.sweep_image(SWEEP_LRS[:len(results)], losses, width=layout.picture_width(900))
            st.image(jpeg_uri(image), alt="Loss after training against "
                     f"the learning rate, {len(results)} of {len(SWEEP_LRS)} runs: " + OV.sweep_words(SWEEP_LRS, results))
        else:
            chart(V.sweep_figure(SWEEP_LRS[:len(results)], losses, height=370), key="op_sweep_fig")
        st.caption(f"{results[0]['steps']} optimizer steps per run.")      # in the box: it never grows


def who_radio(where):
    """The "Inside one step" optimizer (a setting of the link: made even while the race's tab is closed)."""
    return where.radio("Optimizer", list(V.OPT_LABELS), **links.kw("op_who", None, V.OPT_LABELS.get))


# --- page ------------------------------------------------------------------------------------------------
st.title("Optimizers, losses and hyperparameters")
layout.explain(
    "Training a network means walking downhill on its **loss**, using the **gradient** — the direction of "
    "steepest ascent — to choose each step. *How* to step is the optimizer's job; *how big* a step is the "
    "**learning rate** η. Here every step is taken by the lab's own optimizers, the same code that trains "
    "the networks in the other lessons.")
links.start("optimizers", {"race": "the race", "sweep": "the learning-rate sweep", "loss": "z and y", "grid": "the grid"})
tab_race, tab_lr, tab_loss, tab_grid = links.tabs(
    ["Optimizer race", "Learning rate", "Loss functions", "Hyperparameter explorer"], "op_tab")
# Only the open tab is drawn. The others' settings are still made (they are the share link's parameters and the
# challenges' inputs), but not their figures, tables and live views: every run, a Pause's included, would build,
# send and re-render them unseen. A closed tab's live view stops (nothing there to watch).
for tab, prefix in ((tab_race, "op"), (tab_lr, "op_sweep"), (tab_grid, "op_grid")):
    if not tab.open:
        live.set_playing(prefix, False)


# ============================== 1. the race ==============================================================
with tab_race:
    if tab_race.open:
        layout.explain(
            "Four optimizers start from the same point ★ on a loss surface with two parameters θ₁, θ₂. "
            "**SGD** steps against the gradient; **momentum** keeps a velocity, like a ball rolling; "
            "**RMSprop** divides each step by the recent size of the gradient; **Adam** does both. "
            f"**Play** runs the race at {OV.RACE_SPEED} steps a second, so the four can be followed by eye. "
            "*Click the contour plot to start from there.*")
    ctrl, view = st.columns(OV.RACE_VIEW[layout.presenting()], gap="medium")
    with links.place("race", ctrl):
        key = st.selectbox("Loss surface", list(S.SURFACES), **links.kw("op_surface", "race", lambda k: S.SURFACES[k].label))
        kappa = float(st.slider("Conditioning κ (bowl)", 1, 100, 20, **dict(links.kw("op_kappa", "race"), disabled=
                                key != "bowl" or links.hidden("race")), help="How much steeper the bowl is along θ₂ than along θ₁."))
        surface = S.make_surface(key, kappa)
        (x0, x1), (y0, y1) = surface.xlim, surface.ylim
        c1, c2 = st.columns(2)
        sx = c1.slider(f"Start {surface.axes[0]}", x0, x1, float(surface.start[0]), 0.05, **links.kw(f"op_x_{key}", "race"))
        sy = c2.slider(f"Start {surface.axes[1]}", y0, y1, float(surface.start[1]), 0.05, **links.kw(f"op_y_{key}", "race"))
        lrs = {}
        suffix = f"{key}{kappa:g}" if key == "bowl" else key
        for col, name in zip(st.columns(2) + st.columns(2), V.OPT_LABELS):
            lrs[name] = col.select_slider(f"η {V.OPT_LABELS[name]}", LR_OPTIONS, nearest(LR_OPTIONS, surface.lrs[name]),
                                          **links.kw(f"op_lr_{name}_{suffix}", "race", G))
        steps = st.slider("Steps", 20, 500, 150, 10, **links.kw("op_steps", "race"))
        three_d = st.toggle("3-D surface", **links.kw("op_3d"), help="Show the loss as a landscape (drag to turn it).")

    state("op_t", lambda: st.session_state.op_steps)
    st.session_state.op_t = min(st.session_state.op_t, steps)
    start = (float(sx), float(sy))
    if not tab_race.open:
        who_radio(st)                        # a setting of the link: made in a closed tab too
    else:
        try:
            trajs = race_cached(key, kappa, start, tuple(lrs.items()), steps)
        except (FloatingPointError, ValueError, OverflowError) as e:
            st.error(f"This race could not be run: {e}. Try other learning rates or another start.")
            links.stop()
        xs, ys, Z = grid_cached(key, kappa)

        with view:
            OV.race_bar()
            live.live_view("op", OV.race_advance, lambda playing: OV.race_view(
                playing, surface, key, kappa, (xs, ys, Z), trajs, start, steps, three_d),
                count=lambda: st.session_state.op_t, unit="steps")
            with st.expander(f"The surface: {surface.label}"):
                st.markdown(type(surface).__doc__.split("$$")[0].strip())
                show_equations(type(surface))

        for n, tr in trajs.items():
            if tr.diverged:
                st.warning(f"**{V.OPT_LABELS[n]}** diverged at step {tr.diverged}: with η = {tr.lr:g} its steps "
                           "overshoot further and further. Lower its learning rate.", icon=":material/warning:")
        st.markdown(f"**After {steps} steps**")
        rows = []
        for n, tr in trajs.items():
            s = S.summary(tr, surface)
            rows.append({"optimizer": V.OPT_LABELS[n], "learning rate η": tr.lr, "final loss": s["final_loss"],
                         "distance to the minimum": s["distance"],
                         "first step within 0.001 of the lowest loss": "never" if s["reached"] is None else s["reached"],
                         "diverged at step": s["diverged"] or "no"})     # not "None", pandas' word for missing
        layout.table(rows, column_config={"final loss": st.column_config.NumberColumn(format="%.4g"),
                                          "distance to the minimum": st.column_config.NumberColumn(format="%.4g")})

        st.subheader("Inside one step")
        i1, i2 = st.columns([1, 3])
        who = who_radio(i1)
        traj = trajs[who]
        n_steps = len(traj.steps)
        if st.session_state.get(f"op_inspect_{who}", 1) > n_steps:     # kept from a longer race: within this one
            st.session_state[f"op_inspect_{who}"] = n_steps
        t_in = (i1.slider("Step t", 1, n_steps, min(3, n_steps), key=f"op_inspect_{who}", persist_state="session")
                if n_steps > 1 else 1)
        with i2:
            st.markdown(f"The rule in `nn_core.optimizers.{OPT_CLASSES[who].__name__}` (its docstring):")
            show_equations(OPT_CLASSES[who])
            st.markdown(f"Step {t_in} of {V.OPT_LABELS[who]} with η = {traj.lr:g}, numbers from the engine:")
            for line in V.update_latex(who, traj.hyper, S.step_numbers(traj, t_in)):
                st.latex(line)
            if who == "rmsprop" and t_in == 1:
                st.caption("On step 1, s₁ = 0.01·g², so √s₁ = 0.1·|g|: the first step is 10·η in every "
                           "coordinate, whatever the gradient's size — why RMSprop lurches at the start.")
        st.markdown("**Try next:** raise κ and watch SGD zig-zag across the valley while Adam walks straight; "
                    "on the saddle, start exactly on the ridge (θ₂ = 0); on Rosenbrock, find the largest η "
                    "at which SGD still converges.")

# ============================== 2. learning rate =========================================================
with tab_lr:
    if tab_lr.open:
        st.markdown("The same SGD, the same start, four learning rates. On a bowl whose steepest curvature is κ, "
                    "SGD converges only for η < 2/κ.")
    lk = float(links.place("sweep", st).slider("Conditioning κ of the bowl", 1, 50, 10, **links.kw("op_ladder_kappa", "sweep")))
    if tab_lr.open:
        ladder, ladder_fig = ladder_cached(lk)
        chart(ladder_fig, key="op_ladder_fig")
        st.markdown("  \n".join(
            f"**{lab}** (η = {tr.lr:.3g}, {tr.lr * lk / 2:.2f} × 2/κ): "
            + (f"diverged at step {tr.diverged}" if tr.diverged else f"loss {tr.losses[-1]:.3g} after 40 steps")
            for lab, tr in ladder.items()))
        st.caption(f"*good* is the best of {S.LADDER_CANDIDATES} rates from 0.05/κ to 1.9/κ after 40 steps. On a narrow "
                   "valley (large κ) it sits near the edge 2/κ: the flat direction θ₁ wants the biggest step that the "
                   "steep direction θ₂ still allows.")

        st.subheader("A learning-rate sweep on a real network")
        st.markdown("Train the same small MLP (2 hidden layers of 8 tanh neurons, same seed) once per learning "
                    "rate, for the same number of steps, and plot the loss at the end. Too small: it has barely "
                    "moved. Too large: it jumps around or explodes. The best η sits in between.")
    s1, s2, s3 = (links.place("sweep", c) for c in st.columns(3))
    sw_data = dataset_select(s1, "op_sw_data", "sweep")
    sw_opt = s2.selectbox("Optimizer", list(V.OPT_LABELS), **links.kw("op_sw_opt", "sweep", V.OPT_LABELS.get))
    sw_epochs = s3.slider("Epochs (150 training points, batches of 16)", 5, 60, 20, 5, **links.kw("op_sw_epochs", "sweep"))
    if tab_lr.open:
        sw_configs = sweeps.lr_sweep_configs(SWEEP_LRS, dataset=sw_data, optimizer=sw_opt, epochs=sw_epochs,
                                             depth=2, width=8, batch_size=16)

        OV.job_panel("op_sweep", sw_configs, draw_sweep)
        st.markdown("**Try next:** raise κ — the *good* rate must shrink with it. In the sweep, switch to Adam: "
                    "its best η is far smaller than SGD's.")

# ============================== 3. loss functions ========================================================
with tab_loss:
    if tab_loss.open:
        st.markdown("**Classification:** one output neuron, one example. Move its weighted sum **z**; the prediction "
                    "is a = σ(z). Which loss we use decides how hard the gradient pulls z towards the target.")
    l1, l2 = (links.place("loss", c) for c in st.columns([3, 1]))
    z = l1.slider("Weighted sum z of the output neuron", -8.0, 8.0, -4.0, 0.1, **links.kw("op_z", "loss"))
    y = l2.radio("Target y", [0, 1], index=1, horizontal=True, **links.kw("op_y", "loss"))
    if tab_loss.open:
        values = S.single_prediction(z, y)
        names = {"mse": "MSE on a = σ(z)", "bce": "binary cross-entropy on a = σ(z)",
                 "cross_entropy": "cross-entropy on logits (0, z)"}
        layout.table([{"loss": names[k], "prediction it sees": v["prediction"], "loss L": v["value"],
                       "∂L/∂prediction": v["dpred"], "∂L/∂z": v["dz"]} for k, v in values.items()],
                     column_config={k: st.column_config.NumberColumn(format="%.4f") for k in
                                    ("prediction it sees", "loss L", "∂L/∂prediction", "∂L/∂z")})
        zs = np.linspace(-8, 8, 161)
        chart(V.loss_function_figure(zs, S.loss_curves(zs, y), z, y), key="op_lossfn_fig")
        wrong = (y == 1 and z < -2) or (y == 0 and z > 2)
        st.markdown(
            "**Why σ + MSE learns slowly when badly wrong.** By the chain rule ∂L/∂z = ∂L/∂a · σ′(z). "
            "When the neuron is confidently wrong, σ′(z) is nearly 0, so MSE's gradient nearly vanishes: "
            f"here it is {values['mse']['dz']:.4f}. Cross-entropy's ∂L/∂a has a 1/(a(1 − a)) that cancels "
            f"σ′(z) exactly, leaving ∂L/∂z = a − y = {values['bce']['dz']:.4f}"
            + (" — large, because the prediction is wrong." if wrong else "."))
        with st.expander("The three losses, from the engine's docstrings", expanded=True):
            for cls in (MSE, BinaryCrossEntropy, CrossEntropy):
                st.markdown(f"`nn_core.losses.{cls.__name__}`")
                show_equations(cls)
        st.markdown("**Try next:** set z = −6 with target 1 and compare the two gradients; then z = +6: "
                    "when the prediction is right, every loss lets go.")
        regression_example()

# ============================== 4. hyperparameter explorer ===============================================
with tab_grid:
    if tab_grid.open:
        st.markdown("Train a small grid of networks on one data set — every cell a fresh, seeded run — and "
                    "compare their test accuracy. Bigger networks cost more time; small batches take more, "
                    "noisier steps.")
    g1, g2, g3 = (links.place("grid", c) for c in st.columns(3))
    gr_data = dataset_select(g1, "op_gr_data", "grid")
    gr_kind = g2.radio("Grid", list(GRIDS), **links.kw("op_gr_kind", "grid"))
    gr_epochs = g3.slider("Epochs", 10, 150, 40, 10, **links.kw("op_gr_epochs", "grid"))
    if tab_grid.open:
        row_key, rows, col_key, cols_, fixed, row_label, col_label = GRIDS[gr_kind]
        st.caption("Fixed: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in fixed.items())
                   + "; tanh hidden layers; 150 training and 150 test points.")
        gr_configs = sweeps.grid_configs(rows, cols_, row_key, col_key, dataset=gr_data, epochs=gr_epochs, **fixed)

        def draw_grid(results, playing):
            acc = np.full(len(rows) * len(cols_), np.nan)
            acc[:len(results)] = [r["test_acc"] for r in results]
            args = (rows, cols_, acc.reshape(len(rows), len(cols_)), row_label, col_label,
                    1.0 / DATASETS_2D[gr_data]["classes"])
            h1, h2 = (c.container(height=OV.JOB_H, border=False, key=f"op_grid_box{i}") for i, c in enumerate(st.columns(2)))
            if playing:
                width = layout.picture_width(520, (2, 0))      # both halves alike
                h1.image(jpeg_uri(V.grid_heatmap_image(*args, width=width)), alt=f"Test accuracy of the {len(results)} runs trained so "
                         "far: " + ", ".join(f"{r['test_acc']:.0%}" for r in results))
                h2.image(jpeg_uri(V.grid_curves_image(rows, cols_, results, row_label, col_label, width=width)),
                         alt=f"Loss per epoch of the {len(results)} runs trained so far")
            else:
                chart(V.grid_heatmap(*args, height=410), key="op_grid_heat", where=h1)
                chart(V.grid_curves(rows, cols_, results, row_label, col_label, height=410), key="op_grid_curves", where=h2)
            with st.container(height=table_h + 12, border=False, key="op_grid_table_box"):
                if playing:                                              # one element less to redraw every frame
                    st.caption("The table of the runs shows here when stopped.")
                else:
                    layout.table([{row_label: c[row_key], col_label: c[col_key], "weights and biases": r["params"],
                                   "steps": r["steps"], "test accuracy": r["test_acc"], "seconds": r["seconds"]}
                                  for c, r in zip(gr_configs, results)], height=table_h,
                                 column_config={"test accuracy": st.column_config.NumberColumn(format="percent"),
                                                "seconds": st.column_config.NumberColumn(format="%.2f")})

        table_h = 35 * (len(gr_configs) + 1) + 3                    # every run's row: the box never grows
        OV.job_panel("op_grid", gr_configs, draw_grid, reserve=OV.JOB_H + 16 + table_h + 12)
        st.markdown("**Try next:** the spiral with 150 epochs — does depth help more than width? With batch "
                    "size 4, look at how the loss curves wobble.")
challenges.panel("optimizers", dict(surface=key, kappa=kappa, start=start, lr=lrs["sgd"], lr_options=LR_OPTIONS,
                                    steps=steps, z=z, y=y))
links.finish()

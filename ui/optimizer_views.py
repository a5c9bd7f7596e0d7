"""The optimizers lesson's live views on the lab's one live loop (``ui.live``): the race (Play/Pause/Step/Reset,
at ``RACE_SPEED`` steps a second) and the training jobs (the learning-rate sweep, the hyperparameter grid).
While playing they draw images (``viz.raster``: cheap to make and to swap), paused the Plotly figures (hover,
exact values, a click on the race to start there), each in a box of one fixed height so nothing moves."""
import time

import numpy as np
import streamlit as st

from lessons import sweeps
from ui import layout, live
from ui.common import state
from ui.pictures import live_picture
from viz import optimizers as V
from viz.raster import jpeg_uri

RACE_SPEED = 15            # steps per second the race plays at, whatever the frame rate
RACE_H, LOSS_H = 540, 320  # px: the race's and the loss curves' boxes, image or Plotly chart alike
JOB_H = 420                # px: the sweep's and the grid's boxes
RACE_VIEW = {False: [1, 3.3], True: [1.3, 3]}   # the race's settings | view columns (presenter: larger type, wider)
RACE_SPLIT = [1.45, 1]     # the view: the race | its step, losses and loss per step
RACE_W, LOSS_W = 450, 300  # px: the race's and the loss per step's images (narrower in presenter mode)


# --- the race ---------------------------------------------------------------------------------------------
def race_play():
    ss = st.session_state
    if ss.op_t >= ss.op_steps:
        ss.op_t = 0                             # Play at the end starts the race again
    ss.op_pos, ss.op_clock = float(ss.op_t), None


def race_step():
    st.session_state.op_t = min(st.session_state.op_t + 1, st.session_state.op_steps)


def race_reset():
    st.session_state.op_t = 0


def race_advance(seconds, until):
    """The race moves by the wall time since the last frame × ``RACE_SPEED``: the same speed on a busy
    server, with fewer frames. Returns True at the last step (playing ends)."""
    ss = st.session_state
    now = time.perf_counter()
    dt = live.LIVE_INTERVAL if ss.get("op_clock") is None else min(now - ss.op_clock, 2.0)
    ss.op_clock = now
    ss.op_pos = max(ss.get("op_pos", float(ss.op_t)), float(ss.op_t)) + RACE_SPEED * dt
    ss.op_t = min(int(ss.op_pos), ss.op_steps)
    return ss.op_t >= ss.op_steps


def race_bar():
    """The race's Play bar and, beside it, its pace. The pace is constant text in a box that never fades: Streamlit
    dims what a run has not re-sent yet from half a second into the run, and a caption (5.9:1 on white) fell below
    WCAG's 4.5:1 mid-fade whenever a rerun (the page's first progress report, a Pause on a loaded machine) ran long."""
    bar_col, speed_col = st.columns([2.4, 1.2] if layout.presenting() else [1.6, 2], vertical_alignment="center")
    with bar_col:
        live.control_bar("op", on_play=race_play, step=race_step, reset=race_reset,
                         step_help="One step of every optimizer", reset_help="Back to the start ★")
    with speed_col:
        st.html("<style>.st-key-op_speed [data-stale='true'] {opacity: 1 !important; transition: none !important;}"
                "</style>")
        st.container(key="op_speed").caption(f"Plays at {RACE_SPEED} steps a second, whatever the frame rate.")


def clicked():
    """A click on the race's contour plot selects one of its invisible grid points: start there."""
    event = st.session_state.get("op_race_fig") or {}
    points = event.get("selection", {}).get("points", [])
    if points and "x" in points[0]:
        key = st.session_state.op_surface
        st.session_state[f"op_x_{key}"] = round(float(points[0]["x"]) / 0.05) * 0.05
        st.session_state[f"op_y_{key}"] = round(float(points[0]["y"]) / 0.05) * 0.05
        st.session_state.op_t = 0
        st.session_state.op_clicked = True


@st.cache_data(show_spinner=False, max_entries=16)
def race_background(_surface, key, kappa, width=RACE_W):
    """The race image's background for the surface ``key`` (κ ``kappa``), ``width`` px wide: drawn once, then
    every frame."""
    return V.surface_rgb(_surface, width=width)


def loss_words(trajs, t):
    return ", ".join(f"{V.OPT_LABELS[n]} {tr.losses[min(t, len(tr.losses) - 1)]:.4g}" for n, tr in trajs.items())


def race_view(playing, surface, key, kappa, grid, trajs, start, steps, three_d):
    """The race at step ``st.session_state.op_t``: the paths on the surface (left), the step, each optimizer's
    loss and the loss per step (right)."""
    if st.session_state.pop("op_clicked", False):
        st.rerun()                          # a new start: the whole race is computed again
    t = st.session_state.op_t
    left, right = st.columns(RACE_SPLIT)
    view = (RACE_VIEW[layout.presenting()], 1, "medium")       # where the race sits (pages/5_optimizers.py)
    with left.container(height=RACE_H, border=False, key="op_race_box"):
        if three_d:
            layout.chart(V.race_figure_3d(surface, *grid, trajs, t, start, height=RACE_H - 10), key="op_race_fig3d")
        elif playing:
            background = race_background(surface, key, kappa, layout.picture_width(RACE_W, view, (RACE_SPLIT, 0)))
            st.image(jpeg_uri(V.race_image(surface, background, trajs, t, start)),
                     alt=f"Optimizer race on the {surface.label} after step {t} of {steps}; loss {loss_words(trajs, t)}")
        else:
            layout.chart(V.race_figure(surface, *grid, trajs, t, start, height=RACE_H - 10, clickable=True),
                         key="op_race_fig", on_select=clicked, selection_mode="points")
    right.markdown(f"## Step {t} of {steps}")
    right.markdown("  \n".join(
        f"**{V.OPT_LABELS[n]}**: loss {tr.losses[min(t, len(tr.losses) - 1)]:.4g}"
        + (f" — *diverged at step {tr.diverged}*" if tr.diverged and t >= tr.diverged else "")
        for n, tr in trajs.items()))
    with right:
        loss_w = layout.picture_width(LOSS_W, view, (RACE_SPLIT, 1))
        live_picture("op_loss_box", LOSS_H, playing, lambda: V.loss_steps_image(trajs, t, surface.floor(), width=loss_w),
                     lambda: V.loss_steps_figure(trajs, t, surface.floor(), height=LOSS_H - 10),
                     lambda: f"Loss per step up to step {t}: {loss_words(trajs, t)}", key="op_loss_fig")
        right.caption(f"The axis stops at $10^{{{round(np.log10(V.LOSS_FLOOR))}}}$ above the lowest loss: a line "
                      "lying on it has found the minimum (its exact loss is above).")


# --- training jobs: the sweep and the grid ----------------------------------------------------------------
def job_panel(name, configs, draw, reserve=None):
    """Run/Stop (the lab's training bar), a progress bar and the picture of a list of training runs kept in
    st.session_state[name]. The runs train in the lab's live loop, a frame's slice at a time
    (``sweeps.ConfigRun``), so Stop lands within a frame even in the middle of a long run. ``draw(results,
    playing)`` draws the results so far (images while playing) in ``reserve`` px (``JOB_H`` by default), kept
    empty from the start so that nothing moves when the first run finishes."""
    job = state(name, lambda: {"configs": configs, "results": [], "run": None, "stopped": False})

    def start():
        if job["configs"] != configs or len(job["results"]) == len(configs):
            job.update(configs=configs, results=[], run=None)      # new settings, or done: a fresh job
        job["stopped"] = False

    def clear():
        job.update(configs=configs, results=[], run=None, stopped=False)

    def advance(seconds, until):
        t0 = time.perf_counter()
        while len(job["results"]) < len(job["configs"]) and not until():
            if job["run"] is None:
                job["run"] = sweeps.ConfigRun(**job["configs"][len(job["results"])])
            if job["run"].run_for(max(0.0, seconds - (time.perf_counter() - t0)), until):
                job["results"].append(job["run"].result)
                job["run"] = None
            if time.perf_counter() - t0 > seconds:
                break
        return len(job["results"]) == len(job["configs"])

    def view(playing):
        if not playing and (0 < len(job["results"]) < len(job["configs"]) or job["run"] is not None):
            job["stopped"] = True
        done, total = len(job["results"]), len(job["configs"])
        if playing:
            text = f"{done} of {total} trained; training run {min(done + 1, total)} of {total}…"
        elif done or job["stopped"]:
            text = f"{done} of {total} trained" + (" (stopped: press Run to go on)" if job["stopped"] and
                                                   done < total else "")
        else:
            text = f"{total} runs to train: press Run"
        st.progress(done / total, text=text)
        if done:
            draw(job["results"], playing)
        else:                                     # the pictures' place, kept from the start: nothing moves later
            st.container(height=reserve or JOB_H, border=False, key=f"{name}_empty").caption(
                "The results show here as the runs finish.")

    bar, _ = st.columns([1.6, 3])
    with bar:
        live.control_bar(name, on_play=start, reset=clear, labels=("Run", "Stop"), reset_label="Clear",
                         reset_help="Forget these results")
    if job["configs"] != configs and not live.playing(name):
        st.info("Settings changed: press **Run** to train these configurations.", icon=":material/info:")
        return
    live.live_view(name, advance, view, training=0.025, floor=0.02, count=lambda: len(job["results"]), unit="runs")


def sweep_words(lrs, results):
    return "; ".join(f"η = {lr:.3g}: " + ("diverged" if not np.isfinite(r["final_loss"]) else f"{r['final_loss']:.3g}")
                     for lr, r in zip(lrs, results))

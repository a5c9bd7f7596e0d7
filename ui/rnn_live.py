"""The RNN lesson's live views on the lab's one live loop (``ui.live``): training (forecast, echo, characters)
and the echo task's k sweep. While playing they draw images (``viz.raster``), paused the Plotly figures, each
in a box of one fixed height (``ui.pictures.live_picture``) so Play and Pause move nothing."""
import numpy as np
import streamlit as st

from lessons.rnn import EchoSweep, free_run, sample
from ui import challenges
from ui.layout import picture_width
from ui.pictures import live_picture
from viz import rnn as vz

SAMPLE_LEN = 240
SWEEP_KS = [1, 2, 4, 6, 8, 10, 12, 16, 20, 24]
SWEEP_MAX_H, SWEEP_MAX_T = 32, 24   # the sweep trains one network per k at once: keep each small


# --- the k sweep --------------------------------------------------------------------------------------------
def sweep_start(hidden, seq_len, opt, lr, seed):
    # The sweep trains len(SWEEP_KS) networks in one go: cap their size so it stays a matter of seconds.
    ss = st.session_state
    if ss.get("rnn_sweep_job") is None or ss.rnn_sweep_job.finished:
        ss.rnn_sweep_job = EchoSweep(SWEEP_KS, hidden_size=min(hidden, SWEEP_MAX_H),
                                     seq_len=min(seq_len, SWEEP_MAX_T), updates=300, optimizer=opt, lr=lr, seed=seed)


def sweep_advance(seconds, until):
    ss = st.session_state
    job = ss.rnn_sweep_job
    job.run_for(seconds, until)
    ss.setdefault("rnn_echo_results", {}).update(job.results)
    return job.finished


def sweep_view(playing):
    ss = st.session_state
    job = ss.get("rnn_sweep_job")
    if job is not None and not job.finished:
        n, total = len(job.results), len(job.ks)
        st.progress(n / total, f"{n} of {total} delays trained" + (
            f"; training run {n + 1} of {total}, a network for k = {job.ks[n]}…" if playing
            else " (stopped: press Sweep k to go on)"))


# --- training ---------------------------------------------------------------------------------------------
def _loss_words(hist):
    acc = hist["val_acc"][-1]
    return (f"Loss against updates, {hist['eval_step'][-1] if hist['eval_step'] else 0} updates: validation loss "
            f"{hist['val_loss'][-1]:.4f}" + ("" if acc is None else f", validation accuracy {acc:.1%}"))


def train_view(playing, trainer, x_probe, y_probe, warm=None, temperature=None, prime=None, radius=None):
    """The live training view: the loss (left), the task's own picture (right), the metrics, the echo's and the
    characters' second picture, then the challenges judged on the network as it is now."""
    ss = st.session_state
    task, model = trainer.task, trainer.model
    if trainer.stopped:
        st.error(trainer.stopped, icon=":material/warning:")
    hist = trainer.history
    val_loss, val_acc = hist["val_loss"][-1], hist["val_acc"][-1]
    left, right = st.columns(2)
    ref = {"chars": (getattr(task, "uniform_loss", None), "uniform guess: ln(vocabulary size)"),
           "echo": (np.log(task.output_size), "guessing: ln(K)")}.get(task.name, (None, ""))
    half, whole = picture_width(560, (2, 0)), picture_width(1100)     # the images' widths: either column, the page
    with left:
        live_picture("rnn_loss_box", 350, playing, lambda: vz.loss_image(hist, *ref, width=half), lambda: vz.loss_figure(hist, *ref),
                     lambda: _loss_words(hist), key="rnn_loss")
        st.caption("Each point of the blue curve is the mean loss over one batch's chunks.")
    with right:
        if task.name == "forecast":
            teacher, free = free_run(model, x_probe, warm)
            err = float(np.abs(free[warm:] - y_probe[warm:, 0]).mean()) if len(free) > warm else float("nan")
            live_picture("rnn_forecast_box", 370, playing,
                         lambda: vz.forecast_image(y_probe[:, 0], teacher, free, warm, width=half),
                         lambda: vz.forecast_figure(y_probe[:, 0], teacher, free, warm),
                         lambda: f"Forecast of the wave after {trainer.steps} updates: after the warm-up of {warm} "
                                 f"steps the prediction fed its own output is off by {err:.3f} on average",
                         key="rnn_forecast")
            st.caption("Blue: each prediction is made from the true past. Orange: after the warm-up the network "
                       "reads its own last prediction — small errors feed on themselves.")
        elif task.name == "echo":
            results = ss.get("rnn_echo_results", {})
            live_picture("rnn_echo_acc_box", 330, playing,
                         lambda: vz.echo_accuracy_image(results, task.chance, (task.k, val_acc), width=half),
                         lambda: vz.echo_accuracy_figure(results, task.chance, (task.k, val_acc)),
                         lambda: f"Validation accuracy against the delay k: this run (k = {task.k}) {val_acc:.1%}"
                                 + "".join(f"; k = {k}: {a:.1%}" for k, a in sorted(results.items()))
                                 + f"; chance {task.chance:.1%}", key="rnn_echo_acc")
            st.caption(f"Sweep k trains a fresh network for each k = {', '.join(map(str, SWEEP_KS))} (at most "
                       f"{SWEEP_MAX_H} hidden units and T = {SWEEP_MAX_T}, so it takes seconds).")
        else:
            text, probs = sample(model, task.vocab, SAMPLE_LEN, temperature, ss.rnn_sample_rng, prime)
            with st.container(height=350, border=False, key="rnn_sample_box"):   # as high as the loss box
                st.markdown(f"**A sample at τ = {temperature:g}**, after the start text (the first "
                            f"{'character' if len(prime) == 1 else f'{len(prime)} characters'}):")
                st.code(prime + text, language=None, wrap_lines=True)
            ss.rnn_last_sample = (prime, text, probs)
    m1, m2, m3, m4 = st.columns(4)     # under the pictures: at 1280×720 the bar, the settings and the pictures fit
    m1.metric("Updates", trainer.steps)
    m2.metric("Validation loss", f"{val_loss:.4f}")
    if val_acc is not None:
        m3.metric("Validation accuracy", f"{val_acc:.1%}")
    if trainer.grad_norm is not None:
        m4.metric("Gradient norm ‖g‖", f"{trainer.grad_norm:.3g}")
    if task.name == "echo":
        x_in, pred = x_probe.argmax(1)[:32], model.forward(x_probe[None])[0].argmax(-1)[:32]
        right_ones = int(sum(pred[t] == y_probe[t] for t in range(task.k, len(pred))))
        live_picture("rnn_echo_seq_box", 240, playing,
                     lambda: vz.echo_sequence_image(x_in, y_probe[:32], pred, task.k, width=whole),
                     lambda: vz.echo_sequence_figure(x_in, y_probe[:32], pred, task.k),
                     lambda: f"One sequence of {len(pred)} symbols: the network echoes {right_ones} of the "
                             f"{max(len(pred) - task.k, 0)} it can (k = {task.k})", key="rnn_echo_seq")
    if task.name == "chars":
        start, text, probs = ss.rnn_last_sample
        args = (start, text[:40], probs[:40], task.vocab.chars)
        live_picture("rnn_char_probs_box", 450, playing, lambda: vz.char_probs_image(*args, top=vz.CHAR_ROWS, width=whole),
                     lambda: vz.char_probs_figure(*args, top=vz.CHAR_ROWS),
                     lambda: f"Probability of each next character for the first {len(args[1])} of the sample: "
                             + ", ".join(f"{vz._show(c)} {p[task.vocab.chars.index(c)]:.2f}"
                                         for c, p in zip(args[1], args[2])), key="rnn_char_probs")
        st.caption(f"Each column: the probabilities the network gave to the next character, at temperature τ; "
                   f"the orange circle is the one drawn. Rows: the {min(vz.CHAR_ROWS, task.vocab.size)} characters "
                   f"most probable somewhere in this sample, of the {task.vocab.size} the text uses. "
                   "↵ = new line, ␣ = space.")
        st.caption(f"Validation: windows of the last {task.n_val:,} characters of the text, held out — training "
                   f"never reads them. Training reads the first {len(task.train_ids):,}.")
    challenges.panel("rnn", challenges.rnn_view(trainer, x_probe, y_probe, radius))

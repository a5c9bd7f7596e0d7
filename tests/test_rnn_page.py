"""Lesson 7 under AppTest: every task and every control, and what is shown equals the engine's numbers.
(AppTest does not run the fragment's timer: training is driven with Step, or by a rerun while playing.)"""
import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, plotly_arrays
from live_helpers import box
from lessons.rnn import free_run, last_step_grad_norms, make_model, make_task, spectral_radius, step_numbers
from test_rnn_lesson import one_blas_thread  # noqa: F401  (autouse: one BLAS thread for these tiny products)

PAGE = str(ROOT / "pages" / "7_rnn.py")


def run(at):
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def at():
    return run(AppTest.from_file(PAGE, default_timeout=60))


def charts(at):
    """Title → figure dict of every Plotly chart on the page."""
    out = {}
    for el in at.get("plotly_chart"):
        spec = plotly_arrays(json.loads(el.proto.spec))
        out[(spec["layout"].get("title") or {}).get("text", "unrolled")] = spec
    return out


def grad_chart(at):
    return next(v for k, v in charts(at).items() if k.startswith("Gradient through time"))


def trainer(at):
    return at.session_state.rnn_trainer


def step_latex(at):
    """The formula with the selected step's numbers (z_t, h_t, y_t)."""
    return next(lt.value for lt in at.latex if r"\begin{aligned}" in lt.value and "W_x" in lt.value)


def step(at):
    at.button(key="rnn_step").click()
    return run(at)


def test_defaults_show_the_unrolled_network_and_the_step_numbers(at):
    assert at.title[0].value.startswith("Recurrent networks")
    figs = charts(at)
    assert {"unrolled", "Loss", "Forecast: the next value of the wave", "Hidden state h<sub>t</sub> over time"} <= set(figs)
    tr = trainer(at)
    x, _ = tr.task.probe()
    num = step_numbers(tr.model, x, 2, units=4)                 # t = 3 by default
    shown = step_latex(at)
    for key in ("h_prev", "xWx", "hWh", "b", "z", "h"):
        assert " & ".join(f"{v:+.3f}" for v in num[key]) in shown
    assert r"\tanh(z_{3})" in shown
    assert any("forward and backward" in e.label for e in at.expander)   # the engine's own equations
    assert any(r"\tanh(z_t)" in lt.value for lt in at.latex)
    at.slider(key="rnn_t").set_value(1)
    run(at)
    assert "h_{0} &=" in step_latex(at) and "+0.000 & +0.000" in step_latex(at)


def test_step_trains_and_the_gradient_plot_shows_the_engines_values(at):
    fig = grad_chart(at)
    assert fig["layout"]["yaxis"]["type"] == "log"
    step(at)
    tr = trainer(at)
    assert tr.steps == 4                                        # a 64-step stream in chunks of T = 16
    fig = grad_chart(at)
    assert np.allclose(fig["data"][0]["y"], tr.grad_norms)      # the engine's ‖∂L/∂h_t‖ of the update
    x, y = tr.task.probe()
    expect = last_step_grad_norms(tr.model, tr.task.make_loss(), x[:16], y[:16])
    assert np.allclose(fig["data"][1]["y"], expect)
    assert int(at.metric[0].value) == tr.steps
    assert float(at.metric[1].value) == pytest.approx(tr.history["val_loss"][-1], abs=1e-4)
    loss = charts(at)["Loss"]
    assert np.allclose(loss["data"][1]["y"], tr.history["val_loss"])


def test_play_runs_a_chunk_per_frame_and_pause_stops(at):
    at.button(key="rnn_play").click()
    run(at)
    assert at.session_state.rnn_playing and trainer(at).steps > 0
    before = trainer(at).steps
    run(at)                                                     # another frame
    assert trainer(at).steps > before
    at.button(key="rnn_pause").click()
    run(at)
    assert not at.session_state.rnn_playing
    n = trainer(at).steps
    run(at)
    assert trainer(at).steps == n


@pytest.mark.parametrize("task, boxes", [("forecast", ["rnn_loss_box", "rnn_forecast_box"]),
                                         ("echo", ["rnn_loss_box", "rnn_echo_acc_box", "rnn_echo_seq_box"]),
                                         ("chars", ["rnn_loss_box", "rnn_char_probs_box"])])
def test_playing_draws_images_with_the_engines_numbers_paused_plotly_in_the_same_boxes(at, task, boxes):
    at.radio(key="rnn_task").set_value(task)
    run(at)
    at.button(key="rnn_play").click()
    run(at)
    tr = trainer(at)
    h = tr.history
    assert at.session_state.rnn_playing and tr.steps > 0
    playing = {b: box(at, b) for b in boxes}
    assert all([k for k, _ in shown] == ["image"] for _, shown in playing.values()), playing
    alt = {b: shown[0][1] for b, (_, shown) in playing.items()}
    assert alt["rnn_loss_box"].startswith(f"Loss against updates, {h['eval_step'][-1]} updates: validation loss "
                                          f"{h['val_loss'][-1]:.4f}")
    if task == "forecast":
        x, y = tr.task.probe()
        _, free = free_run(tr.model, x, 16)
        assert alt["rnn_forecast_box"].endswith(f"off by {np.abs(free[16:] - y[16:, 0]).mean():.3f} on average")
    elif task == "echo":
        assert f"this run (k = 2) {h['val_acc'][-1]:.1%}" in alt["rnn_echo_acc_box"]
    else:
        prime, text, probs = at.session_state.rnn_last_sample
        first = f"{text[0] if text[0] not in chr(10) + ' ' else {chr(10): '↵', ' ': '␣'}[text[0]]} "
        assert alt["rnn_char_probs_box"].split(": ", 1)[1].startswith(
            first + f"{probs[0][tr.task.vocab.chars.index(text[0])]:.2f}")
    at.button(key="rnn_pause").click()
    run(at)
    for b in boxes:                                  # paused: the Plotly figures, in boxes of the same heights
        height, shown = box(at, b)
        assert height == playing[b][0] and [k for k, _ in shown] == ["plotly"], (b, shown)


def test_forecast_controls(at):
    at.radio(key="rnn_kind").set_value("sum")
    run(at)
    assert trainer(at).task.kind == "sum"
    at.slider(key="rnn_warm").set_value(40)
    run(at)
    fig = charts(at)["Forecast: the next value of the wave"]
    assert fig["layout"]["shapes"][0]["x1"] == 40.5
    teacher, free = fig["data"][1]["y"], fig["data"][2]["y"]
    assert np.allclose(teacher[:40], free[:40]) and not np.allclose(teacher[41:], free[41:])
    at.selectbox(key="rnn_seq_idx").set_value(3)
    run(at)
    heat = charts(at)["Hidden state h<sub>t</sub> over time"]
    tr = trainer(at)
    hs = tr.model.layers[0].forward(tr.task.X_val[2][None, :40])[0]
    assert f"h = {hs[5, 1]:+.3f}" in heat["data"][0]["text"][5][1]


def test_network_controls_rebuild_or_retune(at):
    at.select_slider(key="rnn_hidden").set_value(8)
    at.number_input(key="rnn_seed").set_value(5)
    run(at)
    tr = trainer(at)
    assert tr.model.layers[0].hidden_size == 8
    assert np.allclose(tr.model.layers[0].params["Wh"], make_model(make_task("forecast", seed=5), 8, seed=5)
                       .layers[0].params["Wh"])
    at.slider(key="rnn_T").set_value(8)
    at.selectbox(key="rnn_opt").set_value("momentum")
    at.select_slider(key="rnn_lr").set_value(0.1)
    at.toggle(key="rnn_clip_on").set_value(True)
    run(at)                                                     # the threshold is enabled once clipping is on
    at.select_slider(key="rnn_clip").set_value(0.3)
    run(at)
    tr2 = trainer(at)
    assert tr2 is tr                                            # the weights stay: only hyperparameters change
    assert (tr.seq_len, tr.lr, tr.clip, tr.optimizer_name) == (8, 0.1, 0.3, "momentum")
    step(at)
    assert len(grad_chart(at)["data"][0]["y"]) == 8
    clipfig = charts(at)["Size of each update's gradient"]
    assert np.allclose(clipfig["data"][1]["y"], np.minimum(tr.history["grad_norm"], 0.3))


def test_spectral_radius_control(at):
    at.toggle(key="rnn_radius_on").set_value(True)
    run(at)
    at.slider(key="rnn_radius").set_value(2.5)
    run(at)
    Wh = trainer(at).model.layers[0].params["Wh"]
    assert spectral_radius(Wh) == pytest.approx(2.5)
    assert "ρ = 2.50" in " ".join(c.value for c in at.caption)
    exploding = grad_chart(at)["data"][1]["y"]
    at.slider(key="rnn_radius").set_value(0.3)
    run(at)
    vanishing = grad_chart(at)["data"][1]["y"]
    assert vanishing[0] / vanishing[-1] < 1e-6 < 1 < exploding[0] / exploding[-1]


def test_huge_learning_rate_is_explained_and_recoverable(at):
    at.selectbox(key="rnn_opt").set_value("sgd")
    at.select_slider(key="rnn_lr").set_value(10.0)
    run(at)
    step(at)
    tr = trainer(at)
    assert tr.stopped and at.error and "learning rate 10" in at.error[0].value
    assert all(np.isfinite(p).all() for layer in tr.model.layers for p in layer.params.values())
    at.select_slider(key="rnn_lr").set_value(0.01)
    run(at)
    assert at.error                                             # still explained until the learner goes on
    step(at)
    assert not at.error and trainer(at).stopped is None and trainer(at).steps > 0


def test_echo_task_k_sweep_and_views(at):
    at.radio(key="rnn_task").set_value("echo")
    run(at)
    at.slider(key="rnn_k").set_value(3)
    run(at)
    tr = trainer(at)
    assert tr.task.k == 3
    step(at)
    figs = charts(at)
    acc = figs["How far back can it remember?"]
    current = next(d for d in acc["data"] if d["name"] == "this run (training)")
    assert current["x"] == [3] and current["y"][0] == pytest.approx(tr.history["val_acc"][-1])
    assert at.metric[2].value == f"{tr.history['val_acc'][-1]:.1%}"
    assert "One sequence: symbols in, echoes out" in figs
    assert grad_chart(at)["layout"]["shapes"][0]["x0"] == 16 - 3      # the step the last answer echoes
    at.button(key="rnn_sweep_play").click()
    run(at)
    job = at.session_state.rnn_sweep_job
    assert at.session_state.rnn_sweep_playing and len(job.results) < 10      # trained a frame's slice at a time
    n = len(job.results)                                                      # which run, while playing
    assert at.get("progress")[0].proto.text == (f"{n} of 10 delays trained; training run {n + 1} of 10, a network "
                                                f"for k = {job.ks[n]}…")
    while not job.results:
        run(at)
    assert at.session_state.rnn_echo_results == job.results                   # each finished k is shown
    at.button(key="rnn_sweep_pause").click()
    run(at)
    done = len(job.results)
    assert not at.session_state.rnn_sweep_playing and done < 10
    assert at.get("progress")[0].proto.text == f"{done} of 10 delays trained (stopped: press Sweep k to go on)"
    run(at)
    assert len(job.results) == done                                           # stopped means stopped
    job.run_for(float("inf"))               # the rest, here rather than frame by frame on a busy test machine
    at.session_state.rnn_echo_results.update(job.results)
    run(at)
    results = at.session_state.rnn_echo_results
    ks = [1, 2, 4, 6, 8, 10, 12, 16, 20, 24]
    assert sorted(results) == ks
    bars = charts(at)["How far back can it remember?"]["data"][0]
    assert bars["x"] == ks and np.allclose(bars["y"], [results[k] for k in ks])
    assert results[1] > 0.9 and results[24] < 0.4               # the memory fades with k, down to chance


def test_characters_on_the_bundled_text(at):
    at.radio(key="rnn_task").set_value("chars")
    run(at)
    tr = trainer(at)
    assert tr.task.vocab.size > 30
    loss = charts(at)["Loss"]
    assert loss["data"][2]["y"][0] == pytest.approx(math.log(tr.task.vocab.size))   # the uniform-guess line
    step(at)
    sample_code = at.code[0].value
    assert sample_code.startswith("Shall ") and len(sample_code) == len("Shall ") + 240
    prime, text, probs = at.session_state.rnn_last_sample
    probs_fig = charts(at)["Probability of each next character, step by step"]
    keep = [tr.task.vocab.chars.index(c if c not in "↵␣" else {"↵": "\n", "␣": " "}[c])
            for c in probs_fig["data"][0]["y"]]
    assert np.allclose(probs_fig["data"][0]["z"], probs[:40, keep].T)
    at.slider(key="rnn_temp").set_value(0.1)
    at.text_input(key="rnn_prime").set_value("Thou ")
    run(at)
    words = " ".join(m.value for m in at.markdown)
    assert at.code[0].value.startswith("Thou ") and "τ = 0.1" in words and "(the first 5 characters)" in words
    at.text_input(key="rnn_prime").set_value("T")
    run(at)
    words = " ".join(m.value for m in at.markdown)
    assert "(the first character)" in words and "1 characters" not in words
    at.text_input(key="rnn_prime").set_value("Thou ")
    run(at)
    at.text_input(key="rnn_prime").set_value("Zebra §")
    run(at)
    assert any("does not know" in i.value for i in at.info) and at.code[0].value.startswith("Shall ")
    at.text_input(key="rnn_seq_text").set_value("love")
    run(at)
    heat = charts(at)["Hidden state h<sub>t</sub> over time"]
    assert len(heat["data"][0]["z"]) == 4
    at.text_input(key="rnn_seq_text").set_value("@@@")
    run(at)
    assert any("only knows the characters" in i.value for i in at.info)


def test_characters_on_the_learners_text(at):
    at.radio(key="rnn_task").set_value("chars")
    run(at)
    at.radio(key="rnn_source").set_value("own")
    run(at)
    assert at.warning and "at least" in at.text[0].value        # empty: a clear message, no traceback
    at.text_area(key="rnn_text").set_value("abc")
    run(at)
    assert at.warning and "3 characters" in at.text[0].value
    at.text_area(key="rnn_text").set_value("the cat sat on the mat and the rat ran at the cat")
    run(at)
    assert not at.warning
    tr = trainer(at)
    assert set(tr.task.vocab.chars) == set("the cat sat on the mat and the rat ran at the cat")
    step(at)
    assert trainer(at).steps > 0 and at.code[0].value.startswith("t")


def test_the_graph_and_the_formula_show_x_h_and_y_of_the_selected_step(at):
    tr = trainer(at)
    x, _ = tr.task.probe()
    y3 = tr.model.forward(x[None])[0, 2]                       # the engine's read-out at t = 3
    h3 = tr.model.layers[0].forward(x[None])[0, 2]
    assert f"y_{{3}} = h_{{3}} W_y + b_y &= \\begin{{bmatrix}}{y3[0]:+.3f}" in step_latex(at)
    notes = {a.get("name"): a["text"] for a in charts(at)["unrolled"]["layout"]["annotations"] if a.get("name")}
    assert notes["value y"] == f"{y3[0]:+.3f}" and notes["value h"].startswith(f"{h3[0]:+.2f}<br>{h3[1]:+.2f}")
    assert notes["value h"].endswith(f"…{len(h3) - 4} more") and notes["value x"] == f"{x[2, 0]:+.2f}"


def test_backprop_through_time_formula_passes_through_the_read_out(at):
    at.expander  # the engine's equations, rendered from nn_core/rnn.py
    assert any(r"\frac{\partial L}{\partial y_t} W_y^\top" in lt.value for lt in at.latex)


def test_temperature_and_clipping_formulas_are_shown(at):
    assert any(r"\min\Bigl(1, \frac{c}{\|g\|}\Bigr)" in lt.value and "clipping off" in lt.value for lt in at.latex)
    at.toggle(key="rnn_clip_on").set_value(True)
    run(at)
    assert any(r"\min\Bigl(1" in lt.value and "(c = 1)" in lt.value for lt in at.latex)
    at.radio(key="rnn_task").set_value("chars")
    run(at)
    assert any(r"e^{z_k / \tau}" in lt.value and r"(\tau = 0.7)" in lt.value for lt in at.latex)
    step(at)
    task = trainer(at).task
    captions = " ".join(c.value for c in at.caption)
    assert f"Rows: the 12 characters most probable somewhere in this sample, of the {task.vocab.size}" in captions
    assert f"the last {task.n_val:,} characters of the text, held out" in captions


def test_a_paused_rerun_does_not_wait(at, monkeypatch):
    """The bar first is the live loop's (ui.live.control_bar: only the run after a click on Play or Pause waits);
    the page itself waits nowhere — it used to sleep 40 ms on every paused run, a slider's too."""
    import threading
    import time
    waits, sleep = [], time.sleep

    def recording(seconds):
        if threading.current_thread().name == "ScriptRunner.scriptThread":
            waits.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording)
    at.select_slider(key="rnn_lr").set_value(0.003)
    run(at)
    assert not at.session_state.rnn_playing and waits == []

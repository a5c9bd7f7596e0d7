"""Every training view at a learning rate of 10 (plain SGD, no clipping): the divergence is caught (no
exception, no NaN shown as a number), explained on the page, and recoverable — after the page's own reset
action, training runs again without the warning.

AppTest does not run ``run_every`` timers, so training is driven by the Step buttons (and by Play, whose
fragment runs once per full run)."""
import math
import pathlib
import re
import sys

import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import PAGES  # noqa: E402
from test_fuzz import _forge, _install_forged_states  # noqa: E402

DIVERGED = re.compile(r"diverg|\bnan\b|infinit|overflow|blew up|blows up|explod", re.I)


def page(name, **link):
    """The lesson as a link opens it (``link``: its parameters, e.g. the open tab: only that tab is drawn)."""
    at = AppTest.from_file(next(p for p in PAGES if name in pathlib.Path(p).name), default_timeout=90)
    for key, value in link.items():
        at.query_params[key] = value
    return at.run()


def ok(at):
    assert not at.exception, [str(e.value)[:300] for e in at.exception]
    return at


def by_key(at, kind, key):
    found = [w for w in getattr(at, kind) if w.key == key]
    assert found, f"no {kind} with key {key!r} on the page (was it renamed?)"
    return found[0]


def choose(at, kind, key, option):
    """Choose a formatted option of a selectbox/radio/select_slider, as the browser sends it."""
    _install_forged_states()
    w = by_key(at, kind, key)
    if option not in w.options:                        # a number: match by value ("10" == "10.0")
        try:
            option = next(o for o in w.options if float(o) == float(option))
        except (ValueError, StopIteration):
            raise AssertionError(f"{key}: {option!r} is not offered ({w.options})") from None
    _forge(w, **({"string_array_value": [option]} if kind == "select_slider" else {"string_value": option}))


def highest(at, key):
    """The largest learning rate a select_slider offers (as its formatted option)."""
    w = by_key(at, "select_slider", key)
    return max(w.options, key=float)


def warnings(at):
    return " ".join(str(x.value) for kind in ("warning", "error") for x in getattr(at, kind))


def shown_numbers_finite(at):
    """No metric shows nan/inf."""
    for m in at.metric:
        assert not re.search(r"\bnan\b|\binf\b", str(m.value), re.I), f"metric {m.label!r} shows {m.value!r}"


def click(at, key, times=1):
    for _ in range(times):
        b = by_key(at, "button", key)
        if b.proto.disabled:
            return at
        ok(b.click().run())
    return at


# ------------------------------------------------------------------------------------------------ pages
def test_playground_lr_10():
    """On a regression set (on the classification sets tanh saturates: the loss stays finite but large)."""
    from nn_core.data import DATASETS_2D
    at = page("playground")
    choose(at, "selectbox", "pg_ds", DATASETS_2D["plane"]["label"])
    ok(at.run())
    choose(at, "select_slider", "pg_lr", "10")
    choose(at, "selectbox", "pg_opt", "SGD")
    choose(at, "select_slider", "pg_batch", "10")          # mini-batches: it blows up within a few epochs
    ok(at.run())
    for _ in range(15):
        click(at, "pg_step")
        if at.session_state["pg_trainer"].stopped:
            break
    assert at.session_state["pg_trainer"].stopped, "SGD at η = 10 did not stop as diverged"
    assert DIVERGED.search(warnings(at)), f"no explanation shown: {warnings(at)!r}"
    shown_numbers_finite(at)
    # recover: the page's own action, as often as the learner needs
    for _ in range(4):
        click(at, "pg_lower_lr")
        epoch = at.session_state["pg_trainer"].epoch
        click(at, "pg_step", 3)
        tr = at.session_state["pg_trainer"]
        if not tr.stopped:
            break
    assert not tr.stopped and tr.epoch == epoch + 3, (tr.stopped, tr.epoch, epoch)
    assert not DIVERGED.search(warnings(at)), warnings(at)
    assert all(math.isfinite(v) for v in tr.history["train_loss"][-3:])
    click(at, "pg_play")                      # and live training runs again
    assert at.session_state["pg_trainer"].epoch > epoch + 3


def test_optimizer_race_lr_10():
    at = page("optimizers")
    keys = [w.key for w in at.select_slider if (w.key or "").startswith("op_lr_")]
    assert len(keys) == 4, keys
    for k in keys:
        choose(at, "select_slider", k, "10")
    ok(at.run())
    click(at, "op_step", 3)
    click(at, "op_play")
    ok(at.run())
    assert DIVERGED.search(warnings(at)), f"no divergence explained at η = 10: {warnings(at)!r}"
    # recover: lower the learning rates, restart
    for k in keys:
        w = by_key(at, "select_slider", k)
        choose(at, "select_slider", k, min(w.options, key=float))
    ok(at.run())
    click(at, "op_reset")
    click(at, "op_step", 3)
    assert not DIVERGED.search(warnings(at)), warnings(at)


def test_optimizer_lr_sweep_up_to_30():
    """The sweep trains networks up to η = 30: runs that blow up are part of the picture, never a crash."""
    at = page("optimizers", op_tab="Learning rate")
    choose(at, "selectbox", "op_sw_opt", "sgd" if "sgd" in by_key(at, "selectbox", "op_sw_opt").options else "SGD")
    ok(at.run())
    click(at, "op_sweep_play")
    for _ in range(80):
        if not at.session_state["op_sweep_playing"]:
            break
        ok(at.run())
    job = at.session_state["op_sweep"]
    assert not at.session_state["op_sweep_playing"] and len(job["results"]) == len(job["configs"]), "the sweep did not finish"
    assert any(not math.isfinite(r["final_loss"]) or r.get("diverged") for r in job["results"]) or \
        max(r["final_loss"] for r in job["results"]) > 10 * min(r["final_loss"] for r in job["results"]), \
        "no run of the sweep diverged: the test does not exercise divergence"


def test_cnn_training_at_its_highest_lr():
    at = page("cnn", cnn_tab="2 · Train a CNN")
    lr = highest(at, "cnn_lr")
    choose(at, "select_slider", "cnn_lr", lr)
    choose(at, "selectbox", "cnn_opt", "SGD")
    ok(at.run())
    run = lambda: at.session_state["cnn_run"]["trainer"]  # noqa: E731
    for _ in range(4):
        click(at, "cnn_train_step")
        if run().stopped:
            break
    if run().stopped:
        assert DIVERGED.search(warnings(at)) or warnings(at), "stopped without a word on the page"
    else:                    # η is capped below 10 on this page: then the numbers must stay finite
        assert float(lr) < 10, "η = 10 trained without stopping and without NaN?"
        assert all(math.isfinite(v) for v in run().history["train_loss"])
    shown_numbers_finite(at)
    choose(at, "select_slider", "cnn_lr", "0.01")
    ok(at.run())
    click(at, "cnn_train_reset")
    click(at, "cnn_train_step")
    assert not run().stopped and run().epoch == 1
    assert all(math.isfinite(v) for v in run().history["train_loss"])


def test_rnn_lr_10_without_clipping():
    at = page("rnn")
    choose(at, "select_slider", "rnn_lr", "10")
    choose(at, "selectbox", "rnn_opt", "SGD")
    ok(at.run())
    by_key(at, "toggle", "rnn_clip_on").set_value(False)
    ok(at.run())
    tr = lambda: at.session_state["rnn_trainer"]  # noqa: E731
    for _ in range(20):
        click(at, "rnn_step")
        if tr().stopped:
            break
    assert tr().stopped, "η = 10 without clipping did not stop the RNN"
    assert DIVERGED.search(warnings(at)), f"no explanation: {warnings(at)!r}"
    shown_numbers_finite(at)
    choose(at, "select_slider", "rnn_lr", "0.01")
    ok(at.run())
    click(at, "rnn_reset")
    steps = tr().steps
    click(at, "rnn_step", 3)
    assert not tr().stopped and tr().steps > steps
    assert not DIVERGED.search(warnings(at)), warnings(at)


def test_backprop_train_n_steps_lr_10():
    at = page("backprop")
    by_key(at, "number_input", "bp_lr").set_value(10.0)
    ok(at.run())
    tabs_text = warnings(at)
    by_key(at, "number_input", "bp_n").set_value(by_key(at, "number_input", "bp_n").proto.max)
    ok(at.run())
    click(at, "bp_train")
    msg = warnings(at)
    hist = at.session_state["bp_history"]
    if at.session_state.get("bp_train_msg"):
        assert "Training stopped" in msg and msg != tabs_text, msg
    else:          # a sigmoid network may saturate instead of diverging: then every loss must be finite
        assert all(math.isfinite(v) for v in hist), hist[-5:]
    shown_numbers_finite(at)
    # η = 100, the field's maximum, must diverge or saturate without a crash either
    by_key(at, "number_input", "bp_lr").set_value(100.0)
    ok(at.run())
    click(at, "bp_train")
    by_key(at, "number_input", "bp_lr").set_value(0.5)
    ok(at.run())
    by_key(at, "number_input", "bp_n").set_value(10)
    ok(at.run())
    click(at, "bp_random")
    n = len(at.session_state.get("bp_history") or [])
    click(at, "bp_train")
    hist = at.session_state["bp_history"]
    assert not at.session_state.get("bp_train_msg"), at.session_state.get("bp_train_msg")
    assert len(hist) >= 10 and all(math.isfinite(v) for v in hist[-10:]), (n, hist[-10:])

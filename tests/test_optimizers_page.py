"""Lesson 5 page under AppTest: every control is changed, and what the page shows is compared with
numbers computed here from the engine (nn_core.surfaces / nn_core.sweeps) directly."""
import json

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import ROOT, plotly_arrays
from live_helpers import box
from lessons import surfaces as S
from lessons import sweeps
from nn_core.docmath import latex_blocks
from nn_core.optimizers import Adam
from viz import optimizers as V

PAGE = str(ROOT / "pages" / "5_optimizers.py")


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_page(tab=None):
    """The page as a link opens it, on the tab ``tab`` (the page draws only the open tab's content)."""
    at = AppTest.from_file(PAGE, default_timeout=90)
    if tab:
        at.query_params["op_tab"] = tab
    return ok(at.run())


def chart(at, key):
    found = [c for c in at.get("plotly_chart") if getattr(c, "key", None) == key]
    assert found, f"no chart {key}"
    return plotly_arrays(json.loads(found[0].proto.spec))


def progress(at, i):
    bar = at.get("progress")[i].proto
    return bar.value, bar.text


def status_lines(at):
    """The race's per-optimizer loss lines: {label: text}."""
    block = next(m.value for m in at.markdown if m.value.startswith("**SGD**: loss"))
    return dict(line.split(": ", 1) for line in block.replace("**", "").split("  \n"))


def tex(at):
    """The LaTeX shown by st.latex, without the $$ wrapper Streamlit adds."""
    return [x.value.strip().removeprefix("$$").removesuffix("$$").strip() for x in at.latex]


def expected_race(key, kappa, start, lrs, steps):
    return S.race(S.make_surface(key, kappa), start, lrs, steps)


def test_defaults_show_the_engines_race():
    at = run_page()
    assert at.title[0].value == "Optimizers, losses and hyperparameters"
    bowl = S.Bowl(20.0)
    lrs = {"sgd": 0.07, "momentum": 0.01, "rmsprop": 0.1, "adam": 0.3}      # surface defaults, snapped
    for name, lr in lrs.items():
        assert at.select_slider(key=f"op_lr_{name}_bowl20").value == pytest.approx(lr)
    race = expected_race("bowl", 20.0, bowl.start, lrs, 150)
    assert any(m.value == "## Step 150 of 150" for m in at.markdown)
    shown = status_lines(at)
    for name, traj in race.items():
        assert shown[V.OPT_LABELS[name]] == f"loss {traj.losses[-1]:.4g}"
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["SGD", "Momentum", "RMSprop", "Adam"]
    assert np.allclose(table["final loss"], [t.losses[-1] for t in race.values()])
    assert np.allclose(table["distance to the minimum"], [np.linalg.norm(t.points[-1]) for t in race.values()])
    fig = chart(at, "op_race_fig")
    sgd_path = next(tr for tr in fig["data"] if tr.get("name") == "SGD")
    assert np.allclose(sgd_path["x"], race["sgd"].points[:, 0]) and np.allclose(sgd_path["y"], race["sgd"].points[:, 1])
    # RMSprop's loss (~1e-33) lies on the bottom of the log axis: the caption says where that bottom is
    bottom = chart(at, "op_loss_fig")["layout"]["yaxis"]["range"][0]
    assert race["rmsprop"].losses[-1] < 10 ** bottom
    assert any(f"stops at $10^{{{round(bottom)}}}$ above the lowest loss" in c.value for c in at.caption)
    # inside one step: SGD, step 3, the docstring and the numbers
    latex = tex(at)
    assert latex[:2] == latex_blocks(S.Bowl)                          # the surface's own formula
    assert latex[2:4] == latex_blocks(S.make_optimizer("sgd", 0.1).__class__)
    assert latex[4:7] == V.update_latex("sgd", race["sgd"].hyper, S.step_numbers(race["sgd"], 3))


def test_race_controls_surface_start_rates_steps():
    at = run_page()
    at.selectbox(key="op_surface").set_value("saddle").run()
    ok(at)
    at.slider(key="op_x_saddle").set_value(-2.0)
    at.slider(key="op_y_saddle").set_value(0.5)
    at.select_slider(key="op_lr_sgd_saddle").set_value(0.2)
    at.select_slider(key="op_lr_momentum_saddle").set_value(0.05)
    at.select_slider(key="op_lr_rmsprop_saddle").set_value(0.01)
    at.select_slider(key="op_lr_adam_saddle").set_value(0.07)
    at.slider(key="op_steps").set_value(60).run()
    ok(at)
    race = expected_race("saddle", 20.0, (-2.0, 0.5), {"sgd": 0.2, "momentum": 0.05, "rmsprop": 0.01, "adam": 0.07}, 60)
    assert any(m.value == "## Step 60 of 60" for m in at.markdown)
    shown = status_lines(at)
    for name, traj in race.items():
        assert shown[V.OPT_LABELS[name]] == f"loss {traj.losses[-1]:.4g}"
    assert chart(at, "op_race_fig")["layout"]["title"]["text"] == "Saddle: step 60"
    assert tex(at)[:2] == latex_blocks(S.Saddle) and at.expander[0].label == "The surface: Saddle"
    at.toggle(key="op_3d").set_value(True).run()
    fig = ok(at) and chart(at, "op_race_fig3d")
    assert fig["data"][0]["type"] == "surface" and fig["layout"]["title"]["text"] == "Saddle: step 60"
    adam = next(tr for tr in fig["data"] if tr.get("name") == "Adam")
    assert np.allclose(adam["x"], race["adam"].points[:, 0])
    at.toggle(key="op_3d").set_value(False)
    # conditioning of the bowl: new defaults for the learning rates (SGD 1.4/κ, snapped)
    at.selectbox(key="op_surface").set_value("bowl").run()
    at.slider(key="op_kappa").set_value(50).run()
    ok(at)
    assert at.select_slider(key="op_lr_sgd_bowl50").value == pytest.approx(0.03)
    race = expected_race("bowl", 50.0, S.Bowl().start, {"sgd": 0.03, "momentum": 0.005, "rmsprop": 0.1, "adam": 0.3}, 60)
    assert np.allclose(at.dataframe[0].value["final loss"], [t.losses[-1] for t in race.values()])


def test_play_step_pause_restart():
    at = run_page()
    at.slider(key="op_steps").set_value(20).run()
    at.button(key="op_reset").click().run()
    assert any(m.value == "## Step 0 of 20" for m in at.markdown)
    at.button(key="op_step").click().run()
    assert any(m.value == "## Step 1 of 20" for m in at.markdown)
    at.button(key="op_play").click().run()                 # one frame of the fragment runs with the script
    ok(at)
    assert at.session_state["op_playing"] and any(m.value == "## Step 2 of 20" for m in at.markdown)
    # playing: images in the race's boxes (no Plotly), their alt text giving the engine's losses at step 2
    race = expected_race("bowl", 20.0, (-4.0, 2.0), {"sgd": 0.07, "momentum": 0.01, "rmsprop": 0.1, "adam": 0.3}, 20)
    words = ", ".join(f"{V.OPT_LABELS[n]} {tr.losses[2]:.4g}" for n, tr in race.items())
    h_race, shown = box(at, "op_race_box")
    assert shown == [("image", f"Optimizer race on the Quadratic bowl after step 2 of 20; loss {words}")]
    h_loss, shown = box(at, "op_loss_box")
    assert shown == [("image", f"Loss per step up to step 2: {words}")]
    at.button(key="op_pause").click().run()
    assert not at.session_state["op_playing"] and any(m.value == "## Step 2 of 20" for m in at.markdown)
    # paused: the Plotly figures (hover, a click to start there) in boxes of the same heights
    assert chart(at, "op_race_fig")["layout"]["title"]["text"] == "Quadratic bowl: step 2"
    assert box(at, "op_race_box")[0] == h_race and [k for k, _ in box(at, "op_race_box")[1]] == ["plotly"]
    assert box(at, "op_loss_box")[0] == h_loss and [k for k, _ in box(at, "op_loss_box")[1]] == ["plotly"]
    at.session_state["op_t"] = 19                          # the last frame stops the play by itself
    at.button(key="op_play").click().run()
    ok(at)
    assert not at.session_state["op_playing"] and any(m.value == "## Step 20 of 20" for m in at.markdown)
    at.button(key="op_play").click().run()                 # Play at the end starts again from 0
    assert any(m.value == "## Step 1 of 20" for m in at.markdown)


def test_inside_one_step_of_adam():
    at = run_page()
    at.radio(key="op_who").set_value("adam").run()
    at.slider(key="op_inspect_adam").set_value(5).run()
    ok(at)
    bowl = S.Bowl(20.0)
    traj = S.run(bowl, Adam(0.3), bowl.start, 150, name="adam")
    latex = tex(at)[len(latex_blocks(S.Bowl)):]
    blocks = latex_blocks(Adam)
    assert latex[:len(blocks)] == blocks
    expected = V.update_latex("adam", traj.hyper, S.step_numbers(traj, 5))
    assert latex[len(blocks):len(blocks) + len(expected)] == expected
    assert f"{traj.steps[4][0]:.4g}" in expected[-2]             # the engine's step is what is shown
    at.radio(key="op_who").set_value("rmsprop").run()
    at.slider(key="op_inspect_rmsprop").set_value(1).run()
    rms = S.run(bowl, S.make_optimizer("rmsprop", 0.1), bowl.start, 1)
    assert np.allclose(np.abs(rms.steps[0]), 10 * 0.1)                   # what the caption claims
    assert any("the first step is 10·η" in c.value for c in at.caption)


def test_a_diverging_learning_rate_gets_a_message_not_a_traceback():
    at = run_page()
    at.selectbox(key="op_surface").set_value("rosenbrock").run()
    at.select_slider(key="op_lr_sgd_rosenbrock").set_value(0.1).run()
    ok(at)
    traj = S.run(S.Rosenbrock(), S.make_optimizer("sgd", 0.1), S.Rosenbrock.start, 150)
    assert any(f"diverged at step {traj.diverged}" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert str(table["diverged at step"][0]) == str(traj.diverged)
    for name, tr in zip(table["optimizer"][1:], table["diverged at step"][1:]):   # the others: a word, not None
        assert tr == "no", name
    assert all(v is not None and v == v for v in table["first step within 0.001 of the lowest loss"])


def test_learning_rate_ladder():
    at = run_page("Learning rate")
    at.slider(key="op_ladder_kappa").set_value(25).run()
    ok(at)
    bowl = S.Bowl(25.0)
    text = next(m.value for m in at.markdown if m.value.startswith("**too small**"))
    for label, lr in S.lr_ladder(bowl).items():
        traj = S.run(bowl, S.make_optimizer("sgd", lr), bowl.start, 40)
        assert f"**{label}** (η = {lr:.3g}" in text
        if traj.diverged:
            assert f"diverged at step {traj.diverged}" in text
    fig = chart(at, "op_ladder_fig")
    assert [a["text"] for a in fig["layout"]["annotations"]][0] == f"too small: η = {0.05 / 25:.3g}"


def run_until_done(at, index, limit=60):
    for _ in range(limit):
        value, text = progress(at, index)
        if value == 100:
            return text
        at.run()
        ok(at)
    raise AssertionError(f"not finished: {text}")


def test_learning_rate_sweep_runs_to_the_end_and_shows_the_engines_losses():
    at = run_page("Learning rate")
    at.selectbox(key="op_sw_data").set_value("moons")
    at.selectbox(key="op_sw_opt").set_value("adam")
    at.slider(key="op_sw_epochs").set_value(5).run()
    assert any("Settings changed" in i.value for i in at.info)
    at.button(key="op_sweep_play").click().run()
    ok(at)
    assert run_until_done(at, 0) == "13 of 13 trained"
    fig = chart(at, "op_sweep_fig")
    configs = sweeps.lr_sweep_configs(sweeps.log_space(1e-3, 30.0, 13), dataset="moons", optimizer="adam",
                                      epochs=5, depth=2, width=8, batch_size=16)
    losses = [sweeps.train_config(**c)["final_loss"] for c in configs]
    assert np.allclose(fig["data"][0]["y"], losses) and np.allclose(fig["data"][0]["x"], [c["lr"] for c in configs])
    assert fig["layout"]["xaxis"]["type"] == "log"


def test_sweep_says_what_to_do_before_any_run_and_can_be_stopped():
    at = run_page("Learning rate")
    value, text = progress(at, 0)
    assert value == 0 and text == "13 runs to train: press Run", text      # not "0 of 13 trained (stopped)"
    empty_height = box(at, "op_sweep_empty")[0]                            # the picture's place, kept already
    at.slider(key="op_sw_epochs").set_value(60).run()
    at.button(key="op_sweep_play").click().run()
    assert at.session_state["op_sweep_playing"]
    for _ in range(20):                                    # a few live frames, until a run or two is done
        if at.session_state["op_sweep"]["results"]:
            break
        at.run()
    results = at.session_state["op_sweep"]["results"]
    assert at.session_state["op_sweep_playing"] and results
    # playing: "which run" in the progress; the sweep as an image whose alt text gives the engine's losses
    n = len(results)
    assert progress(at, 0)[1] == f"{n} of 13 trained; training run {n + 1} of 13…"
    configs = sweeps.lr_sweep_configs(sweeps.log_space(1e-3, 30.0, 13), dataset="circle", optimizer="sgd",
                                      epochs=60, depth=2, width=8, batch_size=16)
    losses = [sweeps.train_config(**c)["final_loss"] for c in configs[:n]]
    height, shown = box(at, "op_sweep_box")
    assert height == empty_height
    assert shown == [("image", f"Loss after training against the learning rate, {n} of 13 runs: " + "; ".join(
        f"η = {c['lr']:.3g}: {loss:.3g}" for c, loss in zip(configs, losses)))]
    at.button(key="op_sweep_pause").click().run()
    ok(at)
    assert box(at, "op_sweep_box") == (height, [("plotly", box(at, "op_sweep_box")[1][0][1])])   # same box, Plotly
    value, text = progress(at, 0)
    done = len(at.session_state["op_sweep"]["results"])
    assert 0 < done < 13 and text == f"{done} of 13 trained (stopped: press Run to go on)"
    assert not at.session_state["op_sweep_playing"]
    at.run()                                               # stopped means stopped: no more training
    assert len(at.session_state["op_sweep"]["results"]) == done
    at.button(key="op_sweep_play").click().run()           # Run goes on from where it stopped
    assert len(at.session_state["op_sweep"]["results"]) >= done and at.session_state["op_sweep_playing"]
    assert at.session_state["op_sweep"]["results"][:done] == at.session_state["op_sweep"]["results"][:done]


def test_a_long_run_is_stopped_within_a_frame():
    """Stop lands inside a run: a grid cell of 150 epochs is trained a frame's slice at a time."""
    at = run_page("Hyperparameter explorer")
    at.slider(key="op_gr_epochs").set_value(150).run()
    at.radio(key="op_gr_kind").set_value("Batch size × rate").run()
    at.button(key="op_grid_play").click().run()
    run = at.session_state["op_grid"]["run"]
    assert run is not None and 0 < run.trainer.epoch < 150, "a frame trained a whole long run (or nothing)"


def test_loss_functions_of_one_prediction():
    at = run_page("Loss functions")
    at.slider(key="op_z").set_value(-6.0)
    at.radio(key="op_y").set_value(0).run()
    ok(at)
    table = at.dataframe[0].value
    rows = S.single_prediction(-6.0, 0)
    for i, name in enumerate(("mse", "bce", "cross_entropy")):
        assert table["loss L"][i] == pytest.approx(rows[name]["value"])
        assert table["∂L/∂prediction"][i] == pytest.approx(rows[name]["dpred"])
        assert table["∂L/∂z"][i] == pytest.approx(rows[name]["dz"])
    fig = chart(at, "op_lossfn_fig")
    assert fig["layout"]["annotations"][0]["text"] == "loss L (target y = 0)"
    at.slider(key="op_z").set_value(-5.0)
    at.radio(key="op_y").set_value(1).run()
    rows = S.single_prediction(-5.0, 1)
    assert any(f"here it is {rows['mse']['dz']:.4f}" in m.value and f"{rows['bce']['dz']:.4f}" in m.value
               for m in at.markdown)


def test_hyperparameter_grid_runs_and_stops():
    at = run_page("Hyperparameter explorer")
    at.selectbox(key="op_gr_data").set_value("xor")
    at.radio(key="op_gr_kind").set_value("Batch size × rate")
    at.slider(key="op_gr_epochs").set_value(10).run()
    at.button(key="op_grid_play").click().run()
    ok(at)
    configs = sweeps.grid_configs([4, 16, 64, 150], [0.003, 0.03, 0.3], "batch_size", "lr", dataset="xor",
                                  epochs=10, optimizer="sgd", depth=2, width=8)
    while not at.session_state["op_grid"]["results"]:
        at.run()
    n = len(at.session_state["op_grid"]["results"])
    if at.session_state["op_grid_playing"]:       # playing: the progress says which run, the pictures are images
        assert progress(at, 0)[1] == f"{n} of 12 trained; training run {n + 1} of 12…"
        accs = [sweeps.train_config(**c)["test_acc"] for c in configs[:n]]
        h_heat, shown = box(at, "op_grid_box0")
        assert shown == [("image", f"Test accuracy of the {n} runs trained so far: "
                                   + ", ".join(f"{a:.0%}" for a in accs))]
        h_curves, shown = box(at, "op_grid_box1")
        assert shown == [("image", f"Loss per epoch of the {n} runs trained so far")]
        table_h = box(at, "op_grid_table_box")[0]           # the table's place, kept while playing
        assert len(at.dataframe) == 0                       # the grid's table shows when stopped
    assert run_until_done(at, 0) == "12 of 12 trained"
    assert [k for k, _ in box(at, "op_grid_box0")[1]] == ["plotly"] and box(at, "op_grid_box0")[0] == 420
    if n < 12:
        assert box(at, "op_grid_table_box")[0] == table_h
    heat = next(tr for tr in chart(at, "op_grid_heat")["data"] if tr["type"] == "heatmap")
    acc = np.array([sweeps.train_config(**c)["test_acc"] for c in configs]).reshape(4, 3)
    assert np.allclose(heat["z"], acc) and heat["zmin"] == 0.5
    curves = chart(at, "op_grid_curves")
    assert len(curves["data"]) == 2 * 12
    table = at.dataframe[-1].value
    assert list(table["batch size"]) == [4, 4, 4, 16, 16, 16, 64, 64, 64, 150, 150, 150]
    # a slow grid, stopped after its first chunk
    st.cache_data.clear()
    at.radio(key="op_gr_kind").set_value("Depth × width")
    at.slider(key="op_gr_epochs").set_value(150).run()
    at.button(key="op_grid_play").click().run()
    at.button(key="op_grid_pause").click().run()
    ok(at)
    done = len(at.session_state["op_grid"]["results"])
    assert done < 12 and progress(at, 0)[1] == f"{done} of 12 trained (stopped: press Run to go on)"


def test_regression_example_uses_mse_beside_the_classifier():
    at = run_page("Loss functions")
    at.slider(key="op_rg_w").set_value(1.5).run()
    at.slider(key="op_rg_b").set_value(1.0).run()
    ok(at)
    from lessons.losses import HOURS, MARKS
    err = 1.5 * HOURS + 1.0 - MARKS                       # by hand, with NumPy: no engine involved
    mse, dw, db = np.mean(err ** 2), np.mean(2 * err * HOURS), np.mean(2 * err)
    shown = " ".join(m.value for m in at.latex)
    assert f"= {mse:.3f}" in shown and f"= {dw:.3f}" in shown and f"= {db:.3f}" in shown
    text = " ".join(m.value for m in at.markdown)
    assert "**mean squared error**" in text and "**cross-entropy**" in text and "**Classification:**" in text
    fig = chart(at, "op_rg_fig")
    line = next(t for t in fig["data"] if t.get("name") == "prediction ŷ")
    assert line["y"] is not None


# --- only the open tab is drawn --------------------------------------------------------------------------
TABS = ["Optimizer race", "Learning rate", "Loss functions", "Hyperparameter explorer"]
SETTINGS = {   # tab -> the share link's settings made in it
    "Optimizer race": ["op_surface", "op_kappa", "op_x_bowl", "op_y_bowl", "op_lr_sgd_bowl20", "op_lr_adam_bowl20",
                       "op_steps", "op_3d", "op_who"],
    "Learning rate": ["op_ladder_kappa", "op_sw_data", "op_sw_opt", "op_sw_epochs"],
    "Loss functions": ["op_z", "op_y"],
    "Hyperparameter explorer": ["op_gr_data", "op_gr_kind", "op_gr_epochs"],
}
CONTENT = {    # tab -> elements (charts, buttons) of its content
    "Optimizer race": {"op_race_fig", "op_loss_fig", "op_play"},
    "Learning rate": {"op_ladder_fig", "op_sweep_play"},
    "Loss functions": {"op_lossfn_fig", "op_rg_fig"},
    "Hyperparameter explorer": {"op_grid_play"},
}


def open_tab(at, label):
    """A click on the tab ``label``: the tabs' value, and the address, which they are bound to."""
    at.session_state["op_tab"] = at.query_params["op_tab"] = label
    return ok(at.run())


def keys(at):
    found = {c.key for c in at.get("plotly_chart")} | {b.key for b in at.button}
    for kind in ("slider", "select_slider", "selectbox", "radio", "toggle"):
        found |= {w.key for w in getattr(at, kind)}
    return found


@pytest.mark.parametrize("tab", TABS)
def test_only_the_open_tab_is_drawn_but_every_tabs_settings_are_made(tab):
    """A closed tab's figures, tables and live view are not built (each run, a Pause's included, would send them
    and the browser re-render them unseen); its settings are, being the link's parameters and the challenges'."""
    at = run_page(tab)
    found = keys(at)
    for other in TABS:
        assert set(SETTINGS[other]) <= found, (other, set(SETTINGS[other]) - found)
        if other == tab:
            assert CONTENT[other] <= found, (other, CONTENT[other] - found)
        else:
            assert not CONTENT[other] & found, f"{tab} open, yet {other}'s {CONTENT[other] & found} drawn"
    assert len(at.dataframe) == {"Optimizer race": 1, "Loss functions": 1}.get(tab, 0)


def test_a_links_settings_on_closed_tabs_stay_in_the_link_and_apply_when_opened():
    link = {"op_tab": "Learning rate", "op_surface": "Saddle", "op_steps": "60", "op_z": "-6.0", "op_gr_epochs": "90"}
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.query_params.update(link)
    ok(at.run())
    assert {k: at.query_params[k] for k in link} == link          # nothing dropped from the address (the share link)
    assert not at.warning, [w.value for w in at.warning]            # nor reported as ignored
    open_tab(at, "Optimizer race")
    assert any(m.value == "## Step 60 of 60" for m in at.markdown)
    assert chart(at, "op_race_fig")["layout"]["title"]["text"] == "Saddle: step 60"
    open_tab(at, "Loss functions")
    rows = S.single_prediction(-6.0, 1)
    assert at.dataframe[0].value["∂L/∂z"][0] == pytest.approx(rows["mse"]["dz"])


def test_a_live_view_stops_when_its_tab_is_closed():
    at = run_page("Learning rate")
    at.slider(key="op_sw_epochs").set_value(60).run()
    at.button(key="op_sweep_play").click().run()
    assert at.session_state["op_sweep_playing"]
    open_tab(at, "Optimizer race")
    assert not at.session_state["op_sweep_playing"]
    done = len(at.session_state["op_sweep"]["results"])
    at.button(key="op_step").click().run()
    at.button(key="op_play").click().run()                 # the race plays meanwhile, alone
    assert at.session_state["op_playing"] and len(at.session_state["op_sweep"]["results"]) == done
    open_tab(at, "Learning rate")
    assert not at.session_state["op_playing"] and not at.session_state["op_sweep_playing"]
    assert progress(at, 0)[1] == f"{done} of 13 trained (stopped: press Run to go on)"

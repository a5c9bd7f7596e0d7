"""AppTest of lesson 1 (pages/1_perceptron.py): at its defaults and after changing every control; the numbers
shown are the engine's."""
import numpy as np
import pytest
import perceptron_neuron_helpers as helpers
from conftest import ROOT
from perceptron_neuron_helpers import arr, chart, latex, text
from nn_core.perceptron import Perceptron, margin_bound, train_until_converged
from lessons.perceptron import gate, max_margin, random_separable

PAGE = str(ROOT / "pages" / "1_perceptron.py")


def run(at=None):
    return helpers.run(PAGE, at)


def lst(v):
    return arr(v).tolist()


def engine_z(w, b, x):
    p = Perceptron(len(w))
    p.w, p.b = np.array(w, dtype=float), float(b)
    return float(p.net_input(np.array(x, dtype=float))), p.predict(np.array(x, dtype=float))


def test_defaults_show_the_engines_numbers():
    at = run()
    assert at.title[0].value == "Perceptron"
    z, y_hat = engine_z([0.8, -0.5], -0.5, [1.0, 0.0])
    assert z == pytest.approx(0.3)                                   # by hand: 0.8·1 − 0.5·0 − 0.5
    assert any(f"= {z:.2f}" in t and "0.80 \\cdot 1.00" in t for t in latex(at))
    assert any(f"H({z:.2f}) = {y_hat}" in t for t in latex(at))
    assert any("w \\leftarrow w + \\eta" in t for t in latex(at))   # the engine's docstring maths
    anatomy = chart(at, "pc_anatomy")
    texts = " ".join(a["text"] for a in anatomy["layout"]["annotations"])
    assert "0.80" in texts and "−0.50" in texts and "0.30" in texts and "<b>1</b>" in texts
    assert "Epoch 1, next sample #1 of 4" in at.info[1].value        # AND is the default data set


@pytest.mark.parametrize("key, value", [("pc_x1", -2.0), ("pc_x2", 1.5), ("pc_w1", 3.0), ("pc_w2", -3.0),
                                        ("pc_b", 3.0), ("pc_b", -3.0)])
def test_each_anatomy_slider_changes_z_as_the_engine_does(key, value):
    at = run()
    at.slider(key=key).set_value(value)
    run(at)
    x = [at.slider(key="pc_x1").value, at.slider(key="pc_x2").value]
    w = [at.slider(key="pc_w1").value, at.slider(key="pc_w2").value]
    z, y_hat = engine_z(w, at.slider(key="pc_b").value, x)
    assert any(f"= {z:.2f}" in t and "\\cdot" in t for t in latex(at))
    assert any(f"H({z:.2f}) = {y_hat}" in t for t in latex(at))
    plane = chart(at, "pc_anatomy_plane")
    star = [t for t in plane["data"] if t.get("name") == "input x"][0]
    assert lst(star["x"]) + lst(star["y"]) == x


def test_three_inputs():
    at = run()
    at.radio(key="pc_n").set_value(3)
    run(at)
    at.slider(key="pc_x3").set_value(2.0)
    at.slider(key="pc_w3").set_value(-1.0)
    run(at)
    z, _ = engine_z([0.8, -0.5, -1.0], -0.5, [1.0, 0.0, 2.0])
    assert z == pytest.approx(-1.7)
    assert any("w_3 x_3" in t for t in latex(at))
    assert any(f"= {z:.2f}" in t for t in latex(at))
    assert "three inputs" in at.caption[0].value


def press(at, key, times=1):
    for _ in range(times):
        at.button(key=key).click()
        run(at)
    return at


def test_step_shows_the_update_by_the_rule():
    at = press(run(), "pc_step")
    # AND, w = 0, b = 0, sample (0, 0) with y = 0: z = 0, ŷ = 1, so Δw = 1·(−1)·(0, 0) = (0, 0), Δb = −1.
    assert "\\Delta w = (0.00, 0.00)" in latex(at)[-2] and "\\Delta b = \\eta\\,(y - \\hat y) = -1.00" in latex(at)[-1]
    assert "w = (0.00, 0.00), b = -1.00" in " ".join(m.value for m in at.markdown)
    plane = chart(at, "pc_plane")
    ring = [t for t in plane["data"] if t.get("name") == "current sample"][0]
    assert lst(ring["x"]) + lst(ring["y"]) == [0.0, 0.0]
    press(at, "pc_step", 3)                       # end of epoch 1: two updates
    assert "Epoch 2, next sample #1 of 4. Updates so far: 2" in at.info[1].value
    assert lst(chart(at, "pc_mistakes")["data"][0]["y"]) == [2]
    df = at.dataframe[0].value
    assert df["update"].tolist() == [2, 1] and df["Δw"].tolist()[0] == "(1.00, 1.00)"
    path = chart(at, "pc_wpath")
    assert lst(path["data"][0]["x"]) == [0.0, 0.0, 1.0] and lst(path["data"][0]["y"]) == [0.0, 0.0, 1.0]


def test_and_converges_and_compares_with_the_bound():
    at = press(run(), "pc_run")
    X, y = gate("AND")
    status, epochs, updates, mistakes = train_until_converged(Perceptron(2), X, y)
    assert status == "converged"
    msg = at.success[0].value
    assert f"after **{updates} updates**" in msg and f"epoch {epochs} made no mistake" in msg
    w, b, gamma = max_margin(X, y)
    assert f"**{margin_bound(X, y, w, b):.1f}**" in msg and "**51.0**" in msg      # by hand: 3 · 17
    assert lst(chart(at, "pc_mistakes")["data"][0]["y"]) == mistakes
    plane = chart(at, "pc_plane")
    assert not lst([t for t in plane["data"] if t.get("name") == "misclassified"][0]["x"])


def test_xor_cycles_and_explains_why():
    at = run()
    at.selectbox(key="pc_data").select("XOR")
    press(run(at), "pc_run")
    warning = at.warning[0].value
    assert "going round in circles" in warning and "end of epoch 3" in warning and "end of epoch 2" in warning
    text = " ".join(m.value for m in at.markdown)
    assert "no straight line" in text and "hidden layer" in text and "(/playground)" in text
    press(at, "pc_epoch", 5)                      # going on after the cycle keeps the explanation
    assert len(lst(chart(at, "pc_mistakes")["data"][0]["y"])) == 8
    assert "going round in circles" in at.warning[0].value


def test_xor_cycle_quotes_the_repeated_state_not_the_current_weights():
    at = run()
    at.selectbox(key="pc_data").select("XOR")
    press(run(at), "pc_run")
    press(at, "pc_step", 2)                       # mid-epoch: the weights have moved on from the repeated state
    from lessons.perceptron import PerceptronStepper
    replay = PerceptronStepper(*gate("XOR"))      # the state at the end of epoch 2, replayed independently
    for _ in range(2):
        replay.run_epoch()
    w, b = replay.perceptron.w, replay.perceptron.b
    repeated = f"w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f}"
    warning = at.warning[0].value
    assert "end of epoch 2" in warning and f"end of epoch 2: {repeated}" in warning.replace("**", "")
    for _ in range(2):
        replay.step()
    now = f"w = ({replay.perceptron.w[0]:.2f}, {replay.perceptron.w[1]:.2f}), b = {replay.perceptron.b:.2f}"
    assert now != repeated and f"at this moment: {now}" in warning


@pytest.mark.parametrize("name", ["OR", "NAND"])
def test_other_gates_converge(name):
    at = run()
    at.selectbox(key="pc_data").select(name)
    press(run(at), "pc_run")
    updates = train_until_converged(Perceptron(2), *gate(name))[2]
    assert f"after **{updates} updates**" in at.success[0].value


def test_random_points_controls_and_learning_rate():
    at = run()
    at.selectbox(key="pc_data").select("Random separable points")
    run(at)
    at.slider(key="pc_rand_n").set_value(30)
    at.number_input(key="pc_rand_seed").set_value(7)
    at.slider(key="pc_lr").set_value(0.3)
    press(run(at), "pc_run")
    X, y, _ = random_separable(30, seed=7)
    status, _, updates, _ = train_until_converged(Perceptron(2, lr=0.3), X, y)
    assert status == "converged" and f"after **{updates} updates**" in at.success[0].value
    plane = chart(at, "pc_plane")
    xs = sorted(sum((lst(t["x"]) for t in plane["data"] if t.get("name", "").startswith("class")), []))
    assert xs == sorted(X[:, 0].tolist())


def test_random_start_and_reset():
    at = run()
    at.toggle(key="pc_random_start").set_value(True)
    press(run(at), "pc_step")
    p = Perceptron(2, seed=0, init_scale=1.0)
    first = at.session_state["pc_stepper"].updates or [at.session_state["pc_stepper"].last]
    assert np.allclose(first[0]["w_before"], p.w)
    press(at, "pc_run")
    if at.success:
        assert "assumes the weights start at zero" in at.success[0].value
    press(at, "pc_reset")
    assert "Updates so far: 0" in at.info[1].value


def test_own_points_add_remove_clear():
    at = run()
    at.selectbox(key="pc_data").select("Your own points")
    run(at)
    assert "no points yet" in at.info[-2].value or any("no points yet" in i.value for i in at.info)
    assert at.button(key="pc_step").disabled
    for x1, x2, c in [(1.0, 1.0, 1), (-1.0, -2.0, 0), (2.0, -1.0, 1)]:
        at.number_input(key="pc_px").set_value(x1)
        at.number_input(key="pc_py").set_value(x2)
        at.radio(key="pc_pcls").set_value(c)
        press(at, "pc_add")
    assert at.session_state["pc_points"] == [(1.0, 1.0, 1), (-1.0, -2.0, 0), (2.0, -1.0, 1)]
    press(at, "pc_run")
    assert "Converged" in at.success[0].value
    press(at, "pc_undo")
    assert len(at.session_state["pc_points"]) == 2
    press(at, "pc_clear")
    assert at.session_state["pc_points"] == [] and at.button(key="pc_step").disabled


def test_nand_challenge_is_checked():
    at = run()
    assert any("3 of 4 right so far" in i.value for i in at.info)  # all weights 0: ŷ = 1 everywhere
    at.slider(key="pc_ch_w1").set_value(-1.0)
    at.slider(key="pc_ch_w2").set_value(-1.0)
    at.slider(key="pc_ch_b").set_value(1.5)
    run(at)
    assert any(s.value.startswith("Solved") and "computes NAND" in s.value for s in at.success)
    table = at.dataframe[-1].value
    assert table["ŷ"].tolist() == [1, 1, 1, 0] and table["z"].tolist() == ["1.50", "0.50", "0.50", "-0.50"]
    at.selectbox(key="pc_goal").select("XOR")
    run(at)
    assert not any("computes" in s.value for s in at.success) and "section 2 explains why" in at.warning[-1].value
    at.selectbox(key="pc_goal").select("AND")
    run(at)
    assert any("of 4 right so far" in i.value for i in at.info)


def test_learning_rate_scales_the_update():
    at = run()
    at.slider(key="pc_lr").set_value(0.5)
    press(run(at), "pc_step")
    # η = 0.5: Δb = 0.5 · (0 − 1) = −0.5 on the first AND sample.
    assert any("\\Delta b = \\eta\\,(y - \\hat y) = -0.50" in t for t in latex(at))
    assert any("0.50 \\cdot (-1)" in t for t in latex(at))


def test_run_gives_up_after_100_epochs_with_a_message():
    # Not separable (an XOR-like square, tilted): no epoch is clean, and no end-of-epoch state repeats in 100 epochs.
    points = [(0.3, 0.1, 0), (0.9, 1.3, 1), (1.7, 0.4, 1), (1.1, 1.9, 0)]
    at = run()
    at.selectbox(key="pc_data").select("Your own points")
    run(at)
    for x1, x2, c in points:
        at.number_input(key="pc_px").set_value(x1)
        at.number_input(key="pc_py").set_value(x2)
        at.radio(key="pc_pcls").set_value(c)
        press(at, "pc_add")
    press(at, "pc_run")
    X, y = np.array([p[:2] for p in points]), np.array([p[2] for p in points])
    assert train_until_converged(Perceptron(2), X, y, max_epochs=100)[0] == "max_epochs"
    assert "100 epochs and still no epoch without a mistake" in at.warning[0].value
    press(at, "pc_step")                          # any further step: back to the plain status line
    assert not at.warning and "Epoch 101, next sample #2" in at.info[1].value

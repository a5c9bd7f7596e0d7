"""nn_core.surfaces and nn_core.sweeps: surface gradients against finite differences and hand formulas;
every trajectory equals repeated `step` calls of the engine's optimizer on independently computed
gradients; divergence detection; the loss of one prediction by hand; sweeps seeded, resumable, stoppable."""
import math

import numpy as np
import pytest

from nn_core import Dense, make_optimizer
from nn_core.gradcheck import numerical_gradient, relative_error
from lessons import surfaces as S
from lessons import sweeps

NAMES = ["sgd", "momentum", "rmsprop", "adam"]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def hand_grad(key, w, kappa=20.0):
    """The gradient of each surface written out again by hand, independent of nn_core.surfaces."""
    a, b = w
    if key == "bowl":
        return np.array([a, kappa * b])
    if key == "saddle":
        return np.array([a, b ** 3 - 2 * b])
    if key == "rosenbrock":
        return np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])
    x, y = S.NEURON_X, S.NEURON_Y
    p = sigmoid(a * x + b)
    return np.array([np.mean((p - y) * x), np.mean(p - y)])


def hand_value(key, w, kappa=20.0):
    a, b = w
    if key == "bowl":
        return 0.5 * (a * a + kappa * b * b)
    if key == "saddle":
        return 0.5 * a * a + 0.25 * b ** 4 - b * b
    if key == "rosenbrock":
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2
    p = sigmoid(a * S.NEURON_X + b)
    return -np.mean(S.NEURON_Y * np.log(p) + (1 - S.NEURON_Y) * np.log(1 - p))


@pytest.mark.parametrize("key", list(S.SURFACES))
def test_surface_value_and_gradient(key):
    surface = S.make_surface(key)
    rng = np.random.default_rng(1)
    for _ in range(5):
        w = np.array([rng.uniform(*surface.xlim), rng.uniform(*surface.ylim)])
        assert surface.value(w) == pytest.approx(hand_value(key, w), rel=1e-10)
        assert np.allclose(surface.grad(w), hand_grad(key, w), rtol=1e-9, atol=1e-12)
        theta = w.copy()
        num = numerical_gradient(lambda: float(surface.value(theta)), theta)
        assert relative_error(surface.grad(w), num).max() < 1e-6


@pytest.mark.parametrize("key", list(S.SURFACES))
def test_minimum_and_grid(key):
    surface = S.make_surface(key)
    assert np.abs(surface.grad(np.array(surface.minimum))).max() < 1e-3
    xs, ys, Z = surface.grid(30)
    assert Z.shape == (30, 30)
    assert Z[4, 7] == pytest.approx(hand_value(key, (xs[7], ys[4])))
    assert surface.floor() <= Z.min() + 1e-12         # the minimum is no higher than any grid point


@pytest.mark.parametrize("key", list(S.SURFACES))
@pytest.mark.parametrize("name", NAMES)
def test_trajectory_equals_repeated_engine_steps(key, name):
    surface = S.make_surface(key)
    lr = surface.lrs[name]
    traj = S.run(surface, make_optimizer(name, lr), surface.start, 60, name=name)
    assert traj.diverged is None and len(traj.points) == 61
    # The same optimizer class, stepped by hand on a Dense-free point with hand-computed gradients.
    point = S.Point(surface.start)
    opt = make_optimizer(name, lr)
    for t in range(60):
        g = hand_grad(key, point.params["w"])
        assert np.allclose(traj.grads[t], g, rtol=1e-9, atol=1e-12)
        before = point.params["w"].copy()
        point.grads["w"] = g
        opt.step(point)
        assert np.allclose(traj.steps[t], point.params["w"] - before, rtol=1e-9, atol=1e-14)
        assert np.allclose(traj.points[t + 1], point.params["w"], rtol=1e-9, atol=1e-14)
        for k, v in opt.state.get((0, "w"), {}).items():
            assert np.allclose(traj.states[t][k], v, rtol=1e-9, atol=1e-14)
    assert np.allclose(traj.losses, [hand_value(key, p) for p in traj.points])


def test_first_steps_by_hand():
    """Step sizes from the formulas, computed here without the engine."""
    bowl = S.Bowl(4.0)
    g1 = np.array([-3.0, 4.0 * 1.0])                                   # ∇L at (−3, 1)
    sgd = S.run(bowl, make_optimizer("sgd", 0.1), (-3.0, 1.0), 1)
    assert np.allclose(sgd.steps[0], -0.1 * g1)
    rms = S.run(bowl, make_optimizer("rmsprop", 0.01), (-3.0, 1.0), 1)
    assert np.allclose(rms.steps[0], -0.01 * g1 / (np.sqrt(0.01 * g1 ** 2) + 1e-8))   # = −0.1·sign(g)
    adam = S.run(bowl, make_optimizer("adam", 0.05), (-3.0, 1.0), 2)
    assert np.allclose(adam.steps[0], -0.05 * np.sign(g1), atol=1e-8)    # m̂ = g, v̂ = g² on step 1
    mom = S.run(bowl, make_optimizer("momentum", 0.1), (-3.0, 1.0), 2)
    w1 = np.array([-3.0, 1.0]) - 0.1 * g1
    v2 = 0.9 * g1 + np.array([w1[0], 4.0 * w1[1]])
    assert np.allclose(mom.steps[1], -0.1 * v2)
    assert np.allclose(mom.states[1]["v"], v2)


def test_states_are_copies_per_step():
    bowl = S.Bowl(10.0)
    traj = S.run(bowl, make_optimizer("adam", 0.1), bowl.start, 5)
    assert [s["t"] for s in traj.states] == [1, 2, 3, 4, 5]
    assert not np.allclose(traj.states[0]["m"], traj.states[4]["m"])


def test_step_numbers_reproduce_the_engine_step():
    surface = S.make_surface("saddle")
    for name in NAMES:
        traj = S.run(surface, make_optimizer(name, 0.05), surface.start, 10, name=name)
        n = S.step_numbers(traj, 4)
        assert np.allclose(n["g"], hand_grad("saddle", traj.points[3]))
        assert np.allclose(n["theta"] - n["theta_prev"], n["step"])
        if name == "adam":
            assert np.allclose(n["m_prev"], traj.states[2]["m"])
            expected = -0.05 * n["m_hat"] / (np.sqrt(n["v_hat"]) + 1e-8)
            assert np.allclose(n["step"], expected)
        if name == "momentum":
            assert np.allclose(n["v"], 0.9 * n["v_prev"] + n["g"])
        if name == "rmsprop":
            assert np.allclose(n["s"], 0.99 * n["s_prev"] + 0.01 * n["g"] ** 2)
    with pytest.raises(ValueError):
        S.step_numbers(traj, 0)


def test_divergence_is_detected_at_the_right_side_of_two_over_kappa():
    bowl = S.Bowl(10.0)
    stable = S.run(bowl, make_optimizer("sgd", 1.9 / 10), bowl.start, 300)
    assert stable.diverged is None and stable.losses[-1] < 1e-6
    unstable = S.run(bowl, make_optimizer("sgd", 2.1 / 10), bowl.start, 300)
    assert unstable.diverged is not None and unstable.diverged < 300
    assert len(unstable.points) == unstable.diverged + 1
    ladder = {k: S.run(bowl, make_optimizer("sgd", lr), bowl.start, 40) for k, lr in S.lr_ladder(bowl).items()}
    assert ladder["far too large"].diverged and not ladder["too large"].diverged
    assert ladder["too small"].losses[-1] > 100 * ladder["good"].losses[-1]
    # Rosenbrock with a big step overflows: the run stops with a divergence, no exception
    rb = S.run(S.Rosenbrock(), make_optimizer("sgd", 0.1), (-1.2, 1.0), 50)
    assert rb.diverged is not None and rb.diverged <= 3


def test_summary_row():
    bowl = S.Bowl(10.0)
    traj = S.run(bowl, make_optimizer("sgd", 0.1), bowl.start, 100)
    row = S.summary(traj, bowl)
    assert row["final_loss"] == pytest.approx(traj.losses[-1])
    assert row["distance"] == pytest.approx(np.linalg.norm(traj.points[-1]))
    assert traj.losses[row["reached"]] <= 1e-3 < traj.losses[row["reached"] - 1]
    bad = S.summary(S.run(bowl, make_optimizer("sgd", 0.3), bowl.start, 100), bowl)
    assert bad["diverged"] and math.isnan(bad["final_loss"])


@pytest.mark.parametrize("z, y", [(-4.0, 1), (2.5, 0), (0.3, 1)])
def test_single_prediction_by_hand(z, y):
    rows = S.single_prediction(z, y)
    a = sigmoid(z)
    assert rows["mse"]["value"] == pytest.approx((a - y) ** 2)
    assert rows["mse"]["dpred"] == pytest.approx(2 * (a - y))
    assert rows["mse"]["dz"] == pytest.approx(2 * (a - y) * a * (1 - a))
    assert rows["bce"]["value"] == pytest.approx(-(y * np.log(a) + (1 - y) * np.log(1 - a)))
    assert rows["bce"]["dpred"] == pytest.approx((a - y) / (a * (1 - a)))
    assert rows["bce"]["dz"] == pytest.approx(a - y)
    assert rows["cross_entropy"]["value"] == pytest.approx(rows["bce"]["value"])
    assert rows["cross_entropy"]["dz"] == pytest.approx(a - y)
    curves = S.loss_curves([z, 0.0], y)
    assert curves["mse"]["dz"][0] == pytest.approx(rows["mse"]["dz"])


def test_sigmoid_mse_gradient_vanishes_when_badly_wrong():
    rows = S.single_prediction(-6.0, 1)
    assert abs(rows["mse"]["dz"]) < 0.01 < 0.99 < abs(rows["bce"]["dz"])


# --- sweeps ---------------------------------------------------------------------------------------------
def test_train_config_is_seeded_and_reports_costs():
    a = sweeps.train_config(dataset="moons", epochs=4, depth=1, width=4)
    b = sweeps.train_config(dataset="moons", epochs=4, depth=1, width=4)
    assert np.array_equal(a["history"]["train_loss"], b["history"]["train_loss"])
    assert a["params"] == (2 * 4 + 4) + (4 + 1)
    assert a["steps"] == 4 * math.ceil(150 / 16)
    assert a["final_loss"] == a["history"]["train_loss"][-1] and 0 <= a["test_acc"] <= 1
    c = sweeps.train_config(dataset="blobs3", epochs=2, depth=1, width=4)        # three classes, logits
    assert len(c["history"]["test_acc"]) == 2
    with pytest.raises(ValueError):
        sweeps.train_config(dataset="plane")


def test_train_config_reports_divergence():
    r = sweeps.train_config(dataset="blobs4", optimizer="sgd", lr=1e3, activation="identity", epochs=5)
    assert r["diverged"] and math.isnan(r["final_loss"]) and math.isnan(r["test_acc"]) and r["message"]


def test_configs_and_resumable_runner():
    lrs = sweeps.log_space(1e-3, 10, 5)
    assert lrs[0] == pytest.approx(1e-3) and lrs[-1] == pytest.approx(10) and lrs[2] == pytest.approx(0.1)
    grid = sweeps.grid_configs([1, 2], [4, 8, 16], "depth", "width", epochs=3)
    assert [(c["depth"], c["width"]) for c in grid] == [(1, 4), (1, 8), (1, 16), (2, 4), (2, 8), (2, 16)]
    calls = []
    fake = lambda **c: calls.append(c) or {"lr": c["lr"]}                     # noqa: E731
    configs = sweeps.lr_sweep_configs(lrs, epochs=3)
    gen = sweeps.run_configs(configs, train=fake)
    first = [next(gen), next(gen)]                                            # stop after two …
    assert [i for i, _ in first] == [0, 1] and len(calls) == 2                # … nothing more was trained
    rest = list(sweeps.run_configs(configs, start=2, train=fake))             # resume where it stopped
    assert [i for i, _ in rest] == [2, 3, 4] and [r["lr"] for _, r in rest] == lrs[2:]


@pytest.mark.parametrize("kappa", [1, 2, 5, 10, 20, 35, 50])
def test_learning_rate_labels_match_their_outcomes(kappa):
    # The page's slider runs κ from 1 to 50; each label must describe what its 40 steps do on screen.
    bowl = S.Bowl(float(kappa))
    ladder = {k: S.run(bowl, make_optimizer("sgd", lr), bowl.start, 40) for k, lr in S.lr_ladder(bowl).items()}
    good = ladder["good"].losses[-1]
    assert good < ladder["too small"].losses[-1] and good < ladder["too large"].losses[-1]
    assert ladder["too large"].diverged is None and ladder["far too large"].diverged is not None
    theta2 = np.array(ladder["too large"].points)[:, 1]
    assert np.all(np.sign(theta2[1:]) == -np.sign(theta2[:-1]))     # overshoots: θ₂ changes sign every step
    assert ladder["too small"].losses[-1] > 10 * good                       # crawls: far behind

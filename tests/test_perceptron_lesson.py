"""lessons.perceptron: data sets, the maximum-margin separator, Novikoff's bound, the stepper."""
import numpy as np
import pytest

from nn_core.perceptron import Perceptron, margin_bound, train_until_converged
from lessons.perceptron import (GATES, PerceptronStepper, gate, max_margin, radius, random_separable)


def test_gate_truth_tables():
    X, y = gate("NAND")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [1, 1, 1, 0]
    assert gate("XOR")[1].tolist() == [0, 1, 1, 0]
    assert gate("AND")[1].tolist() == [0, 0, 0, 1]
    assert gate("OR")[1].tolist() == [0, 1, 1, 1]


def test_max_margin_and_by_hand():
    # By hand: the AND points (x, 1) are best separated by u ∝ (2, 2, −3): margins 3, 1, 1, 1 over √17.
    w, b, gamma = max_margin(*gate("AND"))
    assert gamma == pytest.approx(1 / np.sqrt(17), rel=1e-6)
    assert np.allclose(np.append(w, b), np.array([2, 2, -3]) / np.sqrt(17), atol=1e-5)
    # R = ‖(1, 1, 1)‖ = √3, so the tightest bound is 3 · 17 = 51 mistakes.
    assert radius(gate("AND")[0]) == pytest.approx(np.sqrt(3))
    assert margin_bound(*gate("AND"), w, b) == pytest.approx(51, rel=1e-5)


def _brute_force_margin(X, y, n=181):
    """Best margin over a grid of unit vectors (x, y, z) on the sphere: a check independent of the dual."""
    th, ph = np.meshgrid(np.linspace(0, np.pi, n), np.linspace(0, 2 * np.pi, 2 * n))
    U = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1).reshape(-1, 3)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    return ((2 * y - 1)[:, None] * (Xa @ U.T)).min(axis=0).max()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_max_margin_beats_every_direction_on_a_grid(seed):
    X, y, _ = random_separable(12, seed=seed)
    w, b, gamma = max_margin(X, y)
    assert np.linalg.norm(np.append(w, b)) == pytest.approx(1)
    assert ((2 * y - 1) * (X @ w + b)).min() == pytest.approx(gamma)
    brute = _brute_force_margin(X, y)
    assert gamma >= brute - 1e-9
    assert gamma <= brute + 0.02            # the grid is fine enough to come close


def test_max_margin_none_when_not_separable():
    assert max_margin(*gate("XOR")) is None
    assert max_margin(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([1, 1])) is None
    assert max_margin(np.zeros((0, 2)), np.zeros(0, dtype=int)) is None


@pytest.mark.parametrize("seed", range(5))
def test_random_separable_is_separable_with_its_margin(seed):
    X, y, (w, b) = random_separable(25, seed=seed, margin=0.2)
    assert X.shape == (25, 2) and set(y.tolist()) == {0, 1}
    assert np.abs(X).max() <= 2.0
    assert (((X @ w + b) >= 0).astype(int) == y).all()
    assert np.abs(X @ w + b).min() >= 0.2 - 1e-12


@pytest.mark.parametrize("data", ["AND", "OR", "NAND", "XOR", "rand0", "rand1", "rand2"])
def test_stepper_agrees_with_train_until_converged(data):
    X, y = gate(data) if data in GATES else random_separable(20, seed=int(data[-1]))[:2]
    stepper = PerceptronStepper(X, y, lr=0.5)
    stepper.run(max_epochs=100)
    status, epochs, updates, mistakes = train_until_converged(Perceptron(2, lr=0.5), X, y, max_epochs=100)
    assert stepper.status == status
    assert stepper.mistakes == mistakes and stepper.n_updates == updates and stepper.epoch - 1 == epochs


@pytest.mark.parametrize("data", ["AND", "OR", "NAND", "rand3", "rand4", "rand5"])
def test_updates_stay_within_novikoffs_bound(data):
    X, y = gate(data) if data in GATES else random_separable(30, seed=int(data[-1]), margin=0.05)[:2]
    stepper = PerceptronStepper(X, y, lr=2.0)
    stepper.run(max_epochs=1000)
    assert stepper.status == "converged"
    w, b, gamma = max_margin(X, y)
    assert stepper.n_updates <= (radius(X) / gamma) ** 2
    assert (stepper.perceptron.predict(X) == y).all()


def test_step_records_the_rule_by_hand():
    # AND from zero weights, η = 0.5. Sample (0, 0), y = 0: z = 0, ŷ = H(0) = 1, so Δw = 0.5·(0 − 1)·(0, 0) = 0
    # and Δb = −0.5. Then (0, 1), y = 0: z = −0.5, ŷ = 0: no update.
    s = PerceptronStepper(*gate("AND"), lr=0.5)
    r = s.step()
    assert r["z"] == 0 and r["y_hat"] == 1 and r["updated"]
    assert r["dw"].tolist() == [0, 0] and r["db"] == -0.5 and r["b"] == -0.5
    r = s.step()
    assert r["z"] == -0.5 and r["y_hat"] == 0 and not r["updated"]
    s.step()                                   # (1, 0): z = −0.5, correct
    r = s.step()                               # (1, 1), y = 1: z = −0.5, ŷ = 0 → Δw = 0.5·(1, 1), Δb = 0.5
    assert r["dw"].tolist() == [0.5, 0.5] and r["db"] == 0.5 and r["w"].tolist() == [0.5, 0.5] and r["b"] == 0
    assert s.mistakes == [2] and s.epoch == 2 and s.next_index == 0 and s.n_updates == 2


def test_xor_cycle_names_the_repeated_epoch():
    s = PerceptronStepper(*gate("XOR"))
    s.run(max_epochs=100)
    assert s.status == "cycling"
    later, earlier = s.cycle
    assert later > earlier
    assert s.end_states[s.perceptron.state()] == earlier
    s.run_epoch()                              # learning can go on after the cycle was found
    assert s.status == "cycling" and len(s.mistakes) == later + 1


def test_converged_status_after_a_clean_epoch():
    s = PerceptronStepper(*gate("OR"))
    for _ in range(3):
        s.run_epoch()
        assert s.status == "learning"
    s.run_epoch()
    assert s.status == "converged" and s.converged_at == (4, 5)


def test_random_start_changes_with_seed():
    a = PerceptronStepper(*gate("AND"), init_scale=1.0, seed=1).perceptron
    b = PerceptronStepper(*gate("AND"), init_scale=1.0, seed=2).perceptron
    assert not np.allclose(a.w, b.w)
    assert PerceptronStepper(*gate("AND"), init_scale=1.0, seed=1).from_zero is False

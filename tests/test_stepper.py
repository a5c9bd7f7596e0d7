"""nn_core.stepper: the textbook's published numbers, hand-computed updates, finite-difference gradient
checks for every preset and random custom networks, the step list, training and bad input."""
import math

import numpy as np
import pytest

from lessons import backprop as stepper

# Published in Matt Mazur, "A Step by Step Backpropagation Example" (2015).
MAZUR = {"out_h1": 0.593269992, "out_h2": 0.596884378, "out_o1": 0.75136507, "out_o2": 0.772928465,
         "E_total": 0.298371109, "dE_dw5": 0.082167041,
         "new": {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
                 "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121},
         "E_after_1": 0.291027924, "E_after_10000": 0.0000351085}
W_INDEX = {"w1": (0, 0, 0), "w2": (0, 1, 0), "w3": (0, 0, 1), "w4": (0, 1, 1),
           "w5": (1, 0, 0), "w6": (1, 1, 0), "w7": (1, 0, 1), "w8": (1, 1, 1)}


@pytest.fixture
def textbook():
    return stepper.preset("textbook")


def test_textbook_forward_pass_gives_the_published_numbers(textbook):
    tr = stepper.run(textbook)["trace"]
    assert tr["layers"][0]["a"] == pytest.approx([MAZUR["out_h1"], MAZUR["out_h2"]], abs=1e-9)
    assert tr["output"] == pytest.approx([MAZUR["out_o1"], MAZUR["out_o2"]], abs=1e-8)
    assert tr["loss"] == pytest.approx(MAZUR["E_total"], abs=1e-9)
    # the engine's MSE (mean over M = 2 outputs) is the article's ½Σ(target − out)²
    half_sum = 0.5 * sum((t - o) ** 2 for t, o in zip(textbook["target"], tr["output"]))
    assert tr["loss"] == pytest.approx(half_sum, rel=1e-14)


def test_textbook_backward_and_update_give_the_published_weights(textbook):
    rec = stepper.run(textbook)
    assert rec["trace"]["layers"][1]["dL_dW"][0][0] == pytest.approx(MAZUR["dE_dw5"], abs=1e-9)
    for name, (l, i, j) in W_INDEX.items():
        assert rec["after"]["W"][l][i][j] == pytest.approx(MAZUR["new"][name], abs=1e-8), name
    assert rec["after"]["b"] == textbook["b"]          # the textbook keeps its biases


def test_textbook_loss_after_one_update_and_after_training(textbook):
    rec = stepper.run(textbook)
    # The article prints 0.291027924; exact arithmetic gives 0.2910277737 (the article rounds on the way),
    # hence the looser tolerance here. The weights above match to every printed digit.
    assert rec["loss_after"] == pytest.approx(MAZUR["E_after_1"], abs=2e-7)
    assert rec["loss_after"] == pytest.approx(stepper.forward_loss(rec["after"]), rel=1e-15)
    losses, _, reason = stepper.train(textbook, 10000)
    assert reason is None and len(losses) == 10001
    assert losses[1] == pytest.approx(rec["loss_after"], rel=1e-15)
    assert losses[-1] == pytest.approx(MAZUR["E_after_10000"], rel=1e-3)


def test_updating_biases_moves_them_by_eta_delta(textbook):
    textbook["update_biases"] = True
    rec = stepper.run(textbook)
    tr = rec["trace"]
    for l in range(2):
        delta = tr["layers"][l]["dL_dz"]
        expected = [b - 0.5 * d for b, d in zip(textbook["b"][l], delta)]
        assert rec["after"]["b"][l] == pytest.approx(expected, rel=1e-14)
    assert rec["after"]["b"][0][0] != rec["after"]["b"][0][1]      # the shared textbook bias splits in two
    assert rec["loss_after"] < rec["loss_after_other_biases"] < tr["loss"]   # here updating biases helps more


@pytest.mark.parametrize("name", list(stepper.PRESETS))
def test_update_is_w_minus_eta_gradient(name):
    spec = stepper.preset(name)
    rec = stepper.run(spec)
    for l, row in enumerate(rec["trace"]["layers"]):
        W, G = np.array(row["W"]), np.array(row["dL_dW"])
        assert np.allclose(rec["after"]["W"][l], W - spec["lr"] * G, rtol=0, atol=1e-15)


CUSTOM = [([2, 2, 2], ["sigmoid", "sigmoid"], "mse"), ([3, 4, 4, 2], ["tanh", "leaky_relu", "identity"], "cross_entropy"),
          ([4, 3, 2, 3, 1], ["relu", "tanh", "sigmoid", "sigmoid"], "bce"), ([1, 4, 4, 4, 4], ["tanh"] * 3 + ["identity"], "mse")]


def _check_against_trace(spec, rows):
    n_params = sum(np.size(w) + np.size(b) for w, b in zip(spec["W"], spec["b"]))
    assert len(rows) == n_params
    tr = stepper.run(spec)["trace"]
    for r in rows:   # the backprop column is the trace's gradient
        g = tr["layers"][r["layer"]]["dL_dW"][r["i"]][r["j"]] if r["kind"] == "W" else tr["layers"][r["layer"]]["dL_db"][r["j"]]
        assert r["backprop"] == pytest.approx(g, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", list(stepper.PRESETS))
def test_gradient_check_below_1e_6_for_every_parameter_of_every_preset(name):
    spec = stepper.preset(name)
    rows = stepper.gradient_check(spec)
    _check_against_trace(spec, rows)
    assert max(r["rel_error"] for r in rows) < 1e-6


@pytest.mark.parametrize("spec", [stepper.random_spec(*c, seed=s) for c in CUSTOM for s in range(6)])
def test_gradient_check_agrees_on_random_custom_networks(spec):
    rows = stepper.gradient_check(spec)
    _check_against_trace(spec, rows)
    assert all(r["agrees"] for r in rows), [r for r in rows if not r["agrees"]]


def test_gradient_check_catches_a_wrong_gradient(textbook, monkeypatch):
    """A wrong backward (here: every weight gradient of a Dense layer 10 % too large) shows up as a large
    relative error."""
    from nn_core.layers import Dense
    right = Dense.backward

    def wrong(self, dz):
        dx = right(self, dz)
        self.grads["W"] = 1.1 * self.grads["W"]
        return dx
    monkeypatch.setattr(Dense, "backward", wrong)
    rows = stepper.gradient_check(textbook)
    assert max(r["rel_error"] for r in rows) > 1e-2 and not all(r["agrees"] for r in rows)


def test_steps_walk_every_neuron_forward_then_backward(textbook):
    steps = stepper.build_steps(textbook)
    assert len(steps) == 4 + 1 + 4 + 2 + 1
    assert [s["phase"] for s in steps] == ["forward"] * 4 + ["loss"] + ["backward"] * 4 + ["update"] * 3
    assert [(s["layer"], s["neuron"]) for s in steps[:4]] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [(s["layer"], s["neuron"]) for s in steps[5:9]] == [(1, 0), (1, 1), (0, 0), (0, 1)]
    assert [s["layer"] for s in steps[9:]] == [1, 0, None]
    assert [stepper.first_step_of(steps, p) for p in stepper.PHASES] == [0, 4, 5, 9]
    big = stepper.random_spec([4, 4, 4, 4, 4], ["tanh"] * 4, "mse")
    assert len(stepper.build_steps(big)) == 16 + 1 + 16 + 4 + 1


def test_neuron_graph_values_and_gradients(textbook):
    tr = stepper.run(textbook)["trace"]
    g = {n["id"]: n for n in stepper.neuron_graph(tr, 1, 0)["nodes"]}
    assert g["w0"]["grad"] == pytest.approx(MAZUR["dE_dw5"], abs=1e-9)
    assert g["z"]["value"] == pytest.approx(0.3 * 0 + 0.40 * MAZUR["out_h1"] + 0.45 * MAZUR["out_h2"] + 0.60, abs=1e-8)
    # the shares that flow back to h1 through o1 and o2 add up to ∂L/∂a of h1 (the sum over paths)
    shares = [{n["id"]: n for n in stepper.neuron_graph(tr, 1, j)["nodes"]}["a0"]["grad"] for j in range(2)]
    assert sum(shares) == pytest.approx(tr["layers"][0]["dL_da"][0], rel=1e-12)


def test_train_stops_cleanly_when_the_loss_blows_up():
    spec = stepper.random_spec([2, 3, 2], ["identity", "identity"], "mse", seed=0, lr=50.0)
    losses, good, reason = stepper.train(spec, 500)
    assert reason is not None and "learning rate" in reason
    assert len(losses) < 501 and all(math.isfinite(v) for v in losses)
    assert all(np.all(np.isfinite(w)) for w in good["W"])


def test_train_lowers_the_loss_for_each_preset():
    for name in stepper.PRESETS:
        losses, spec, reason = stepper.train(stepper.preset(name), 50)
        assert reason is None and losses[-1] < 0.5 * losses[0], name
        assert stepper.forward_loss(spec) == pytest.approx(losses[-1], rel=1e-12)


def test_random_spec_is_reproducible_and_readable():
    a = stepper.random_spec([2, 3, 3], ["tanh", "identity"], "cross_entropy", seed=7)
    assert a == stepper.random_spec([2, 3, 3], ["tanh", "identity"], "cross_entropy", seed=7)
    assert a != stepper.random_spec([2, 3, 3], ["tanh", "identity"], "cross_entropy", seed=8)
    assert all(round(v, 2) == v for w in a["W"] for row in w for v in row)
    stepper.validate(a)


@pytest.mark.parametrize("change, message", [
    (lambda s: s["W"][0][0].__setitem__(0, float("nan")), "finite"),
    (lambda s: s["W"][0][0].__setitem__(0, None), "finite"),
    (lambda s: s.__setitem__("x", [0.1]), "sample"),
    (lambda s: s.__setitem__("target", [0.5]), "target"),
    (lambda s: s.__setitem__("lr", 0.0), "learning rate"),
    (lambda s: s.__setitem__("loss", "bce") or s.__setitem__("activations", ["sigmoid", "tanh"]), "sigmoid"),
    (lambda s: s.__setitem__("loss", "cross_entropy") or s.__setitem__("activations", ["sigmoid", "identity"])
     or s.__setitem__("target", [2.0]), "class index"),
    (lambda s: s.__setitem__("sizes", [2, 2, 2, 2, 2, 2]), "layers"),
    (lambda s: s["W"].__setitem__(1, [[0.1], [0.2]]), "weight table"),
])
def test_validate_explains_bad_input(textbook, change, message):
    change(textbook)
    with pytest.raises(ValueError, match=message):
        stepper.validate(textbook)

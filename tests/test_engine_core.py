"""The engine core: gradients against central finite differences, optimizers against hand-computed
steps (and torch.optim where installed), the perceptron, save/load and the step-through trace."""
import io

import numpy as np
import pytest

from nn_core import (MSE, SGD, Adam, BinaryCrossEntropy, CrossEntropy, Dense, Identity, LeakyReLU, ModelFileError,
                     Perceptron, ReLU, RMSprop, Sequential, Sigmoid, Step, Tanh, add_penalty, clip_grad_norm, mlp,
                     softmax, trace)
from nn_core.gradcheck import check_layer, check_loss, check_model, relative_error
from nn_core.perceptron import margin_bound, train_until_converged

TOL = 1e-6


def with_random_biases(model, rng):
    for layer in model.layers:
        if "b" in layer.params:
            layer.params["b"][...] = rng.normal(size=layer.params["b"].shape)
    return model


# --- gradients ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3)])   # (N, in) and (N, T, in)
def test_dense_gradients(shape):
    rng = np.random.default_rng(1)
    layer = Dense(3, 4, rng=rng)
    layer.params["b"][...] = rng.normal(size=4)
    errors = check_layer(layer, rng.normal(size=shape), rng=rng)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("act", [Sigmoid(), Tanh(), ReLU(), LeakyReLU(0.1), Identity()], ids=lambda a: type(a).__name__)
def test_activation_gradients(act):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 5)) * 1.5    # far into saturation the true gradient is ~1e-8 and rounding dominates
    x[np.abs(x) < 1e-3] = 0.5          # keep clear of ReLU's kink, where the derivative is undefined
    assert check_layer(act, x, rng=rng)["x"] < TOL


@pytest.mark.parametrize("act", [Sigmoid(), Tanh(), ReLU(), LeakyReLU(0.1), Identity()], ids=lambda a: type(a).__name__)
def test_backward_uses_the_derivative_the_gallery_plots(act):
    z = np.linspace(-4, 4, 41) + 0.01        # the gallery plots derivative(z); backward uses the cached output
    act.forward(z)
    np.testing.assert_allclose(act.backward(np.ones_like(z)), act.derivative(z), rtol=1e-12, atol=1e-15)


def test_activation_values_by_hand():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(Sigmoid().forward(z), [1 / (1 + np.e ** 2), 0.5, 1 / (1 + np.e ** -3)])
    np.testing.assert_allclose(ReLU().forward(z), [0, 0, 3])
    np.testing.assert_allclose(LeakyReLU(0.1).forward(z), [-0.2, 0, 3])
    np.testing.assert_allclose(Step().forward(z), [0, 1, 1])
    assert Sigmoid().forward(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]   # no overflow warning


def test_step_backward_explains_why_it_cannot_train():
    step = Step()
    step.forward(np.array([0.3]))
    with pytest.raises(RuntimeError, match="derivative is 0"):
        step.backward(np.array([1.0]))


def test_softmax_is_stable_and_sums_to_one():
    p = softmax(np.array([[1000.0, 1001.0, 1002.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], 1 / 3)
    np.testing.assert_allclose(p[0], np.exp([-2, -1, 0]) / np.exp([-2, -1, 0]).sum())


@pytest.mark.parametrize("loss, pred, target", [
    (MSE(), np.random.default_rng(3).normal(size=(4, 3)), np.random.default_rng(4).normal(size=(4, 3))),
    (BinaryCrossEntropy(), np.random.default_rng(5).uniform(0.05, 0.95, size=(6, 1)), np.array([[0], [1], [1], [0], [1], [0]])),
    (CrossEntropy(), np.random.default_rng(6).normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])),
    (CrossEntropy(), np.random.default_rng(7).normal(size=(2, 3, 4)), np.array([[0, 3, 1], [1, 2, 2]])),
], ids=["mse", "bce", "ce", "ce-sequence"])
def test_loss_gradients(loss, pred, target):
    assert check_loss(loss, pred, target)["pred"] < TOL


def test_loss_values_by_hand():
    assert MSE().forward(np.array([[1.0, 2.0]]), np.array([[0.0, 4.0]])) == pytest.approx((1 + 4) / 2)
    assert BinaryCrossEntropy().forward(np.array([[0.8], [0.4]]), np.array([[1], [0]])) == pytest.approx(
        -(np.log(0.8) + np.log(0.6)) / 2)
    assert CrossEntropy().forward(np.array([[2.0, 0.0, -1.0]]), np.array([0])) == pytest.approx(
        -np.log(np.exp(2) / (np.exp(2) + 1 + np.exp(-1))))
    # log-sum-exp: huge logits give a finite loss, and probabilities of exactly 0 or 1 do not give inf
    assert np.isfinite(CrossEntropy().forward(np.array([[1e4, -1e4]]), np.array([1])))
    assert np.isfinite(BinaryCrossEntropy().forward(np.array([[0.0], [1.0]]), np.array([[1], [0]])))


@pytest.mark.parametrize("hidden, loss, target", [
    ("tanh", CrossEntropy(), np.array([0, 2, 1, 1, 0])),
    ("sigmoid", MSE(), np.random.default_rng(8).normal(size=(5, 3))),
    ("leaky_relu", CrossEntropy(), np.array([2, 2, 1, 0, 1])),
])
def test_model_gradients(hidden, loss, target):
    rng = np.random.default_rng(9)
    model = with_random_biases(mlp([2, 4, 3, 3], hidden, seed=10), rng)
    errors = check_model(model, loss, rng.normal(size=(5, 2)), target)
    assert len(errors) == 6 and max(errors.values()) < TOL, errors


def test_gradcheck_detects_a_wrong_backward():
    class WrongTanh(Tanh):
        def local_grad(self):
            return 1.0 - self.a         # forgot the square
    assert check_layer(WrongTanh(), np.random.default_rng(0).normal(size=(3, 3)))["x"] > 1e-3


# --- optimizers: three steps on L(θ) = θ², g = 2θ, from θ = 1, computed by hand -------------------
def three_steps(opt):
    layer = Dense(1, 1)
    layer.params["W"][...] = 1.0
    seen = []
    for _ in range(3):
        layer.grads = {"W": 2 * layer.params["W"].copy(), "b": np.zeros(1)}
        opt.step([layer])
        seen.append(float(layer.params["W"][0, 0]))
    return seen


def test_sgd_by_hand():
    assert three_steps(SGD(0.1)) == pytest.approx([0.8, 0.64, 0.512])


def test_momentum_by_hand():
    # v1 = 2 → θ = 0.8; v2 = 0.9·2 + 1.6 = 3.4 → θ = 0.46; v3 = 0.9·3.4 + 0.92 = 3.98 → θ = 0.062
    assert three_steps(SGD(0.1, momentum=0.9)) == pytest.approx([0.8, 0.46, 0.062])


def test_rmsprop_by_hand():
    # s1 = 0.01·4 = 0.04, θ1 = 1 − 0.01·2/0.2 = 0.9
    # s2 = 0.99·0.04 + 0.01·1.8² = 0.072, θ2 = 0.9 − 0.01·1.8/√0.072 = 0.83291796
    # g3 = 1.66583594, s3 = 0.99·0.072 + 0.01·g3² = 0.09903009, θ3 = θ2 − 0.01·g3/√s3 = 0.77998227
    assert three_steps(RMSprop(0.01)) == pytest.approx([0.9, 0.83291797, 0.77998227], abs=2e-8)


def test_adam_by_hand():
    # step 1: m̂ = g, v̂ = g² → θ1 = 1 − 0.1·sign(g) = 0.9
    # step 2: g = 1.8, m = 0.18 + 0.18 = 0.36, v = 0.003996 + 0.00324 = 0.007236,
    #         m̂ = 0.36/0.19, v̂ = 0.007236/0.001999 → θ2 = 0.9 − 0.1·1.89473684/1.90257980 = 0.80041223
    # step 3: g = 1.60082446, m = 0.324 + 0.160082446 = 0.484082446, v = 0.007228764 + 0.002562639 = 0.009791403,
    #         m̂ = m/0.271 = 1.78628209, v̂ = v/0.002997001 → √v̂ = 1.80750296,
    #         θ3 = θ2 − 0.1·1.78628209/1.80750296 = 0.70158627
    assert three_steps(Adam(0.1)) == pytest.approx([0.9, 0.80041223, 0.70158627], abs=2e-8)


@pytest.mark.parametrize("make", [
    lambda torch, ps: (SGD(0.05, momentum=0.9), torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    lambda torch, ps: (RMSprop(0.01), torch.optim.RMSprop(ps, lr=0.01)),
    lambda torch, ps: (Adam(0.02), torch.optim.Adam(ps, lr=0.02)),
], ids=["momentum", "rmsprop", "adam"])
def test_optimizer_trajectories_equal_torch(make):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    model = with_random_biases(mlp([2, 5, 3], "tanh", seed=12), rng)
    tparams = [torch.tensor(l.params[k].copy(), requires_grad=True) for l in model.layers for k in l.params]
    ours, theirs = make(torch, tparams)
    for _ in range(6):
        x, y = rng.normal(size=(8, 2)), rng.integers(0, 3, 8)
        CE = CrossEntropy()
        CE.forward(model.forward(x), y)
        model.backward(CE.backward())
        for p, g in zip(tparams, (l.grads[k] for l in model.layers for k in l.params)):
            p.grad = torch.tensor(g.copy())
        ours.step(model)
        theirs.step()
    for p, ref in zip((l.params[k] for l in model.layers for k in l.params), tparams):
        np.testing.assert_allclose(p, ref.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_penalty_and_clipping():
    layer = Dense(2, 2)
    layer.params["W"][...] = [[1.0, -2.0], [0.5, 0.0]]
    layer.grads = {"W": np.zeros((2, 2)), "b": np.array([3.0, 4.0])}
    value = add_penalty([layer], l1=0.1, l2=0.2)
    assert value == pytest.approx(0.1 * 3.5 + 0.1 * (1 + 4 + 0.25))
    np.testing.assert_allclose(layer.grads["W"], [[0.1 + 0.2, -0.1 - 0.4], [0.1 + 0.1, 0.0]])
    np.testing.assert_allclose(layer.grads["b"], [3.0, 4.0])          # biases are not penalised
    layer.grads = {"W": np.zeros((2, 2)), "b": np.array([3.0, 4.0])}   # global norm 5
    assert clip_grad_norm([layer], 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(np.linalg.norm(layer.grads["b"]), 1.0, rtol=1e-5)
    assert clip_grad_norm([layer], 10.0) == pytest.approx(1.0, rel=1e-5)   # under the limit: unchanged


# --- perceptron -----------------------------------------------------------------------------------
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}
CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_perceptron_learns_linearly_separable_gates(gate):
    p = Perceptron(2, lr=1.0)
    status, epochs, updates, _ = train_until_converged(p, CORNERS, GATES[gate])
    assert status == "converged"
    assert p.predict(CORNERS).tolist() == GATES[gate]
    # Novikoff: the number of updates is at most (R/γ)² for any separator, e.g. the one it found
    assert updates <= margin_bound(CORNERS, GATES[gate], p.w, p.b)


def test_perceptron_never_fits_xor_and_cycles():
    p = Perceptron(2, lr=0.5)
    status, *_ = train_until_converged(p, CORNERS, GATES["XOR"], max_epochs=1000)
    assert status == "cycling"
    for _ in range(50):
        p.epoch(CORNERS, GATES["XOR"])
        assert p.predict(CORNERS).tolist() != GATES["XOR"]


def test_perceptron_rule_by_hand():
    p = Perceptron(2, lr=0.5)
    p.w[...] = [1.0, -1.0]
    p.b = 0.25
    assert p.predict(np.array([0.0, 1.0])) == 0                     # z = −1 + 0.25 < 0
    assert p.update([0.0, 1.0], 1) is True                            # y − ŷ = 1
    assert p.w.tolist() == [1.0, -0.5] and p.b == 0.75
    assert p.update([0.0, 1.0], 1) is False                           # now z = 0.25 ≥ 0: right, no change


# --- Sequential: predict, save/load ---------------------------------------------------------------
def test_predict_proba_and_predict():
    model = mlp([2, 3, 1], "tanh", output="sigmoid", seed=0)
    x = np.random.default_rng(0).normal(size=(4, 2))
    p = model.forward(x)[:, 0]
    np.testing.assert_allclose(model.predict_proba(x), np.column_stack([1 - p, p]))
    assert model.predict(x).tolist() == (p >= 0.5).astype(int).tolist()
    logits_model = mlp([2, 3, 4], "relu", seed=0)
    assert logits_model.predict(x).tolist() == logits_model.forward(x).argmax(axis=1).tolist()
    assert logits_model.num_params() == 2 * 3 + 3 + 3 * 4 + 4
    assert "total parameters: 25" in logits_model.summary()


def test_save_load_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(13)
    model = with_random_biases(mlp([3, 4, 2], ["leaky_relu"], output="sigmoid", seed=1), rng)
    model.layers[1].alpha = 0.2
    model.save(tmp_path / "m.npz")
    loaded = Sequential.load(tmp_path / "m.npz")
    assert [type(l) for l in loaded.layers] == [type(l) for l in model.layers] and loaded.layers[1].alpha == 0.2
    x = rng.normal(size=(5, 3))
    assert np.array_equal(loaded.forward(x), model.forward(x))
    assert np.array_equal(Sequential.load(model.to_bytes()).forward(x), model.forward(x))


def test_load_rejects_bad_files(tmp_path):
    model = mlp([2, 3, 2], "tanh", seed=0)
    good = model.to_bytes()
    with pytest.raises(ModelFileError, match="not an .npz"):
        Sequential.load(b"this is a text file, not a model")
    with pytest.raises(ModelFileError):
        Sequential.load(good[: len(good) // 2])                     # truncated
    buf = io.BytesIO()
    np.savez(buf, x=np.zeros(3))
    with pytest.raises(ModelFileError, match="no architecture"):
        Sequential.load(buf.getvalue())
    buf = io.BytesIO()
    arrays = {f"p{i}.{k}": v for i, l in enumerate(model.layers) for k, v in l.params.items()}
    arrays["p0.W"] = np.zeros((5, 5))
    np.savez(buf, __architecture__=np.array(__import__("json").dumps(model.architecture())), **arrays)
    with pytest.raises(ModelFileError, match="shape"):
        Sequential.load(buf.getvalue())
    buf = io.BytesIO()
    np.savez(buf, __architecture__=np.array([{"evil": 1}], dtype=object))   # needs pickle to read
    with pytest.raises(ModelFileError):
        Sequential.load(buf.getvalue())


# --- trace ------------------------------------------------------------------------------------------
def test_trace_numbers_equal_a_hand_computed_pass():
    rng = np.random.default_rng(14)
    model = with_random_biases(mlp([2, 3, 2], "sigmoid", output="sigmoid", seed=2), rng)
    x, y = np.array([0.3, -0.7]), np.array([1.0, 0.0])
    t = trace(model, MSE(), x, y)
    W1, b1, W2, b2 = (model.layers[i].params[k] for i, k in [(0, "W"), (0, "b"), (2, "W"), (2, "b")])
    s = lambda z: 1 / (1 + np.exp(-z))
    z1 = x @ W1 + b1; a1 = s(z1); z2 = a1 @ W2 + b2; a2 = s(z2)
    L = np.mean((a2 - y) ** 2)
    dL_da2 = (a2 - y)                      # 2/M · (a − y) with M = 2 outputs
    d2 = dL_da2 * a2 * (1 - a2)
    dL_da1 = W2 @ d2
    d1 = dL_da1 * a1 * (1 - a1)
    l0, l1 = t["layers"]
    np.testing.assert_allclose(l0["z"], z1); np.testing.assert_allclose(l0["a"], a1)
    np.testing.assert_allclose(l1["z"], z2); np.testing.assert_allclose(l1["a"], a2)
    assert t["loss"] == pytest.approx(L)
    np.testing.assert_allclose(l1["dL_da"], dL_da2); np.testing.assert_allclose(l1["dL_dz"], d2)
    np.testing.assert_allclose(l1["dL_dW"], np.outer(a1, d2)); np.testing.assert_allclose(l1["dL_db"], d2)
    np.testing.assert_allclose(l0["dL_da"], dL_da1); np.testing.assert_allclose(l0["dL_dz"], d1)
    np.testing.assert_allclose(l0["dL_dW"], np.outer(x, d1)); np.testing.assert_allclose(l0["dL_db"], d1)
    np.testing.assert_allclose(l1["dL_da_prev"], dL_da1)
    np.testing.assert_allclose(l0["dL_da_prev"], W1 @ d1)
    assert l0["activation"] == "sigmoid" and l0["a_prev"] == x.tolist()


def test_trace_cross_entropy_records_probabilities():
    model = mlp([2, 3, 3], "tanh", seed=3)
    t = trace(model, CrossEntropy(), [0.1, 0.2], 2)
    np.testing.assert_allclose(t["probs"], softmax(np.array(t["output"])))
    np.testing.assert_allclose(t["layers"][-1]["dL_dz"], np.array(t["probs"]) - [0, 0, 1])


def test_relative_error_definition():
    assert relative_error(np.array([1.0]), np.array([1.0])) == 0
    assert relative_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert relative_error(np.array([0.0]), np.array([0.0])) == 0

"""RNN: finite-difference BPTT (with and without h0), gradient norms per step, step(), torch.nn.RNN."""
import numpy as np
import pytest

from nn_core import RNN, CrossEntropy, Dense, Sequential
from nn_core.gradcheck import check_layer, numerical_gradient, relative_error

TOL = 1e-5   # max elementwise relative error; a wrong backward gives ~1e-2 or more


def _make(T, D=3, H=4, N=2, seed=0):
    rng = np.random.default_rng(seed + T)
    rnn = RNN(D, H, rng=rng)
    rnn.params["b"][...] = rng.standard_normal(H) * 0.5
    rnn.params["Wh"] *= 1.5                                       # a stronger recurrence exercises BPTT more
    return rnn, rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, T, H)), rng


def _manual_forward(x, h0, Wx, Wh, b):
    """An independent h_t = tanh(x_t Wx + h_{t-1} Wh + b), written out in the test."""
    h, out = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        out.append(h)
    return np.stack(out, axis=1) if out else np.zeros((x.shape[0], 0, len(b)))


@pytest.mark.parametrize("T", [1, 3, 7])
def test_rnn_gradcheck_without_h0(T):
    rnn, x, _, _, rng = _make(T)
    errors = check_layer(rnn, x, rng=rng)
    assert set(errors) == {"x", "Wx", "Wh", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("T", [1, 3, 7])
def test_rnn_gradcheck_with_h0(T):
    rnn, x, h0, dhs, _ = _make(T)
    rnn.forward(x, h0)
    dx = rnn.backward(dhs)
    analytic = {"x": dx, "h0": rnn.dh0, **{k: g.copy() for k, g in rnn.grads.items()}}
    loss = lambda: float(np.sum(rnn.forward(x, h0) * dhs))
    for name, target in {"x": x, "h0": h0, **rnn.params}.items():
        err = relative_error(analytic[name], numerical_gradient(loss, target)).max()
        assert err < TOL, f"{name}: {err}"


@pytest.mark.parametrize("T", [1, 3, 7])
def test_grad_norms_are_total_gradient_at_each_step(T):
    rnn, x, h0, dhs, _ = _make(T, seed=3)
    Wx, Wh, b = (rnn.params[k].copy() for k in ("Wx", "Wh", "b"))
    rnn.forward(x, h0)
    rnn.backward(dhs)
    hs = _manual_forward(x, h0, Wx, Wh, b)
    expected = np.zeros(T)
    for t in range(T):
        # L as a function of h_t alone: its own term plus everything downstream of it.
        h_t = hs[:, t].copy()
        f = lambda: float(np.sum(h_t * dhs[:, t]) + np.sum(_manual_forward(x[:, t + 1:], h_t, Wx, Wh, b) * dhs[:, t + 1:]))
        expected[t] = np.linalg.norm(numerical_gradient(f, h_t))
    assert rnn.grad_norms.shape == (T,)
    np.testing.assert_allclose(rnn.grad_norms, expected, rtol=1e-6)
    # The last step gets only its own output's gradient.
    np.testing.assert_allclose(rnn.grad_norms[-1], np.linalg.norm(dhs[:, -1]), rtol=1e-12)


def test_forward_matches_manual_and_step():
    rnn, x, h0, _, _ = _make(5)
    p = rnn.params
    np.testing.assert_allclose(rnn.forward(x), _manual_forward(x, np.zeros_like(h0), p["Wx"], p["Wh"], p["b"]),
                               rtol=1e-12, atol=1e-14)
    hs = rnn.forward(x, h0)
    h = h0
    for t in range(x.shape[1]):
        h = rnn.step(x[:, t], h)
        np.testing.assert_allclose(h, hs[:, t], rtol=1e-12, atol=1e-14)


def test_backward_overwrites_grads():
    rnn, x, h0, dhs, _ = _make(4)
    rnn.forward(x, h0)
    rnn.backward(dhs)
    first = {k: g.copy() for k, g in rnn.grads.items()}
    rnn.forward(x, h0)
    rnn.backward(dhs)
    for k in first:
        np.testing.assert_allclose(rnn.grads[k], first[k], rtol=1e-12)


@pytest.mark.parametrize("T", [1, 6])
def test_rnn_matches_torch(T):
    torch = pytest.importorskip("torch")
    rnn, x, h0, dhs, _ = _make(T, D=3, H=5, N=4)
    hs = rnn.forward(x, h0)
    dx = rnn.backward(dhs)

    ref = torch.nn.RNN(3, 5, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.tensor(rnn.params["Wx"].T))   # torch: x W_ih^T, W_ih (H, D)
        ref.weight_hh_l0.copy_(torch.tensor(rnn.params["Wh"].T))
        ref.bias_ih_l0.copy_(torch.tensor(rnn.params["b"]))
        ref.bias_hh_l0.zero_()                                      # torch has two biases; one suffices
    tx = torch.tensor(x, requires_grad=True)
    th0 = torch.tensor(h0[None], requires_grad=True)                # (layers, N, H)
    out, _ = ref(tx, th0)
    out.backward(torch.tensor(dhs))
    close = lambda a, b, what: np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=what)
    close(hs, out.detach().numpy(), "hs")
    close(dx, tx.grad.numpy(), "dx")
    close(rnn.dh0, th0.grad.numpy()[0], "dh0")
    close(rnn.grads["Wx"], ref.weight_ih_l0.grad.numpy().T, "Wx")
    close(rnn.grads["Wh"], ref.weight_hh_l0.grad.numpy().T, "Wh")
    close(rnn.grads["b"], ref.bias_ih_l0.grad.numpy(), "b")


def test_rnn_dense_cross_entropy_model_and_save_load():
    rng = np.random.default_rng(1)
    model = Sequential([RNN(4, 6, rng=rng), Dense(6, 4, rng=rng)])
    x = np.eye(4)[rng.integers(0, 4, size=(3, 5))]                  # (N, T, D) one-hot
    target = rng.integers(0, 4, size=(3, 5))
    loss = CrossEntropy()
    value = loss.forward(model.forward(x), target)
    assert np.isfinite(value)
    dx = model.backward(loss.backward())
    assert dx.shape == x.shape and model.layers[0].grads["Wh"].shape == (6, 6)
    loaded = Sequential.load(model.to_bytes())
    assert loaded.layers[0].config() == {"input_size": 4, "hidden_size": 6, "init": "glorot"}
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))

"""Conv2D, MaxPool2D, AvgPool2D, Flatten: finite-difference gradients, loop vs vectorised, torch, learning."""
import time

import numpy as np
import pytest

from nn_core import CrossEntropy, Dense, Flatten, ReLU, Sequential
from nn_core.conv import (AvgPool2D, Conv2D, MaxPool2D, conv2d, conv2d_backward, conv2d_backward_loop,
                          conv2d_loop, im2col, maxpool2d, maxpool2d_backward, maxpool2d_backward_loop,
                          maxpool2d_loop)
from nn_core.gradcheck import check_layer
from nn_core.images import load_digits
from nn_core.optimizers import Adam

TOL = 1e-5   # max elementwise relative error; a wrong backward gives ~1e-2 or more


def _assert_gradcheck(errors):
    assert errors, "no gradients were checked"
    bad = {k: e for k, e in errors.items() if not e < TOL}
    assert not bad, f"gradient check failed: {bad}"


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("k", [2, 3])
def test_conv2d_gradcheck(stride, padding, k):
    rng = np.random.default_rng(10 * stride + padding + 100 * k)
    layer = Conv2D(2, 3, k, stride=stride, padding=padding, rng=rng)
    layer.params["b"][...] = rng.standard_normal(3)
    x = rng.standard_normal((2, 2, 7, 6))
    errors = check_layer(layer, x, rng=rng)
    assert set(errors) == {"x", "W", "b"}
    _assert_gradcheck(errors)


@pytest.mark.parametrize("k,stride", [(2, None), (2, 2), (3, 3), (3, 2), (2, 1), (3, 1)])
def test_maxpool2d_gradcheck(k, stride):
    rng = np.random.default_rng(k * 7 + (stride or 0))
    # A permutation of well-separated values: no near-ties for ±eps to cross.
    x = rng.permutation(np.arange(2 * 3 * 7 * 7, dtype=float)).reshape(2, 3, 7, 7) * 0.01
    _assert_gradcheck(check_layer(MaxPool2D(k, stride), x, rng=rng))


@pytest.mark.parametrize("k,stride", [(2, None), (3, 2), (2, 1), (3, 1)])
def test_avgpool2d_gradcheck(k, stride):
    rng = np.random.default_rng(k + 3 * (stride or 0))
    _assert_gradcheck(check_layer(AvgPool2D(k, stride), rng.standard_normal((2, 2, 7, 6)), rng=rng))


def test_flatten_gradcheck():
    rng = np.random.default_rng(5)
    _assert_gradcheck(check_layer(Flatten(), rng.standard_normal((3, 2, 4, 5)), rng=rng))


def test_pool_output_sizes_and_default_stride():
    x = np.zeros((1, 1, 7, 7))
    assert MaxPool2D(2).forward(x).shape == (1, 1, 3, 3)        # floor((7 - 2) / 2) + 1
    assert MaxPool2D(3, 1).forward(x).shape == (1, 1, 5, 5)
    assert AvgPool2D(3, 2).forward(x).shape == (1, 1, 3, 3)
    assert Conv2D(1, 4, 3, stride=2, padding=1, seed=0).forward(x).shape == (1, 4, 4, 4)


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 0), (2, 2), (3, 1)])
def test_conv2d_loop_and_vectorised_agree(stride, padding):
    rng = np.random.default_rng(stride * 3 + padding)
    x, W, b = rng.standard_normal((3, 2, 8, 7)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
    y_loop = conv2d_loop(x, W, b, stride, padding)
    np.testing.assert_allclose(conv2d(x, W, b, stride, padding), y_loop, rtol=1e-12, atol=1e-12)
    layer = Conv2D(2, 4, 3, stride=stride, padding=padding, seed=0)
    layer.params["W"][...], layer.params["b"][...] = W, b
    np.testing.assert_allclose(layer.forward(x), y_loop, rtol=1e-12, atol=1e-12)

    dy = rng.standard_normal(y_loop.shape)
    ref = conv2d_backward_loop(dy, x, W, stride, padding)
    cols, _ = im2col(x, 3, stride, padding)
    fast = conv2d_backward(dy, cols, x.shape, W, stride, padding)
    dx = layer.backward(dy)
    for name, r, f, g in zip(["dx", "dW", "db"], ref, fast, [dx, layer.grads["W"], layer.grads["b"]]):
        np.testing.assert_allclose(f, r, rtol=1e-12, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("k,stride", [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_maxpool2d_loop_and_vectorised_agree_with_ties(k, stride):
    rng = np.random.default_rng(k + stride)
    x = rng.integers(0, 3, size=(2, 3, 7, 8)).astype(float)      # few distinct values: many ties
    y, argmax = maxpool2d(x, k, stride)
    np.testing.assert_array_equal(y, maxpool2d_loop(x, k, stride))
    dy = rng.standard_normal(y.shape)
    np.testing.assert_allclose(maxpool2d_backward(dy, argmax, x.shape, k, stride),
                               maxpool2d_backward_loop(dy, x, k, stride), rtol=1e-12, atol=1e-12)
    layer = MaxPool2D(k, stride)
    np.testing.assert_array_equal(layer.forward(x), y)
    np.testing.assert_allclose(layer.backward(dy), maxpool2d_backward_loop(dy, x, k, stride), atol=1e-12)


def test_maxpool_tie_goes_to_first_and_overlaps_accumulate():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5.0                                            # the centre wins all four 2×2 windows
    layer = MaxPool2D(2, 1)
    layer.forward(x)
    dx = layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    expected = np.zeros((1, 1, 3, 3))
    expected[0, 0, 1, 1] = 10.0
    np.testing.assert_array_equal(dx, expected)

    layer = MaxPool2D(2)
    layer.forward(np.ones((1, 1, 2, 2)))                          # all tied: the first (top-left) wins
    np.testing.assert_array_equal(layer.backward(np.full((1, 1, 1, 1), 7.0)), [[[[7.0, 0.0], [0.0, 0.0]]]])


def test_avgpool_matches_block_mean():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 4))
    expected = x.reshape(2, 3, 3, 2, 2, 2).mean(axis=(3, 5))
    np.testing.assert_allclose(AvgPool2D(2).forward(x), expected, rtol=1e-12)


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 0), (2, 1), (1, 2), (2, 2)])
def test_conv2d_matches_torch(stride, padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(stride + 10 * padding)
    x, W, b = rng.standard_normal((2, 3, 9, 8)), rng.standard_normal((5, 3, 3, 3)), rng.standard_normal(5)
    dy = rng.standard_normal(conv2d_loop(x, W, b, stride, padding).shape)
    layer = Conv2D(3, 5, 3, stride=stride, padding=padding, seed=0)
    layer.params["W"][...], layer.params["b"][...] = W, b
    y = layer.forward(x)
    dx = layer.backward(dy)

    tx, tW, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, W, b))
    ty = torch.nn.functional.conv2d(tx, tW, tb, stride=stride, padding=padding)
    ty.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["W"], tW.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["b"], tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("k,stride", [(2, 2), (3, 2), (2, 1)])
def test_pools_match_torch_including_ties(k, stride):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(k * stride)
    x = rng.integers(0, 3, size=(2, 2, 7, 7)).astype(float)
    for layer, fn in [(MaxPool2D(k, stride), torch.nn.functional.max_pool2d),
                      (AvgPool2D(k, stride), torch.nn.functional.avg_pool2d)]:
        y = layer.forward(x)
        dy = rng.standard_normal(y.shape)
        tx = torch.tensor(x, requires_grad=True)
        ty = fn(tx, k, stride)
        ty.backward(torch.tensor(dy))
        np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-12, err_msg=type(layer).__name__)
        np.testing.assert_allclose(layer.backward(dy), tx.grad.numpy(), rtol=1e-12, atol=1e-12,
                                   err_msg=type(layer).__name__)


def test_conv_model_save_load_round_trip():
    rng = np.random.default_rng(0)
    model = Sequential([Conv2D(1, 4, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2), AvgPool2D(2, 1), Flatten(),
                        Dense(4 * 3 * 3, 3, rng=rng)])
    x = rng.standard_normal((2, 1, 8, 8))
    loaded = Sequential.load(model.to_bytes())
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))
    assert loaded.layers[0].config() == {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "stride": 1,
                                         "padding": 1, "init": "he"}


def test_small_cnn_learns_digits():
    X, y = load_digits()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    train, test = order[:1300], order[1300:]
    X = X[:, None]                                                 # (N, 1, 8, 8)
    model = Sequential([Conv2D(1, 8, 3, rng=rng), ReLU(), MaxPool2D(2), Flatten(), Dense(8 * 3 * 3, 10, rng=rng)])
    loss, opt = CrossEntropy(), Adam(0.01)
    start = time.perf_counter()
    for epoch in range(8):
        perm = rng.permutation(train)
        for i in range(0, len(perm), 32):
            batch = perm[i:i + 32]
            loss.forward(model.forward(X[batch]), y[batch])
            model.backward(loss.backward())
            opt.step(model)
    elapsed = time.perf_counter() - start
    accuracy = np.mean(model.forward(X[test]).argmax(axis=1) == y[test])
    assert accuracy >= 0.90, f"test accuracy {accuracy:.3f}"
    assert elapsed < 10.0, f"training took {elapsed:.1f} s"

r"""Gradient checking: compare backprop's gradients with central finite differences.

For each parameter entry θ_i, with everything else fixed:
$$ \frac{\partial L}{\partial \theta_i} \approx \frac{L(\theta_i + \varepsilon) - L(\theta_i - \varepsilon)}{2\varepsilon} $$
(error O(ε²)); the relative error between the two is
$$ \frac{|g_\text{backprop} - g_\text{numeric}|}{\max(|g_\text{backprop}| + |g_\text{numeric}|,\ 10^{-8})} $$
In float64 a correct backward gives about 1e-9 or less; a wrong one gives 1e-2 or more.
"""
import numpy as np


def numerical_gradient(f, theta, eps=1e-6):
    """Central differences of the scalar function f() with respect to the array theta (changed in
    place and restored)."""
    grad = np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        old = theta[i]
        theta[i] = old + eps
        plus = f()
        theta[i] = old - eps
        minus = f()
        theta[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """Elementwise relative error (see the module docstring); an array of the same shape."""
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)


def check_layer(layer, x, rng=None, eps=1e-6, seed=0):
    """Max relative error per parameter (and "x") for a layer, using L = Σ forward(x) ⊙ dy with a random
    upstream gradient dy."""
    rng = rng if rng is not None else np.random.default_rng(seed)
    x = np.array(x, dtype=float)
    dy = rng.standard_normal(layer.forward(x).shape)
    dx = layer.backward(dy)
    analytic = {"x": dx, **{k: g.copy() for k, g in layer.grads.items()}}
    targets = {"x": x, **layer.params}
    loss = lambda: float(np.sum(layer.forward(x) * dy))
    return {k: float(relative_error(analytic[k], numerical_gradient(loss, targets[k], eps)).max())
            for k in analytic}


def check_loss(loss, pred, target, eps=1e-6):
    """Max relative error of loss.backward() against finite differences of loss.forward()."""
    pred = np.array(pred, dtype=float)
    loss.forward(pred, target)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(pred, target), pred, eps)
    return {"pred": float(relative_error(analytic, numeric).max())}


def model_gradients(model, loss, x, target, eps=1e-6):
    """Backprop and numeric gradients of every parameter of a Sequential:
    {"<layer index>.<name>": (analytic, numeric)}."""
    loss.forward(model.forward(x), target)
    model.backward(loss.backward())
    analytic = {f"{i}.{k}": g.copy() for i, layer in enumerate(model.layers) for k, g in layer.grads.items()}
    f = lambda: loss.forward(model.forward(x), target)
    return {key: (analytic[key], numerical_gradient(f, model.layers[int(key.split(".")[0])].params[key.split(".")[1]], eps))
            for key in analytic}


def check_model(model, loss, x, target, eps=1e-6):
    """Max relative error per parameter of a Sequential trained with ``loss``."""
    return {k: float(relative_error(a, n).max()) for k, (a, n) in model_gradients(model, loss, x, target, eps).items()}

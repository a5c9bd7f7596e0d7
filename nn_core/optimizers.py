r"""Optimizers, from the simplest to the most elaborate: SGD → momentum → RMSprop → Adam.

An optimizer holds only hyperparameters and its own per-parameter state (velocity, moments, step
count) in ``self.state``; ``opt.step(model)`` updates every parameter in place from its gradient, with
the same arithmetic as ``torch.optim`` (default settings otherwise). ``model`` may be a ``Sequential``,
a list of layers, or a single layer. g denotes the gradient ∂L/∂θ, η the learning rate.

Regularisation and clipping are separate, small utilities to call between ``backward`` and ``step``.
``FlatOptimizer`` runs any of these optimizers on all of a model's parameters at once (the playground's
fast path: the same arithmetic in far fewer NumPy calls).
"""
import math

import numpy as np


def layers_of(model):
    """The layers of a Sequential, a list of layers, or a single layer."""
    return model.layers if hasattr(model, "layers") else model if isinstance(model, (list, tuple)) else [model]


def parameters(model):
    """Yield (key, params, grads, name) for every parameter; key = (layer index, name) is stable."""
    for i, layer in enumerate(layers_of(model)):
        for name in layer.params:
            yield (i, name), layer.params, layer.grads, name


class Optimizer:
    def __init__(self, lr):
        self.lr = float(lr)
        self.state = {}          # key -> dict of arrays (and the step count t)

    def step(self, model):
        for i, layer in enumerate(layers_of(model)):
            for name, theta in layer.params.items():
                state = self.state.get((i, name))
                if state is None:
                    state = self.state[(i, name)] = {}
                self.update(theta, layer.grads[name], state)

    def update(self, theta, g, state):
        raise NotImplementedError

    def reset(self):
        """Forget velocities and moments (the hyperparameters stay)."""
        self.state = {}


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional momentum μ (torch.optim.SGD, dampening 0).
    Plain (μ = 0):
    $$ \theta \leftarrow \theta - \eta\, g $$
    With momentum (velocity v, v₁ = g₁ on the first step):
    $$ v_t = \mu\, v_{t-1} + g_t, \qquad \theta \leftarrow \theta - \eta\, v_t $$
    """

    def __init__(self, lr, momentum=0.0):
        super().__init__(lr)
        self.momentum = float(momentum)

    def update(self, theta, g, state):
        if self.momentum:
            state["v"] = g.copy() if "v" not in state else self.momentum * state["v"] + g
            g = state["v"]
        theta -= self.lr * g


class RMSprop(Optimizer):
    r"""RMSprop (torch.optim.RMSprop): divide each step by a running root-mean-square of the gradient.
    $$ s_t = \alpha\, s_{t-1} + (1 - \alpha)\, g_t^2, \qquad s_0 = 0 $$
    $$ \theta \leftarrow \theta - \eta\, \frac{g_t}{\sqrt{s_t} + \epsilon} $$
    """

    def __init__(self, lr, alpha=0.99, eps=1e-8):
        super().__init__(lr)
        self.alpha, self.eps = float(alpha), float(eps)

    def update(self, theta, g, state):
        if "s" not in state:
            state["s"] = np.zeros_like(theta)
        s = state["s"]
        s *= self.alpha
        s += (1.0 - self.alpha) * g * g
        theta -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    r"""Adam (torch.optim.Adam): momentum (first moment m) and RMSprop (second moment v), both
    corrected for their start at zero.
    $$ m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 $$
    $$ \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t} $$
    $$ \theta \leftarrow \theta - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} $$
    """

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def update(self, theta, g, state):
        if "m" not in state:
            state["m"], state["v"] = np.zeros_like(theta), np.zeros_like(theta)
        m, v = state["m"], state["v"]
        state["t"] = t = state.get("t", 0) + 1
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        # The same order of operations as torch: step size lr / (1 − β1^t), denominator √v / √(1 − β2^t) + ε.
        denom = np.sqrt(v) / math.sqrt(1.0 - self.beta2 ** t) + self.eps
        theta -= (self.lr / (1.0 - self.beta1 ** t)) * m / denom


def _flat_views(slots):
    """One flat vector holding the arrays at ``slots`` ((dict, name) pairs); each array in its dict becomes a
    view of that vector, so changing one changes the other."""
    flat = np.concatenate([d[k].ravel() for d, k in slots]) if slots else np.zeros(0)
    start = 0
    for d, k in slots:
        size = d[k].size
        d[k] = flat[start:start + size].reshape(d[k].shape)
        start += size
    return flat


class FlatOptimizer:
    r"""Runs an nn_core optimizer on all parameters at once. The model's parameter arrays become views
    of one flat vector θ and its gradient arrays views of one vector g, so the optimizer's own
    elementwise ``update`` runs once per step instead of once per array: the same arithmetic
    (every optimizer here updates each number independently), far fewer NumPy calls — which is what
    lets the playground train hundreds of epochs per second.
    $$ \theta = (W^{(1)}, b^{(1)}, \dots, W^{(L+1)}, b^{(L+1)}), \qquad \theta \leftarrow \mathrm{update}(\theta, g) $$
    """

    def __init__(self, optimizer, model):
        self.inner, self.state = optimizer, {}
        found = list(parameters(model))
        self.theta = _flat_views([(params, name) for _, params, _, name in found])
        self.g = _flat_views([(grads, name) for _, _, grads, name in found])   # Dense.backward fills it in place
        self.grads = [(grads, name, grads[name]) for _, _, grads, name in found]

    @property
    def lr(self):
        return self.inner.lr

    @lr.setter
    def lr(self, value):
        self.inner.lr = float(value)

    def step(self, model):
        for grads, name, view in self.grads:
            if grads[name] is not view:          # replaced by a new array (e.g. by clipping): copy it in
                view[...] = grads[name]
                grads[name] = view
        self.inner.update(self.theta, self.g, self.state)

    def reset(self):
        self.state = {}
        self.inner.reset()


def add_penalty(model, l1=0.0, l2=0.0, names=("W",)):
    r"""Add L1 and L2 penalties on the weights (not the biases) to the gradients, in place.
    Returns the penalty's value, to add to the loss for display.
    $$ L_\text{total} = L + \lambda_1 \sum |w| + \frac{\lambda_2}{2} \sum w^2 $$
    $$ g \leftarrow g + \lambda_1\, \mathrm{sign}(w) + \lambda_2\, w $$
    """
    penalty = 0.0
    for _, params, grads, name in parameters(model):
        if name in names and (l1 or l2):
            w = params[name]
            grads[name] = grads[name] + l1 * np.sign(w) + l2 * w
            penalty += l1 * np.abs(w).sum() + 0.5 * l2 * (w * w).sum()
    return float(penalty)


def clip_grad_norm(model, max_norm):
    r"""Rescale all gradients together when their global norm exceeds ``max_norm``
    (as torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
    $$ \|g\| = \sqrt{\textstyle\sum_\theta \sum g_\theta^2}, \qquad
       g \leftarrow g \cdot \min\Bigl(1, \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\Bigr) $$
    """
    norm = float(np.sqrt(sum(float((grads[name] ** 2).sum()) for _, _, grads, name in parameters(model))))
    scale = max_norm / (norm + 1e-6)
    if scale < 1.0:
        for _, _, grads, name in parameters(model):
            grads[name] = grads[name] * scale
    return norm


OPTIMIZERS = {"sgd": SGD, "momentum": SGD, "rmsprop": RMSprop, "adam": Adam}


def make_optimizer(name, lr, momentum=0.9):
    """By name: "sgd", "momentum" (SGD with μ = ``momentum``), "rmsprop", "adam"."""
    if name == "momentum":
        return SGD(lr, momentum=momentum)
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name](lr)

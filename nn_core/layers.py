r"""Layers with parameters, and the base class every layer (activations too) shares.

A layer has two methods and two dictionaries:

* ``y = layer.forward(x)`` computes the output and caches what ``backward`` will need;
* ``dx = layer.backward(dy)`` takes :math:`\partial L/\partial y` and returns
  :math:`\partial L/\partial x`, filling ``layer.grads`` (overwritten, never accumulated);
* ``layer.params`` / ``layer.grads``: name -> ndarray, same keys and shapes.
"""
import numpy as np

from .init import init_weights


class Layer:
    """Base class: no parameters, identity ``config``. Subclasses override forward/backward."""

    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, x):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def config(self):
        """The constructor arguments, so that ``type(layer)(**layer.config())`` rebuilds the layer."""
        return {}

    @staticmethod
    def param_shapes(**config):
        """name -> shape of the parameters ``type(self)(**config)`` would hold, known without building
        it (a model file's loader measures what a layer would allocate before allocating it)."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Dense(Layer):
    r"""Fully connected layer: every input is connected to every output by a weight.

    Shapes: x (N, in) — or (..., in), any leading axes, e.g. (N, T, in) — W (in, out), b (out,).

    Forward:
    $$ z = x W + b, \qquad z_j = \sum_i x_i W_{ij} + b_j $$
    Backward (given the upstream gradient $\partial L/\partial z$):
    $$ \frac{\partial L}{\partial W} = x^\top \frac{\partial L}{\partial z}, \qquad
       \frac{\partial L}{\partial b} = \sum_{n} \frac{\partial L}{\partial z_n}, \qquad
       \frac{\partial L}{\partial x} = \frac{\partial L}{\partial z} W^\top $$
    """

    def __init__(self, in_features, out_features, init="glorot", rng=None, seed=None):
        super().__init__()
        self.in_features, self.out_features, self.init = int(in_features), int(out_features), init
        rng = rng if rng is not None else np.random.default_rng(seed)
        self.params["W"] = init_weights(init, (self.in_features, self.out_features),
                                        self.in_features, self.out_features, rng)
        self.params["b"] = np.zeros(self.out_features)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dz):
        x2, dz2 = self.x, dz                          # (N, in), (N, out)
        if dz.ndim != 2:                              # leading axes (N, T, …): fold them into one
            x2, dz2 = self.x.reshape(-1, self.in_features), dz.reshape(-1, self.out_features)
        # written into the existing arrays (an optimizer may keep views of them); np.add.reduce is
        # dz2.sum(axis=0) without NumPy's Python-level wrapper, which matters thousands of times a second
        np.matmul(x2.T, dz2, out=self.grads["W"])
        np.add.reduce(dz2, axis=0, out=self.grads["b"])
        return dz @ self.params["W"].T

    def config(self):
        return {"in_features": self.in_features, "out_features": self.out_features, "init": self.init}

    @staticmethod
    def param_shapes(in_features, out_features, **_):
        return {"W": (int(in_features), int(out_features)), "b": (int(out_features),)}


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...); backward restores the shape."""

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape(self.shape)

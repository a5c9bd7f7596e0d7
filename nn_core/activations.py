r"""Activation functions, as layers without parameters, and ``softmax``.

Each class's docstring gives f(z) and f'(z) as LaTeX between ``$$`` marks; the lessons render that very
text (see ``nn_core.docmath``), so what a learner reads is what the code computes. ``fn(z)`` and
``derivative(z)`` are the plain functions, used by ``forward``/``backward`` and by the plots.
"""
import numpy as np

from .layers import Layer


class Activation(Layer):
    """Elementwise a = f(z); backward multiplies the upstream gradient by f'(z)."""

    name = ""

    def fn(self, z):
        raise NotImplementedError

    def derivative(self, z):
        raise NotImplementedError

    def forward(self, z):
        self.z = z
        self.a = self.fn(z)
        return self.a

    def local_grad(self):
        """f'(z) for the cached forward pass; subclasses whose derivative is a function of the output
        a = f(z) use that instead of computing f again."""
        return self.derivative(self.z)

    def backward(self, da):
        return da * self.local_grad()   # dL/dz = dL/da · f'(z)


class Sigmoid(Activation):
    r"""Logistic sigmoid: squashes any z into (0, 1); saturates (f' ≈ 0) for large |z|.
    $$ \sigma(z) = \frac{1}{1 + e^{-z}} $$
    $$ \sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr) $$
    """
    name = "sigmoid"

    def fn(self, z):
        # Two branches so that exp never overflows: for z < 0 use e^z / (1 + e^z).
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def derivative(self, z):
        s = self.fn(z)
        return s * (1.0 - s)

    def local_grad(self):
        return self.a * (1.0 - self.a)


class Tanh(Activation):
    r"""Hyperbolic tangent: like the sigmoid but centred on zero, range (−1, 1).
    $$ \tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}} $$
    $$ \tanh'(z) = 1 - \tanh^2(z) $$
    """
    name = "tanh"

    def fn(self, z):
        return np.tanh(z)

    def derivative(self, z):
        return 1.0 - np.tanh(z) ** 2

    def local_grad(self):
        return 1.0 - self.a * self.a


class ReLU(Activation):
    r"""Rectified linear unit: passes positive z, blocks negative z (its gradient there is 0).
    $$ \mathrm{ReLU}(z) = \max(0, z) $$
    $$ \mathrm{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases} $$
    """
    name = "relu"

    def fn(self, z):
        return np.maximum(z, 0.0)

    def derivative(self, z):
        return (z > 0).astype(float)


class LeakyReLU(Activation):
    r"""Leaky ReLU: like ReLU, but a small slope α for negative z so the gradient never dies.
    $$ \mathrm{LeakyReLU}(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases} $$
    $$ \mathrm{LeakyReLU}'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases} $$
    """
    name = "leaky_relu"

    def __init__(self, alpha=0.01):
        super().__init__()
        self.alpha = float(alpha)

    def fn(self, z):
        return np.where(z > 0, z, self.alpha * z)

    def derivative(self, z):
        return np.where(z > 0, 1.0, self.alpha)

    def config(self):
        return {"alpha": self.alpha}


class Identity(Activation):
    r"""Linear (identity) activation: the output is the weighted sum itself; used for regression.
    $$ f(z) = z $$
    $$ f'(z) = 1 $$
    """
    name = "identity"

    def fn(self, z):
        return z

    def derivative(self, z):
        return np.ones_like(z)

    def backward(self, da):
        return da


class StepBackwardError(RuntimeError):
    pass


class Step(Activation):
    r"""Heaviside step, the perceptron's activation: 1 when z ≥ 0, else 0.
    $$ H(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases} $$
    $$ H'(z) = 0 \quad (z \ne 0), \text{ undefined at } z = 0 $$
    """
    name = "step"

    def fn(self, z):
        return (z >= 0).astype(float)

    def derivative(self, z):
        return np.zeros_like(z)

    def backward(self, da):
        raise StepBackwardError(
            "Step has no useful gradient: its derivative is 0 everywhere except at z = 0, where it is "
            "undefined, so backpropagation would pass back only zeros and nothing would learn. That is "
            "why a perceptron is trained with Rosenblatt's rule (Perceptron.update), and why networks "
            "trained by backprop use smooth activations such as Sigmoid, Tanh or ReLU.")


def softmax(z, axis=-1):
    r"""Turns scores (logits) into probabilities that sum to 1 along ``axis``.
    $$ \mathrm{softmax}(z)_k = \frac{e^{z_k - \max_j z_j}}{\sum_j e^{z_j - \max_j z_j}} $$
    Subtracting the maximum changes nothing mathematically and keeps exp from overflowing.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Step)}

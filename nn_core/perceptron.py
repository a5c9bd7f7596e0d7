r"""Rosenblatt's perceptron (1958): a weighted sum, a bias, and a step.

Decision for one input x (n features), weights w (n,), bias b:
$$ z = w \cdot x + b = \sum_{i=1}^{n} w_i x_i + b, \qquad \hat y = H(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases} $$
Learning rule for one sample (x, y) with learning rate η — nothing changes when ŷ = y:
$$ w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y) $$
On linearly separable data it stops after at most (R/γ)² mistakes (Novikoff, 1962), R the largest
‖(x, 1)‖ and γ the margin of the best separating unit vector. On XOR no line separates the classes, so
the weights never settle: they cycle.
"""
import numpy as np


class Perceptron:
    def __init__(self, n_inputs, lr=1.0, rng=None, seed=None, init_scale=0.0):
        """Weights start at zero, or uniform in ±init_scale from ``rng``/``seed`` when init_scale > 0."""
        self.lr = float(lr)
        if init_scale:
            rng = rng if rng is not None else np.random.default_rng(seed)
            self.w = rng.uniform(-init_scale, init_scale, size=n_inputs)
            self.b = float(rng.uniform(-init_scale, init_scale))
        else:
            self.w = np.zeros(n_inputs)
            self.b = 0.0

    def net_input(self, X):
        """z = X w + b for each row of X (N, n), or for one sample x (n,)."""
        return np.asarray(X, dtype=float) @ self.w + self.b

    def predict(self, X):
        """ŷ = H(z): 0 or 1 for each row (an int array), or one int for a single sample."""
        z = self.net_input(X)
        return (z >= 0).astype(int) if np.ndim(z) else int(z >= 0)

    def update(self, x, y):
        """Apply the rule to one sample; return True when the weights or bias changed."""
        x = np.asarray(x, dtype=float)
        error = int(y) - self.predict(x)          # y − ŷ ∈ {−1, 0, 1}
        if error == 0:
            return False
        self.w = self.w + self.lr * error * x
        self.b = self.b + self.lr * error
        return True

    def epoch(self, X, y):
        """One pass over the samples in order; returns the number of updates (mistakes) made."""
        return sum(self.update(xi, yi) for xi, yi in zip(X, y))

    def state(self):
        return tuple(np.round(self.w, 12)) + (round(self.b, 12),)


def margin_bound(X, y, w, b):
    r"""(R/γ)² for the separator (w, b): R = max ‖(x, 1)‖, γ = min over samples of the signed distance
    (2y − 1)(w·x + b)/‖(w, b)‖. Returns inf when (w, b) does not separate the data."""
    X = np.asarray(X, dtype=float)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    wa = np.append(w, b)
    norm = np.linalg.norm(wa)
    gamma = np.min((2 * np.asarray(y) - 1) * (Xa @ wa)) / norm if norm else 0.0
    R = np.max(np.linalg.norm(Xa, axis=1))
    return float((R / gamma) ** 2) if gamma > 0 else float("inf")


def train_until_converged(perceptron, X, y, max_epochs=100):
    """Run epochs until one makes no mistake or a state repeats at an epoch's end (cycling, e.g. XOR).
    Returns (status, epochs, updates, mistakes per epoch) with status "converged", "cycling" or "max_epochs"."""
    seen, mistakes, updates = {perceptron.state()}, [], 0
    for epoch in range(1, max_epochs + 1):
        m = perceptron.epoch(X, y)
        mistakes.append(m)
        updates += m
        if m == 0:
            return "converged", epoch, updates, mistakes
        if perceptron.state() in seen:
            return "cycling", epoch, updates, mistakes
        seen.add(perceptron.state())
    return "max_epochs", max_epochs, updates, mistakes

r"""What the perceptron lesson needs beyond ``perceptron.py``: its data sets, the maximum-margin
separator behind the tightest convergence bound, and a stepper that applies Rosenblatt's rule one
sample at a time and keeps a record of every update.

The bound. Append a constant 1 to every input, $\tilde x = (x, 1)$, and let $u$ be a unit vector in that
space. Its margin is $\gamma(u) = \min_i (2y_i - 1)\, u \cdot \tilde x_i$. Novikoff (1962): starting
from zero weights, the perceptron makes at most
$$ \left(\frac{R}{\gamma^*}\right)^2, \qquad R = \max_i \lVert \tilde x_i \rVert, \quad \gamma^* = \max_{\lVert u \rVert = 1} \gamma(u) $$
mistakes (updates), whatever the learning rate. $\gamma^*$ comes from the hard-margin problem
$$ \min_v \tfrac12 \lVert v \rVert^2 \ \text{ s.t. } \ (2y_i - 1)\, v \cdot \tilde x_i \ge 1, \qquad \gamma^* = 1/\lVert v^* \rVert $$
solved here by coordinate ascent on its dual.
"""
import numpy as np

from nn_core.perceptron import Perceptron

GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {                       # truth tables: output for the inputs (0,0), (0,1), (1,0), (1,1)
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}


def gate(name):
    """(X (4, 2), y (4,)) for a logic gate's truth table."""
    return GATE_INPUTS.copy(), GATES[name].copy()


def random_separable(n=20, seed=0, margin=0.15, lim=2.0):
    """n points uniform in [−lim, lim]², labelled by a random line through the square; points closer to the
    line than ``margin`` are drawn again, so the set is linearly separable with margin at least ``margin``.
    Both classes appear whenever n ≥ 2. Returns (X (n, 2), y (n,) ints 0/1, (w, b) the line used)."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi)
    w = np.array([np.cos(angle), np.sin(angle)])        # unit normal, so w·x + b is a distance
    b = float(rng.uniform(-0.4, 0.4) * lim)
    X = np.empty((0, 2))
    while len(X) < n:
        cand = rng.uniform(-lim, lim, (4 * n, 2))
        X = np.vstack([X, cand[np.abs(cand @ w + b) >= margin]])
    X = X[:n]
    y = (X @ w + b >= 0).astype(int)
    if n >= 2 and y.min() == y.max():                   # all on one side: mirror one point across the line
        d = X[0] @ w + b
        X[0] = X[0] - 2 * d * w
        y[0] = 1 - y[0]
    return X, y, (w, b)


def augmented(X):
    """x̃ = (x, 1) for each row: the bias becomes one more weight."""
    X = np.asarray(X, dtype=float)
    return np.hstack([X, np.ones((len(X), 1))])


def max_margin(X, y, sweeps=5000, tol=1e-9):
    """The unit vector u* = (w, b) in the augmented space with the largest margin γ*.
    Returns (w (n,), b, γ*), or None when no line through the augmented space separates the classes
    (e.g. XOR, or only one class present — then γ* is not defined as a positive number)."""
    Xa = augmented(X)
    s = 2 * np.asarray(y, dtype=float) - 1                # labels as ±1
    if len(Xa) == 0 or s.min() == s.max():
        return None
    Z = s[:, None] * Xa                                   # we need v · z_i ≥ 1 for every row z_i
    sq = np.einsum("ij,ij->i", Z, Z)
    alpha, v = np.zeros(len(Z)), np.zeros(Z.shape[1])
    for _ in range(sweeps):
        for i in range(len(Z)):                           # maximise the dual in α_i alone, keeping α_i ≥ 0
            new = max(0.0, alpha[i] + (1.0 - Z[i] @ v) / sq[i])
            v += (new - alpha[i]) * Z[i]
            alpha[i] = new
        if np.linalg.norm(v) > 1e8:                       # the dual grows without bound: not separable
            return None
        dual = alpha.sum() - 0.5 * v @ v                  # ≤ ½‖v*‖² = 1/(2γ*²)
        if dual > 0 and (Z @ v).min() > 0:
            lower = (Z @ v).min() / np.linalg.norm(v)     # the margin we have
            upper = 1.0 / np.sqrt(2 * dual)               # the best possible margin is at most this
            if upper - lower <= tol * upper:
                break
    margin = (Z @ v).min() / np.linalg.norm(v)
    if margin <= 0:
        return None
    u = v / np.linalg.norm(v)
    return u[:-1], float(u[-1]), float(margin)


def radius(X):
    """R = max ‖(x, 1)‖."""
    return float(np.max(np.linalg.norm(augmented(X), axis=1)))


class PerceptronStepper:
    """Rosenblatt's rule applied one sample at a time, in order, on a fixed data set, with a record of
    every update. ``Perceptron.update`` does the learning; the stepper only keeps the books:
    which sample is next, the mistakes in each epoch, and the weights at the end of every epoch, so that
    a repeated state (the weights cycle, as on XOR) can be named."""

    def __init__(self, X, y, lr=1.0, init_scale=0.0, seed=0):
        self.X = np.asarray(X, dtype=float)
        self.y = np.asarray(y, dtype=int)
        self.perceptron = Perceptron(self.X.shape[1], lr=lr, seed=seed, init_scale=init_scale)
        self.from_zero = not init_scale
        self.next_index = 0           # the sample the next step looks at
        self.epoch = 1                # the epoch in progress (1-based)
        self.steps = 0
        self.mistakes = []            # mistakes in each finished epoch
        self.current_mistakes = 0     # mistakes so far in the epoch in progress
        self.updates = []             # one dict per update (mistake)
        self.last = None              # the record of the last step, update or not
        self.end_states = {self.perceptron.state(): 0}     # state at the end of epoch k → k (0 = start)
        self.converged_at = None      # (epoch, updates so far) of the first epoch without a mistake
        self.cycle = None             # (epoch, earlier epoch) when an epoch ended in a state seen before
        self.cycle_state = None       # (w, b) of that repeated state, kept: the weights move on after it

    @property
    def n_updates(self):
        return len(self.updates)

    @property
    def status(self):
        """"converged", "cycling" or "learning"."""
        if self.converged_at is not None:
            return "converged"
        return "cycling" if self.cycle is not None else "learning"

    def step(self):
        """Show the perceptron the next sample; update it if it answers wrong. Returns the step's record."""
        p, i = self.perceptron, self.next_index
        x, target = self.X[i], int(self.y[i])
        z = float(p.net_input(x))
        y_hat = p.predict(x)
        w_before, b_before = p.w.copy(), p.b
        changed = p.update(x, target)
        self.steps += 1
        record = {"step": self.steps, "epoch": self.epoch, "index": i, "x": x.copy(), "y": target,
                  "z": z, "y_hat": y_hat, "updated": changed, "lr": p.lr, "dw": p.w - w_before, "db": p.b - b_before,
                  "w": p.w.copy(), "b": p.b, "w_before": w_before, "b_before": b_before}
        self.last = record
        if changed:
            self.updates.append(record)
            self.current_mistakes += 1
        self.next_index += 1
        if self.next_index == len(self.X):
            self._end_epoch()
        return record

    def _end_epoch(self):
        self.mistakes.append(self.current_mistakes)
        done = self.epoch
        if self.current_mistakes == 0 and self.converged_at is None:
            self.converged_at = (done, self.n_updates)
        state = self.perceptron.state()
        if self.cycle is None and self.current_mistakes and state in self.end_states:
            self.cycle = (done, self.end_states[state])
            self.cycle_state = (self.perceptron.w.copy(), float(self.perceptron.b))
        self.end_states.setdefault(state, done)
        self.next_index, self.current_mistakes = 0, 0
        self.epoch += 1

    def run_epoch(self):
        """Step to the end of the epoch in progress (a whole epoch when at its start)."""
        self.step()
        while self.next_index != 0:
            self.step()

    def run(self, max_epochs=100):
        """Whole epochs until one has no mistake, a state repeats, or ``max_epochs`` more have run.
        Returns the number of epochs run."""
        for k in range(1, max_epochs + 1):
            self.run_epoch()
            if self.status != "learning":
                return k
        return max_epochs

r"""Loss surfaces in two parameters θ = (θ₁, θ₂), and a runner that lets the engine's own optimizers
walk on them.

A surface has ``value(theta)`` (any shape (..., 2) → (...)) and ``grad(theta)`` ((2,) → (2,)); its class
docstring states both in LaTeX. ``run(surface, optimizer, start, steps)`` puts the point θ into a tiny
layer (``Point``) and calls ``optimizer.step`` on it again and again — the very optimizers that train the
networks, no second implementation — recording the gradient, the optimizer's state and the step taken.

``single_prediction`` and ``loss_curves`` evaluate the engine's losses on one prediction, to compare how
strongly MSE, binary cross-entropy and cross-entropy pull on a neuron's weighted sum z.
"""
from dataclasses import dataclass, field

import numpy as np

from nn_core.activations import Sigmoid
from nn_core.layers import Dense, Layer
from nn_core.losses import MSE, BinaryCrossEntropy, CrossEntropy
from nn_core.optimizers import make_optimizer


class Surface:
    """Base class. ``xlim``/``ylim``: the window to draw; ``start``: a good default start;
    ``minimum``: the lowest point (θ₁, θ₂) when known; ``lrs``: default learning rate per optimizer."""
    key = label = ""
    axes = ("θ₁", "θ₂")
    xlim, ylim = (-5.0, 5.0), (-5.0, 5.0)
    start = (-4.0, 2.0)
    minimum = None
    lrs = {"sgd": 0.1, "momentum": 0.03, "rmsprop": 0.1, "adam": 0.3}

    def value(self, theta):
        raise NotImplementedError

    def grad(self, theta):
        raise NotImplementedError

    def grid(self, n=80):
        """``xs`` (n,), ``ys`` (n,) and the loss ``Z`` (n, n) with ``Z[i, j] = value((xs[j], ys[i]))``."""
        xs, ys = np.linspace(*self.xlim, n), np.linspace(*self.ylim, n)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, self.value(np.stack([gx, gy], axis=-1))

    def floor(self):
        """The lowest loss on the surface (at ``minimum``), or the lowest loss on the drawn grid."""
        return float(self.value(np.array(self.minimum))) if self.minimum is not None else float(self.grid()[2].min())


class Bowl(Surface):
    r"""A quadratic bowl whose curvature along θ₂ is κ times that along θ₁ (κ = condition number).
    With κ = 1 the contours are circles; with large κ a long, narrow valley.
    $$ L(\theta) = \tfrac12 \bigl( \theta_1^2 + \kappa\, \theta_2^2 \bigr) $$
    $$ \nabla L = \bigl( \theta_1,\ \kappa\, \theta_2 \bigr) $$
    """
    key, label = "bowl", "Quadratic bowl"
    minimum = (0.0, 0.0)

    def __init__(self, kappa=20.0):
        if not kappa >= 1:
            raise ValueError(f"the condition number κ must be at least 1, got {kappa}")
        self.kappa = float(kappa)
        # SGD is stable for η < 2/κ along θ₂; Adam's and RMSprop's steps are about η whatever κ is.
        self.lrs = {"sgd": 1.4 / self.kappa, "momentum": 0.2 / self.kappa, "rmsprop": 0.1, "adam": 0.3}

    def value(self, theta):
        t = np.asarray(theta, dtype=float)
        return 0.5 * (t[..., 0] ** 2 + self.kappa * t[..., 1] ** 2)

    def grad(self, theta):
        t = np.asarray(theta, dtype=float)
        return np.array([t[0], self.kappa * t[1]])


class Saddle(Surface):
    r"""A saddle point at the origin between two valleys at θ = (0, ±√2): downhill along θ₂ from the
    saddle, uphill along θ₁. Started on the ridge θ₂ ≈ 0, plain gradient descent lingers near the saddle.
    $$ L(\theta) = \tfrac12 \theta_1^2 + \tfrac14 \theta_2^4 - \theta_2^2 $$
    $$ \nabla L = \bigl( \theta_1,\ \theta_2^3 - 2\theta_2 \bigr) $$
    """
    key, label = "saddle", "Saddle"
    xlim, ylim = (-3.0, 3.0), (-3.0, 3.0)
    start = (-2.5, 0.01)
    minimum = (0.0, np.sqrt(2.0))
    lrs = {"sgd": 0.1, "momentum": 0.02, "rmsprop": 0.03, "adam": 0.1}

    def value(self, theta):
        t = np.asarray(theta, dtype=float)
        return 0.5 * t[..., 0] ** 2 + 0.25 * t[..., 1] ** 4 - t[..., 1] ** 2

    def grad(self, theta):
        t = np.asarray(theta, dtype=float)
        return np.array([t[0], t[1] ** 3 - 2.0 * t[1]])


class Rosenbrock(Surface):
    r"""Rosenbrock's banana valley: easy to fall into, a long curved floor to follow to the minimum at (1, 1).
    $$ L(\theta) = (1 - \theta_1)^2 + 100\, (\theta_2 - \theta_1^2)^2 $$
    $$ \nabla L = \bigl( -2(1 - \theta_1) - 400\, \theta_1 (\theta_2 - \theta_1^2),\ \ 200\, (\theta_2 - \theta_1^2) \bigr) $$
    """
    key, label = "rosenbrock", "Rosenbrock's valley"
    xlim, ylim = (-2.0, 2.0), (-1.0, 3.0)
    start = (-1.2, 1.0)
    minimum = (1.0, 1.0)
    lrs = {"sgd": 0.002, "momentum": 0.001, "rmsprop": 0.01, "adam": 0.1}

    def value(self, theta):
        t = np.asarray(theta, dtype=float)
        return (1.0 - t[..., 0]) ** 2 + 100.0 * (t[..., 1] - t[..., 0] ** 2) ** 2

    def grad(self, theta):
        x, y = np.asarray(theta, dtype=float)
        return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)])


# A small, overlapping 1-D data set: class 1 tends to lie right of x ≈ 1, with two points on the wrong side.
NEURON_X = np.array([-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 1.2, 0.2, 2.2])
NEURON_Y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0], dtype=float)


class NeuronSurface(Surface):
    r"""The real loss surface of one neuron a = σ(w x + b) — a weight and a bias — on 16 labelled points
    x_n with labels y_n ∈ {0, 1}, under binary cross-entropy. Value and gradient come from the engine's
    own ``Dense``, ``Sigmoid`` and ``BinaryCrossEntropy`` (forward, then backward).
    $$ a_n = \sigma(w x_n + b), \qquad L(w, b) = -\frac{1}{N} \sum_{n} \bigl[ y_n \log a_n + (1 - y_n) \log(1 - a_n) \bigr] $$
    $$ \frac{\partial L}{\partial w} = \frac{1}{N} \sum_n (a_n - y_n)\, x_n, \qquad
       \frac{\partial L}{\partial b} = \frac{1}{N} \sum_n (a_n - y_n) $$
    """
    key, label = "neuron", "One neuron on real data"
    axes = ("weight w", "bias b")
    xlim, ylim = (-2.5, 5.0), (-5.0, 3.5)
    start = (-2.0, 3.0)
    minimum = (1.3155, -1.3899)     # found by gradient descent; a test checks the gradient vanishes there
    lrs = {"sgd": 0.3, "momentum": 0.1, "rmsprop": 0.1, "adam": 0.1}

    def __init__(self, x=NEURON_X, y=NEURON_Y):
        self.x, self.y = np.asarray(x, dtype=float).reshape(-1, 1), np.asarray(y, dtype=float).reshape(-1, 1)
        self.dense, self.act, self.loss = Dense(1, 1), Sigmoid(), BinaryCrossEntropy()

    def _forward(self, theta):
        self.dense.params["W"][0, 0], self.dense.params["b"][0] = theta
        return self.loss.forward(self.act.forward(self.dense.forward(self.x)), self.y)

    def value(self, theta):
        t = np.asarray(theta, dtype=float)
        flat = t.reshape(-1, 2)
        return np.array([self._forward(p) for p in flat]).reshape(t.shape[:-1])

    def grad(self, theta):
        self._forward(np.asarray(theta, dtype=float))
        self.dense.backward(self.act.backward(self.loss.backward()))
        return np.array([self.dense.grads["W"][0, 0], self.dense.grads["b"][0]])


SURFACES = {cls.key: cls for cls in (Bowl, Saddle, Rosenbrock, NeuronSurface)}


def make_surface(key, kappa=20.0):
    if key not in SURFACES:
        raise ValueError(f"unknown surface {key!r}; choose one of {', '.join(SURFACES)}")
    return Bowl(kappa) if key == "bowl" else SURFACES[key]()


# --- walking on a surface with the engine's optimizers ---------------------------------------------------
class Point(Layer):
    """The point θ as the one parameter ``"w"`` (shape (2,)) of a layer, so that ``optimizer.step`` moves
    it exactly as it moves a network's weights. Its gradient is set from outside (the surface's)."""

    def __init__(self, start):
        super().__init__()
        self.params["w"] = np.array(start, dtype=float).reshape(2)
        self.grads["w"] = np.zeros(2)


@dataclass
class Trajectory:
    """What one optimizer did, step by step. ``points`` (T+1, 2) from the start, ``losses`` (T+1,);
    per step t = 1..T (index t − 1): ``grads`` (T, 2) the gradient used, ``steps`` (T, 2) the change of θ,
    ``states`` the optimizer's state for θ after the step (copies: "v" momentum, "s" RMSprop,
    "m", "v", "t" Adam). ``diverged``: the step at which θ or the loss blew up, else None."""
    name: str
    lr: float
    points: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    steps: np.ndarray
    states: list = field(default_factory=list)
    diverged: int | None = None
    hyper: dict = field(default_factory=dict)


def _copy_state(state):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in state.items()}


def run(surface, optimizer, start, steps, name="", blowup=1e6):
    """Let ``optimizer`` (an nn_core optimizer, fresh or reset) take up to ``steps`` steps on ``surface``
    from ``start``. Stops early, with ``diverged`` set, when the loss or θ becomes NaN/inf, θ leaves a box
    ten times the drawn window, or the loss exceeds ``blowup`` × (1 + |start loss|)."""
    point = Point(start)
    optimizer.reset()
    w = point.params["w"]
    points, losses, grads, moves, states = [w.copy()], [float(surface.value(w))], [], [], []
    span = 10.0 * max(np.abs(surface.xlim).max(), np.abs(surface.ylim).max())
    limit = blowup * (1.0 + abs(losses[0]))
    diverged = None
    with np.errstate(all="ignore"):
        for t in range(1, int(steps) + 1):
            before = w.copy()
            point.grads["w"][...] = surface.grad(w)
            optimizer.step(point)
            grads.append(point.grads["w"].copy())
            moves.append(w - before)
            states.append(_copy_state(optimizer.state.get((0, "w"), {})))
            points.append(w.copy())
            losses.append(float(surface.value(w)))
            if not (np.all(np.isfinite(w)) and np.isfinite(losses[-1])) or np.abs(w).max() > span \
                    or abs(losses[-1]) > limit:
                diverged = t
                break
    hyper = {k: v for k, v in vars(optimizer).items() if k != "state"}
    return Trajectory(name, optimizer.lr, np.array(points), np.array(losses), np.array(grads).reshape(-1, 2),
                      np.array(moves).reshape(-1, 2), states, diverged, hyper)


OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "rmsprop": "RMSprop", "adam": "Adam"}


def race(surface, start, lrs, steps):
    """One trajectory per optimizer name in ``lrs`` (name → learning rate; names as ``make_optimizer``),
    all from the same ``start``. Returns name → Trajectory."""
    return {name: run(surface, make_optimizer(name, lr), start, steps, name=name) for name, lr in lrs.items()}


LADDER_STEPS, LADDER_CANDIDATES = 40, 25


def lr_ladder(surface, steps=LADDER_STEPS):
    """Four plain-SGD learning rates for a quadratic bowl of largest curvature κ, where SGD is stable for
    η < 2/κ: too small (0.05/κ, crawls), too large (1.98/κ: ηκ > 1, so it overshoots along θ₂ and oscillates,
    each swing only 2 % smaller), far too large (2.1/κ, diverges), and good: of ``LADDER_CANDIDATES`` rates spaced
    evenly on a log scale from 0.05/κ to 1.9/κ, the one whose loss after ``steps`` steps from the bowl's start is
    lowest — better than too small by construction, and (tests/test_surfaces.py checks it for κ = 1…50) than
    too large."""
    from nn_core.optimizers import SGD           # local: this module otherwise needs only the optimizers' names
    k = surface.kappa
    small, edge = 0.05 / k, 1.9 / k
    candidates = np.geomspace(small, edge, LADDER_CANDIDATES)
    finals = [run(surface, SGD(lr), surface.start, steps).losses[-1] for lr in candidates]
    return {"too small": small, "good": float(candidates[int(np.argmin(finals))]), "too large": 1.98 / k,
            "far too large": 2.1 / k}


# --- the loss of one prediction -----------------------------------------------------------------------
def single_prediction(z, y):
    """A neuron's weighted sum z (its pre-activation) and a target class y ∈ {0, 1}, through the engine's
    losses. MSE and binary cross-entropy see the prediction a = σ(z); cross-entropy sees the two logits
    (0, z) of a two-class output (so its probability of class 1 is also σ(z)). Returns one dict per loss:
    ``prediction``, ``value``, ``dpred`` (∂L/∂prediction, for cross-entropy ∂L/∂z since z is the
    prediction) and ``dz`` (∂L/∂z by the chain rule through the sigmoid)."""
    zc = np.array([[float(z)]])                                  # (1, 1): one sample, one output
    rows = {}
    for loss in (MSE(), BinaryCrossEntropy()):
        act = Sigmoid()
        a = act.forward(zc)
        value = loss.forward(a, np.array([[float(y)]]))
        da = loss.backward()
        rows[loss.name] = {"prediction": float(a[0, 0]), "value": value, "dpred": float(da[0, 0]),
                           "dz": float(act.backward(da)[0, 0])}
    ce = CrossEntropy()
    logits = np.array([[0.0, float(z)]])                         # (1, 2)
    value = ce.forward(logits, np.array([int(y)]))
    dz = float(ce.backward()[0, 1])
    rows[ce.name] = {"prediction": float(z), "value": value, "dpred": dz, "dz": dz}
    return rows


def loss_curves(zs, y):
    """``single_prediction`` over many z: name → {"value": (n,), "dz": (n,)}."""
    rows = [single_prediction(z, y) for z in zs]
    return {name: {k: np.array([r[name][k] for r in rows]) for k in ("value", "dz")} for name in rows[0]}


def step_numbers(traj, t):
    """The numbers of step t (1-based) of ``traj``, named as in the optimizer's docstring: the gradient g,
    the state before (…_prev) and after the step, bias-corrected moments for Adam, and the step Δθ the
    engine took. Returns an ordered dict name → float or (2,) array."""
    if not 1 <= t <= len(traj.steps):
        raise ValueError(f"step must lie in 1..{len(traj.steps)}, got {t}")
    prev = traj.states[t - 2] if t >= 2 else {}
    now = traj.states[t - 1]
    out = {"theta_prev": traj.points[t - 1], "g": traj.grads[t - 1]}
    for k in ("m", "v", "s"):
        if k in now:
            out[k + "_prev"] = prev.get(k, np.zeros(2))
            out[k] = now[k]
    if "t" in now:                                # Adam: the bias corrections use the step count
        b1, b2 = traj.hyper["beta1"], traj.hyper["beta2"]
        out["t"] = now["t"]
        out["m_hat"] = now["m"] / (1.0 - b1 ** now["t"])
        out["v_hat"] = now["v"] / (1.0 - b2 ** now["t"])
    out["step"] = traj.steps[t - 1]
    out["theta"] = traj.points[t]
    return out


def summary(traj, surface, tol=1e-3):
    """One row of the race's final table: the final loss, the distance from the known minimum, the first
    step whose loss is within ``tol`` of the surface's lowest loss (None if never), the divergence step."""
    floor = surface.floor()
    close = np.flatnonzero(traj.losses - floor <= tol)
    dist = (float(np.linalg.norm(traj.points[-1] - np.asarray(surface.minimum)))
            if surface.minimum is not None and traj.diverged is None else float("nan"))
    return {"final_loss": float(traj.losses[-1]) if traj.diverged is None else float("nan"),
            "distance": dist, "reached": int(close[0]) if close.size else None,
            "steps": len(traj.steps), "diverged": traj.diverged}

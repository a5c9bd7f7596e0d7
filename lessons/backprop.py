r"""One training step of a small network, cut into the steps a learner walks through by hand.

A network is described by a plain ``spec`` dict (lists of floats, so it can live in a session or a file):
``{"sizes": [n_in, n_1, ..., n_L], "activations": [f_1, ..., f_L], "loss": "mse" | "bce" | "cross_entropy",
"x": [...], "target": [...] (for cross-entropy: [class index]), "W": [W_1, ...] each (n_{l-1}, n_l),
"b": [b_1, ...], "lr": η, "update_biases": bool}``.

The numbers come from ``nn_core.trace.trace`` (forward and backward through the engine's own layers);
the update is ``nn_core.optimizers.SGD``:
$$ w \leftarrow w - \eta\, \frac{\partial L}{\partial w}, \qquad b \leftarrow b - \eta\, \frac{\partial L}{\partial b} $$
Mazur's "A Step by Step Backpropagation Example" keeps the biases fixed (``update_biases=False``).
Its "total error" ½Σ(target − out)² over its two outputs equals the engine's MSE, the mean over M = 2:
$$ \tfrac{1}{M} \textstyle\sum_i (\hat y_i - y_i)^2 = \tfrac{1}{2} \sum_i (\hat y_i - y_i)^2 \quad (M = 2) $$
"""
import copy

import numpy as np

from nn_core.activations import ACTIVATIONS
from nn_core.gradcheck import model_gradients, relative_error
from nn_core.layers import Dense
from nn_core.losses import LOSSES
from nn_core.models import Sequential
from nn_core.optimizers import SGD
from nn_core.trace import trace

PHASES = ("forward", "loss", "backward", "update")
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
MAX_LAYERS, MAX_NEURONS = 4, 4
MAX_TRAIN_STEPS = 10000

PRESETS = {
    "textbook": {   # Mazur's example: w1..w4 into h1, h2; w5..w8 into o1, o2; one bias per layer
        "sizes": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "mse",
        "x": [0.05, 0.10], "target": [0.01, 0.99],
        "W": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
        "b": [[0.35, 0.35], [0.60, 0.60]], "lr": 0.5, "update_biases": False,
        "aliases": {"W0": [["w1", "w3"], ["w2", "w4"]], "W1": [["w5", "w7"], ["w6", "w8"]],
                    "b0": ["b1", "b1"], "b1": ["b2", "b2"]},
    },
    "xor": {        # one XOR sample, (1, 0) → 1, through a 2-2-1 sigmoid network
        "sizes": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "loss": "bce",
        "x": [1.0, 0.0], "target": [1.0],
        "W": [[[0.8, -0.5], [0.4, 0.9]], [[1.2], [-0.7]]],
        "b": [[-0.2, 0.1], [0.3]], "lr": 0.5, "update_biases": True,
    },
    "softmax": {    # 2-3-3 classifier: tanh hidden layer, three logits, softmax inside the cross-entropy
        "sizes": [2, 3, 3], "activations": ["tanh", "identity"], "loss": "cross_entropy",
        "x": [0.5, -1.0], "target": [2],
        "W": [[[0.3, -0.6, 0.2], [0.5, 0.1, -0.4]], [[0.7, -0.3, 0.2], [-0.5, 0.4, 0.6], [0.1, 0.8, -0.9]]],
        "b": [[0.1, 0.0, -0.2], [0.0, 0.2, -0.1]], "lr": 0.5, "update_biases": True,
    },
}


def preset(name):
    """A fresh copy of a preset spec."""
    return copy.deepcopy(PRESETS[name])


def is_article(spec):
    """Does ``spec`` hold the textbook article's own sample, target, weights and biases (so that its
    published numbers apply)?"""
    book = PRESETS["textbook"]
    return all(spec.get(k) == book[k] for k in ("sizes", "activations", "x", "target", "W", "b"))


def shared_bias_gradient(spec, tr, l):
    """For a layer whose biases the spec names as one shared bias (the article's b1, b2): that bias's name and
    the gradient it would get, the sum of the engine's per-neuron bias gradients; None otherwise."""
    names = spec.get("aliases", {}).get(f"b{l}")
    if not names or len(set(names)) != 1 or len(names) < 2:
        return None
    return names[0], float(np.sum(tr["layers"][l]["dL_db"]))


def largest(spec, tr):
    """The largest size of any weight, bias, weighted sum or the loss of this network on its sample."""
    values = [v for arr in spec["W"] + spec["b"] for v in np.ravel(arr)]
    values += [v for row in tr["layers"] for v in row["z"]] + [tr["loss"]]
    return float(np.max(np.abs(values)))


def disagreement_cause(spec, tr, eps=1e-5):
    """Why backprop and finite differences may disagree for this network: "kink" (a ReLU-type neuron with
    z within a nudge of 0, where the derivative jumps), "overflow" (weights or weighted sums so large that a
    nudge of ε is lost in float64 rounding, or a value is no longer finite), or "precision" otherwise."""
    params = [np.asarray(v, dtype=float) for v in spec["W"] + spec["b"]]
    z = [np.asarray(row["z"], dtype=float) for row in tr["layers"]]
    values = params + z + [np.array([tr["loss"]])]
    if any(not np.all(np.isfinite(v)) for v in values) or largest(spec, tr) > 1e4:
        return "overflow"   # float64 rounding of L (~1e-16·|L|) divided by 2ε swamps the difference
    kinks = [np.any(np.abs(zl) < 1e3 * eps) for zl, act in zip(z, spec["activations"]) if act in ("relu", "leaky_relu")]
    return "kink" if any(kinks) else "precision"


def random_spec(sizes, activations, loss, seed=0, lr=0.5, update_biases=True):
    """A spec with weights, biases, sample and target drawn from ``seed``, rounded to 2 decimals so
    that a learner can follow them by hand."""
    rng = np.random.default_rng(seed)
    r = lambda *shape: np.round(rng.uniform(-1, 1, shape), 2).tolist()
    n_out = sizes[-1]
    if loss == "cross_entropy":
        target = [int(rng.integers(n_out))]
    elif loss == "bce":
        target = rng.integers(0, 2, n_out).astype(float).tolist()
    else:
        target = np.round(rng.uniform(0, 1, n_out), 2).tolist()
    return {"sizes": list(sizes), "activations": list(activations), "loss": loss, "x": r(sizes[0]), "target": target,
            "W": [r(a, b) for a, b in zip(sizes[:-1], sizes[1:])], "b": [r(b) for b in sizes[1:]],
            "lr": float(lr), "update_biases": bool(update_biases)}


def validate(spec):
    """Raise ValueError with a plain-words reason when a spec cannot be run."""
    sizes, acts, loss = spec["sizes"], spec["activations"], spec["loss"]
    if not 2 <= len(sizes) <= MAX_LAYERS + 1 or not all(1 <= n <= MAX_NEURONS for n in sizes):
        raise ValueError(f"a network here has 1 to {MAX_LAYERS} layers of 1 to {MAX_NEURONS} neurons")
    if len(acts) != len(sizes) - 1 or any(a not in HIDDEN_ACTIVATIONS for a in acts):
        raise ValueError(f"each layer needs one activation out of {', '.join(HIDDEN_ACTIVATIONS)}")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}")
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        if np.shape(spec["W"][l]) != (a, b) or np.shape(spec["b"][l]) != (b,):
            raise ValueError(f"layer {l + 1} needs a {a}×{b} weight table and {b} biases")
    values = [spec["x"], spec["target"], spec["lr"], *spec["W"], *spec["b"]]
    if not all(np.all(np.isfinite(np.asarray(v, dtype=float))) for v in values):   # None becomes NaN
        raise ValueError("every sample value, target, weight, bias and the learning rate must be a finite number")
    if len(spec["x"]) != sizes[0]:
        raise ValueError(f"the sample needs {sizes[0]} values")
    t = np.asarray(spec["target"], dtype=float)
    if loss == "cross_entropy":
        if acts[-1] != "identity" or sizes[-1] < 2:
            raise ValueError("cross-entropy needs at least 2 outputs that are raw scores (identity output)")
        if t.shape != (1,) or t[0] != round(t[0]) or not 0 <= t[0] < sizes[-1]:
            raise ValueError(f"the target is one class index, a whole number from 0 to {sizes[-1] - 1}")
    else:
        if t.shape != (sizes[-1],):
            raise ValueError(f"the target needs {sizes[-1]} values, one per output")
        if loss == "bce" and (acts[-1] != "sigmoid" or np.any((t < 0) | (t > 1))):
            raise ValueError("binary cross-entropy needs a sigmoid output and targets between 0 and 1")
    if not float(spec["lr"]) > 0:
        raise ValueError("the learning rate must be positive")


def build(spec):
    """(model, loss, x (1, n_in), target) from a spec; the model holds the spec's weights."""
    validate(spec)
    layers = []
    for l, (a, b) in enumerate(zip(spec["sizes"][:-1], spec["sizes"][1:])):
        dense = Dense(a, b)
        dense.params["W"][...] = spec["W"][l]
        dense.params["b"][...] = spec["b"][l]
        layers += [dense, ACTIVATIONS[spec["activations"][l]]()]
    loss = LOSSES[spec["loss"]]()
    x = np.asarray(spec["x"], dtype=float).reshape(1, -1)
    t = np.asarray(spec["target"], dtype=float)
    target = t.astype(int) if spec["loss"] == "cross_entropy" else t.reshape(1, -1)
    return Sequential(layers), loss, x, target


def forward_loss(spec):
    """The loss of the spec's network on its sample (a fresh forward pass); inf when it overflows."""
    model, loss, x, target = build(spec)
    with np.errstate(over="ignore", invalid="ignore"):       # too large a step shows as inf, not as a warning
        return loss.forward(model.forward(x), target)


def sgd_step(model, opt, update_biases):
    """One SGD step from the model's grads; biases are kept as they were when ``update_biases`` is False."""
    kept = [layer.params["b"].copy() for layer in model.layers if "b" in layer.params]
    opt.step(model)
    if not update_biases:
        for layer, b in zip([layer for layer in model.layers if "b" in layer.params], kept):
            layer.params["b"][...] = b


def _with_weights(spec, model):
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    out = copy.deepcopy(spec)
    out["W"] = [d.params["W"].tolist() for d in dense]
    out["b"] = [d.params["b"].tolist() for d in dense]
    return out


def updated(spec, update_biases=None):
    """The spec after one SGD step on its sample (``update_biases`` defaults to the spec's choice)."""
    update_biases = spec["update_biases"] if update_biases is None else update_biases
    model, loss, x, target = build(spec)
    trace(model, loss, x, target)            # fills the grads
    sgd_step(model, SGD(spec["lr"]), update_biases)
    return _with_weights(spec, model)


def run(spec):
    """Everything the lesson shows for one step: ``trace`` (the engine's record, plus ``fprime`` = f'(z)
    per layer), ``after`` (spec after the update), ``loss_after`` and ``loss_after_other_biases`` (fresh
    forward passes after updating with, and without, the biases as the spec says / the opposite)."""
    model, loss, x, target = build(spec)
    tr = trace(model, loss, x, target)
    for row in tr["layers"]:
        row["fprime"] = ACTIVATIONS[row["activation"]]().derivative(np.asarray(row["z"])).tolist()
    after = updated(spec)
    other = updated(spec, not spec["update_biases"])
    return {"trace": tr, "after": after, "loss_after": forward_loss(after),
            "loss_after_other_biases": forward_loss(other), "after_other_biases": other}


def build_steps(spec):
    """The ordered steps of the walk-through: dicts {"phase", "layer", "neuron"} (layer l = 0 is the first
    layer after the inputs; neuron None for whole-layer and loss steps)."""
    layers = range(len(spec["sizes"]) - 1)
    steps = [{"phase": "forward", "layer": l, "neuron": j} for l in layers for j in range(spec["sizes"][l + 1])]
    steps.append({"phase": "loss", "layer": None, "neuron": None})
    steps += [{"phase": "backward", "layer": l, "neuron": j} for l in reversed(layers)
              for j in range(spec["sizes"][l + 1])]
    steps += [{"phase": "update", "layer": l, "neuron": None} for l in reversed(layers)]
    steps.append({"phase": "update", "layer": None, "neuron": None})   # the loss after the update
    return steps


def first_step_of(steps, phase):
    return next(k for k, s in enumerate(steps) if s["phase"] == phase)


def train(spec, n):
    """Run ``n`` more SGD steps on the sample. Returns (losses, new spec, stop reason or None); losses[k]
    is the loss before step k, and losses[-1] the loss after the last step taken. Stops at the first
    loss or weight that is not finite and returns the last finite weights."""
    model, loss, x, target = build(spec)
    opt = SGD(spec["lr"])
    losses, good = [], _with_weights(spec, model)
    with np.errstate(over="ignore", invalid="ignore"):       # a blow-up is reported below, not warned about
        for k in range(min(int(n), MAX_TRAIN_STEPS) + 1):
            value = loss.forward(model.forward(x), target)
            if not np.isfinite(value) or not all(np.all(np.isfinite(p)) for lay in model.layers
                                                 for p in lay.params.values()):
                return losses, good, f"the loss became {value} after {k} steps: the learning rate is too large"
            losses.append(float(value))
            good = _with_weights(spec, model)
            if k == n:
                break
            model.backward(loss.backward())
            sgd_step(model, opt, spec["update_biases"])
    return losses, good, None


def gradient_check(spec, eps=1e-5):
    """Backprop vs central finite differences for every weight and bias: rows
    {"layer", "kind" ("W" | "b"), "i", "j", "backprop", "numeric", "rel_error", "abs_error", "agrees"} (i = source
    neuron, j = target neuron; i is None for a bias). ε = 1e-5 balances the O(ε²) truncation error against
    float64 round-off (~1e-16·L/ε). "agrees": relative error below 1e-6, or both gradients within 1e-9 of each
    other — a gradient that is 0 (a ReLU that is off) has no meaningful relative error."""
    model, loss, x, target = build(spec)
    rows = []
    for key, (analytic, numeric) in model_gradients(model, loss, x, target, eps).items():
        index, kind = key.split(".")
        rel = relative_error(analytic, numeric)
        for idx in np.ndindex(analytic.shape):
            i, j = (idx if kind == "W" else (None, idx[0]))
            rows.append({"layer": int(index) // 2, "kind": kind, "i": i, "j": j, "backprop": float(analytic[idx]),
                         "numeric": float(numeric[idx]), "rel_error": float(rel[idx]),
                         "abs_error": float(abs(analytic[idx] - numeric[idx])),
                         "agrees": bool(rel[idx] < 1e-6 or abs(analytic[idx] - numeric[idx]) < 1e-9)})
    return rows


def neuron_graph(tr, l, j):
    """The autograd-style graph of neuron j of layer l: nodes {"id", "op", "value", "grad"} and edges
    (src, dst). Each grad is ∂L/∂(that node): through a product w·a, ∂L/∂w = δ·a and ∂L/∂a = δ·w (the share
    of ∂L/∂a that flows back through this neuron); through the sum, every input gets δ. An input that is a
    neuron's activation also carries "total": its whole ∂L/∂a, the sum of the shares through every neuron it
    feeds (None for the network's inputs x)."""
    row = tr["layers"][l]
    delta = row["dL_dz"][j]
    nodes, edges = [], []
    for i, a in enumerate(row["a_prev"]):
        w = row["W"][i][j]
        total = tr["layers"][l - 1]["dL_da"][i] if l > 0 else None
        nodes += [{"id": f"a{i}", "op": "input", "value": a, "grad": delta * w, "total": total},
                  {"id": f"w{i}", "op": "weight", "value": w, "grad": delta * a},
                  {"id": f"m{i}", "op": "×", "value": w * a, "grad": delta}]
        edges += [(f"a{i}", f"m{i}"), (f"w{i}", f"m{i}"), (f"m{i}", "z")]
    nodes += [{"id": "b", "op": "bias", "value": row["b"][j], "grad": delta},
              {"id": "z", "op": "+", "value": row["z"][j], "grad": delta},
              {"id": "a", "op": row["activation"], "value": row["a"][j], "grad": row["dL_da"][j]},
              {"id": "L", "op": "loss", "value": tr["loss"], "grad": 1.0}]
    edges += [("b", "z"), ("z", "a"), ("a", "L")]
    return {"nodes": nodes, "edges": edges, "last_layer": l == len(tr["layers"]) - 1}


# what each preset is, said under the network's choice on the page
PRESET_NOTES = {
    "textbook": "Matt Mazur's *A Step by Step Backpropagation Example*: inputs 0.05, 0.10, targets 0.01, 0.99, "
                "weights w1 … w8, one bias per layer, η = 0.5. Its \"total error\" ½Σ(target − out)² is the "
                "mean squared error over the two outputs.",
    "xor": "One XOR sample, (1, 0) → 1, through 2 sigmoid neurons and 1 sigmoid output, with binary cross-entropy. "
           "XOR's other samples: (0, 0) → 0, (0, 1) → 1, (1, 1) → 0 — edit the sample and the target to try them.",
    "softmax": "Three classes: 3 tanh neurons, then 3 raw scores (logits) that the loss turns into probabilities "
               "with softmax; the target is the class y.",
    "custom": "Up to 4 layers of up to 4 neurons; the weights, sample and target are drawn from the seed.",
}

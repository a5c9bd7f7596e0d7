"""Opening the black box of the playground's network: knock out (zero) hidden neurons or single links and
measure what changes. Pure NumPy on the engine's models; the page draws the results (ui/knockout.py).

A knocked-out neuron keeps computing, but every link leaving it is set to 0, so nothing it computes reaches
the next layer — as if its activation were 0. A knocked-out link is one weight set to 0. The model passed
in is never changed: every function works on a copy."""
import copy

import numpy as np

from nn_core.losses import MSE


def dense_of(model):
    """The model's Dense layers, in order (those with a weight matrix W)."""
    return [layer for layer in model.layers if "W" in layer.params]


def hidden_units(model):
    """Every hidden neuron as (hidden layer index l, unit j): layer l's unit j feeds Dense layer l + 1."""
    dense = dense_of(model)
    return [(l, j) for l in range(len(dense) - 1) for j in range(dense[l].params["W"].shape[1])]


def all_links(model):
    """Every weight as (Dense layer index l, source unit i, target unit j)."""
    return [(l, i, j) for l, d in enumerate(dense_of(model)) for i, j in np.ndindex(d.params["W"].shape)]


def unit_name(unit):
    l, j = unit
    return f"layer {l + 1} · neuron {j + 1}"


def knocked_out(model, units=(), links=()):
    """A copy of ``model`` with the hidden neurons ``units`` [(l, j)] and the links ``links`` [(l, i, j)]
    knocked out."""
    out = copy.deepcopy(model)
    dense = dense_of(out)
    for l, j in units:
        dense[l + 1].params["W"][j, :] = 0.0        # every link leaving neuron j of hidden layer l
    for l, i, j in links:
        dense[l].params["W"][i, j] = 0.0
    return out


def score(model, X, y, classifier):
    """Accuracy for a classifier, mean squared error for a regression model, on inputs X (already turned
    into the network's features) and targets y."""
    if classifier:
        return float(np.mean(model.predict(X) == np.asarray(y)))
    return float(MSE().forward(model.forward(X), np.asarray(y, dtype=float).reshape(len(X), -1)))


def importance(model, X, y, classifier):
    """How much each hidden neuron matters: the score with that neuron alone knocked out, and the harm done
    (accuracy lost, or MSE gained). Returns a list of dicts {"unit", "score", "harm"}, most harmful first."""
    base = score(model, X, y, classifier)
    rows = []
    for unit in hidden_units(model):
        s = score(knocked_out(model, units=[unit]), X, y, classifier)
        rows.append({"unit": unit, "score": s, "harm": (base - s) if classifier else (s - base)})
    return sorted(rows, key=lambda r: -r["harm"])

"""Lesson 2 without a screen: the numbers behind the neuron page's sentences, taken from the engine so that
the words cannot drift from what the code computes."""
import numpy as np

from nn_core import CrossEntropy, Sigmoid, Step, Tanh


def derivative_at(act, z):
    """f′(z) as a float, or None where the derivative does not exist (the step function at z = 0: its
    docstring says so, although ``Step.derivative`` returns 0 there to keep arrays numeric)."""
    if isinstance(act, Step) and float(z) == 0.0:
        return None
    return float(act.derivative(np.array([float(z)]))[0])


def steepness_ratio():
    """How many times steeper tanh is than the sigmoid at z = 0: tanh′(0) / σ′(0)."""
    zero = np.zeros(1)
    return float(Tanh().derivative(zero)[0] / Sigmoid().derivative(zero)[0])


def softmax_cross_entropy(scores, true_class):
    """The engine's cross-entropy of one example with these scores and this true class: returns
    (loss, probabilities p, gradient ∂L/∂z = p − y) with y the one-hot target."""
    loss = CrossEntropy()
    value = loss.forward(np.asarray(scores, dtype=float)[None, :], np.array([int(true_class)]))
    return value, loss.probs[0].copy(), loss.backward()[0]


def layer_counts(model):
    """(inputs, outputs, weights, biases) of each Dense layer of ``model``, read from its parameters."""
    return [(*layer.params["W"].shape, layer.params["W"].size, layer.params["b"].size)
            for layer in model.layers if "W" in layer.params]

r"""A plain-data record of one training example going forward and backward through a Sequential of
Dense layers, each optionally followed by an activation — exactly the numbers forward/backward computed.

For layer l with input a⁽ˡ⁻¹⁾ (the previous layer's activation, or x):
$$ z^{(l)} = a^{(l-1)} W^{(l)} + b^{(l)}, \qquad a^{(l)} = f^{(l)}\bigl(z^{(l)}\bigr) $$
Backward, from the loss's gradient ∂L/∂a at the output:
$$ \delta^{(l)} = \frac{\partial L}{\partial z^{(l)}} = \frac{\partial L}{\partial a^{(l)}} \odot f'^{(l)}\bigl(z^{(l)}\bigr), \qquad
   \frac{\partial L}{\partial W^{(l)}_{ij}} = a^{(l-1)}_i\, \delta^{(l)}_j, \qquad
   \frac{\partial L}{\partial b^{(l)}_j} = \delta^{(l)}_j $$
$$ \frac{\partial L}{\partial a^{(l-1)}_i} = \sum_j W^{(l)}_{ij}\, \delta^{(l)}_j $$
"""
import numpy as np

from .activations import Activation
from .layers import Dense


def _groups(model):
    """[(dense index, activation index or None)] — each Dense with the activation that follows it."""
    groups, i, layers = [], 0, model.layers
    while i < len(layers):
        if not isinstance(layers[i], Dense):
            raise ValueError(f"trace needs Dense layers each followed by at most one activation; layer {i} is {layers[i]!r}")
        act = i + 1 if i + 1 < len(layers) and isinstance(layers[i + 1], Activation) else None
        groups.append((i, act))
        i += 2 if act is not None else 1
    return groups


def trace(model, loss, x, target):
    """Run one forward and backward pass on a single sample and return, as lists of floats:
    {"x", "target", "output", "loss", "loss_name", "probs" (for cross-entropy),
     "layers": [{"activation", "a_prev", "W", "b", "z", "a", "dL_da", "dL_dz", "dL_dW", "dL_db", "dL_da_prev"}]}
    Layer l's numbers are in ``layers[l]`` (l = 0 for the first hidden layer). The model's grads are
    left filled, as after any backward."""
    x = np.asarray(x, dtype=float).reshape(1, -1)
    groups = _groups(model)
    inputs, outputs = [], []
    a = x
    for layer in model.layers:          # forward, layer by layer, keeping every input and output
        inputs.append(a)
        a = layer.forward(a)
        outputs.append(a)
    value = loss.forward(a, np.asarray(target).reshape(a.shape[:-1] if loss.name == "cross_entropy" else a.shape))
    grad = loss.backward()
    upstream = [None] * len(model.layers)   # upstream[i] = dL/d(output of layer i)
    for i in reversed(range(len(model.layers))):
        upstream[i] = grad
        grad = model.layers[i].backward(grad)
    rows = []
    for d, act in groups:
        dense = model.layers[d]
        last = act if act is not None else d
        rows.append({
            "activation": model.layers[act].name if act is not None else "identity",
            "a_prev": inputs[d][0].tolist(),
            "W": dense.params["W"].tolist(),
            "b": dense.params["b"].tolist(),
            "z": outputs[d][0].tolist(),
            "a": outputs[last][0].tolist(),
            "dL_da": upstream[last][0].tolist(),
            "dL_dz": upstream[d][0].tolist(),
            "dL_dW": dense.grads["W"].tolist(),
            "dL_db": dense.grads["b"].tolist(),
        })
    # dL/da_prev of layer l is dL/da of layer l − 1; for the first layer it is dL/dx (the final grad).
    for l, row in enumerate(rows):
        row["dL_da_prev"] = rows[l - 1]["dL_da"] if l else grad[0].tolist()
    out = {"x": x[0].tolist(), "target": np.asarray(target, dtype=float).reshape(-1).tolist(),
           "output": a[0].tolist(), "loss": value, "loss_name": loss.name, "layers": rows}
    if loss.name == "cross_entropy":
        out["probs"] = loss.probs[0].tolist()
    return out

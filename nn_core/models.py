r"""``Sequential``: layers applied one after another; backward runs them in reverse (the chain rule).
$$ \hat y = f_L(\dots f_2(f_1(x))), \qquad
   \frac{\partial L}{\partial x} = \frac{\partial L}{\partial \hat y}\,
   \frac{\partial f_L}{\partial f_{L-1}} \cdots \frac{\partial f_1}{\partial x} $$
"""
import io
import json

import numpy as np

from .activations import ACTIVATIONS, Identity, Sigmoid, softmax
from .layers import Dense, Layer


class ModelFileError(ValueError):
    """A model file that is not an nn_core model, is corrupt, or does not match the expected shapes."""


def _layer_classes():
    found, todo = {}, [Layer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found[sub.__name__] = sub
            todo.append(sub)
    return found


class Sequential:
    """A stack of layers. ``layers`` is a plain list; every layer keeps its own params and grads."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy):
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    __call__ = forward

    # --- inspection -----------------------------------------------------------------------------
    def num_params(self):
        return int(sum(p.size for layer in self.layers for p in layer.params.values()))

    def summary(self):
        """One line per layer: its constructor, its parameter shapes and count; then the total."""
        lines = []
        for i, layer in enumerate(self.layers):
            shapes = ", ".join(f"{k}{tuple(v.shape)}" for k, v in layer.params.items())
            n = sum(v.size for v in layer.params.values())
            lines.append(f"{i:>2}  {layer!r:<60} {shapes:<26} {n:>8,d}")
        lines.append(f"    total parameters: {self.num_params():,d}")
        return "\n".join(lines)

    def is_classifier(self):
        last = self.layers[-1]
        return isinstance(last, Sigmoid) or (not isinstance(last, Identity) and self._out_width() >= 2)

    def _out_width(self):
        for layer in reversed(self.layers):
            if hasattr(layer, "out_features"):
                return layer.out_features
        return 0

    def predict_proba(self, x):
        """Class probabilities (N, K): a Sigmoid output p becomes [1 − p, p]; logits go through softmax."""
        out = self.forward(x)
        if isinstance(self.layers[-1], Sigmoid):
            p = out.reshape(len(out), -1)[:, :1]
            return np.hstack([1.0 - p, p])
        if isinstance(self.layers[-1], Identity) and out.shape[-1] == 1:
            raise ValueError("this model ends in one linear output (regression): it has no class probabilities")
        return softmax(out, axis=-1)

    def predict(self, x):
        """Class indices for a classifier, the raw output for a regression model."""
        return self.predict_proba(x).argmax(axis=-1) if self.is_classifier() else self.forward(x)

    # --- weights: snapshots and files -----------------------------------------------------------
    def get_weights(self):
        return [{k: v.copy() for k, v in layer.params.items()} for layer in self.layers]

    def set_weights(self, weights):
        for layer, saved in zip(self.layers, weights, strict=True):
            for k, v in saved.items():
                layer.params[k][...] = v

    def architecture(self):
        return [{"type": type(layer).__name__, "config": layer.config()} for layer in self.layers]

    def save(self, file):
        """Write an .npz file (a path or a binary file object): the arrays, and the architecture as JSON."""
        arrays = {f"p{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()}
        np.savez(file, __architecture__=np.array(json.dumps(self.architecture())), **arrays)

    def to_bytes(self):
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()

    @classmethod
    def load(cls, file):
        """Read a file written by ``save`` (path, file object or bytes); raises ModelFileError if it is
        not one, is corrupt, or its arrays do not fit its architecture."""
        if isinstance(file, (bytes, bytearray)):
            file = io.BytesIO(file)
        if hasattr(file, "read"):
            head = file.read(4)
            file.seek(0)
        else:
            with open(file, "rb") as f:
                head = f.read(4)
        if head != b"PK\x03\x04":   # every .npz is a zip archive
            raise ModelFileError("this is not an .npz model file (it is not a zip archive of arrays)")
        try:
            with np.load(file, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except Exception as e:
            raise ModelFileError(f"this is not a readable .npz model file ({type(e).__name__}: {e})") from None
        if "__architecture__" not in arrays:
            raise ModelFileError("this .npz file has no architecture: it was not saved by nn_core")
        try:
            arch = json.loads(str(arrays.pop("__architecture__")))
            classes = _layer_classes()
            layers = [classes[spec["type"]](**spec["config"]) for spec in arch]
        except Exception as e:
            raise ModelFileError(f"the architecture in this file cannot be rebuilt ({type(e).__name__}: {e})") from None
        model = cls(layers)
        expected = {f"p{i}.{k}": v for i, layer in enumerate(layers) for k, v in layer.params.items()}
        if set(expected) != set(arrays):
            raise ModelFileError(f"the file's arrays {sorted(arrays)} do not match its architecture {sorted(expected)}")
        for key, target in expected.items():
            if arrays[key].shape != target.shape:
                raise ModelFileError(f"{key} has shape {arrays[key].shape}, expected {target.shape}")
            if not np.all(np.isfinite(arrays[key])):
                raise ModelFileError(f"{key} contains NaN or infinite values")
            target[...] = arrays[key]
        return model


def mlp(sizes, activation="tanh", output=None, rng=None, seed=None):
    """A multi-layer perceptron: ``sizes`` = [inputs, hidden..., outputs]; ``activation`` is one name
    for every hidden layer or a list of names, one per hidden layer; ``output`` the output activation
    (None = linear logits, e.g. for CrossEntropy). He initialisation after ReLU, Glorot otherwise."""
    rng = rng if rng is not None else np.random.default_rng(seed)
    hidden = len(sizes) - 2
    acts = [activation] * hidden if isinstance(activation, str) else list(activation)
    if len(acts) != hidden:
        raise ValueError(f"{hidden} hidden layers need {hidden} activations, got {len(acts)}")
    layers = []
    for i in range(hidden + 1):
        act = acts[i] if i < hidden else output
        init = "he" if act in ("relu", "leaky_relu") else "glorot"
        layers.append(Dense(sizes[i], sizes[i + 1], init=init, rng=rng))
        if act is not None:
            layers.append(ACTIVATIONS[act]())
    return Sequential(layers)

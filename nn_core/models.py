r"""``Sequential``: layers applied one after another; backward runs them in reverse (the chain rule).
$$ \hat y = f_L(\dots f_2(f_1(x))), \qquad
   \frac{\partial L}{\partial x} = \frac{\partial L}{\partial \hat y}\,
   \frac{\partial f_L}{\partial f_{L-1}} \cdots \frac{\partial f_1}{\partial x} $$
"""
import contextlib
import io
import json
import math
import zipfile
import zlib

import numpy as np

from .activations import ACTIVATIONS, Identity, Sigmoid, softmax
from .layers import Dense, Layer


class ModelFileError(ValueError):
    """A model file that is not an nn_core model, is corrupt, or does not match the expected shapes."""


MAX_MODEL_BYTES = 16_000_000   # two million float64 weights: far more than any network trained in the lab
MAX_MEMBERS, MAX_RATIO, MAX_LAYERS_IN_FILE = 256, 100, 64


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
    def load(cls, file, max_bytes=MAX_MODEL_BYTES):
        """Read a file written by ``save`` (path, file object or bytes); raises ModelFileError if it is
        not one, is corrupt, or its arrays do not fit its architecture. Everything is measured before it
        is allocated: the zip's declared sizes and compression ratio, each array's shape in its header,
        and the shapes every layer of the architecture would hold — at most ``max_bytes`` in all."""
        if isinstance(file, (bytes, bytearray)):
            file = io.BytesIO(file)
        opened = None if hasattr(file, "read") else open(file, "rb")   # a path: closed below
        with opened or contextlib.nullcontext():
            file = opened or file
            if file.read(4) != b"PK\x03\x04":   # every .npz is a zip archive
                raise ModelFileError("this is not an .npz model file (it is not a zip archive of arrays)")
            file.seek(0)
            try:
                with zipfile.ZipFile(file) as z:
                    arrays = _read_members(z, max_bytes)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as e:
                if isinstance(e, ModelFileError):
                    raise
                raise ModelFileError(f"this is not a readable .npz model file ({type(e).__name__}: {str(e)[:120]})") from None
        if "__architecture__" not in arrays:
            raise ModelFileError("this .npz file has no architecture: it was not saved by nn_core")
        layers = _build(arrays.pop("__architecture__"), arrays, max_bytes)
        model = cls(layers)
        expected = {f"p{i}.{k}": v for i, layer in enumerate(layers) for k, v in layer.params.items()}
        if set(expected) != set(arrays):
            raise ModelFileError(f"the file's arrays {sorted(arrays)[:8]} do not match its architecture {sorted(expected)[:8]}")
        for key, target in expected.items():
            if arrays[key].shape != target.shape:
                raise ModelFileError(f"{key} has shape {arrays[key].shape}, expected {target.shape}")
            if not np.all(np.isfinite(arrays[key])):
                raise ModelFileError(f"{key} contains NaN or infinite values")
            target[...] = arrays[key]
        return model


def _read_members(z, max_bytes):
    """name -> array for every member of the zip ``z``, refusing (ModelFileError) before reading when
    the declared sizes exceed ``max_bytes``, a member is compressed more than MAX_RATIO : 1 (a zip bomb)
    or otherwise than np.savez does (stored or deflated), or an array's header declares another size
    than its data has."""
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(f"this file holds {len(infos)} arrays; a model file holds at most {MAX_MEMBERS}")
    if sum(i.file_size for i in infos) > max_bytes:
        raise ModelFileError(f"this file unpacks to {sum(i.file_size for i in infos):,d} bytes; "
                             f"the limit is {max_bytes:,d}")
    for i in infos:
        if not i.filename.endswith(".npy"):
            raise ModelFileError(f"this file holds {i.filename[:40]!r}, which is not an array (.npy)")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ModelFileError(f"{i.filename[:40]!r} is packed in a way np.savez never uses (not stored or deflated)")
        if i.file_size > MAX_RATIO * max(i.compress_size, 1) + 1024:
            raise ModelFileError(f"{i.filename[:40]!r} is compressed {i.file_size // max(i.compress_size, 1):,d} "
                                 f"to 1 (a zip bomb?); a model's weights do not compress that much")
    arrays = {}
    for i in infos:
        f = io.BytesIO(z.read(i))        # zipfile stops at the declared size, which was checked above
        version = np.lib.format.read_magic(f)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read_header(f)
        if dtype.kind not in ("U" if i.filename == "__architecture__.npy" else "fiu"):
            raise ModelFileError(f"{i.filename[:40]!r} holds {dtype} values, not numbers")
        if math.prod(shape) * dtype.itemsize != i.file_size - f.tell():
            raise ModelFileError(f"{i.filename[:40]!r} declares shape {shape} but holds another amount of data")
        f.seek(0)
        arrays[i.filename[:-4]] = np.lib.format.read_array(f, allow_pickle=False)
    return arrays


def _build(arch_array, arrays, max_bytes):
    """The layers of a saved architecture (JSON), after checking that the parameters each would hold
    match the file's arrays in number and fit in ``max_bytes`` — so nothing is built that is refused."""
    try:
        arch = json.loads(str(arch_array))
        if not isinstance(arch, list) or len(arch) > MAX_LAYERS_IN_FILE:
            raise ValueError(f"a list of at most {MAX_LAYERS_IN_FILE} layers is expected")
        classes, total = _layer_classes(), 0
        for i, spec in enumerate(arch):
            shapes = classes[spec["type"]].param_shapes(**spec["config"])
            for k, shape in shapes.items():
                total += 8 * math.prod(shape)
                found = arrays[f"p{i}.{k}"].shape if f"p{i}.{k}" in arrays else "no array"
                if found != shape or total > max_bytes:
                    raise ValueError(f"layer {i} ({spec['type'][:20]}) needs {k} of shape {shape}; "
                                     f"the file has {found}")
        return [classes[spec["type"]](**spec["config"]) for spec in arch]
    except Exception as e:
        raise ModelFileError(f"the architecture in this file cannot be rebuilt ({type(e).__name__}: {str(e)[:200]})") from None


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

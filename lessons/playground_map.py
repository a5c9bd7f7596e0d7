"""The playground's decision map as numbers for the page's map canvas (ui/map_canvas.py): the network's output at
every grid point, exactly as the engine computed it, the points, a description of the map in words, and the
reading of a learner's click. NumPy only.

The canvas paints the map and shows, under the pointer, the engine's value at the nearest grid point; a click
adds a point at the clicked place itself (not at the grid point). The grid is ``nn_core.data.grid(n, lim)``:
value k belongs to ``xs[k % n], ys[k // n]`` (row k // n follows x2 upwards).
"""
import base64
import math

import numpy as np

CLICK_DIGITS = 2            # a clicked point is kept to 0.01, the precision the page shows it with


def encode_f32(values):
    """float64 values → base64 of little-endian float32 (the canvas decodes them with a Float32Array)."""
    finite = np.clip(np.asarray(values, dtype=float), -3e38, 3e38)     # a diverged network: no float32 overflow
    return base64.b64encode(finite.astype("<f4").tobytes()).decode("ascii")


def decode_f32(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(float)


def map_values(out, task):
    """The output layer's values on the grid as the hover tells them: for two classes the sigmoid output p
    (the probability of class 1), for regression the predicted value, for K classes the predicted class and
    its probability (softmax of the logits). Returns (values (M,), classes (M,) int or None)."""
    if task == "binary":
        return out[:, 0], (out[:, 0] >= 0.5).astype(int)
    if task == "regression":
        return out[:, 0], None
    z = out - out.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return p.max(axis=1), p.argmax(axis=1)


def grid_value(payload, x1, x2):
    """What the canvas shows under the pointer at (x1, x2): (grid x1, grid x2, value, class or None) of the
    nearest grid point, read from the payload as the browser reads it."""
    n, lim = payload["n"], payload["lim"]
    step = 2 * lim / (n - 1)
    j = int(min(max(round((x1 + lim) / step), 0), n - 1))
    i = int(min(max(round((x2 + lim) / step), 0), n - 1))
    k = i * n + j
    values = decode_f32(payload["values"])
    cls = None if payload["classes"] is None else int(base64.b64decode(payload["classes"])[k])
    return -lim + j * step, -lim + i * step, float(values[k]), cls


def describe(values, classes, task, k, class_names):
    """The map in words, from its numbers (the canvas's aria-label)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    if task == "regression":
        return f"the predicted value ranges from {lo:.2f} to {hi:.2f} over the plane"
    counts = np.bincount(classes, minlength=max(k, 2)) / len(classes)
    shares = ", ".join(f"{c:.0%} class {i} ({class_names[i]})" for i, c in enumerate(counts) if c > 0)
    what = "the output (probability of class 1)" if task == "binary" else "the winning class's probability"
    return f"{what} ranges from {lo:.2f} to {hi:.2f}; the plane is {shares}"


def points(X, y, colour_index, limit=None):
    """Points as [x1, x2, colour index] rows at the click precision (the canvas draws them)."""
    X = np.asarray(X, dtype=float)[:limit]
    return [[round(float(a), CLICK_DIGITS), round(float(b), CLICK_DIGITS), int(c)]
            for (a, b), c in zip(X, colour_index[:len(X)])]


def payload(out, task, k, n, lim, class_names):
    """The map's numbers for the canvas: grid size and extent, the values (float32, base64), the classes
    (uint8, base64) and the map in words."""
    values, classes = map_values(out, task)
    if len(values) != n * n:
        raise ValueError(f"expected {n * n} grid values, got {len(values)}")
    return {"n": int(n), "lim": float(lim), "task": task, "k": int(k),
            "values": encode_f32(values),
            "classes": None if classes is None else base64.b64encode(classes.astype(np.uint8).tobytes()).decode(),
            "words": describe(values, classes, task, k, class_names)}


def clicked_point(raw, lim):
    """A click from the canvas (``{"x1": …, "x2": …}``, from the browser: anything may arrive) → (x1, x2)
    rounded to 0.01 inside the plane, or None when it is not such a click."""
    if not isinstance(raw, dict):
        return None
    try:
        x1, x2 = float(raw["x1"]), float(raw["x2"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(x1) and math.isfinite(x2) and abs(x1) <= lim and abs(x2) <= lim):
        return None
    return round(x1, CLICK_DIGITS), round(x2, CLICK_DIGITS)


r"""Small image data sets (8×8 digits, drawn shapes) and helpers to turn an upload into the same form.

Every image here is a float array in [0, 1] with 1 = ink, shape (H, W); a batch is (n, H, W). A CNN
wants channels too: ``X[:, None]`` gives (n, 1, H, W).
"""
from pathlib import Path

import numpy as np

_HOME = Path(__file__).resolve().parent.parent
# the bundled data: beside nn_core in a checkout; in the app's folder (site-packages/nnlab) when pip-installed
ASSETS = _HOME / "assets" if (_HOME / "assets").is_dir() else _HOME / "nnlab" / "assets"

SHAPE_CLASSES = ["line", "cross", "square", "circle"]


def load_digits():
    """The UCI optical-recognition digits: X (1797, 8, 8) float in [0, 1] (pixel counts 0..16 divided
    by 16), y (1797,) int 0..9. See assets/README.md for the source and licence."""
    with np.load(ASSETS / "digits.npz") as data:
        return data["images"].astype(float) / 16.0, data["labels"].astype(int)


# --- drawn shapes -------------------------------------------------------------------------------
def _segment_distance(u, v, half_length):
    """Distance from (u, v) to the segment from (−L, 0) to (L, 0)."""
    return np.hypot(np.maximum(np.abs(u) - half_length, 0.0), v)


def _shape_distance(kind, u, v, r):
    """Distance from each point (u, v), in the shape's own rotated frame, to the shape's stroke."""
    if kind == "line":
        return _segment_distance(u, v, r)
    if kind == "cross":
        return np.minimum(_segment_distance(u, v, r), _segment_distance(v, u, r))
    if kind == "square":   # |signed distance| to the outline of the box |u|, |v| ≤ r
        qu, qv = np.abs(u) - r, np.abs(v) - r
        outside = np.hypot(np.maximum(qu, 0.0), np.maximum(qv, 0.0))
        return np.abs(outside + np.minimum(np.maximum(qu, qv), 0.0))
    return np.abs(np.hypot(u, v) - r)   # circle


def make_shapes(n, size=8, noise=0.0, seed=0):
    """n images (n, size, size) in [0, 1] of a line, cross, square outline or circle outline, each with
    a random centre, size and rotation; y (n,) int indexes SHAPE_CLASSES, balanced (n // 4 or one more
    of each). ``noise`` is the standard deviation of Gaussian pixel noise added before clipping."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % len(SHAPE_CLASSES))
    rows, cols = np.mgrid[0:size, 0:size].astype(float)            # pixel centres at integer coordinates
    X = np.zeros((n, size, size))
    for i, label in enumerate(y):
        kind = SHAPE_CLASSES[label]
        if kind in ("line", "cross"):
            r = rng.uniform(0.3, 0.45) * size                      # half-length of each stroke
            reach = r
        else:
            r = rng.uniform(0.2, 0.36) * size                      # radius / half-side
            reach = r * np.sqrt(2) if kind == "square" else r      # a rotated square reaches its corners
        # Random centre where the whole shape fits (the middle if it cannot move).
        lo, hi = reach, size - 1 - reach
        cx, cy = rng.uniform(lo, hi, size=2) if hi > lo else ((size - 1) / 2, (size - 1) / 2)
        theta = rng.uniform(0, np.pi)
        c, s = np.cos(theta), np.sin(theta)
        u = (cols - cx) * c + (rows - cy) * s
        v = -(cols - cx) * s + (rows - cy) * c
        # Full ink within 0.25 px of the stroke, fading to none at 1.25 px: an anti-aliased pen.
        X[i] = np.clip(1.25 - _shape_distance(kind, u, v, r), 0.0, 1.0)
    if noise:
        X = np.clip(X + noise * rng.standard_normal(X.shape), 0.0, 1.0)
    return X, y


# --- uploads ------------------------------------------------------------------------------------
def _resize_matrix(n_in, n_out):
    """(n_out, n_in) matrix that resamples one axis: area averaging when shrinking (every input pixel
    counts, by its overlap), linear interpolation when enlarging."""
    M = np.zeros((n_out, n_in))
    scale = n_in / n_out
    if n_out <= n_in:
        for i in range(n_out):
            start, stop = i * scale, (i + 1) * scale
            for j in range(int(np.floor(start)), min(int(np.ceil(stop)), n_in)):
                M[i, j] = min(stop, j + 1) - max(start, j)
        return M / scale
    centres = np.clip((np.arange(n_out) + 0.5) * scale - 0.5, 0, n_in - 1)
    left = np.floor(centres).astype(int)
    right = np.minimum(left + 1, n_in - 1)
    frac = centres - left
    M[np.arange(n_out), left] += 1.0 - frac
    M[np.arange(n_out), right] += frac
    return M


def resize_image(array2d, size):
    """Resize a 2-D image to ``size`` (int for square, or (height, width)): area averaging to shrink,
    bilinear to enlarge, separately along each axis. Pure NumPy; the value range is kept."""
    img = np.asarray(array2d, dtype=float)
    if img.ndim != 2:
        raise ValueError(f"resize_image expects a 2-D array, got shape {img.shape}")
    h, w = (size, size) if np.isscalar(size) else size
    return _resize_matrix(img.shape[0], int(h)) @ img @ _resize_matrix(img.shape[1], int(w)).T


def to_grey_unit(array):
    """Any image array — grey (H, W), grey (H, W, 1), RGB (H, W, 3) or RGBA (H, W, 4); integers (uint8:
    0..255) or floats in [0, 1] — as float grey (H, W) in [0, 1], 1 = white. RGB uses the ITU-R 601
    luma weights; a transparent RGBA pixel is shown over white, as a browser shows it."""
    a = np.asarray(array)
    if np.issubdtype(a.dtype, np.integer):
        a = a / float(np.iinfo(a.dtype).max)
    a = np.clip(a.astype(float), 0.0, 1.0)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim == 2:
        return a
    if a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"expected a grey, RGB or RGBA image, got an array of shape {np.shape(array)}")
    grey = a[:, :, :3] @ np.array([0.299, 0.587, 0.114])
    if a.shape[2] == 4:
        alpha = a[:, :, 3]
        grey = alpha * grey + (1.0 - alpha) * 1.0
    return grey

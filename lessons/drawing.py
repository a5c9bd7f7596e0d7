r"""A digit drawn with a mouse or a finger, turned into an 8×8 input exactly the way the training digits were
made (nn_core.images.load_digits, assets/README.md): the digit as a 32×32 black-and-white bitmap, then the
number of ink pixels in each 4×4 block (0…16), divided by 16:
$$ x_{ij} = \tfrac{1}{16} \sum_{p=0}^{3} \sum_{q=0}^{3} B_{4i+p,\;4j+q}, \qquad B \in \{0, 1\}^{32 \times 32} $$
In the data every digit fills the bitmap's height (each one has ink in the top and the bottom rows of
blocks) and has about the same amount of ink whatever the class (303 to 330 ink pixels of 1,024 on
average), so a drawing is scaled to the same height, centred, and drawn with a pen that gives it the
training digits' amount of ink.

A drawing is a list of strokes, each a list of (x, y) points with 0 ≤ x, y ≤ 1 (the canvas, y down)."""
import numpy as np

BITMAP, BLOCK = 32, 4
INK_PIXELS = 312            # the training digits' mean number of ink pixels in their 32×32 bitmaps
MIN_PEN, MAX_PEN = 1.0, 5.0  # pen radius limits, in bitmap pixels
MARGIN = 1.5                # bitmap pixels between the strokes' extremes and the bitmap's edge
MAX_STROKES, MAX_POINTS = 100, 1000   # a digit drawn by hand has a few hundred points at most

# The example a learner starts from, in canvas coordinates: a 7 as most of the training 7s are written —
# a bar, a slanted stroke down, and a bar across the middle.
EXAMPLE_SEVEN = [[[0.36, 0.16], [0.52, 0.15], [0.68, 0.15]],
                 [[0.68, 0.15], [0.62, 0.33], [0.56, 0.5], [0.5, 0.67], [0.45, 0.85]],
                 [[0.44, 0.5], [0.56, 0.5], [0.68, 0.5]]]


def check_strokes(strokes):
    """The strokes as a list of float arrays (n_i, 2), or ValueError in plain words: at most MAX_STROKES
    strokes and MAX_POINTS points, every coordinate a number between −0.1 and 1.1."""
    if not isinstance(strokes, (list, tuple)) or len(strokes) > MAX_STROKES:
        raise ValueError(f"a drawing is a list of at most {MAX_STROKES} strokes")
    out, total = [], 0
    for s in strokes:
        a = np.asarray(s, dtype=float)
        if a.ndim != 2 or a.shape[1] != 2 or not len(a):
            raise ValueError("each stroke is a list of (x, y) points")
        total += len(a)
        if total > MAX_POINTS:
            raise ValueError(f"a drawing has at most {MAX_POINTS} points")
        if not np.all(np.isfinite(a)) or a.min() < -0.1 or a.max() > 1.1:
            raise ValueError("every point must lie on the canvas")
        out.append(a)
    return out


def _distance(points, segments, chunk=256):
    """Distance from each point (M, 2) to the nearest of the segments (S, 2, 2), ``chunk`` segments at a time
    (so that memory stays a few MB whatever the drawing)."""
    best = np.full(len(points), np.inf)
    for k in range(0, len(segments), chunk):
        a, b = segments[k:k + chunk, 0], segments[k:k + chunk, 1]    # (s, 2)
        ab = b - a
        t = ((points[:, None] - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12)
        nearest = a + np.clip(t, 0.0, 1.0)[..., None] * ab           # (M, s, 2)
        best = np.minimum(best, np.sqrt(((points[:, None] - nearest) ** 2).sum(-1)).min(axis=1))
    return best


def bitmap(strokes):
    """The 32×32 black-and-white bitmap of a drawing (all zeros for an empty one): the strokes scaled so their
    height fills the bitmap (their width at most), centred, and inked out to the INK_PIXELS pixels nearest
    them (a pen of radius MIN_PEN … MAX_PEN)."""
    strokes = check_strokes(strokes)
    if not strokes:
        return np.zeros((BITMAP, BITMAP))
    pts = np.vstack(strokes)
    lo, hi = pts.min(0), pts.max(0)
    span = float(max(hi[1] - lo[1], hi[0] - lo[0], 1e-9))      # the height, or the width if it is larger
    scale = (BITMAP - 2 * MARGIN) / span
    centre = (lo + hi) / 2
    segs = []
    for s in strokes:
        p = (s - centre) * scale + BITMAP / 2                     # bitmap coordinates, pixel units
        p = np.vstack([p, p]) if len(p) == 1 else p               # a dot is a segment of length 0
        segs.append(np.stack([p[:-1], p[1:]], axis=1))
    rows, cols = np.mgrid[0:BITMAP, 0:BITMAP] + 0.5               # pixel centres
    d = _distance(np.stack([cols.ravel(), rows.ravel()], 1), np.vstack(segs)).reshape(BITMAP, BITMAP)
    radius = float(np.clip(np.sort(d.ravel())[INK_PIXELS - 1], MIN_PEN, MAX_PEN))
    return (d <= radius).astype(float)


def block_counts(bits):
    """The training images' downsampling: ink pixels per 4×4 block of a 32×32 bitmap, divided by 16 → (8, 8)."""
    b = np.asarray(bits, dtype=float)
    n = b.shape[0] // BLOCK
    return b.reshape(n, BLOCK, n, BLOCK).sum(axis=(1, 3)) / (BLOCK * BLOCK)


def digit_image(strokes):
    """A drawing as the network's 8×8 input, in [0, 1] with 1 = ink."""
    return block_counts(bitmap(strokes))

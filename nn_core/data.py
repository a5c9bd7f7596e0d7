r"""Two-dimensional toy data sets, as in TensorFlow Playground, plus input features and a train/test split.

Every point lives in about $[-6, 6]^2$. ``noise`` runs from 0 to 0.5 (Playground's 0 % to 50 %) and is
applied the Playground way: for circle, xor, plane and multigauss the label is read off a jittered copy
of the point, so noise blurs the border between classes; for gauss and blobs it widens the clusters;
for spiral and moons it moves the points. Randomness always comes from ``np.random.default_rng(seed)``.

Binary labels are 0 and 1 (Playground's −1 and +1); multi-class labels are 0..K−1.
"""
import csv
import io

import numpy as np

DATASETS_2D = {
    "circle": {"task": "binary", "classes": 2, "label": "Circle"},
    "xor": {"task": "binary", "classes": 2, "label": "Exclusive or (XOR)"},
    "gauss": {"task": "binary", "classes": 2, "label": "Two Gaussians"},
    "spiral": {"task": "binary", "classes": 2, "label": "Spiral"},
    "moons": {"task": "binary", "classes": 2, "label": "Two moons"},
    "blobs3": {"task": "multiclass", "classes": 3, "label": "Three blobs"},
    "blobs4": {"task": "multiclass", "classes": 4, "label": "Four blobs"},
    "plane": {"task": "regression", "classes": 0, "label": "Plane (regression)"},
    "multigauss": {"task": "regression", "classes": 0, "label": "Multiple Gaussians (regression)"},
}

MAX_POINTS = 2000     # rows accepted from a learner's own CSV: enough to see a shape, small enough to train live
MAX_CLASSES = 10      # class labels 0..9
MAX_VALUE = 1000.0    # |x1|, |x2| and regression targets: the maps show ±6, squares of 1000 stay well in range
MAX_CSV_BYTES = 200_000   # 2000 rows of up to 100 characters, checked before the text is decoded or split


def _counts(n, k):
    """Split n points as evenly as possible over k classes."""
    return [n // k + (i < n % k) for i in range(k)]


def _circle(n, noise, rng):
    radius = 5.0
    inner, outer = _counts(n, 2)
    r = np.concatenate([rng.uniform(0, 0.5 * radius, inner), rng.uniform(0.7 * radius, radius, outer)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    y = (np.linalg.norm(X + jitter, axis=1) < 0.5 * radius).astype(int)    # inside = class 1
    return X, y


def _xor(n, noise, rng):
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)            # a small gap along both axes, as in Playground
    jitter = rng.uniform(-5, 5, (n, 2)) * noise
    noisy = X + jitter
    y = (noisy[:, 0] * noisy[:, 1] >= 0).astype(int)
    return X, y


def _gaussians(n, noise, rng, centres):
    # Playground's variance goes from 0.5 (no noise) to 4 (50 % noise); the spread is its square root.
    std = np.sqrt(0.5 + 7.0 * noise)
    counts = _counts(n, len(centres))
    X = np.concatenate([rng.normal(c, std, (m, 2)) for c, m in zip(centres, counts)])
    y = np.repeat(np.arange(len(centres)), counts)
    return X, y


def _spiral(n, noise, rng, arms):
    Xs, ys = [], []
    for k, m in enumerate(_counts(n, arms)):
        i = np.arange(m) / m                   # 0 → 1 along the arm
        r = 5.0 * i
        t = 1.75 * 2 * np.pi * i + 2 * np.pi * k / arms
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (m, 2)) * noise
        Xs.append(pts)
        ys.append(np.full(m, k))
    # Playground's first arm is the positive class; keep that for two arms (class 1 = blue).
    y = np.concatenate(ys)
    return np.concatenate(Xs), (1 - y if arms == 2 else y)


def _moons(n, noise, rng):
    upper, lower = _counts(n, 2)
    t1, t2 = rng.uniform(0, np.pi, upper), rng.uniform(0, np.pi, lower)
    # scikit-learn's moons (x in [−1, 2], y in [−0.5, 1]) centred and stretched to fill the square
    X = np.concatenate([np.column_stack([np.cos(t1), np.sin(t1)]),
                        np.column_stack([1 - np.cos(t2), 0.5 - np.sin(t2)])])
    X = (X - [0.5, 0.25]) * 3.5 + rng.normal(0, 2.0 * noise, (n, 2))
    y = np.repeat([0, 1], [upper, lower])
    return X, y


def _plane(n, noise, rng):
    X = rng.uniform(-6, 6, (n, 2))
    noisy = X + rng.uniform(-6, 6, (n, 2)) * noise
    return X, (noisy[:, 0] + noisy[:, 1]) / 10.0       # Playground maps x1 + x2 ∈ [−10, 10] to [−1, 1]


_MULTIGAUSS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def _multigauss(n, noise, rng):
    X = rng.uniform(-6, 6, (n, 2))
    noisy = X + rng.uniform(-6, 6, (n, 2)) * noise
    # Six bumps of height ±1 falling linearly to 0 at distance 2; the strongest bump wins.
    bumps = np.stack([s * np.clip(1 - np.hypot(noisy[:, 0] - cx, noisy[:, 1] - cy) / 2, 0, 1)
                      for cx, cy, s in _MULTIGAUSS])                       # (6, n)
    y = bumps[np.abs(bumps).argmax(axis=0), np.arange(n)]
    return X, y


def make_2d(name, n=500, noise=0.0, seed=0, arms=2):
    """``X`` (n, 2) float in about [−6, 6]², ``y`` (n,): int labels 0..K−1, or float for regression.
    Points come in random order. ``arms`` (≥ 2) is used by "spiral" only; 3 or more arms make it multi-class."""
    if name not in DATASETS_2D:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS_2D)}")
    if not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must be between 0 and 0.5 (0 % to 50 %), got {noise}")
    n = int(n)
    if n < 1:
        raise ValueError(f"the number of points must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    if name == "spiral":
        if int(arms) != arms or arms < 2:
            raise ValueError(f"a spiral needs a whole number of arms, at least 2; got {arms}")
        X, y = _spiral(n, noise, rng, int(arms))
    elif name == "gauss":
        X, y = _gaussians(n, noise, rng, [(-2.0, -2.0), (2.0, 2.0)])
    elif name == "blobs3":
        angles = np.pi / 2 + 2 * np.pi * np.arange(3) / 3
        X, y = _gaussians(n, noise, rng, 3.5 * np.column_stack([np.cos(angles), np.sin(angles)]))
    elif name == "blobs4":
        X, y = _gaussians(n, noise, rng, [(-3.0, -3.0), (3.0, -3.0), (-3.0, 3.0), (3.0, 3.0)])
    else:
        X, y = {"circle": _circle, "xor": _xor, "moons": _moons,
                "plane": _plane, "multigauss": _multigauss}[name](n, noise, rng)
    order = rng.permutation(n)                 # so that any prefix, or a split, mixes the classes
    return X[order].astype(float), y[order]


def dataset_info(name, arms=2):
    """``DATASETS_2D[name]``, with the task and class count of a spiral of ``arms`` arms."""
    info = dict(DATASETS_2D[name])
    if name == "spiral" and arms > 2:
        info.update(task="multiclass", classes=int(arms))
    return info


def train_test_split(X, y, train_frac=0.5, seed=0):
    """Shuffle with ``seed`` and cut: ``X_train, y_train, X_test, y_test``; both parts keep ≥ 1 point."""
    if not 0.0 < train_frac < 1.0:
        raise ValueError(f"train_frac must be between 0 and 1 (exclusive), got {train_frac}")
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    if n < 2:
        raise ValueError("at least 2 points are needed to split into a training and a test set")
    n_train = min(max(int(round(train_frac * n)), 1), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    tr, te = order[:n_train], order[n_train:]
    return X[tr], y[tr], X[te], y[te]


# --- input features (Playground's left column) -------------------------------------------------
FEATURES = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}

FEATURE_LATEX = {
    "x1": "x_1", "x2": "x_2", "x1^2": "x_1^2", "x2^2": "x_2^2", "x1*x2": r"x_1 x_2",
    "sin(x1)": r"\sin(x_1)", "sin(x2)": r"\sin(x_2)",
}


def feature_matrix(X, names):
    """The chosen features of the points ``X`` (n, 2), one column each, in the order given: (n, len(names))."""
    names = list(names)
    unknown = [f for f in names if f not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; choose from {', '.join(FEATURES)}")
    if not names:
        raise ValueError("choose at least one feature")
    X = np.asarray(X, dtype=float)
    return np.column_stack([FEATURES[f](X) for f in names])


def grid(n=100, lim=6.0):
    """A square grid for decision maps: ``xs`` (n,), ``ys`` (n,), ``XY`` (n·n, 2) with
    ``XY.reshape(n, n, 2)[i, j] == (xs[j], ys[i])``, so a map of outputs reshapes to (n, n), row i = ys[i]."""
    xs = np.linspace(-lim, lim, n)
    ys = np.linspace(-lim, lim, n)
    gx, gy = np.meshgrid(xs, ys)               # (n, n) each, rows follow y
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


# --- a learner's own points -----------------------------------------------------------------------
def validate_points(array, task="binary", first_row=1):
    """Check a table of rows (x1, x2, label) and return ``X`` (n, 2) float and ``y`` (n,): int 0..K−1 for
    "binary"/"multiclass", float for "regression". Raises ValueError with a message meant for the learner;
    messages number the rows from ``first_row`` (a CSV reader passes the line of its first data row)."""
    if task not in ("binary", "multiclass", "regression"):
        raise ValueError(f"task must be 'binary', 'multiclass' or 'regression', got {task!r}")
    try:
        A = np.asarray(array, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("The data contains values that are not numbers: every cell must be a number.") from None
    if A.size == 0:
        raise ValueError("The data is empty: give at least one row of x1, x2, label.")
    if A.ndim != 2 or A.shape[1] != 3:
        cols = A.shape[1] if A.ndim == 2 else 1
        raise ValueError(f"Each row needs exactly 3 columns (x1, x2, label); this data has {cols}.")
    if len(A) > MAX_POINTS:
        raise ValueError(f"The data has {len(A)} rows; the limit is {MAX_POINTS}. Use fewer points.")
    bad = np.flatnonzero(~np.isfinite(A).all(axis=1))
    if bad.size:
        raise ValueError(f"Row {bad[0] + first_row} has a missing, NaN or infinite value; every cell must be a finite number.")
    big = np.flatnonzero((np.abs(A) > MAX_VALUE).any(axis=1))
    if big.size:
        raise ValueError(f"Row {big[0] + first_row} has a value beyond ±{MAX_VALUE:g}; every cell must lie "
                         f"between −{MAX_VALUE:g} and {MAX_VALUE:g} (the maps show about ±6).")
    X, y = A[:, :2], A[:, 2]
    if task == "regression":
        return X, y
    wrong = (y != np.round(y)) | (y < 0) | (y > MAX_CLASSES - 1)     # before anything is sized by a label
    if wrong.any():
        row = np.flatnonzero(wrong)[0]
        raise ValueError(f"Row {row + first_row} has the label {y[row]:g}; class labels must be whole numbers "
                         f"from 0 to {MAX_CLASSES - 1} (write TensorFlow Playground's −1 and +1 as 0 and 1).")
    labels = np.unique(y).astype(int)
    k = int(labels.max()) + 1
    if task == "binary" and k > 2:
        raise ValueError(f"Labels for two classes must be 0 and 1; this data has {', '.join(map(str, labels))}.")
    if len(labels) < 2:
        raise ValueError(f"All points have the label {labels[0]}; a classifier needs at least two classes.")
    if len(labels) != k:
        missing = sorted(set(range(k)) - set(labels))
        raise ValueError(f"Class labels must be 0..{k - 1} with none skipped; no point has the label "
                         f"{', '.join(map(str, missing))}.")
    return X, y.astype(int)


def _is_number(cell):
    try:
        float(cell)
        return True
    except ValueError:
        return False


def parse_points_csv(text, task="binary"):
    """Read CSV text with rows x1, x2, label (a header line such as "x1,x2,label" is optional; commas,
    semicolons or tabs) and return ``validate_points(rows, task)``. Messages name the row at fault."""
    if len(text) > MAX_CSV_BYTES:
        raise ValueError(f"The file is {len(text) / 1000:,.0f} KB; a points file is at most {MAX_CSV_BYTES // 1000} KB "
                         f"({MAX_POINTS} rows of x1, x2, label).")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("This file is not text (UTF-8): upload a .csv file with rows x1, x2, label.") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("The file is empty: give at least one row of x1, x2, label.")
    delimiter = next((d for d in (",", ";", "\t") if d in lines[0]), ",")
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    if rows and not any(_is_number(cell) for cell in rows[0]):
        rows = rows[1:]                        # a header line: no cell in it is a number
    if not rows:
        raise ValueError("The file has a header but no data rows.")
    if len(rows) > MAX_POINTS:
        raise ValueError(f"The data has {len(rows)} rows; the limit is {MAX_POINTS}. Use fewer points.")
    first = 1 + (len(lines) - len(rows))       # the line number of rows[0], counting the header
    values = []
    for i, row in enumerate(rows):
        if len(row) != 3:
            raise ValueError(f"Line {first + i} has {len(row)} columns; each row needs exactly 3 (x1, x2, label).")
        for j, cell in enumerate(row):
            if not cell:
                raise ValueError(f"Line {first + i}, column {j + 1} is empty; every cell must be a number.")
            if not _is_number(cell):
                raise ValueError(f"Line {first + i}, column {j + 1} is not a number.")
        values.append([float(cell) for cell in row])
    return validate_points(values, task, first_row=first)

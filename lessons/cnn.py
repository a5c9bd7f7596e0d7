r"""The numbers behind the convolution lesson: kernel presets, the output-size rule with plain-words
checks, a record of every step of a kernel sliding over an image, pooling forward and backward,
small CNN presets with an MLP of a similar size to compare, and turning a learner's own picture into
an input like the training images.

Nothing here re-derives the maths: the convolution is ``conv.conv2d_loop`` (the engine's loop
reference) with its windows from ``conv.im2col``, pooling is ``MaxPool2D`` / ``AvgPool2D`` forward and
backward, and the networks are built from the engine's layers.

Output size along each axis, for an n×n image, a k×k kernel, stride s and zero padding p:
$$ n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 $$
"""
import numpy as np

from nn_core.activations import ReLU, softmax
from nn_core.conv import AvgPool2D, Conv2D, MaxPool2D, conv2d_loop, im2col, out_size
from nn_core.data import train_test_split
from nn_core.images import SHAPE_CLASSES, load_digits, make_shapes, resize_image, to_grey_unit
from nn_core.layers import Dense, Flatten
from nn_core.models import Sequential
from nn_core.losses import CrossEntropy
from nn_core.optimizers import make_optimizer
from nn_core.training import Trainer, confusion_matrix  # noqa: F401  (the page uses cl.confusion_matrix)


# --- kernels --------------------------------------------------------------------------------------
def _edge_profile(k):
    """−1 … 0 … +1 along one axis: the step from dark to bright that an edge kernel looks for."""
    return np.sign(np.arange(k) - k // 2).astype(float)


def _sobel_pair(k):
    """(smoothing, derivative) vectors whose outer product is the k×k Sobel kernel."""
    return {3: (np.array([1.0, 2, 1]), np.array([-1.0, 0, 1])),
            5: (np.array([1.0, 4, 6, 4, 1]), np.array([-1.0, -2, 0, 2, 1]))}[k]


def _identity(k):
    K = np.zeros((k, k))
    K[k // 2, k // 2] = 1.0
    return K


def _sharpen(k):
    if k == 3:
        return np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    K = -np.ones((5, 5))
    K[1:4, 1:4] = 2.0
    K[2, 2] = 8.0
    return K / 8.0                                    # sums to 1, like the 3×3 one: flat areas keep their value


def _emboss(k):
    i, j = np.mgrid[0:k, 0:k]
    K = (i + j - (k - 1)).astype(float)               # a ramp from the top-left (−) to the bottom-right (+)
    K[k // 2, k // 2] = 1.0
    return K


KERNELS = {
    "identity": _identity,
    "horizontal edge": lambda k: np.outer(_edge_profile(k), np.ones(k)),
    "vertical edge": lambda k: np.outer(np.ones(k), _edge_profile(k)),
    "Sobel x": lambda k: np.outer(*_sobel_pair(k)),
    "Sobel y": lambda k: np.outer(*_sobel_pair(k)).T,
    "sharpen": _sharpen,
    "box blur": lambda k: np.full((k, k), 1.0 / (k * k)),
    "emboss": _emboss,
}
KERNEL_SIZES = (3, 5)


def size_label(k):
    return f"{k}×{k}"


def kernel(name, k=3):
    """The preset ``name`` (a key of KERNELS) as a k×k float array, k = 3 or 5."""
    if name not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}")
    if k not in KERNEL_SIZES:
        raise ValueError(f"kernel size must be 3 or 5, got {k}")
    return KERNELS[name](k)


# --- output size ----------------------------------------------------------------------------------
def check_settings(n, k, stride, padding):
    """Does a k×k kernel with this stride and padding fit an n×n image? Returns a dict:
    ``n_out`` (None when nothing fits), ``numerator`` n + 2p − k, ``exact`` (the division has no
    remainder), ``unused`` (rows/columns of the padded image at the bottom/right that no window
    reaches), ``level`` None | "warning" | "error" and a plain-words ``message``."""
    padded = n + 2 * padding
    num = padded - k
    info = {"n": n, "k": k, "stride": stride, "padding": padding, "padded": padded, "numerator": num,
            "n_out": None, "exact": False, "unused": 0, "level": None, "message": ""}
    if num < 0:
        info.update(level="error", message=(
            f"The {k}×{k} kernel is larger than the padded image ({padded}×{padded}): there is no place "
            f"to put it. Add padding or choose the 3×3 kernel."))
        return info
    n_out = out_size(n, k, stride, padding)
    info.update(n_out=n_out, exact=num % stride == 0, unused=num % stride)
    if not info["exact"]:
        info.update(level="warning", message=(
            f"These settings do not fit evenly: (n + 2p − k)/s = {num}/{stride} = {num / stride:.2f} is not a "
            f"whole number. The engine, like PyTorch, rounds down to {n_out} outputs per row, so the last "
            f"{info['unused']} column(s) and row(s) of the padded image are never visited (hatched). Try "
            f"another stride or padding so that the kernel lands exactly on the edge."))
    return info


# --- the sliding window ---------------------------------------------------------------------------
def slide(image, K, stride=1, padding=0, bias=0.0):
    """Every step of K sliding over a 2-D image, computed by the engine. Returns a dict:
    ``padded`` (n+2p, n+2p); ``output`` (H_out, W_out) from ``conv2d_loop``; ``windows`` and
    ``products`` (H_out, W_out, k, k) — the input window at each output cell and window ⊙ K;
    ``sums`` (H_out, W_out) = Σ products + bias (equal to ``output``); ``corners`` (H_out, W_out, 2):
    the padded-image row, column of each window's top-left pixel."""
    x = np.asarray(image, dtype=float)[None, None]                    # (1, 1, n, n)
    W = np.asarray(K, dtype=float)[None, None]                        # (1, 1, k, k)
    k = W.shape[-1]
    output = conv2d_loop(x, W, np.array([bias]), stride, padding)[0, 0]
    cols, (Ho, Wo) = im2col(x, k, stride, padding)                    # (Ho·Wo, k·k), one window per row
    windows = cols.reshape(Ho, Wo, k, k)
    products = windows * W[0, 0]
    i, j = np.mgrid[0:Ho, 0:Wo]
    return {"padded": np.pad(x[0, 0], padding), "output": output, "windows": windows, "products": products,
            "sums": products.sum(axis=(-2, -1)) + bias, "corners": np.stack([i * stride, j * stride], axis=-1),
            "kernel": W[0, 0], "bias": float(bias), "stride": stride, "padding": padding}


def slide_frame(rec, pos, k, unused=0):
    """What the slide shows at output cell ``pos`` (row-major) of a ``slide`` record: the window's top-left
    corner (r0, c0) in the padded input, a mask of the window, a mask of the rows and columns the stride
    never reaches (the last ``unused``), and the output filled up to this cell (NaN after it)."""
    i, j = divmod(pos, rec["output"].shape[1])
    r0, c0 = rec["corners"][i, j]
    window = np.zeros(rec["padded"].shape, bool)
    window[r0:r0 + k, c0:c0 + k] = True
    hatch = np.zeros(rec["padded"].shape, bool)
    if unused:
        hatch[-unused:], hatch[:, -unused:] = True, True
    filled = rec["output"].copy()
    filled.flat[pos + 1:] = np.nan
    return r0, c0, window, hatch, filled


def relu(fmap):
    """The engine's ReLU applied to a 2-D map."""
    return ReLU().forward(np.asarray(fmap, dtype=float))


def pool(fmap, mode="max", k=2):
    """k×k pooling (stride k) of a 2-D map, forward and backward with the engine's layers. Returns None
    when the map is smaller than one window, else a dict: ``output`` (H_out, W_out); ``winners`` (for
    max: (H_out, W_out, 2) input row, column of each window's first maximum, as backward uses);
    ``grad`` (H, W): where an upstream gradient of 1 on every pooled output lands in the input."""
    x = np.asarray(fmap, dtype=float)[None, None]
    if min(x.shape[-2:]) < k:
        return None
    layer = MaxPool2D(k) if mode == "max" else AvgPool2D(k)
    y = layer.forward(x)
    grad = layer.backward(np.ones_like(y))[0, 0]
    result = {"output": y[0, 0], "grad": grad, "mode": mode, "k": k, "winners": None}
    if mode == "max":
        p, q = np.divmod(layer.argmax[0, 0], k)                       # flat index p·k + q in each window
        i, j = np.mgrid[0:y.shape[2], 0:y.shape[3]]
        result["winners"] = np.stack([i * k + p, j * k + q], axis=-1)
    return result


# --- data and networks ----------------------------------------------------------------------------
DATASETS = {"digits": "8×8 handwritten digits (1,797 images, 10 classes)",
            "shapes": "drawn shapes: line, cross, square, circle (1,200 images, 4 classes)"}
DATASET_NAMES = {"digits": "8×8 digits", "shapes": "Drawn shapes"}   # short: the link holds them


def image_dataset(name, seed=0, train_frac=0.75):
    """``X_train, y_train, X_test, y_test`` with X (n, 1, 8, 8) in [0, 1], and the class names."""
    if name == "digits":
        X, y = load_digits()
        classes = [str(d) for d in range(10)]
    elif name == "shapes":
        X, y = make_shapes(1200, size=8, noise=0.05, seed=seed)
        classes = list(SHAPE_CLASSES)
    else:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    X_train, y_train, X_test, y_test = train_test_split(X[:, None], y, train_frac, seed=seed)
    return {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test, "classes": classes}


CNN_PRESETS = {
    "one conv layer": "conv 3×3 → ReLU → max-pool 2×2 → dense",
    "two conv layers": "conv 3×3 → ReLU → max-pool 2×2 → conv 3×3 → ReLU → max-pool 2×2 → dense",
}


def build_cnn(preset, filters=8, n_classes=10, size=8, seed=0):
    """A small CNN for (N, 1, size, size) images, ending in n_classes logits (for CrossEntropy).
    Each conv layer has ``filters`` 3×3 filters and padding 1, so it keeps the map's size."""
    rng = np.random.default_rng(seed)
    layers = [Conv2D(1, filters, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2)]
    side = size // 2
    if preset == "two conv layers":
        layers += [Conv2D(filters, filters, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2)]
        side //= 2
    elif preset != "one conv layer":
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(CNN_PRESETS)}")
    return Sequential(layers + [Flatten(), Dense(filters * side * side, n_classes, rng=rng)])


def build_mlp_like(n_params, n_inputs=64, n_classes=10, seed=0):
    """An MLP (flatten → dense → ReLU → dense) whose hidden width h makes its parameter count
    (n_inputs + 1)·h + (h + 1)·K as close as it can be to ``n_params``."""
    h = max(1, round((n_params - n_classes) / (n_inputs + 1 + n_classes)))
    rng = np.random.default_rng(seed)
    return Sequential([Flatten(), Dense(n_inputs, h, rng=rng), ReLU(), Dense(h, n_classes, rng=rng)])


def make_trainer(data, preset, filters, opt_name, lr, batch_size):
    """A ``Trainer`` of a new CNN (``build_cnn``) on an ``image_dataset``, with cross-entropy on its logits."""
    model = build_cnn(preset, filters, len(data["classes"]))
    return Trainer(model, CrossEntropy(), make_optimizer(opt_name, lr), data["X_train"], data["y_train"],
                   data["X_test"], data["y_test"], batch_size=batch_size)


def train_mlp_like(cnn_trainer, opt_name, seconds=60):
    """Train an MLP with about as many parameters as ``cnn_trainer``'s CNN, on the same data, with the same
    optimizer, rate and batch size, for as many epochs (or ``seconds``): what the comparison shows."""
    t0 = cnn_trainer
    n_in = int(np.prod(t0.X_train.shape[1:]))
    n_classes = t0.model.layers[-1].out_features
    mlp = build_mlp_like(t0.model.num_params(), n_in, n_classes)
    t = Trainer(mlp, CrossEntropy(), make_optimizer(opt_name, t0.optimizer.lr), t0.X_train, t0.y_train, t0.X_test,
                t0.y_test, batch_size=t0.batch_size)
    t.run_for(seconds, max_epochs=t0.epoch)
    return {"params": mlp.num_params(), "hidden": mlp.layers[1].out_features, "epochs": t.epoch,
            "acc": t.history["test_acc"][-1] if t.history["test_acc"] else None, "stopped": t.stopped}


def layer_outputs(model, x):
    """The output of every layer for one image x (C, H, W) or (H, W): list of (name, array without the
    batch axis). Runs the model's own forward pass, layer by layer."""
    a = np.asarray(x, dtype=float).reshape(1, -1, *np.shape(x)[-2:])
    outs = []
    for layer in model.layers:
        a = layer.forward(a)
        outs.append((type(layer).__name__, a[0]))
    return outs


def probabilities(model, x):
    """Class probabilities (K,) for one image x (H, W) or (C, H, W)."""
    a = np.asarray(x, dtype=float).reshape(1, -1, *np.shape(x)[-2:])
    return softmax(model.forward(a), axis=-1)[0]


def mistakes(P, y):
    """From class probabilities P (N, K) and true labels y (N,): the indices of the wrongly classified
    images, their predicted classes and the network's confidence in its answer, most confident first."""
    pred = P.argmax(axis=1)
    wrong = np.flatnonzero(pred != y)
    conf = P[wrong, pred[wrong]]
    order = np.argsort(-conf, kind="stable")
    return wrong[order], pred[wrong][order], conf[order]


# --- a learner's own picture ----------------------------------------------------------------------
MAX_PIXELS = 4_000_000          # pixels decoded from an upload (2000×2000): the lesson itself uses 8×8
MAX_JPEG_PIXELS = 50_000_000    # a JPEG is decoded at 1/2, 1/4 or 1/8 of its size, so a photo may be bigger
MAX_ASPECT = 8                  # longest side : shortest side — a digit or a shape is about square
KEEP_SIDE = 256                 # an upload is reduced to at most this many pixels a side before it is kept


def check_image_size(width, height, fmt="PNG", decoded=None):
    """Refuse (ValueError, in plain words) a picture of ``width``×``height`` as its header declares it, before
    it is decoded: beyond the pixel limit for its format, or too elongated. ``decoded`` is the size it would
    be decoded at (a JPEG can be decoded at a fraction of its size), if known."""
    width, height = int(width), int(height)
    if width < 1 or height < 1:
        raise ValueError("This picture has no pixels.")
    limit = MAX_JPEG_PIXELS if fmt == "JPEG" else MAX_PIXELS
    if width * height > limit:
        raise ValueError(f"This picture has {width:,d}×{height:,d} pixels; the limit is {limit / 1e6:g} million "
                         f"for a {fmt} ({'a phone photo fits' if fmt == 'JPEG' else 'about 2000×2000'})")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise ValueError(f"This picture is {width:,d}×{height:,d} pixels: more than {MAX_ASPECT} times as long as it "
                         "is wide; crop it closer to a square around the drawing")
    if decoded is not None and decoded[0] * decoded[1] > MAX_PIXELS:
        raise ValueError(f"This picture would be decoded at {decoded[0]:,d}×{decoded[1]:,d} pixels; the limit is "
                         f"{MAX_PIXELS / 1e6:g} million")


def prepare_image(array, size=8):
    """Turn a picture (grey/RGB/RGBA, as ``check_image_size`` allows) into an input like the training images: grey in
    [0, 1] with 1 = ink. A light background is inverted (ink on paper is dark), the ink's bounding box
    is cropped to a square with a small margin, averaged down to size×size and scaled so the
    darkest-ink pixel is 1. Returns a dict with ``grey`` (H, W), ``preview`` (the grey picture at most
    160 pixels on a side, for display), ``inverted``, ``ink`` (H, W), ``image`` (size, size) and
    ``blank`` (no ink found: ``image`` is then all zeros)."""
    grey = to_grey_unit(array)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    inverted = bool(border.mean() > 0.5)
    ink = 1.0 - grey if inverted else grey
    ink_border = 1.0 - border if inverted else border
    ink = np.clip(ink - np.median(ink_border), 0.0, 1.0)                  # background → 0
    scale = min(1.0, 160 / max(grey.shape))
    preview = resize_image(grey, (max(1, round(grey.shape[0] * scale)), max(1, round(grey.shape[1] * scale))))
    result = {"grey": grey, "preview": preview, "inverted": inverted, "ink": ink, "blank": bool(ink.max() < 0.05)}
    if result["blank"]:
        return {**result, "image": np.zeros((size, size))}
    rows, cols = np.nonzero(ink > 0.2 * ink.max())
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    side = int(max(r1 - r0, c1 - c0) * 1.25) + 1                          # square, with a margin
    box = np.zeros((side, side))
    top, left = (side - (r1 - r0)) // 2, (side - (c1 - c0)) // 2
    box[top:top + r1 - r0, left:left + c1 - c0] = ink[r0:r1, c0:c1]
    small = resize_image(box, size)
    return {**result, "image": np.clip(small / small.max(), 0.0, 1.0)}

r"""The MLP playground's setup: what a learner chose (data, features, layers, training settings), how it
becomes data, a model, a loss, an optimizer and a ``Trainer``, how its hidden layers travel in a link, what
every neuron computes on the input plane and the challenges' checks (the run as code: lessons.export).
NumPy only; the page is glue around these functions.

A setup is a plain dict (see ``DEFAULT_SETUP``). The network it builds, for inputs x (the chosen
features) and hidden layers ℓ = 1…L with activation f_ℓ:
$$ a^{(0)} = x, \qquad z^{(\ell)} = a^{(\ell-1)} W^{(\ell)} + b^{(\ell)},
   \qquad a^{(\ell)} = f_\ell\bigl(z^{(\ell)}\bigr) $$
and the output layer follows the problem: a sigmoid for two classes, softmax logits for more, linear
for regression.
"""
import math

import numpy as np

from nn_core.data import (DATASETS_2D, MAX_CLASSES, MAX_CSV_BYTES, MAX_POINTS, MAX_VALUE, dataset_info, feature_matrix,
                           grid, make_2d, parse_points_csv, train_test_split, validate_points)
from nn_core.losses import MSE, BinaryCrossEntropy, CrossEntropy
from nn_core.models import mlp
from nn_core.optimizers import FlatOptimizer, make_optimizer
from nn_core.training import Trainer, confusion_matrix  # noqa: F401  (the page uses pg.confusion_matrix)

# --- the choices, on TensorFlow Playground's scales ------------------------------------------------
LEARNING_RATES = [1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
REG_RATES = [0.0, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCH_SIZES = [1, 2, 5, 10, 20, 30, 50, 100, 0]          # 0 = the whole training set
ACTIVATIONS = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "linear"}
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD with momentum", "rmsprop": "RMSprop", "adam": "Adam"}
REGULARIZATION = {"none": "none", "l1": "L1", "l2": "L2"}
LOSS_CHOICES = {"auto": "the problem's own", "mse": "mean squared error"}
MAX_LAYERS, MAX_NEURONS = 6, 8
N_POINTS = 500
FRAME_TIME = 0.045          # seconds of server time a live frame aims at (the target is ≤ 50 ms):
FRAME_TRAINING = 0.030      # training fills what the drawing leaves, at most this much …
FRAME_TRAINING_MIN = 0.012  # … and at least this much (the largest network draws the longest)
# URL-friendly codes for the features (their share-link parameters are pg_f_<code>)
FEATURE_CODES = {"x1": "x1", "x2": "x2", "x1^2": "x1sq", "x2^2": "x2sq", "x1*x2": "x1x2",
                 "sin(x1)": "sinx1", "sin(x2)": "sinx2"}
# control groups a teacher can hide with ?classroom=…
CLASSROOM_GROUPS = {"data": "data set, noise, split, seed", "points": "adding and uploading points",
                    "features": "input features", "network": "hidden layers and neurons",
                    "activation": "activations", "loss": "loss", "optimizer": "optimizer",
                    "lr": "learning rate", "batch": "batch size", "regularization": "regularisation",
                    "stop": "stop rule", "code": "show the code", "files": "save and load",
                    "challenges": "challenges", "classroom": "the classroom picker itself"}

# the defaults train the spiral to ≥ 95 % test accuracy and keep it ≥ 93 % for 1,000 epochs more (seeded; found
# by bench/defaults.py, checked by tests/test_playground.py); mini-batches of 10 at rate 0.01 peaked at 95 %
# around epoch 90, then wandered down to 78 %
DEFAULT_SETUP = {
    "data": "spiral", "noise": 0, "seed": 0, "train": 50,
    "features": ["x1", "x2"], "layers": [8, 8, 8], "acts": ["tanh", "tanh", "tanh"],
    "loss": "auto", "opt": "adam", "lr": 0.03, "batch": 0, "reg": "none", "rate": 0.0,
    "stop_loss": 0.0, "stop_epoch": 0,
}
DIVERGE_TIP = {"opt": "sgd", "lr": 10.0}   # the "Try next" tip that makes training blow up (checked by a test)
DATA_KEYS = ("data", "noise", "seed", "train")                  # changing these regenerates the data
NET_KEYS = ("features", "layers", "acts", "loss")               # changing these rebuilds the network
HYPER_KEYS = ("opt", "lr", "batch", "reg", "rate")             # changing these keeps the weights


def default_setup():
    return {k: (list(v) if isinstance(v, list) else v) for k, v in DEFAULT_SETUP.items()}


def check_setup(s):
    """Raise ValueError (in plain words) when a setup cannot be built."""
    if s["data"] not in DATASETS_2D and s["data"] != "upload":
        raise ValueError(f"unknown data set {s['data']!r}")
    if not s["features"]:
        raise ValueError("Choose at least one input feature.")
    if len(s["layers"]) > MAX_LAYERS or any(not 1 <= n <= MAX_NEURONS for n in s["layers"]):
        raise ValueError(f"Use 0–{MAX_LAYERS} hidden layers of 1–{MAX_NEURONS} neurons.")
    if len(s["acts"]) != len(s["layers"]) or any(a not in ACTIVATIONS for a in s["acts"]):
        raise ValueError("Every hidden layer needs one activation: relu, tanh, sigmoid or linear.")


# --- data ------------------------------------------------------------------------------------------
def make_data(setup, upload=None, added=None):
    """The points of a setup: a dict with X, y (all points), X_train, y_train, X_test, y_test, task and
    classes. ``upload`` = (X, y, task) replaces the generated points when setup["data"] == "upload";
    ``added`` = (X, y) points the learner clicked in, appended to the training set."""
    if setup["data"] == "upload":
        if upload is None:
            raise ValueError("No uploaded points: upload a CSV file first.")
        X, y, task = upload
        classes = int(np.max(y)) + 1 if task != "regression" else 0
    else:
        info = dataset_info(setup["data"])
        task, classes = info["task"], info["classes"]
        X, y = make_2d(setup["data"], N_POINTS, noise=setup["noise"] / 100.0, seed=setup["seed"])
    X_train, y_train, X_test, y_test = train_test_split(X, y, setup["train"] / 100.0, seed=setup["seed"])
    if added is not None and len(added[0]):
        X_train = np.vstack([X_train, added[0]])
        y_train = np.concatenate([y_train, np.asarray(added[1], dtype=y_train.dtype)])
    return {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test,
            "task": task, "classes": classes}


def read_points_csv(text):
    """A learner's CSV (rows x1, x2, label) → (X, y, task). Whole-number labels are classes, 0 to 9 with
    none skipped ("binary" for two classes, else "multiclass"); labels with decimals make a regression.
    Raises ValueError with a message for the learner (it never quotes the file's text)."""
    X, y = parse_points_csv(text, "regression")                 # checks size, columns, numbers, row count
    if np.all(y == np.round(y)):
        X, y = validate_points(np.column_stack([X, y]), "multiclass")
        return X, y, ("binary" if y.max() == 1 else "multiclass")
    if len(X) < 2:
        raise ValueError("At least 2 points are needed: some to train on, some to test.")
    return X, y, "regression"


# --- model -----------------------------------------------------------------------------------------
def output_units(task, classes):
    return classes if task == "multiclass" else 1        # K logits, or one sigmoid / linear output


def make_model(setup, task, classes):
    """The MLP of a setup: inputs = the chosen features, the hidden layers, and an output that follows
    the problem (sigmoid for two classes, logits for more, linear for regression)."""
    check_setup(setup)
    acts = ["identity" if a == "linear" else a for a in setup["acts"]]
    output = "sigmoid" if task == "binary" else None
    sizes = [len(setup["features"])] + list(setup["layers"]) + [output_units(task, classes)]
    return mlp(sizes, acts, output=output, seed=setup["seed"])


def make_loss(setup, task):
    if task == "regression" or setup["loss"] == "mse":
        return MSE()
    return BinaryCrossEntropy() if task == "binary" else CrossEntropy()


def loss_name(setup, task):
    return {"MSE": "mean squared error", "BinaryCrossEntropy": "binary cross-entropy",
            "CrossEntropy": "cross-entropy (softmax)"}[type(make_loss(setup, task)).__name__]


def frame_training(drawing_seconds):
    """Seconds of training for a live frame whose drawing takes ``drawing_seconds``: what is left of
    ``FRAME_TIME``, between ``FRAME_TRAINING_MIN`` and ``FRAME_TRAINING``."""
    return min(FRAME_TRAINING, max(FRAME_TRAINING_MIN, FRAME_TIME - drawing_seconds))


def optimizer_kind(optimizer):
    inner = getattr(optimizer, "inner", optimizer)
    return {"SGD": "momentum" if getattr(inner, "momentum", 0) else "sgd",
            "RMSprop": "rmsprop", "Adam": "adam"}[type(inner).__name__]


def make_trainer(setup, data, model=None):
    """A ``Trainer`` for the setup on ``data`` (from ``make_data``); a new model unless one is given."""
    model = model if model is not None else make_model(setup, data["task"], data["classes"])
    feats = setup["features"]
    optimizer = FlatOptimizer(make_optimizer(setup["opt"], setup["lr"]), model)
    trainer = Trainer(model, make_loss(setup, data["task"]), optimizer,
                      feature_matrix(data["X_train"], feats), data["y_train"],
                      feature_matrix(data["X_test"], feats), data["y_test"],
                      batch_size=setup["batch"] or None, seed=setup["seed"], max_snapshots=100)
    apply_hyper(trainer, setup)
    return trainer


def apply_hyper(trainer, setup):
    """Set the learning rate, batch size and regularisation on a running trainer; the weights stay.
    A new kind of optimizer starts with fresh state (velocities and moments)."""
    if optimizer_kind(trainer.optimizer) != setup["opt"]:
        trainer.optimizer = FlatOptimizer(make_optimizer(setup["opt"], setup["lr"]), trainer.model)
    trainer.optimizer.lr = float(setup["lr"])
    trainer.batch_size = setup["batch"] or None
    rate = float(setup["rate"])
    trainer.l1 = rate if setup["reg"] == "l1" else 0.0
    trainer.l2 = rate if setup["reg"] == "l2" else 0.0


def stop_reason(trainer, setup):
    """The stop rule: a plain sentence when the target test loss or the epoch budget is reached, else None."""
    h = trainer.history
    budget = setup["stop_epoch"]
    if budget and trainer.epoch > budget:
        return (f"Stopped: epoch {trainer.epoch:,} is past the epoch budget of {budget:,}: raise the budget "
                "(or set it to 0) to train on.")
    if budget and trainer.epoch == budget:
        return f"Stopped at epoch {budget:,}: the epoch budget of {budget:,} epochs is used up."
    if setup["stop_loss"] and h["test_loss"] and h["test_loss"][-1] is not None \
            and h["test_loss"][-1] <= setup["stop_loss"]:
        return (f"Stopped at epoch {trainer.epoch:,}: the test loss {fmt_loss(h['test_loss'][-1])} reached the "
                f"target {setup['stop_loss']:g}.")
    return None


BLOWUP_FACTOR = 4   # a classifier whose training loss is this many times a blind guess's has blown up …
BLOWUP_WINDOW = 20  # … on average over this many epochs: a spike after a change of data is not a blow-up


def blowup(trainer):
    r"""A classifier whose weights blew up without overflowing: its cross-entropy stays finite (the outputs
    saturate at 0 and 1, and the loss is clipped), so the trainer does not stop by itself. Judged on the
    training loss of the latest 20 epochs, on average, against a blind guess's, ln K for K classes (2 for a
    sigmoid output):
    $$ \frac{1}{20} \sum_{\text{latest 20 epochs}} L_\text{train} > 4 \ln K $$
    On average, because a point added while playing makes Adam's next steps jump (its running averages
    had grown small): the loss spikes above 4 ln 2 for up to five epochs, then comes back down by itself.
    Returns a sentence explaining it (with the numbers that show it), or None."""
    h = trainer.history
    if not trainer.classifier or len(h["train_loss"]) < BLOWUP_WINDOW or type(trainer.loss).__name__ == "MSE":
        return None
    k = max(2, dense_layers(trainer.model)[-1].out_features)
    guess, loss = math.log(k), float(np.mean(h["train_loss"][-BLOWUP_WINDOW:]))
    if not loss > BLOWUP_FACTOR * guess:
        return None
    big_w = max(float(np.abs(layer.params["W"]).max()) for layer in dense_layers(trainer.model))
    x, big_z = trainer.X_train, 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in trainer.model.layers:
            x = layer.forward(x)
            if layer.params:
                big_z = max(big_z, float(np.abs(x).max()))
    lr = getattr(trainer.optimizer, "lr", None)
    first = h["epoch"][-BLOWUP_WINDOW]
    return (f"Over epochs {first:,}–{trainer.epoch:,} the training loss averaged {fmt_loss(loss)}, "
            f"{loss / guess:.0f} times the {guess:.2f} of a blind guess (ln {k}): the steps overshoot"
            + (f" (learning rate {lr:g})" if lr is not None else "")
            + f", the weights have grown to {big_w:.3g} and the weighted sums to {big_z:.3g}, so the "
            "neurons are saturated: the network answers with full confidence, mostly wrongly, and its gradients "
            "vanish, so it cannot find its way back. Lower the learning rate and reset the weights.")


def fmt_loss(value):
    """A loss (or any number that may explode) for the page: 4 decimals, or scientific notation once large."""
    if value is None:
        return "—"
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.3e}"


def train_chunk(trainer, setup, seconds, until=None):
    """Train for about ``seconds`` (whole epochs), stopping exactly where the stop rule says (the epoch
    budget, the first epoch whose test loss reaches the target) or at a classifier's blow-up (``blowup``,
    which then becomes ``trainer.stopped``), and before ``until()`` turns true. Returns why playing must
    end (a sentence: the stop rule, or the trainer's stop), or None."""
    def stop():
        reason = blowup(trainer)
        if reason:
            trainer.stopped, trainer.diverged = reason, True
        return stop_reason(trainer, setup) is not None or (until is not None and until())

    if not (trainer.stopped or stop_reason(trainer, setup)):
        left = setup["stop_epoch"] - trainer.epoch if setup["stop_epoch"] else None
        trainer.run_for(seconds, max_epochs=left, until=stop)
        if trainer.history["epoch"] and not trainer.stopped:
            stop()                    # run_for does not ask after its last epoch
    return trainer.stopped or stop_reason(trainer, setup)


# --- what every neuron computes over the input plane --------------------------------------------------
plane_grid = grid          # the grid of the decision map: nn_core.data.grid(n=100, lim=6.0)


def neuron_outputs(model, setup, XY):
    """Run the model on the points XY (M, 2) and keep every neuron's output: a list with the input
    features (M, F), then each hidden layer's activations a (M, units), then the model's output (M, out)."""
    x = feature_matrix(XY, setup["features"])
    outs = [x]
    for layer in model.layers:
        x = layer.forward(x)
        if not layer.params:               # after each activation: a hidden layer's a, or the sigmoid output
            outs.append(x)
    if model.layers[-1].params:            # logits or a linear output: no activation after the last Dense
        outs.append(x)
    return outs


PLAYGROUND_ACTS = ("ReLU", "Tanh", "Sigmoid", "Identity")
MODEL_BYTES = 1_000_000     # a model file's arrays, unpacked: 6 layers of 8 neurons take 3 KB
MODEL_HELP = (f"A file downloaded here: at most {MAX_LAYERS} hidden layers of {MAX_NEURONS} neurons, for the features "
              "and data chosen now (1 MB at most).")
CSV_HELP = (f"Up to {MAX_POINTS} rows and {MAX_CSV_BYTES // 1000} KB. Class labels: whole numbers 0 to {MAX_CLASSES - 1}, "
            f"none skipped; labels with decimals make a regression. Every value within ±{MAX_VALUE:g}.")


def setup_from_model(model, setup, task, classes):
    """The setup with the layers and activations of a loaded model; ValueError when the model does not
    fit the current features or problem."""
    dense = dense_layers(model)
    if not dense or any(type(layer).__name__ not in ("Dense", *PLAYGROUND_ACTS) for layer in model.layers):
        raise ValueError("This model is not a playground network: it needs Dense layers, each but the last "
                         "followed by ReLU, tanh, sigmoid or linear (Identity).")
    if dense[0].in_features != len(setup["features"]):
        raise ValueError(f"This model takes {dense[0].in_features} input features, but {len(setup['features'])} "
                         f"are chosen now: choose the features it was trained with, then load it again.")
    if dense[-1].out_features != output_units(task, classes):
        raise ValueError(f"This model has {dense[-1].out_features} output(s), but the current data needs "
                         f"{output_units(task, classes)}: pick the data set it was trained on, then load it again.")
    layers = [d.out_features for d in dense[:-1]]
    names = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Identity": "linear"}
    acts = []
    for i, layer in enumerate(model.layers[:-1]):
        if not layer.params and i + 1 < len(model.layers) and type(layer).__name__ in names:
            acts.append(names[type(layer).__name__])
    acts = acts[:len(layers)]
    wants_sigmoid = task == "binary"
    if len(acts) != len(layers) or len(layers) > MAX_LAYERS or any(n > MAX_NEURONS for n in layers) \
            or (type(model.layers[-1]).__name__ == "Sigmoid") != wants_sigmoid:
        raise ValueError("This model's layers do not fit the playground (0–6 hidden layers of 1–8 neurons, "
                         "each followed by ReLU, tanh, sigmoid or linear, and an output for this problem).")
    return {**setup, "layers": layers, "acts": acts}


def output_map(out, task):
    """The output layer's value per grid point as shown on the map, in [−1, 1] for two classes
    (2p − 1, TensorFlow Playground's convention: −1 = class 0, +1 = class 1) and regression
    (the predicted value); for K classes the predicted class (M,) and its probability (M,)."""
    if task == "binary":
        return 2.0 * out[:, 0] - 1.0
    if task == "regression":
        return out[:, 0]
    z = out - out.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    return p.argmax(axis=1), p.max(axis=1)


def dense_layers(model):
    return [layer for layer in model.layers if layer.params]


# --- share links ------------------------------------------------------------------------------------
# Every setting but the hidden layers is a widget bound to the URL by Streamlit (ui/playground_links.py); the
# list of hidden layers, whose length varies, travels as two parameters of its own: "4,2" and "relu,tanh".
def layers_text(layers, acts):
    """The hidden layers as the link writes them: ("8,8,8", "tanh,tanh,tanh"); ("none", "none") for none."""
    return ",".join(map(str, layers)) or "none", ",".join(acts) or "none"


def _list(raw, allowed, what, lo=0, hi=MAX_LAYERS):
    items = [] if raw in ("", "none") else raw.split(",")
    if not lo <= len(items) <= hi:
        raise ValueError(f"needs {lo}–{hi} {what}")
    bad = [i for i in items if i not in allowed]
    if bad:
        raise ValueError(f"“{bad[0][:20]}” is not one of {', '.join(allowed)}")
    return items


def parse_layers(layers_raw, acts_raw=None):
    """A link's hidden layers: ``layers_raw`` ("4,2", "none") and ``acts_raw`` ("relu,tanh"; None = tanh for
    every layer) → (sizes, activations). A ValueError (in plain words, for the notice) for anything else."""
    sizes = [int(i) for i in _list(layers_raw.strip(), [str(i) for i in range(1, MAX_NEURONS + 1)], "layer sizes")]
    if acts_raw is None:
        return sizes, ["tanh"] * len(sizes)
    acts = _list(acts_raw.strip(), list(ACTIVATIONS), "activations")
    if len(acts) != len(sizes):
        raise ValueError(f"needs one activation per hidden layer ({len(sizes)})")
    return sizes, acts


# --- challenges ---------------------------------------------------------------------------------------
CHALLENGES = {
    "spiral2": "Spiral, at most 2 hidden layers: reach 95 % test accuracy.",
    "diverge": "Find a learning rate at which training diverges (the loss becomes NaN or infinite).",
    "circle_linear": "Circle with no hidden layer at all: reach 95 % test accuracy (hint: the features).",
}


def check_challenge(name, setup, trainer):
    """(done, sentence) for a challenge, judged on the current setup and trainer. Accuracy challenges are
    judged on the best epoch of the run so far (the live value wanders; a peak reached while playing counts),
    and the sentence says which epoch and what the accuracy is now."""
    accs = [a for a in trainer.history["test_acc"] if a is not None]
    acc = max(accs) if accs else None
    best = f" at epoch {accs.index(acc) + 1:,}" if accs else ""
    now = f", now {accs[-1]:.1%}" if accs else ""
    if name == "spiral2":
        ok = setup["data"] == "spiral" and len(setup["layers"]) <= 2 and acc is not None and acc >= 0.95
        need = "the spiral data set" if setup["data"] != "spiral" else (
            f"at most 2 hidden layers (you have {len(setup['layers'])})" if len(setup["layers"]) > 2 else
            f"95 % test accuracy (best so far {0 if acc is None else acc:.1%}{best}{now})")
        return ok, f"Solved: {acc:.1%} test accuracy{best}{now}." if ok else f"Not yet: needs {need}."
    if name == "diverge":
        if trainer.diverged:
            return True, f"Solved: the learning rate {trainer.optimizer.lr:g} made the weights explode."
        return False, "Not yet: training has not diverged. Try a larger learning rate and press Play."
    if name == "circle_linear":
        ok = setup["data"] == "circle" and not setup["layers"] and acc is not None and acc >= 0.95
        need = "the circle data set" if setup["data"] != "circle" else (
            "no hidden layer (remove them all)" if setup["layers"] else
            f"95 % test accuracy (best so far {0 if acc is None else acc:.1%}{best}{now})")
        return ok, f"Solved: {acc:.1%} test accuracy{best}{now}." if ok else f"Not yet: needs {need}."
    raise ValueError(f"unknown challenge {name!r}")

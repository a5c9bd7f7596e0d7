r"""Take it home: the playground's, the CNN's and the RNN's run as a standalone script or a Jupyter
notebook, in PyTorch (torch and NumPy only) or with nn_core, that reproduces what the learner saw.

The same data (made by the same formulas — the engine's own source, copied into the script — or
embedded when the learner uploaded or added points), the lab's initial weights (embedded), the
batches in the lab's order (``Trainer`` shuffles every epoch with ``np.random.default_rng(seed)``;
the script draws the same permutations), float64, and optimizers whose arithmetic the engine shares
with ``torch.optim``: after the learner's N epochs, every training loss the lab recorded is
reproduced to within 10⁻⁶. The code uses the settings in force when it is written, from the first
epoch on: a run whose settings changed while it trained is reproduced as if they had been these
all along. See ``lessons.codegen`` for the parts every lesson shares.
"""
import numpy as np

from nn_core import data as data2d
from nn_core import images
from nn_core.activations import Sigmoid
from nn_core.losses import MSE, CrossEntropy

from .codegen import (COPY_WEIGHTS, EPOCH_PLOT, FINAL, NN_CORE_OPTIMIZERS, SET_WEIGHTS, TORCH_HEAD, TORCH_OPTIMIZERS,
                      UNPACK, Code, array_literal, data_intro, intro_of, kind_label, needs_unpack, optimizer_settings, source_of,
                      title_of, trainer_loop_nn_core, trainer_loop_torch, weights_literal)
from .export_rnn import rnn_code  # noqa: F401  (one module to import for every lesson's export)

# --- any Trainer: model, loss, optimizer and the epoch loop --------------------------------------------
TORCH_LAYERS = {"Dense": "nn.Linear", "Conv2D": "nn.Conv2d", "MaxPool2D": "nn.MaxPool2d",
                "AvgPool2D": "nn.AvgPool2d", "Flatten": "nn.Flatten", "ReLU": "nn.ReLU", "Tanh": "nn.Tanh",
                "Sigmoid": "nn.Sigmoid", "Identity": "nn.Identity", "LeakyReLU": "nn.LeakyReLU"}
TORCH_LOSSES = {"MSE": "nn.MSELoss()", "BinaryCrossEntropy": "nn.BCELoss()", "CrossEntropy": "nn.CrossEntropyLoss()"}
def _layer_code(spec, flavor):
    c = {k: v for k, v in spec["config"].items() if k != "init"}
    if flavor == "nn_core":
        return f"{spec['type']}({', '.join(f'{k}={v!r}' for k, v in c.items())})"
    kind = spec["type"]
    args = {"Dense": lambda: f"{c['in_features']}, {c['out_features']}",
            "Conv2D": lambda: (f"{c['in_channels']}, {c['out_channels']}, {c['kernel_size']}, stride={c['stride']}, "
                               f"padding={c['padding']}"),
            "MaxPool2D": lambda: f"{c['kernel_size']}, stride={c['stride']}",
            "AvgPool2D": lambda: f"{c['kernel_size']}, stride={c['stride']}",
            "LeakyReLU": lambda: f"negative_slope={c['alpha']!r}"}.get(kind, lambda: "")()
    return f"{TORCH_LAYERS[kind]}({args})"


def model_code(model, flavor):
    """The model as code: ``model = nn.Sequential(...)`` or ``model = Sequential([...])``."""
    lines = ",\n    ".join(_layer_code(spec, flavor) for spec in model.architecture())
    if flavor == "torch":
        return f"model = nn.Sequential(\n    {lines},\n)\n"
    return f"model = Sequential([\n    {lines},\n])\n"


def _targets_torch(trainer):
    """How ``Trainer.targets`` turns labels into what the loss compares with, in PyTorch."""
    if isinstance(trainer.loss, CrossEntropy):
        return "torch.tensor(y, dtype=torch.long)"
    if isinstance(trainer.loss, MSE) and trainer.classifier and not isinstance(trainer.model.layers[-1], Sigmoid):
        return f"nn.functional.one_hot(torch.tensor(y, dtype=torch.long), {trainer.model._out_width()}).double()"
    return "torch.tensor(y, dtype=torch.float64).reshape(-1, 1)"


def _accuracy_torch(trainer):
    if not trainer.classifier:
        return None
    return "(out[:, 0] > 0.5).numpy()" if isinstance(trainer.model.layers[-1], Sigmoid) else "out.argmax(dim=1).numpy()"


def trainer_sections(trainer, flavor, epochs=None):
    """The model, loss, optimizer and training sections of a ``Trainer``'s run from its first snapshot
    (the weights it started from) for ``epochs`` (default: the epochs it has run). The data section
    before them defines ``X_train, y_train, X_test, y_test`` — the model's inputs and the labels."""
    epochs = trainer.epoch if epochs is None else epochs
    loss = type(trainer.loss).__name__
    kind, opt = optimizer_settings(trainer.optimizer)
    batch = trainer._batch_size(len(trainer.X_train))
    initial = weights_literal(trainer.snapshots[0][1])
    l1, l2, clip = float(trainer.l1 or 0), float(trainer.l2 or 0), trainer.clip
    n_layers = len([spec for spec in trainer.model.architecture() if spec["type"] in ("Dense", "Conv2D")])
    model_md = (f"The network, layer by layer ({trainer.model.num_params():,} parameters, {n_layers} layers with "
                "weights). It starts from the very weights the lab drew, embedded below, so that the run is the same.")
    loss_md = {"MSE": "Mean squared error", "BinaryCrossEntropy": "Binary cross-entropy on the sigmoid's probability",
               "CrossEntropy": "Cross-entropy on the logits (softmax inside)"}[loss]
    reg = (f" With L1 regularisation λ₁ = {l1:g} on the weights (not the biases)." if l1 else "") + \
          (f" With L2 regularisation λ₂ = {l2:g} on the weights (not the biases)." if l2 else "") + \
          (f" Gradients clipped to a global norm of {clip:g}." if clip else "")
    train_md = (f"{epochs} epochs of mini-batches of {batch}. Every epoch visits the training set in a new random "
                f"order, drawn exactly as the lab draws it (NumPy's generator seeded with {trainer.seed}); after each "
                "epoch the whole training and test sets are evaluated once.")
    if flavor == "torch":
        penalty = (f" + {l1!r} * sum(m.weight.abs().sum() for m in model if isinstance(m, nn.Linear))" if l1 else "") + \
                  (f" + {l2 / 2!r} * sum((m.weight ** 2).sum() for m in model if isinstance(m, nn.Linear))" if l2 else "")
        clip_line = f"\n        torch.nn.utils.clip_grad_norm_(model.parameters(), {clip!r})" if clip else ""
        loop = trainer_loop_torch(epochs, batch, trainer.seed, _accuracy_torch(trainer), penalty)
        loop = loop.replace("loss.backward()\n", "loss.backward()" + clip_line + "\n") if clip else loop
        setup = f'''loss_fn = {TORCH_LOSSES[loss]}
optimizer = {TORCH_OPTIMIZERS[kind].format(params='model.parameters()', **opt)}


def targets(y):
    """What the loss compares the output with (as the lab's Trainer.targets)."""
    return {_targets_torch(trainer)}


X_train_t, X_test_t = torch.tensor(X_train), torch.tensor(X_test)
T_train, T_test = targets(y_train), targets(y_test)
'''
        model = model_code(trainer.model, "torch") + "\n" + initial + "\n" + COPY_WEIGHTS
    else:
        extra = "".join(f", {k}={v!r}" for k, v in (("l1", l1), ("l2", l2), ("clip", clip)) if v)
        setup = f'''loss_fn = {loss}()
optimizer = {NN_CORE_OPTIMIZERS[kind].format(**opt)}
trainer = Trainer(model, loss_fn, optimizer, X_train, y_train, X_test, y_test, batch_size={batch},
                  seed={trainer.seed}{extra})
'''
        loop = trainer_loop_nn_core(epochs)
        model = model_code(trainer.model, "nn_core") + "\n" + initial + "\n" + SET_WEIGHTS
    return [("The model", model_md, model), ("Loss and optimizer", f"{loss_md}; {kind_label(kind)}.{reg}", setup),
            ("Training", train_md, loop + FINAL)]


def _nn_core_imports(trainer, more=""):
    names = sorted({spec["type"] for spec in trainer.model.architecture()} | {type(trainer.loss).__name__} |
                   {type(getattr(trainer.optimizer, "inner", trainer.optimizer)).__name__, "Sequential"})
    return f"import numpy as np\n\nfrom nn_core import {', '.join(names)}\nfrom nn_core.training import Trainer\n{more}"


def _finish(key, lesson, what, data_word, flavor, data_sections, trainer, more_imports="", epochs=None):
    """The whole ``Code``: the lesson's data sections, then the trainer's model, loss and training."""
    rest = trainer_sections(trainer, flavor, epochs)
    body = "".join(code for _, _, code in data_sections + rest)
    first_heading, first_md, first_code = data_sections[0]
    head = TORCH_HEAD if flavor == "torch" else _nn_core_imports(trainer, more_imports)
    head += "\n" + UNPACK if needs_unpack(body) else ""
    data_sections = [(first_heading, first_md, head + "\n\n" + first_code)] + data_sections[1:]
    stem = f"{key}_{flavor}"
    return Code(title_of(lesson, flavor), intro_of(what, data_word, "every few epochs and the final test accuracy",
                                                   flavor, stem), tuple(data_sections + rest), EPOCH_PLOT, flavor, stem)


# --- the playground ----------------------------------------------------------------------------------
DATA_FORMULAS = {   # data set → (the engine's functions the script needs, the call inside make_2d)
    "circle": ((data2d._counts, data2d._circle), "_circle(n, noise, rng)"),
    "xor": ((data2d._xor,), "_xor(n, noise, rng)"),
    "gauss": ((data2d._counts, data2d._gaussians), "_gaussians(n, noise, rng, [(-2.0, -2.0), (2.0, 2.0)])"),
    "spiral": ((data2d._counts, data2d._spiral), "_spiral(n, noise, rng, 2)"),
    "moons": ((data2d._counts, data2d._moons), "_moons(n, noise, rng)"),
    "blobs3": ((data2d._counts, data2d._gaussians),
               "_gaussians(n, noise, rng, 3.5 * np.column_stack([np.cos(angles), np.sin(angles)]))"),
    "blobs4": ((data2d._counts, data2d._gaussians),
               "_gaussians(n, noise, rng, [(-3.0, -3.0), (3.0, -3.0), (-3.0, 3.0), (3.0, 3.0)])"),
    "plane": ((data2d._plane,), "_plane(n, noise, rng)"),
    "multigauss": ((data2d._multigauss,), "_multigauss(n, noise, rng)"),
}
FEATURE_CODE = {"x1": "P[:, 0]", "x2": "P[:, 1]", "x1^2": "P[:, 0] ** 2", "x2^2": "P[:, 1] ** 2",
                "x1*x2": "P[:, 0] * P[:, 1]", "sin(x1)": "np.sin(P[:, 0])", "sin(x2)": "np.sin(P[:, 1])"}


def _make_2d_source(name):
    functions, call = DATA_FORMULAS[name]
    pre = "    angles = np.pi / 2 + 2 * np.pi * np.arange(3) / 3\n" if name == "blobs3" else ""
    const = f"_MULTIGAUSS = {data2d._MULTIGAUSS!r}\n\n\n" if name == "multigauss" else ""
    return (const + source_of(*functions) + f'''

def make_2d(n, noise, seed):
    """The lab's {name!r} data set: n points (n, 2) and their labels, in a random order."""
    rng = np.random.default_rng(seed)
{pre}    X, y = {call}
    order = rng.permutation(n)
    return X[order].astype(float), y[order]


''' + source_of(data2d.train_test_split))


def playground_code(setup, trainer, flavor, upload=None, added=None, n_points=500, epochs=None):
    """The playground's run (``setup`` from lessons.playground, its ``trainer``) as a ``Code``.
    ``upload`` = (X, y, task) the learner's uploaded points (used when setup["data"] == "upload"),
    ``added`` = (X, y) points clicked in, appended to the training set. ``epochs``: default the trainer's."""
    y_kind = "float" if not trainer.classifier else "int"
    frac, seed = setup["train"] / 100.0, setup["seed"]
    if setup["data"] == "upload":
        X, y, _ = upload
        make = f"X = {array_literal(np.asarray(X, float))}   # your uploaded points\ny = {array_literal(y, y_kind)}\n"
        make = (source_of(data2d.train_test_split) + "\n\n" + make) if flavor == "torch" else make
        what = f"your {len(X)} uploaded points"
    else:
        noise = setup["noise"] / 100.0
        what = (f"the {data2d.DATASETS_2D[setup['data']]['label']} data set ({n_points} points, noise "
                f"{setup['noise']} %, seed {seed})")
        make = (_make_2d_source(setup["data"]) + f"\n\nX, y = make_2d({n_points}, noise={noise!r}, seed={seed})\n"
                if flavor == "torch" else f"X, y = make_2d({setup['data']!r}, {n_points}, noise={noise!r}, seed={seed})\n")
    split = f"points_train, y_train, points_test, y_test = train_test_split(X, y, {frac!r}, seed={seed})\n"
    data = make + split
    if added is not None and len(added[0]):
        data += (f"added = {array_literal(np.asarray(added[0], float))}   # the points you clicked in\n"
                 f"added_y = {array_literal(np.asarray(added[1]), y_kind)}\n"
                 "points_train = np.vstack([points_train, added])\n"
                 "y_train = np.concatenate([y_train, added_y.astype(y_train.dtype)])\n")
        what += f", and the {len(added[0])} points you added to the training set"
    if flavor == "torch":
        feats = ", ".join(FEATURE_CODE[f] for f in setup["features"])
        features = (f'FEATURES = {setup["features"]!r}\n\n\ndef features(P):\n    """The input features of points P (n, 2), '
                    f'one column each."""\n    return np.column_stack([{feats}])\n\n\n'
                    "X_train, X_test = features(points_train), features(points_test)\n")
    else:
        features = (f"FEATURES = {setup['features']!r}\n"
                    "X_train, X_test = feature_matrix(points_train, FEATURES), feature_matrix(points_test, FEATURES)\n")
    sections = [("The data", f"{what[0].upper() + what[1:]}, {data_intro(flavor)}; "
                 f"{setup['train']} % of the points train the network, the rest test it.", data),
                ("Input features", "What the network sees of each point: " + ", ".join(setup["features"]) + ".", features)]
    return _finish("playground", "MLP playground", "the network you trained in the MLP playground", "points", flavor, sections, trainer,
                   "from nn_core.data import feature_matrix, make_2d, train_test_split\n", epochs)


# --- the CNN -------------------------------------------------------------------------------------------
def cnn_code(data_name, trainer, flavor, seed=0, train_frac=0.75, epochs=None):
    """The CNN lesson's run on "digits" or "shapes" (``lessons.cnn.image_dataset(data_name, seed)``)."""
    split = f"X_train, y_train, X_test, y_test = train_test_split(X[:, None], y, {train_frac!r}, seed={seed})\n"
    if data_name == "digits":
        what = "the UCI 8×8 handwritten digits (1,797 images, pixel counts 0–16 scaled to [0, 1])"
        if flavor == "torch":
            X, y = images.load_digits()
            counts = np.rint(X * 16).astype(np.uint8)
            make = (source_of(data2d.train_test_split) + "\n\n"
                    f"counts = {array_literal(counts, 'uint8')}   # every pixel, 0–16\n"
                    f"labels = {array_literal(y, 'uint8')}\n"
                    "X, y = counts.astype(float) / 16.0, labels.astype(int)\n")
        else:
            make = "X, y = load_digits()\n"
    else:
        what = "1,200 drawn shapes (line, cross, square, circle) with 5 % pixel noise"
        make = ((f"SHAPE_CLASSES = {images.SHAPE_CLASSES!r}\n\n\n" + source_of(images._segment_distance,
                 images._shape_distance, images.make_shapes, data2d.train_test_split) + "\n\n")
                if flavor == "torch" else "") + f"X, y = make_shapes(1200, size=8, noise=0.05, seed={seed})\n"
    sections = [("The data", f"{what[0].upper() + what[1:]}, {data_intro(flavor)}; {round(train_frac * 100)} % train the "
                 "network, the rest test it. Images are (N, 1, 8, 8): one grey channel.", make + split)]
    return _finish("cnn", "Convolutional network", "the small CNN you trained in the convolution lesson", "images", flavor,
                   sections, trainer,
                   "from nn_core.data import train_test_split\nfrom nn_core.images import load_digits, make_shapes\n", epochs)

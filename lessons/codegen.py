r"""Code export's common parts (see ``lessons.export``): a lesson's run written out as a standalone script or a Jupyter notebook, in PyTorch
(torch and NumPy only) or with nn_core, that reproduces the run the learner saw.

Exact means: the same data (made by the same formulas, copied here from the engine's source, or
embedded when the learner uploaded or added points), the lab's own initial weights (embedded), the
batches in the lab's order (the ``Trainer`` shuffles each epoch with ``np.random.default_rng(seed)``,
so the script draws the same permutations), float64 throughout, and the optimizer's arithmetic that
the engine shares with ``torch.optim``. After the same N epochs every recorded training loss agrees
with the lab's to within 10⁻⁶ (the tests run the scripts and compare).

A ``Code`` is a title, an introduction and sections (heading, explanation, code). ``script()`` joins
the code into one file; ``notebook()`` makes a notebook (nbformat 4 JSON, written with the standard
library) with each explanation as a markdown cell, then the code, then a plot of the loss curve.
The lessons' own writers live in ``lessons.export``.
"""
import base64
import inspect
import json
import textwrap
import zlib
from dataclasses import dataclass

import numpy as np

FLAVORS = {"torch": "PyTorch", "nn_core": "nn_core"}
LIST_LIMIT = 400        # arrays with more numbers than this are embedded packed (base64), not as lists
SHOWN_LINE = 240        # a longer line is cut short in the code shown on the page (the download has it all)


@dataclass(frozen=True)
class Code:
    """A lesson's run as code: ``title`` (a heading), ``intro`` (markdown), ``sections`` ((heading,
    markdown, code), …), ``plot`` (the notebook's plot cell), ``flavor`` ("torch" or "nn_core"),
    ``stem`` (a file name without extension)."""
    title: str
    intro: str
    sections: tuple
    plot: str
    flavor: str
    stem: str

    def script(self):
        """The whole program as one Python file."""
        paragraphs = [textwrap.fill(p, 100) for p in _plain(self.intro).split("\n\n")]
        head = f'"""{self.title}\n\n' + "\n\n".join(paragraphs) + '\n"""\n'
        parts = [head] + [f"# --- {heading} " + "-" * max(3, 96 - len(heading)) + f"\n{code.strip()}\n"
                          for heading, _, code in self.sections]
        return "\n".join(parts)

    def shown(self):
        """``script()`` with every very long line (packed data) cut short, for reading on the page."""
        lines = []
        for line in self.script().splitlines():
            if len(line) > SHOWN_LINE:
                line = f"{line[:SHOWN_LINE - 60]}…  # cut here: {len(line):,} characters in the download"
            lines.append(line)
        return "\n".join(lines) + "\n"

    def notebook(self):
        """A Jupyter notebook (nbformat 4.5, as JSON text) that runs top to bottom."""
        cells = [_cell("markdown", f"# {self.title}\n\n{self.intro}")]
        for heading, markdown, code in self.sections:
            cells.append(_cell("markdown", f"## {heading}\n\n{markdown}" if markdown else f"## {heading}"))
            cells.append(_cell("code", code.strip()))
        cells.append(_cell("markdown", "## The loss curve"))
        cells.append(_cell("code", self.plot.strip()))
        for i, cell in enumerate(cells):
            cell["id"] = f"cell-{i}"
        nb = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
              "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                           "language_info": {"name": "python"}}}
        return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _plain(markdown):
    return markdown.replace("**", "").replace("`", "")


def _cell(kind, text):
    cell = {"cell_type": kind, "metadata": {}, "source": text}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


# --- literals: numbers written so that Python reads back the very same float64 ------------------------
def _number(x):
    return repr(float(x))


def _nested(a):
    if a.ndim == 1:
        return "[" + ", ".join(_number(x) for x in a) + "]"
    return "[" + ", ".join(_nested(row) for row in a) + "]"


PACKED = {"float": "<f8", "int": "<i8", "uint8": "u1"}


def array_literal(a, dtype="float"):
    """Python source for the array ``a`` (``dtype`` "float", "int" or "uint8"): ``np.array([...])`` for a
    small one, else ``unpack("…", shape, dtype)`` — the exact bytes, zlib-compressed and base64-encoded
    (``UNPACK`` defines the function)."""
    a = np.asarray(a)
    if a.size <= LIST_LIMIT:
        if dtype != "float":
            return f"np.array({np.asarray(a, dtype=int).tolist()!r})"
        return f"np.array({_nested(np.atleast_1d(np.asarray(a, dtype=float)))})" if a.ndim else _number(a)
    code = PACKED[dtype]
    packed = base64.b64encode(zlib.compress(np.asarray(a, dtype=code).tobytes(), 9)).decode()
    return f'unpack("{packed}", {tuple(a.shape)!r}, "{code}")'


UNPACK = '''import base64
import zlib


def unpack(text, shape, dtype="<f8"):
    """Numbers embedded exactly: base64 text of zlib-compressed little-endian bytes."""
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype).reshape(shape).copy()
'''


def _pretty(a, indent):
    """``array_literal(a)``, with one line per row when it is written out as lists of two or more axes."""
    a = np.asarray(a)
    if a.ndim < 2 or a.size > LIST_LIMIT:
        return array_literal(a)
    pad = " " * indent
    rows = [textwrap.fill(_nested(row), 110, subsequent_indent=pad + "     ", break_long_words=False) for row in a]
    return "np.array([\n" + "".join(f"{pad}    {row},\n" for row in rows) + f"{pad}])"


def weights_literal(weights):
    """The layers' initial weights, one dict per layer that has parameters (nn_core's shapes)."""
    rows = []
    for w in weights:
        if w:
            items = [f"{k!r}: {_pretty(v, 8)}" for k, v in w.items()]
            rows.append("    {" + ",\n     ".join(items) + "},")
    return ("INITIAL = [   # the lab's own initial weights, one entry per layer with parameters\n" + "\n".join(rows)
            + "\n]")


def needs_unpack(*texts):
    return any("unpack(\"" in t for t in texts)


def source_of(*objects):
    """The engine's own source of these functions or classes, so the script uses the same formulas."""
    return "\n\n\n".join(inspect.getsource(o).rstrip() for o in objects) + "\n"


# --- the Trainer's epoch loop, in either flavour (shared by the playground and the CNN) ---------------
def trainer_loop_torch(epochs, batch, seed, accuracy, penalty=""):
    """PyTorch code for ``nn_core.training.Trainer``'s epochs: the same permutations, the same batches,
    and after each epoch the whole training and test sets evaluated once. ``accuracy`` is an
    expression of ``out`` (the model's output) and ``y`` (labels), or None for regression."""
    acc = f"float(np.mean({accuracy} == y))" if accuracy else "None"
    return f'''EPOCHS = {int(epochs)}       # the epochs you trained in the lab
BATCH = {batch}
PRINT_EVERY = max(1, EPOCHS // 50)
order_rng = np.random.default_rng({int(seed)})    # the lab's Trainer shuffles every epoch with this generator


def evaluate(X, T, y):
    """(loss, accuracy) on a whole set, the weights unchanged."""
    with torch.no_grad():
        out = model(X)
        return loss_fn(out, T).item(), {acc}


history = {{"epoch": [], "train_loss": [], "test_loss": [], "train_acc": [], "test_acc": []}}
for epoch in range(1, EPOCHS + 1):
    order = order_rng.permutation(len(X_train_t))
    for start in range(0, len(order), BATCH):
        idx = torch.from_numpy(order[start:start + BATCH])
        optimizer.zero_grad()
        loss = loss_fn(model(X_train_t[idx]), T_train[idx]){penalty}
        loss.backward()
        optimizer.step()
    train_loss, train_acc = evaluate(X_train_t, T_train, y_train)
    test_loss, test_acc = evaluate(X_test_t, T_test, y_test)
    for key, value in zip(history, (epoch, train_loss, test_loss, train_acc, test_acc)):
        history[key].append(value)
    if epoch % PRINT_EVERY == 0 or epoch == EPOCHS:
        shown = "" if test_acc is None else f"  test accuracy {{test_acc:.1%}}"
        print(f"epoch {{epoch:5d}}  train loss {{train_loss:.8f}}  test loss {{test_loss:.8f}}{{shown}}")
'''


def trainer_loop_nn_core(epochs):
    return f'''EPOCHS = {int(epochs)}       # the epochs you trained in the lab
PRINT_EVERY = max(1, EPOCHS // 50)
for epoch in range(1, EPOCHS + 1):
    row = trainer.run_epoch()
    if epoch % PRINT_EVERY == 0 or epoch == EPOCHS:
        shown = "" if row["test_acc"] is None else f"  test accuracy {{row['test_acc']:.1%}}"
        print(f"epoch {{epoch:5d}}  train loss {{row['train_loss']:.8f}}  test loss {{row['test_loss']:.8f}}{{shown}}")
history = trainer.history
'''


FINAL = '''
if history["test_acc"] and history["test_acc"][-1] is not None:
    print(f"final test accuracy: {history['test_acc'][-1]:.1%}")
elif history["test_loss"]:
    print(f"final test loss: {history['test_loss'][-1]:.8f}")
'''

EPOCH_PLOT = '''%matplotlib inline
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(history["epoch"], history["train_loss"], label="training loss")
ax.plot(history["epoch"], history["test_loss"], label="test loss")
ax.set_xlabel("epoch")
ax.set_ylabel("loss")
ax.legend()
plt.show()
'''

TORCH_HEAD = '''import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)      # the lab computes in float64
torch.set_num_threads(1)                    # small networks train fastest on one thread
'''

COPY_WEIGHTS = '''with torch.no_grad():                       # start from the lab's weights, not PyTorch's own draw
    for layer, w in zip([m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))], INITIAL, strict=True):
        W = torch.tensor(w["W"])
        layer.weight.copy_(W.T if isinstance(layer, nn.Linear) else W)   # the lab's Dense W is (in, out)
        layer.bias.copy_(torch.tensor(w["b"]))
'''

SET_WEIGHTS = '''for layer, w in zip([layer for layer in model.layers if layer.params], INITIAL, strict=True):
    for name, value in w.items():
        layer.params[name][...] = value         # start from the lab's weights
'''


TORCH_OPTIMIZERS = {"sgd": "torch.optim.SGD({params}, lr={lr})",
                    "momentum": "torch.optim.SGD({params}, lr={lr}, momentum={momentum})",
                    "rmsprop": "torch.optim.RMSprop({params}, lr={lr}, alpha={alpha}, eps={eps})",
                    "adam": "torch.optim.Adam({params}, lr={lr}, betas=({beta1}, {beta2}), eps={eps})"}
NN_CORE_OPTIMIZERS = {"sgd": "SGD(lr={lr})", "momentum": "SGD(lr={lr}, momentum={momentum})",
                      "rmsprop": "RMSprop(lr={lr}, alpha={alpha}, eps={eps})",
                      "adam": "Adam(lr={lr}, beta1={beta1}, beta2={beta2}, eps={eps})"}


def optimizer_settings(optimizer):
    """(kind, settings) of an nn_core optimizer (or the playground's FlatOptimizer around one)."""
    inner = getattr(optimizer, "inner", optimizer)
    name = type(inner).__name__
    kind = {"SGD": "momentum" if getattr(inner, "momentum", 0) else "sgd", "RMSprop": "rmsprop", "Adam": "adam"}[name]
    settings = {k: repr(float(getattr(inner, k))) for k in ("lr", "momentum", "alpha", "beta1", "beta2", "eps")
                if hasattr(inner, k)}
    return kind, settings


def kind_label(kind):
    return {"sgd": "plain SGD", "momentum": "SGD with momentum", "rmsprop": "RMSprop", "adam": "Adam"}[kind]


def title_of(lesson, flavor):
    return f"{lesson} — the {FLAVORS[flavor]} version of your run"


def intro_of(what, data_word, prints, flavor, stem):
    """The notebook's first paragraph and the script's docstring."""
    text = (f"This is {what} in Neural Network Lab, step for step: the same {data_word}, the same initial weights "
            f"and the same batches in the same order, in float64, so that its loss curve is the lab's. It prints the "
            f"loss {prints}.")
    if flavor == "torch":
        text += ("\n\nPyTorch's kernels (its matrix products, its tanh) round the last bit of some numbers differently "
                 "from NumPy's. The curves agree to about 10⁻¹⁵ at first; on a hard problem such as the spiral, training "
                 "amplifies those differences, and after a hundred or so epochs the two runs can part. The nn_core "
                 "version repeats your run bit for bit.")
    needs = "torch and numpy" if flavor == "torch" else "the lab's nn_core: pip install the lab"
    return f"{text}\n\nRun it: `python {stem}.py` (it needs {needs})."


def data_intro(flavor):
    return ("made by the same formulas as in the lab (copied from the engine's source below)" if flavor == "torch"
            else "made by the engine's own functions, as in the lab")


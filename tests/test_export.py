"""Take it home (issue 20): the exported scripts reproduce the lab's own training history.

Each setup is trained here by the lab's own code (the playground's ``make_trainer``, the CNN page's
``Trainer``, the RNN page's ``SeqTrainer``); its exported scripts are run in fresh interpreters — the
PyTorch ones without the repository on the path, so they must stand alone — and every recorded training
loss must agree to 1e-6. All scripts of a flavour run in one interpreter (torch is imported once).
"""
import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lessons import cnn as cl
from lessons import export as ex
from lessons import playground as pg
from lessons import rnn as rl
from nn_core import CrossEntropy, make_optimizer
from nn_core import data as data2d
from nn_core.training import Trainer

ROOT = Path(__file__).resolve().parent.parent
HAS_TORCH = importlib.util.find_spec("torch") is not None
RUNNER = """import contextlib, io, json, runpy, sys
out = []
for path in sys.argv[1:]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        g = runpy.run_path(path, run_name="__main__")
    out.append({"history": g["history"], "printed": printed.getvalue()})
print(json.dumps(out))
"""

UPLOAD = (np.random.default_rng(5).normal(0, 2, (60, 2)), None, "binary")
UPLOAD = (UPLOAD[0], (UPLOAD[0][:, 0] * UPLOAD[0][:, 1] > 0).astype(int), "binary")
ADDED = ([[0.5, 0.5], [1.0, -2.0], [-3.0, 2.5]], [1, 0, 0])
UPLOAD_VALUES = (UPLOAD[0], np.sin(UPLOAD[0][:, 0]) * 0.5 + 0.1 * UPLOAD[0][:, 1], "regression")
PLAYGROUND_SETUPS = {   # name → (changes to the default setup, uploaded points, added points, epochs)
    "spiral-adam-default": ({}, None, None, 6),
    "circle-mse-momentum-l2": (dict(data="circle", loss="mse", opt="momentum", lr=0.03, reg="l2", rate=0.01), None, None, 6),
    "blobs3-rmsprop-full-batch-l1": (dict(data="blobs3", opt="rmsprop", batch=0, features=["x1", "x2", "x1*x2"],
                                          acts=["relu", "sigmoid", "linear"], reg="l1", rate=0.003), None, None, 6),
    "blobs4-mse-sgd-noise": (dict(data="blobs4", loss="mse", opt="sgd", lr=0.1, noise=20, seed=3), None, None, 6),
    "multigauss-regression": (dict(data="multigauss", train=70, features=["x1", "x2", "sin(x1)"]), None, None, 6),
    "uploaded-and-added": (dict(data="upload", layers=[4], acts=["tanh"], batch=5), UPLOAD, ADDED, 8),
    "uploaded-regression-added-rmsprop": (dict(data="upload", opt="rmsprop", layers=[5, 5], acts=["relu", "tanh"]),
                                          UPLOAD_VALUES, ([[1.0, 1.0]], [0.25]), 5),
    "xor-added-no-hidden": (dict(data="xor", layers=[], acts=[], features=["x1*x2"], opt="sgd", lr=0.1), None, ADDED, 5),
}


def _playground_run(changes, upload, added, epochs):
    setup = {**pg.default_setup(), **changes}
    trainer = pg.make_trainer(setup, pg.make_data(setup, upload, added))
    for _ in range(epochs):
        trainer.run_epoch()
    return {f: ex.playground_code(setup, trainer, f, upload, added) for f in ("nn_core", "torch")}, trainer.history["train_loss"]


def _cnn_run(name, preset, opt, epochs):
    d = cl.image_dataset(name)
    model = cl.build_cnn(preset, 4, len(d["classes"]))
    trainer = Trainer(model, CrossEntropy(), make_optimizer(opt, 0.01), d["X_train"], d["y_train"], d["X_test"],
                      d["y_test"], batch_size=64)                # as the CNN page builds it
    for _ in range(epochs):
        trainer.run_epoch()
    return {f: ex.cnn_code(name, trainer, f) for f in ("nn_core", "torch")}, trainer.history["train_loss"]


def _rnn_run(task_name, kw, opt, clip, batches):
    task = rl.make_task(task_name, seed=2, **kw)
    trainer = rl.SeqTrainer(task, rl.make_model(task, 16, seed=2, radius=1.2), optimizer=opt, lr=0.01, seq_len=8,
                            clip=clip, seed=2)                   # as the RNN page builds it
    for _ in range(batches):
        trainer.train_batch()
    return {f: ex.rnn_code(trainer, f) for f in ("nn_core", "torch")}, trainer.history["loss"]


@pytest.fixture(scope="module")
def runs():
    """name → ({flavour: Code}, the lab's recorded training losses)."""
    out = {f"playground {k}": _playground_run(*v) for k, v in PLAYGROUND_SETUPS.items()}
    out["cnn shapes two-conv adam"] = _cnn_run("shapes", "two conv layers", "adam", 2)
    out["cnn digits one-conv momentum"] = _cnn_run("digits", "one conv layer", "momentum", 1)
    out["rnn forecast sum adam"] = _rnn_run("forecast", {"kind": "sum"}, "adam", None, 4)
    out["rnn echo rmsprop clipped"] = _rnn_run("echo", {"k": 3}, "rmsprop", 1.0, 4)
    out["rnn sonnets momentum clipped"] = _rnn_run("chars", {"text": None}, "momentum", 0.3, 3)
    out["rnn own text sgd"] = _rnn_run("chars", {"text": "hello world, hello there! " * 3}, "sgd", None, 4)
    return out


def _run_scripts(runs, flavor, tmp_path):
    """Run every script of a flavour in one fresh interpreter; name → (history, printed text)."""
    paths = {}
    for name, (codes, _) in runs.items():
        path = tmp_path / f"{name.replace(' ', '_')}_{flavor}.py"
        path.write_text(codes[flavor].script())
        paths[name] = str(path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if flavor == "nn_core":
        env["PYTHONPATH"] = str(ROOT)                    # the nn_core version needs the engine; torch's must not
    done = subprocess.run([sys.executable, "-c", RUNNER, *paths.values()], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: (r["history"], r["printed"]) for name, r in zip(paths, results)}


def _check(runs, results):
    for name, (_, lab_losses) in runs.items():
        history, printed = results[name]
        losses = history["train_loss"] if "train_loss" in history else history["loss"]
        assert len(losses) == len(lab_losses), name
        np.testing.assert_allclose(losses, lab_losses, rtol=0, atol=1e-6, err_msg=name)
        last = printed.strip().splitlines()[-1]
        assert last.startswith(("final test accuracy:", "final test loss:", "final validation accuracy:",
                                "validation loss:")), (name, last)


def test_nn_core_scripts_reproduce_the_labs_history(runs, tmp_path):
    _check(runs, _run_scripts(runs, "nn_core", tmp_path))


@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_pytorch_scripts_reproduce_the_labs_history_standalone(runs, tmp_path):
    _check(runs, _run_scripts(runs, "torch", tmp_path))


def test_pytorch_scripts_import_only_torch_numpy_and_the_standard_library(runs):
    for name, (codes, _) in runs.items():
        tree = ast.parse(codes["torch"].script())
        roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        roots |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert roots <= {"torch", "numpy", "base64", "zlib"}, (name, roots)


@pytest.mark.parametrize("name", list(ex.DATA_FORMULAS))
def test_the_scripts_data_formulas_make_the_labs_points(name):
    scope = {"np": np}
    exec(ex._make_2d_source(name), scope)                  # noqa: S102  (our own generated source)
    for seed, noise in ((0, 0.0), (7, 0.3)):
        X, y = scope["make_2d"](120, noise, seed)
        X0, y0 = data2d.make_2d(name, 120, noise=noise, seed=seed)
        np.testing.assert_array_equal(X, X0)
        np.testing.assert_array_equal(y, y0)


def test_uploaded_and_added_points_are_embedded_exactly(runs):
    codes, _ = runs["playground uploaded-and-added"]
    scope = {}
    exec(codes["nn_core"].sections[0][2], scope)           # noqa: S102  (the data section alone)
    data = pg.make_data({**pg.default_setup(), "data": "upload"}, UPLOAD, ADDED)
    np.testing.assert_array_equal(scope["points_train"], data["X_train"])
    np.testing.assert_array_equal(scope["y_train"], data["y_train"])
    np.testing.assert_array_equal(scope["points_test"], data["X_test"])


def test_the_code_shown_on_the_page_cuts_only_packed_data(runs):
    codes, _ = runs["cnn digits one-conv momentum"]
    script, shown = codes["torch"].script(), codes["torch"].shown()
    assert len(script) > 50_000 > len(shown)              # the 1,797 embedded digits are in the download only
    cut = [line for line in shown.splitlines() if "cut here" in line]
    assert cut and all(len(line) < 260 for line in shown.splitlines())
    kept = [line for line in shown.splitlines() if "cut here" not in line]
    assert all(line in script.splitlines() for line in kept)


def test_notebook_is_valid_and_has_the_explanations(runs):
    nbformat = pytest.importorskip("nbformat")
    codes, _ = runs["rnn echo rmsprop clipped"]
    nb = nbformat.reads(codes["nn_core"].notebook(), as_version=4)
    nbformat.validate(nb)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown" and kinds.count("code") == len(codes["nn_core"].sections) + 1
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "truncated backpropagation through time" in text and "symbol seen at t − 3" in text


@pytest.mark.parametrize("name,flavor", [("playground uploaded-and-added", "torch"), ("rnn own text sgd", "nn_core")])
def test_downloaded_notebook_executes_headless(runs, name, flavor, tmp_path):
    """The notebook runs top to bottom in a real Jupyter kernel and draws its loss curve."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    if flavor == "torch" and not HAS_TORCH:
        pytest.skip("PyTorch is not installed")
    codes, lab_losses = runs[name]
    nb = nbformat.reads(codes[flavor].notebook(), as_version=4)
    cwd = ROOT if flavor == "nn_core" else tmp_path             # nn_core from the repository; torch stands alone
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "final" in printed.splitlines()[-1]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the loss curve was not drawn"
    rows = re.findall(r"(?:epoch|update)\s+(\d+)\s+(?:train|training) loss (\S+)", printed)
    assert len(rows) >= 2
    for number, loss in rows:                                    # printed to 8 decimals
        assert float(loss) == pytest.approx(lab_losses[int(number) - 1], abs=1e-8)


def test_nn_core_script_repeats_a_long_run_bit_for_bit(tmp_path):
    """Over hundreds of epochs training on the spiral is chaotic: PyTorch's kernels, which round a last bit
    differently from NumPy's, part from the lab after about a hundred epochs (see README). The nn_core
    version computes with the lab's own arithmetic, so it repeats any run exactly."""
    codes, lab_losses = _playground_run({"loss": "mse"}, None, None, 150)
    results = _run_scripts({"long": (codes, lab_losses)}, "nn_core", tmp_path)
    assert results["long"][0]["train_loss"] == lab_losses

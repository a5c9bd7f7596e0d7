r"""Hyperparameter sweeps on real (small) MLPs: one configuration = one seeded training run.

``train_config(**config)`` trains one MLP on a 2-D data set with the ``Trainer`` and returns plain
numbers and arrays. ``lr_sweep_configs`` and ``grid_configs`` build lists of configurations;
``run_configs`` is a generator that trains them one by one and yields after each, so that a page can
show progress, stop between two configurations, and resume where it stopped.

Learning rates are spread evenly on a log scale, because what matters is their order of magnitude:
$$ \eta_i = \eta_\text{min} \Bigl( \frac{\eta_\text{max}}{\eta_\text{min}} \Bigr)^{i/(n-1)}, \qquad i = 0, \dots, n-1 $$
"""
import math
import time

import numpy as np

from nn_core.data import DATASETS_2D, make_2d, train_test_split
from nn_core.losses import BinaryCrossEntropy, CrossEntropy
from nn_core.models import mlp
from nn_core.optimizers import make_optimizer
from nn_core.training import Trainer

CLASSIFICATION_SETS = [name for name, info in DATASETS_2D.items() if info["task"] != "regression"]


def train_config(dataset="spiral", depth=2, width=8, lr=0.03, batch_size=16, epochs=30, optimizer="adam",
                 activation="tanh", n=300, noise=0.1, seed=0):
    """Train an MLP of ``depth`` hidden layers of ``width`` neurons on ``n`` points of ``dataset`` (half for
    training, half for testing) for ``epochs`` epochs. A two-class set ends in a sigmoid with binary
    cross-entropy, more classes in logits with cross-entropy. Returns a dict: "history" (the Trainer's
    history as float arrays), "final_loss" / "test_acc" (NaN after a divergence), "diverged", "message",
    "steps" (optimizer steps taken), "params" (number of weights and biases), "seconds" (wall time)."""
    info = DATASETS_2D[dataset]
    if info["task"] == "regression":
        raise ValueError(f"{dataset!r} is a regression set; sweeps compare classifiers by accuracy")
    X, y = make_2d(dataset, n=n, noise=noise, seed=seed)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, 0.5, seed=seed)
    k = info["classes"]
    model = mlp([2] + [int(width)] * int(depth) + [1 if k == 2 else k], activation,
                output="sigmoid" if k == 2 else None, seed=seed)
    loss = BinaryCrossEntropy() if k == 2 else CrossEntropy()
    trainer = Trainer(model, loss, make_optimizer(optimizer, lr), X_tr, y_tr, X_te, y_te,
                      batch_size=int(batch_size), seed=seed, max_snapshots=2, snapshot_every=10 ** 6)
    start = time.perf_counter()
    for _ in range(int(epochs)):
        if trainer.run_epoch() is None:
            break
    seconds = time.perf_counter() - start
    hist = trainer.history_arrays()
    diverged = trainer.diverged
    per_epoch = math.ceil(len(X_tr) / min(int(batch_size), len(X_tr)))
    return {"history": hist, "diverged": diverged, "message": trainer.stopped,
            "final_loss": float("nan") if diverged or not len(hist["train_loss"]) else float(hist["train_loss"][-1]),
            "test_acc": float("nan") if diverged or not len(hist["test_acc"]) else float(hist["test_acc"][-1]),
            "steps": (trainer.epoch + diverged) * per_epoch, "params": model.num_params(), "seconds": seconds}


def log_space(lo, hi, n):
    """``n`` learning rates from ``lo`` to ``hi``, evenly spaced on a log scale."""
    return [float(v) for v in np.logspace(np.log10(lo), np.log10(hi), int(n))]


def lr_sweep_configs(lrs, **fixed):
    """One configuration per learning rate, everything else as in ``fixed``."""
    return [dict(fixed, lr=lr) for lr in lrs]


def grid_configs(rows, cols, row_key, col_key, **fixed):
    """A grid of configurations in row-major order: ``row_key`` takes the values ``rows``, ``col_key``
    the values ``cols`` (e.g. "depth" × "width", or "batch_size" × "lr")."""
    return [dict(fixed, **{row_key: r, col_key: c}) for r in rows for c in cols]


def run_configs(configs, start=0, train=train_config):
    """Train ``configs[start:]`` one after another with ``train`` (for example a cached version of
    ``train_config``); yield ``(index, result)`` after each, so the caller can report progress or stop."""
    for i in range(start, len(configs)):
        yield i, train(**configs[i])

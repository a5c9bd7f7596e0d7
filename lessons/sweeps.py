r"""Hyperparameter sweeps on real (small) MLPs: one configuration = one seeded training run.

``train_config(**config)`` trains one MLP on a 2-D data set with the ``Trainer`` and returns plain
numbers and arrays. ``lr_sweep_configs`` and ``grid_configs`` build lists of configurations;
``run_configs`` is a generator that trains them one by one and yields after each; ``ConfigRun`` trains one
in slices of a frame, so that a live page can show progress, stop within a frame, and resume where it stopped.

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


def train_config(**config):
    """Train one configuration to its end (see ``ConfigRun``) and return its result dict."""
    run = ConfigRun(**config)
    while not run.run_for(60.0):
        pass
    return run.result


class ConfigRun:
    """One seeded training run, trained in slices so that a live page can stop it within a frame.

    ``ConfigRun(dataset="spiral", depth=2, width=8, lr=0.03, batch_size=16, epochs=30, optimizer="adam",
    activation="tanh", n=300, noise=0.1, seed=0)`` builds an MLP of ``depth`` hidden layers of ``width``
    neurons for ``n`` points of ``dataset`` (half for training, half for testing). A two-class set ends in a
    sigmoid with binary cross-entropy, more classes in logits with cross-entropy. ``run_for(seconds, until)``
    trains epochs for about ``seconds`` (at least one, none after ``until()`` turns true) and returns True
    once the run is over; then ``result`` is a dict: "history" (the Trainer's history as float arrays),
    "final_loss" / "test_acc" (NaN after a divergence), "diverged", "message", "steps" (optimizer steps
    taken), "params" (number of weights and biases), "seconds" (wall time spent training)."""

    def __init__(self, dataset="spiral", depth=2, width=8, lr=0.03, batch_size=16, epochs=30, optimizer="adam",
                 activation="tanh", n=300, noise=0.1, seed=0):
        info = DATASETS_2D[dataset]
        if info["task"] == "regression":
            raise ValueError(f"{dataset!r} is a regression set; sweeps compare classifiers by accuracy")
        X, y = make_2d(dataset, n=n, noise=noise, seed=seed)
        X_tr, y_tr, X_te, y_te = train_test_split(X, y, 0.5, seed=seed)
        k = info["classes"]
        self.model = mlp([2] + [int(width)] * int(depth) + [1 if k == 2 else k], activation,
                         output="sigmoid" if k == 2 else None, seed=seed)
        loss = BinaryCrossEntropy() if k == 2 else CrossEntropy()
        self.trainer = Trainer(self.model, loss, make_optimizer(optimizer, lr), X_tr, y_tr, X_te, y_te,
                               batch_size=int(batch_size), seed=seed, max_snapshots=2, snapshot_every=10 ** 6)
        self.epochs, self.seconds, self.result = int(epochs), 0.0, None
        self.per_epoch = math.ceil(len(X_tr) / min(int(batch_size), len(X_tr)))

    def run_for(self, seconds, until=None):
        trainer = self.trainer
        if self.result is None and trainer.epoch < self.epochs and not trainer.stopped:
            start = time.perf_counter()
            trainer.run_for(seconds, max_epochs=self.epochs - trainer.epoch, until=until)
            self.seconds += time.perf_counter() - start
        if self.result is None and (trainer.epoch >= self.epochs or trainer.stopped):
            hist, diverged = trainer.history_arrays(), trainer.diverged
            self.result = {
                "history": hist, "diverged": diverged, "message": trainer.stopped,
                "final_loss": float("nan") if diverged or not len(hist["train_loss"]) else float(hist["train_loss"][-1]),
                "test_acc": float("nan") if diverged or not len(hist["test_acc"]) else float(hist["test_acc"][-1]),
                "steps": (trainer.epoch + diverged) * self.per_epoch, "params": self.model.num_params(),
                "seconds": self.seconds}
        return self.result is not None


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

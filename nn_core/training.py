r"""The training loop: mini-batches, a history of losses and accuracies, time-budgeted runs for live
pages, weight snapshots to replay, and a plain-words stop when the weights explode.
"""
import math
import time

import numpy as np

from .activations import Sigmoid
from .losses import MSE, BinaryCrossEntropy, CrossEntropy
from .optimizers import add_penalty, clip_grad_norm


def _describe(value):
    return "NaN" if math.isnan(value) else "infinite"


class Trainer:
    r"""Mini-batch gradient descent on a ``Sequential`` model.

    Each epoch shuffles the training set (with the trainer's own seeded generator) and cuts it into
    batches B of ``batch_size`` rows. For each batch: forward, loss, backward, penalty, clipping, step.
    The batch objective, with λ₁ = ``l1`` and λ₂ = ``l2`` acting on the weights w (not the biases):
    $$ L_B(\theta) = \frac{1}{|B|} \sum_{n \in B} \ell\bigl(f(x_n; \theta), y_n\bigr)
       + \lambda_1 \sum |w| + \frac{\lambda_2}{2} \sum w^2 $$
    Its gradient, rescaled when ``clip`` = c is set and the global norm exceeds it:
    $$ g = \nabla_\theta L_B, \qquad g \leftarrow g \cdot \min\Bigl(1, \frac{c}{\|g\|}\Bigr) $$
    Then the optimizer's step, with learning rate η — for plain SGD:
    $$ \theta \leftarrow \theta - \eta\, g $$
    After each epoch the whole training and test sets are evaluated once (the loss ℓ without the penalty);
    for a classifier, accuracy counts the points whose predicted class is the true one:
    $$ \text{accuracy} = \frac{1}{N} \sum_{n=1}^{N} [\hat y_n = y_n] $$

    Targets follow the loss: ``BinaryCrossEntropy`` gets y (N,) as a column (N, 1); ``CrossEntropy``
    class indices (N,); ``MSE`` on a classifier gets one-hot rows (N, K) for K logits, or the 0/1 column
    for a sigmoid output; ``MSE`` on a regression model gets y as a column (N, 1).

    ``history``: lists "epoch", "train_loss", "test_loss", "train_acc", "test_acc" (accuracies None for
    regression, test entries None without a test set). ``snapshots``: (epoch, weights) from epoch 0 on,
    every ``snapshot_every`` epochs; when more than ``max_snapshots`` pile up every other one is dropped
    and the interval doubles, so they stay evenly spread over the whole run.
    ``optimizer.lr``, ``l1``, ``l2``, ``clip`` and ``batch_size`` may be changed between calls.
    """

    def __init__(self, model, loss, optimizer, X_train, y_train, X_test=None, y_test=None, batch_size=32,
                 seed=0, l1=0.0, l2=0.0, clip=None, snapshot_every=1, max_snapshots=200):
        if len(X_train) == 0:
            raise ValueError("the training set is empty")
        if len(X_train) != len(y_train):
            raise ValueError(f"X_train has {len(X_train)} rows but y_train has {len(y_train)}")
        if max_snapshots < 2 or snapshot_every < 1:
            raise ValueError("snapshot_every must be ≥ 1 and max_snapshots ≥ 2")
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.batch_size, self.seed, self.l1, self.l2, self.clip = batch_size, seed, l1, l2, clip
        self.snapshot_every, self.max_snapshots = int(snapshot_every), int(max_snapshots)
        self.classifier = model.is_classifier()
        self.X_train = np.asarray(X_train, dtype=float)
        self.y_train = np.asarray(y_train)
        self.T_train = self.targets(self.y_train)
        self.has_test = X_test is not None and y_test is not None and len(X_test) > 0
        if self.has_test:
            self.X_test, self.y_test = np.asarray(X_test, dtype=float), np.asarray(y_test)
            self.T_test = self.targets(self.y_test)
        self.reset()

    # --- targets and evaluation -------------------------------------------------------------------
    def targets(self, y):
        """The array the loss compares with the model's output, for labels or values y (N,)."""
        y = np.asarray(y)
        if isinstance(self.loss, CrossEntropy):
            return y.astype(int)
        if isinstance(self.loss, MSE) and self.classifier and not isinstance(self.model.layers[-1], Sigmoid):
            k = self.model._out_width()
            return np.eye(k)[y.astype(int)]                      # (N, K) one-hot
        if isinstance(self.loss, (BinaryCrossEntropy, MSE)) and y.ndim == 1:
            return y.astype(float).reshape(-1, 1)                # (N, 1)
        return y

    def _accuracy(self, out, y):
        """The fraction of points whose class, decided as ``model.predict`` decides it, is y."""
        if isinstance(self.model.layers[-1], Sigmoid):
            pred = (out[:, 0] > 0.5).astype(int)                 # predict_proba's argmax of [1 − p, p]
        else:
            pred = out.argmax(axis=-1)                           # softmax keeps the order of the logits
        return float(np.mean(pred == y))

    def _evaluate(self, X, y, T):
        with np.errstate(over="ignore", invalid="ignore"):      # a NaN here is reported, not warned about
            out = self.model.forward(X)                          # one forward pass for loss and accuracy
            value = self.loss.forward(out, T)
        return value, (self._accuracy(out, y) if self.classifier else None)

    def evaluate(self, X, y):
        """``(loss, accuracy)`` on any data (accuracy None for regression); the weights do not change."""
        X = np.asarray(X, dtype=float)
        return self._evaluate(X, np.asarray(y), self.targets(y))

    # --- state ----------------------------------------------------------------------------------------
    def reset(self, weights=None):
        """Start over: optionally load ``weights``, forget the optimizer's state, the history, the
        snapshots and a divergence stop, and reseed the batch order."""
        if weights is not None:
            self.model.set_weights(weights)
        self.optimizer.reset()
        self.rng = np.random.default_rng(self.seed)
        self.epoch = 0
        self.history = {"epoch": [], "train_loss": [], "test_loss": [], "train_acc": [], "test_acc": []}
        self.snapshots = [(0, self.model.get_weights())]
        self._snap_interval = self.snapshot_every
        self.last_order = None           # the training-set permutation of the latest epoch
        self._pos = None                 # next row of last_order to train on; None between epochs
        self.stopped, self.diverged = None, False

    def set_training_data(self, X_train, y_train):
        """New training rows (say, a point added by hand) for the next epoch; the weights, the optimizer's state,
        the epoch count and the history go on. An epoch under way ends where it is."""
        if len(X_train) == 0 or len(X_train) != len(y_train):
            raise ValueError("the training set needs as many labels as rows, and at least one row")
        self.X_train, self.y_train = np.asarray(X_train, dtype=float), np.asarray(y_train)
        self.T_train = self.targets(self.y_train)
        self._pos = None

    def reset_weights(self, weights):
        """Load new weights and start over (see ``reset``); the way out of a divergence stop."""
        self.reset(weights)

    def _diverge(self, what, good_weights):
        self.model.set_weights(good_weights)
        self.optimizer.reset()
        lr = getattr(self.optimizer, "lr", None)
        cause = (f"the learning rate {lr:g} is most likely too large" if lr is not None
                 else "the steps were most likely too large")
        shown = (f"from the end of epoch {self.epoch}" if self.epoch else "it started with")
        self.stopped = (f"The {what} at epoch {self.epoch + 1}: {cause}, and the weights exploded. "
                        f"Lower the learning rate{' (or the clipping threshold)' if self.clip else ''} and reset "
                        f"the weights. "
                        f"The network now shows the weights {shown}.")
        self.diverged = True

    def rewind(self, epoch):
        """Go back to the snapshot of ``epoch`` and go on from there: its weights, the history up to it,
        the snapshots up to it; the optimizer's state (velocities, moments) starts afresh."""
        weights = dict(self.snapshots)[epoch]
        self.model.set_weights(weights)
        self.optimizer.reset()
        self.history = {k: v[:epoch] for k, v in self.history.items()}
        self.snapshots = [(e, w) for e, w in self.snapshots if e <= epoch]
        self.epoch, self._pos, self.stopped, self.diverged = epoch, None, None, False

    # --- training -------------------------------------------------------------------------------------
    def _batch_size(self, n):
        return n if not self.batch_size else min(max(int(self.batch_size), 1), n)   # None or 0: full batch

    def _train_batch(self):
        """One mini-batch of the current epoch (starting a new epoch when none is under way).
        Returns False when it stopped training because the loss or the weights diverged."""
        n = len(self.X_train)
        if self._pos is None:                                    # a new epoch: new order, last good weights
            self.last_order = self.rng.permutation(n)
            self._X_epoch, self._T_epoch = self.X_train[self.last_order], self.T_train[self.last_order]
            self._good_weights = self.model.get_weights()
            self._pos = 0
        start, stop = self._pos, self._pos + self._batch_size(n)   # the batch: rows start…stop of the order
        self._pos = min(stop, n)
        model, loss = self.model, self.loss
        value = loss.forward(model.forward(self._X_epoch[start:stop]), self._T_epoch[start:stop])
        if not math.isfinite(value):
            self._diverge(f"loss became {_describe(value)}", self._good_weights)
            return False
        model.backward(loss.backward())
        if self.l1 or self.l2:
            add_penalty(model, self.l1, self.l2)
        if self.clip:
            clip_grad_norm(model, self.clip)
        self.optimizer.step(model)
        return True

    @property
    def epoch_progress(self):
        """How far the current epoch has got, from 0 to 1 (0 between epochs)."""
        return 0.0 if self._pos is None else self._pos / len(self.X_train)

    def _finish_epoch(self):
        """Evaluate, record the history row and maybe a snapshot. Returns the row, or None if diverged."""
        self._pos = None
        model = self.model
        if not all(np.isfinite(p).all() for layer in model.layers for p in layer.params.values()):
            self._diverge("weights became NaN or infinite", self._good_weights)
            return None
        train_loss, train_acc = self._evaluate(self.X_train, self.y_train, self.T_train)
        test_loss, test_acc = (self._evaluate(self.X_test, self.y_test, self.T_test) if self.has_test
                               else (None, None))
        for value in (train_loss, test_loss):
            if value is not None and not math.isfinite(value):
                self._diverge(f"loss became {_describe(value)}", self._good_weights)
                return None
        self.epoch += 1
        row = {"epoch": self.epoch, "train_loss": train_loss, "test_loss": test_loss,
               "train_acc": train_acc, "test_acc": test_acc}
        for key, value in row.items():
            self.history[key].append(value)
        if self.epoch % self._snap_interval == 0:
            self.snapshots.append((self.epoch, model.get_weights()))
            if len(self.snapshots) > self.max_snapshots:
                self.snapshots = self.snapshots[::2]            # keeps epoch 0 and an even spacing
                self._snap_interval *= 2
        return row

    def run_epoch(self):
        """One pass over the training set (or the rest of the one under way). Returns the new history
        row (a dict), or None when stopped."""
        if self.stopped:
            return None
        # Overflow is expected when the weights explode; it is caught and told in plain words.
        with np.errstate(over="ignore", invalid="ignore"):
            while True:
                if not self._train_batch():
                    return None
                if self._pos >= len(self.X_train):
                    return self._finish_epoch()

    def run_for(self, seconds, max_epochs=None, until=None):
        """Run whole epochs while another one fits in ``seconds`` of wall time (judged by the mean epoch
        so far, so one epoch slowed by other work on the machine does not end the chunk), at least one
        unless stopped, at most ``max_epochs``, and not after ``until()`` turns true (a live page passes
        "the learner clicked something", so Pause does not wait for the whole chunk). Returns the epochs run."""
        start = time.perf_counter()
        done = 0
        while not self.stopped and (max_epochs is None or done < max_epochs):
            if self.run_epoch() is None:
                break
            done += 1
            elapsed = time.perf_counter() - start
            if elapsed * (done + 1) / done > seconds or (until is not None and until()):
                break
        return done

    def run_steps_for(self, seconds, max_epochs=None, until=None):
        """Run mini-batches for ``seconds`` of wall time (at least one), finishing epochs as they complete
        and stopping mid-epoch when the time is up or ``until()`` turns true — for live pages whose epochs
        are longer than a frame (``epoch_progress`` tells how far the current one got). Returns the epochs
        completed."""
        start = time.perf_counter()
        done = 0
        with np.errstate(over="ignore", invalid="ignore"):         # as in run_epoch: caught, not warned about
            while not self.stopped and (max_epochs is None or done < max_epochs):
                if not self._train_batch():
                    break
                if self._pos >= len(self.X_train):
                    if self._finish_epoch() is None:
                        break
                    done += 1
                if time.perf_counter() - start > seconds or (until is not None and until()):
                    break
        return done

    def history_arrays(self):
        """The history as float arrays (None → NaN), ready to plot."""
        return {k: np.array([np.nan if v is None else v for v in vals], dtype=float)
                for k, vals in self.history.items()}


def confusion_matrix(y_true, y_pred, k):
    """Counts (k, k): row = true class, column = predicted class; the diagonal holds the right answers."""
    cm = np.zeros((k, k), dtype=int)
    np.add.at(cm, (np.asarray(y_true, dtype=int).ravel(), np.asarray(y_pred, dtype=int).ravel()), 1)
    return cm

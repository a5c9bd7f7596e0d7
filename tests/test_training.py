"""The Trainer: learning, divergence stop, time budget, snapshots, history, L2, batch order, targets."""
import time
import warnings

import numpy as np
import pytest

from nn_core import MSE, SGD, Adam, BinaryCrossEntropy, CrossEntropy, Identity, mlp
from nn_core.data import make_2d, train_test_split
from nn_core.models import Sequential
from nn_core.training import Trainer


def spiral_split(seed=0, n=500):
    X, y = make_2d("spiral", n=n, noise=0.0, seed=seed)
    return train_test_split(X, y, train_frac=0.5, seed=seed)


def small_trainer(**kw):
    Xtr, ytr, Xte, yte = spiral_split(n=120)
    model = mlp([2, 6, 1], "tanh", output="sigmoid", seed=1)
    return Trainer(model, BinaryCrossEntropy(), Adam(0.01), Xtr, ytr, Xte, yte, batch_size=16, seed=2, **kw)


def test_mlp_learns_the_two_arm_spiral():
    Xtr, ytr, Xte, yte = spiral_split()
    model = mlp([2, 16, 16, 1], "tanh", output="sigmoid", seed=0)
    trainer = Trainer(model, BinaryCrossEntropy(), Adam(0.01), Xtr, ytr, Xte, yte, batch_size=32, seed=0)
    start = time.perf_counter()
    epochs = trainer.run_for(30.0, max_epochs=400)     # ≈ 0.5 s on a laptop; the bound is the epoch count
    assert epochs == 400 and time.perf_counter() - start < 30
    assert trainer.history["test_acc"][-1] >= 0.95
    assert trainer.history["train_loss"][-1] < trainer.history["train_loss"][0] / 5
    # the reported accuracy is model.predict's
    assert trainer.history["test_acc"][-1] == pytest.approx(np.mean(model.predict(Xte) == yte))
    assert trainer.evaluate(Xte, yte)[1] == trainer.history["test_acc"][-1]
    assert trainer.stopped is None and not trainer.diverged


def same_weights(a, b):
    return all(np.array_equal(x[k], y[k]) for x, y in zip(a, b, strict=True) for k in x)


def test_divergence_is_caught_in_plain_words():
    X, y = make_2d("plane", n=200, seed=0)
    model = mlp([2, 16, 16, 1], "relu", seed=0)
    trainer = Trainer(model, MSE(), SGD(10.0), X, y, batch_size=200, seed=0, snapshot_every=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # not even a NumPy overflow warning
        for _ in range(20):
            trainer.run_epoch()
    assert trainer.diverged and trainer.epoch >= 1
    assert trainer.stopped.startswith(f"The loss became NaN at epoch {trainer.epoch + 1}") or \
        trainer.stopped.startswith(f"The loss became infinite at epoch {trainer.epoch + 1}")
    assert "learning rate 10 is most likely too large" in trainer.stopped
    assert "Lower the learning rate" in trainer.stopped
    epoch, n_rows = trainer.epoch, len(trainer.history["epoch"])
    assert n_rows == epoch and all(np.isfinite(trainer.history["train_loss"]))
    # the model is left with the weights of the last good epoch, so the pages can still draw it
    assert trainer.snapshots[-1][0] == epoch and same_weights(model.get_weights(), trainer.snapshots[-1][1])
    before = model.get_weights()
    assert trainer.run_epoch() is None and trainer.run_for(1.0) == 0
    assert trainer.epoch == epoch and same_weights(before, model.get_weights())
    # new weights and a sane learning rate: it trains again
    trainer.optimizer.lr = 0.05
    trainer.reset_weights(mlp([2, 16, 16, 1], "relu", seed=1).get_weights())
    assert trainer.stopped is None and not trainer.diverged and trainer.epoch == 0
    assert trainer.run_epoch() is not None and trainer.epoch == 1


def test_divergence_within_the_first_epoch():
    X, y = make_2d("plane", n=200, seed=0)
    model = mlp([2, 16, 16, 1], "relu", seed=0)
    start = model.get_weights()
    trainer = Trainer(model, MSE(), SGD(10.0), X, y, batch_size=20, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert trainer.run_for(5.0) == 0
    assert trainer.diverged and trainer.stopped.startswith("The loss became")
    assert "at epoch 1:" in trainer.stopped and "the weights it started with" in trainer.stopped
    assert trainer.history["epoch"] == [] and same_weights(start, model.get_weights())


def test_run_for_runs_whole_epochs_within_a_rough_budget():
    trainer = small_trainer()
    assert trainer.run_for(0.0) == 1                   # at least one epoch
    start = time.perf_counter()
    epochs = trainer.run_for(0.2)
    elapsed = time.perf_counter() - start
    assert epochs >= 1 and elapsed < 0.2 + 2.0         # generous: this is about the budget, not speed
    assert trainer.epoch == 1 + epochs == len(trainer.history["epoch"])
    assert trainer.run_for(60.0, max_epochs=3) == 3
    assert trainer.run_for(60.0, max_epochs=0) == 0


def test_snapshots_restore_exact_weights_and_stay_spread():
    trainer = small_trainer(snapshot_every=2, max_snapshots=200)
    model = trainer.model
    seen = {0: model.get_weights()}
    for _ in range(6):
        trainer.run_epoch()
        seen[trainer.epoch] = model.get_weights()
    assert [e for e, _ in trainer.snapshots] == [0, 2, 4, 6]
    for epoch, weights in trainer.snapshots:
        model.set_weights(weights)
        for layer, saved in zip(model.layers, seen[epoch]):
            for k in saved:
                np.testing.assert_array_equal(layer.params[k], saved[k])
    thin = small_trainer(snapshot_every=1, max_snapshots=5)
    thin.run_for(60.0, max_epochs=20)
    epochs = [e for e, _ in thin.snapshots]
    assert len(epochs) <= 5 and epochs[0] == 0
    assert len(set(np.diff(epochs))) == 1 and epochs[-1] >= 12   # evenly spread, over the whole run


def test_history_has_consistent_lengths():
    trainer = small_trainer()
    trainer.run_for(60.0, max_epochs=7)
    h = trainer.history
    assert set(h) == {"epoch", "train_loss", "test_loss", "train_acc", "test_acc"}
    assert all(len(v) == 7 for v in h.values()) and h["epoch"] == list(range(1, 8))
    arrays = trainer.history_arrays()
    assert all(a.shape == (7,) and a.dtype == float for a in arrays.values())
    # regression, and no test set: accuracies and test losses are None (NaN in the arrays)
    X, y = make_2d("plane", n=100, seed=0)
    reg = Trainer(mlp([2, 4, 1], "tanh", seed=0), MSE(), Adam(0.01), X, y, batch_size=10)
    row = reg.run_epoch()
    assert row["train_acc"] is None and row["test_loss"] is None and np.isfinite(row["train_loss"])
    assert np.isnan(reg.history_arrays()["test_acc"]).all()
    assert reg.evaluate(X, y)[1] is None


def test_l2_shrinks_the_weights():
    def weight_norm(l2):
        trainer = small_trainer(l2=l2)
        trainer.run_for(60.0, max_epochs=30)
        return sum(float((layer.params["W"] ** 2).sum()) for layer in trainer.model.layers if "W" in layer.params)
    assert weight_norm(0.05) < 0.8 * weight_norm(0.0)


class Recorder(Identity):
    """Identity layer that remembers every input it sees, to check which rows made each batch."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, z):
        self.seen.append(z.copy())
        return super().forward(z)


def batches_of(trainer, recorder, epochs=3):
    out = []
    for _ in range(epochs):
        recorder.seen.clear()
        trainer.run_epoch()
        n_eval = 2 if trainer.has_test else 1
        out.append((trainer.last_order.copy(), np.concatenate(recorder.seen[:-n_eval])))
    return out


def test_batch_order_is_reshuffled_each_epoch_and_reproducible():
    Xtr, ytr, _, _ = spiral_split(n=60)

    def build():
        rec = Recorder()
        model = Sequential([rec] + mlp([2, 4, 1], "tanh", output="sigmoid", seed=0).layers)
        return Trainer(model, BinaryCrossEntropy(), SGD(0.1), Xtr, ytr, batch_size=8, seed=7), rec

    run1, run2 = batches_of(*build()), batches_of(*build())
    for (order, rows), (order2, rows2) in zip(run1, run2):
        np.testing.assert_array_equal(order, order2)
        np.testing.assert_array_equal(rows, Xtr[order])    # the batches really follow that order
        np.testing.assert_array_equal(rows2, rows)
        assert sorted(order) == list(range(len(Xtr)))
    assert not np.array_equal(run1[0][0], run1[1][0]) and not np.array_equal(run1[1][0], run1[2][0])
    other, rec = build()
    other.seed = 8
    other.reset()
    assert not np.array_equal(batches_of(other, rec, 1)[0][0], run1[0][0])


def test_targets_follow_the_loss_and_the_output():
    X, y = make_2d("blobs3", n=30, seed=0)
    logits = mlp([2, 4, 3], "tanh", seed=0)
    t = Trainer(logits, MSE(), SGD(0.1), X, y)
    np.testing.assert_array_equal(t.targets(np.array([2, 0])), [[0, 0, 1], [1, 0, 0]])
    assert t.run_epoch()["train_acc"] is not None
    t = Trainer(logits, CrossEntropy(), SGD(0.1), X, y)
    assert t.targets(y).shape == (30,)
    Xb, yb = make_2d("gauss", n=30, seed=0)
    sig = mlp([2, 4, 1], "tanh", output="sigmoid", seed=0)
    for loss in (MSE(), BinaryCrossEntropy()):
        t = Trainer(sig, loss, SGD(0.1), Xb, yb)
        np.testing.assert_array_equal(t.targets(np.array([1, 0])), [[1.0], [0.0]])
        assert t.run_epoch()["train_acc"] is not None


def test_hyperparameters_can_change_between_calls():
    trainer = small_trainer()
    trainer.run_epoch()
    trainer.batch_size, trainer.optimizer.lr, trainer.clip, trainer.l1 = 1000, 0.0, 1.0, 0.01
    before = trainer.model.get_weights()
    trainer.run_epoch()                                # lr 0: nothing moves, even with a penalty and clipping
    for a, b in zip(before, trainer.model.get_weights()):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    assert trainer.epoch == 2


def test_run_for_stops_after_the_epoch_in_which_until_turns_true():
    """A live page passes "the learner clicked": training ends after the epoch under way, not the whole chunk."""
    trainer = small_trainer()
    calls = []

    def clicked():
        calls.append(trainer.epoch)
        return len(calls) == 3                          # the click arrives during the third epoch

    assert trainer.run_for(60.0, max_epochs=50, until=clicked) == 3
    assert trainer.epoch == 3 and calls == [1, 2, 3]
    assert trainer.run_for(60.0, max_epochs=4, until=lambda: False) == 4     # never true: the budget rules


def test_run_for_is_not_cut_short_by_one_slow_epoch(monkeypatch):
    """The chunk is judged by the mean epoch: one epoch slowed by other work must not end it."""
    trainer = small_trainer()
    clock = iter([0.0] + [0.001 * k for k in range(1, 5)] + [0.030] + [0.031 + 0.001 * k for k in range(50)])
    monkeypatch.setattr("nn_core.training.time.perf_counter", lambda: next(clock))
    # epochs end at 1, 2, 3, 4 ms, then one takes 26 ms (30 ms), then 1 ms each; budget 40 ms:
    # after the slow one the mean is 6 ms, so epochs go on until 6 ms more would pass 40 ms.
    done = trainer.run_for(0.040, max_epochs=100)
    assert 6 < done < 100, done


def test_set_training_data_goes_on_with_new_rows():
    X, y = make_2d("xor", 40, seed=1)
    tr = Trainer(mlp([2, 4, 1], ["tanh"], output="sigmoid", seed=0), BinaryCrossEntropy(), SGD(0.1), X, y,
                 batch_size=8, seed=0)
    tr.run_epoch()
    weights = tr.model.get_weights()
    tr.set_training_data(np.vstack([X, [[0.5, -0.5]]]), np.append(y, 1))
    assert tr.epoch == 1 and len(tr.history["epoch"]) == 1
    assert all(np.array_equal(a[k], b[k]) for a, b in zip(weights, tr.model.get_weights()) for k in a)
    assert tr.T_train.shape == (41, 1) and tr.T_train[-1, 0] == 1.0
    tr.run_epoch()
    assert tr.epoch == 2 and sorted(tr.last_order) == list(range(41))
    with pytest.raises(ValueError):
        tr.set_training_data(X, y[:-1])

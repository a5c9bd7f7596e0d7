"""Trainer.run_steps_for: live pages may stop mid-epoch; the result must not depend on how the work
was cut into frames."""
import numpy as np

from nn_core import Adam, CrossEntropy, mlp
from nn_core.data import make_2d, train_test_split
from nn_core.training import Trainer


def make_trainer():
    X, y = make_2d("blobs3", n=300, noise=0.2, seed=4)
    Xtr, ytr, Xte, yte = train_test_split(X, y, 0.5, seed=4)
    return Trainer(mlp([2, 6, 3], "tanh", seed=5), CrossEntropy(), Adam(0.01), Xtr, ytr, Xte, yte, batch_size=10, seed=6)


def test_steps_in_tiny_chunks_equal_whole_epochs():
    whole, chunked = make_trainer(), make_trainer()
    for _ in range(3):
        whole.run_epoch()
    seen_mid_epoch = False
    while chunked.epoch < 3:
        chunked.run_steps_for(0.0)                       # one mini-batch per call
        seen_mid_epoch |= 0 < chunked.epoch_progress < 1
    assert seen_mid_epoch
    assert chunked.epoch_progress == 0.0                 # between epochs after the third one ended
    assert whole.history == chunked.history
    for a, b in zip(whole.model.get_weights(), chunked.model.get_weights()):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def test_run_epoch_finishes_the_epoch_under_way():
    t = make_trainer()
    t.run_steps_for(0.0)
    t.run_steps_for(0.0)
    assert 0 < t.epoch_progress < 1 and t.epoch == 0
    row = t.run_epoch()
    assert row["epoch"] == 1 and t.epoch_progress == 0.0
    assert len(t.history["train_loss"]) == 1

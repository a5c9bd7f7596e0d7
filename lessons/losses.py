"""The loss tab's regression example without a screen: a linear neuron ŷ = w·x + b fitted to numbers with the
engine's MSE — the regression loss — beside the sigmoid classifier, whose loss is cross-entropy."""
import numpy as np

from nn_core import MSE, Dense, Identity, Sequential

# Hours of revision → exam mark (out of 10): a made-up, fixed sample with a roughly straight trend.
HOURS = np.array([0.5, 1.0, 1.5, 2.0, 3.0, 3.5, 4.0, 5.0])
MARKS = np.array([2.1, 2.9, 3.2, 4.4, 5.3, 6.1, 6.4, 8.2])


def regression_step(w, b, x=HOURS, y=MARKS):
    """The engine's forward and backward pass of ŷ = w·x + b under MSE on the sample (x, y). Returns
    {"pred" (N,), "loss", "dL_dw", "dL_db"}; the gradients say which way to move w and b."""
    dense = Dense(1, 1)
    dense.params["W"][...] = float(w)
    dense.params["b"][...] = float(b)
    model, loss = Sequential([dense, Identity()]), MSE()
    pred = model.forward(np.asarray(x, dtype=float)[:, None])          # (N, 1)
    value = loss.forward(pred, np.asarray(y, dtype=float)[:, None])
    model.backward(loss.backward())
    return {"pred": pred[:, 0], "loss": value, "dL_dw": float(dense.grads["W"][0, 0]),
            "dL_db": float(dense.grads["b"][0])}


def best_line(x=HOURS, y=MARKS):
    """The (w, b) with the lowest MSE (least squares), for the learner to compare with."""
    A = np.stack([np.asarray(x, dtype=float), np.ones(len(x))], axis=1)
    (w, b), *_ = np.linalg.lstsq(A, np.asarray(y, dtype=float), rcond=None)
    return float(w), float(b)

r"""Loss functions: ``value = loss.forward(pred, target)`` (a float, the mean over the batch, as torch
does) and ``dpred = loss.backward()`` (the gradient of that mean with respect to ``pred``).
"""
import numpy as np


def _as_target(pred, target):
    target = np.asarray(target, dtype=float)
    if target.shape != pred.shape and target.size == pred.size:
        target = target.reshape(pred.shape)   # accept y of shape (N,) for a (N, 1) prediction
    if target.shape != pred.shape:
        raise ValueError(f"target shape {target.shape} does not match prediction shape {pred.shape}")
    return target


class MSE:
    r"""Mean squared error over all M elements (as torch.nn.MSELoss).
    $$ L = \frac{1}{M} \sum_{i=1}^{M} (\hat y_i - y_i)^2 $$
    $$ \frac{\partial L}{\partial \hat y_i} = \frac{2}{M} (\hat y_i - y_i) $$
    """
    name = "mse"

    def forward(self, pred, target):
        self.pred = np.asarray(pred, dtype=float)
        self.target = _as_target(self.pred, target)
        d = self.pred - self.target
        return float((d * d).sum() / d.size)

    def backward(self):
        return 2.0 * (self.pred - self.target) / self.pred.size


class BinaryCrossEntropy:
    r"""Binary cross-entropy on probabilities p in (0, 1) (as torch.nn.BCELoss), mean over M elements.
    p is clipped to [ε, 1 − ε], ε = 10⁻¹², so that log(0) never happens.
    $$ L = -\frac{1}{M} \sum_{i=1}^{M} \bigl[ y_i \log p_i + (1 - y_i) \log(1 - p_i) \bigr] $$
    $$ \frac{\partial L}{\partial p_i} = \frac{1}{M} \, \frac{p_i - y_i}{p_i (1 - p_i)} $$
    """
    name = "bce"
    eps = 1e-12

    def forward(self, pred, target):
        self.pred = np.asarray(pred, dtype=float).clip(self.eps, 1.0 - self.eps)
        self.target = _as_target(self.pred, target)
        p, y = self.pred, self.target
        return float(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)).sum() / p.size)

    def backward(self):
        p, y = self.pred, self.target
        return (p - y) / (p * (1.0 - p)) / p.size


class CrossEntropy:
    r"""Cross-entropy on logits z (N, K) and class indices y (N,), softmax inside
    (as torch.nn.CrossEntropyLoss); leading axes beyond N, e.g. (N, T, K) with (N, T), are averaged too.
    Computed with log-sum-exp so that large logits never overflow.
    $$ L = \frac{1}{N} \sum_{n=1}^{N} \Bigl( \log \sum_{k} e^{z_{nk}} - z_{n y_n} \Bigr)
         = -\frac{1}{N} \sum_{n} \log \mathrm{softmax}(z_n)_{y_n} $$
    $$ \frac{\partial L}{\partial z_{nk}} = \frac{1}{N} \bigl( \mathrm{softmax}(z_n)_k - [k = y_n] \bigr) $$
    """
    name = "cross_entropy"

    def forward(self, logits, target):
        logits = np.asarray(logits, dtype=float)
        target = np.asarray(target)
        if target.shape != logits.shape[:-1]:
            raise ValueError(f"class indices of shape {target.shape} do not match logits {logits.shape}")
        K = logits.shape[-1]
        self.shape = logits.shape
        z = logits.reshape(-1, K)                         # (N, K)
        self.y = target.reshape(-1).astype(int)           # (N,)
        if self.y.size and (self.y.min() < 0 or self.y.max() >= K):
            raise ValueError(f"class indices must lie in 0..{K - 1}")
        shifted = z - z.max(axis=1, keepdims=True)       # log-sum-exp: exp never overflows
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        self.probs = e / total                            # softmax, from the same exponentials
        log_probs_of_targets = shifted[np.arange(len(self.y)), self.y] - np.log(total[:, 0])
        return float(-log_probs_of_targets.sum() / len(self.y))

    def backward(self):
        dz = self.probs.copy()
        dz[np.arange(len(self.y)), self.y] -= 1.0
        return (dz / len(self.y)).reshape(self.shape)


LOSSES = {cls.name: cls for cls in (MSE, BinaryCrossEntropy, CrossEntropy)}

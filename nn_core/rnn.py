r"""A recurrent layer: the same cell applied at every time step, carrying a hidden state forward."""
import numpy as np

from .init import init_weights
from .layers import Layer


class RNN(Layer):
    r"""Elman RNN with tanh, batch-first: x (N, T, D) → every hidden state hs (N, T, H).
    Parameters: W_x (D, H), W_h (H, H), b (H,). h_0 = 0 unless ``forward(x, h0)`` is given one (N, H).

    Forward, for t = 1 … T (one cell, reused at every step):
    $$ z_t = x_t W_x + h_{t-1} W_h + b, \qquad h_t = \tanh(z_t) $$
    Backward through time (BPTT), for t = T … 1: h_t reaches the loss through the read-out at t
    (y_t = h_t W_y + b_y, the layer after this one, whose gradient arrives in ``backward(dhs)``) and
    through h_{t+1}, so the two gradients add (the second is the dh_next carried back by the loop):
    $$ \frac{\partial L}{\partial h_t} = \frac{\partial L}{\partial y_t} W_y^\top
       + \frac{\partial L}{\partial z_{t+1}} W_h^\top, \qquad
       \frac{\partial L}{\partial z_t} = \frac{\partial L}{\partial h_t} \odot \bigl(1 - h_t^2\bigr) $$
    $$ \frac{\partial L}{\partial W_x} = \sum_t x_t^\top \frac{\partial L}{\partial z_t}, \qquad
       \frac{\partial L}{\partial W_h} = \sum_t h_{t-1}^\top \frac{\partial L}{\partial z_t}, \qquad
       \frac{\partial L}{\partial b} = \sum_{t} \sum_{n} \frac{\partial L}{\partial z_{t,n}}, \qquad
       \frac{\partial L}{\partial x_t} = \frac{\partial L}{\partial z_t} W_x^\top $$
    After ``backward``: ``grad_norms`` (T,) holds the Frobenius norm of ∂L/∂h_t (the whole batch) for each
    t — it shrinks or grows as it travels back, which is the vanishing/exploding gradient — and ``dh0``
    (N, H) the gradient with respect to the initial state.
    """

    def __init__(self, input_size, hidden_size, init="glorot", rng=None, seed=None):
        super().__init__()
        self.input_size, self.hidden_size, self.init = int(input_size), int(hidden_size), init
        rng = rng if rng is not None else np.random.default_rng(seed)
        D, H = self.input_size, self.hidden_size
        self.params["Wx"] = init_weights(init, (D, H), D, H, rng)
        self.params["Wh"] = init_weights(init, (H, H), H, H, rng)
        self.params["b"] = np.zeros(H)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def step(self, x_t, h_prev):
        """One time step, nothing cached (for generating a sequence one symbol at a time).
        x_t (N, D), h_prev (N, H) → h_t (N, H)."""
        return np.tanh(x_t @ self.params["Wx"] + h_prev @ self.params["Wh"] + self.params["b"])

    def forward(self, x, h0=None):
        N, T, _ = x.shape
        Wh = self.params["Wh"]
        h = self.h0 = np.zeros((N, self.hidden_size)) if h0 is None else h0   # (N, H)
        # The input part of z_t does not depend on h, so all T steps take one matrix product.
        z_in = x @ self.params["Wx"] + self.params["b"]                   # (N, T, H)
        hs = np.empty((N, T, self.hidden_size))
        for t in range(T):
            h = np.tanh(z_in[:, t] + h @ Wh)
            hs[:, t] = h
        self.x, self.hs = x, hs
        return hs

    def backward(self, dhs):
        N, T, H = dhs.shape
        Wh, hs = self.params["Wh"], self.hs
        dtanh = 1.0 - hs ** 2                                              # (N, T, H): tanh'(z_t), all t at once
        dh, dz = np.empty((N, T, H)), np.empty((N, T, H))
        dh_next = np.zeros((N, H))                                         # ∂L/∂h_t arriving from t+1
        for t in reversed(range(T)):
            dh_t = dhs[:, t] + dh_next                                     # the total gradient reaching h_t
            dz_t = dh_t * dtanh[:, t]                                      # (N, H)
            dh[:, t], dz[:, t] = dh_t, dz_t
            dh_next = dz_t @ Wh.T
        self.grad_norms = np.sqrt(np.sum(dh ** 2, axis=(0, 2)))            # (T,) Frobenius norm per step
        self.dh0 = dh_next
        # Sums over t of per-step products, done as one product over the (N·T) rows.
        h_prev = np.concatenate([self.h0[:, None], hs[:, :-1]], axis=1)    # (N, T, H): h_{t-1}
        dz2 = dz.reshape(-1, H)                                            # (N·T, H)
        self.grads["Wx"] = self.x.reshape(-1, self.input_size).T @ dz2
        self.grads["Wh"] = h_prev.reshape(-1, H).T @ dz2
        self.grads["b"] = dz2.sum(axis=0)
        return dz @ self.params["Wx"].T

    def config(self):
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "init": self.init}

    @staticmethod
    def param_shapes(input_size, hidden_size, **_):
        D, H = int(input_size), int(hidden_size)
        return {"Wx": (D, H), "Wh": (H, H), "b": (H,)}

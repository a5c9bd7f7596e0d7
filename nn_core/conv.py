r"""Convolution and pooling over images x of shape (N, C, H, W).

Each operation comes twice: a plain loop version (``conv2d_loop``, ``maxpool2d_loop`` and their
backward twins) that reads like the equations and is what a lesson shows, and a vectorised version
(``conv2d``, ``maxpool2d``) that the layers use. The tests check that the two agree.

Output size along each spatial axis, for input size H, kernel k, stride s and zero padding P:
$$ H_\text{out} = \left\lfloor \frac{H + 2P - k}{s} \right\rfloor + 1 $$
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .init import init_weights
from .layers import Layer


def out_size(n, k, stride, padding=0):
    return (n + 2 * padding - k) // stride + 1


def _pad(x, padding):
    if padding == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


def _windows(x, k, stride):
    """Every k×k window that a stride-s scan visits, as a view (no copy): (N, C, H_out, W_out, k, k).
    Windows that tile the image (stride = k) are a plain reshape, which is cheaper to set up."""
    if stride == k:
        N, C, H, W = x.shape
        Ho, Wo = H // k, W // k
        return x[:, :, :Ho * k, :Wo * k].reshape(N, C, Ho, k, Wo, k).transpose(0, 1, 2, 4, 3, 5)
    return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]


def _scatter_windows(dwin, shape, stride):
    r"""Sum window gradients back onto an image of ``shape`` (N, C, H, W). ``dwin`` (k, k, N, C, H_out,
    W_out) holds, for each kernel offset (p, q), the gradient of the pixel at offset (p, q) of every
    window. Overlapping windows share pixels, so contributions must add: one strided slice add per
    offset, k·k in all. Windows that tile the image (stride = k) share nothing: one reshape does it."""
    k, _, N, C, Ho, Wo = dwin.shape
    dx = np.zeros(shape)
    if stride == k:
        dx[:, :, :Ho * k, :Wo * k] = dwin.transpose(2, 3, 4, 0, 5, 1).reshape(N, C, Ho * k, Wo * k)
        return dx
    for p in range(k):
        for q in range(k):
            dx[:, :, p:p + stride * Ho:stride, q:q + stride * Wo:stride] += dwin[p, q]
    return dx


# --- convolution: the loop reference ------------------------------------------------------------
def conv2d_loop(x, W, b, stride=1, padding=0):
    """Cross-correlation, one output number at a time. x (N, C, H, W), W (O, C, k, k), b (O,)."""
    N, C, H, Wd = x.shape
    O, _, k, _ = W.shape
    xp = _pad(x, padding)
    Ho, Wo = out_size(H, k, stride, padding), out_size(Wd, k, stride, padding)
    y = np.zeros((N, O, Ho, Wo))
    for n in range(N):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    patch = xp[n, :, i * stride:i * stride + k, j * stride:j * stride + k]   # (C, k, k)
                    y[n, o, i, j] = np.sum(patch * W[o]) + b[o]
    return y


def conv2d_backward_loop(dy, x, W, stride=1, padding=0):
    """Gradients (dx, dW, db) of ``conv2d_loop``, one output number at a time."""
    N, O, Ho, Wo = dy.shape
    k = W.shape[2]
    xp = _pad(x, padding)
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    for n in range(N):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * stride, i * stride + k), slice(j * stride, j * stride + k)
                    dW[o] += dy[n, o, i, j] * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += dy[n, o, i, j] * W[o]
    db = dy.sum(axis=(0, 2, 3))
    H, Wd = x.shape[2:]
    return dxp[:, :, padding:padding + H, padding:padding + Wd], dW, db


# --- convolution: vectorised (im2col + one matrix product) --------------------------------------
def im2col(x, k, stride=1, padding=0):
    """Unroll every window into a row: (N·H_out·W_out, C·k·k), ordered like W.reshape(O, -1)."""
    N, C = x.shape[:2]
    win = _windows(_pad(x, padding), k, stride)               # (N, C, Ho, Wo, k, k) view
    Ho, Wo = win.shape[2:4]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, C * k * k), (Ho, Wo)


def conv2d(x, W, b, stride=1, padding=0):
    """The same result as ``conv2d_loop`` with one matrix product."""
    cols, (Ho, Wo) = im2col(x, W.shape[2], stride, padding)
    y = cols @ W.reshape(len(W), -1).T + b                    # (N·Ho·Wo, O)
    return y.reshape(len(x), Ho, Wo, len(W)).transpose(0, 3, 1, 2)


def conv2d_backward(dy, cols, x_shape, W, stride=1, padding=0):
    """Gradients (dx, dW, db) given the im2col rows ``cols`` that the forward pass used."""
    N, C, H, Wd = x_shape
    O, _, k, _ = W.shape
    Ho, Wo = dy.shape[2:]
    dy_o = dy.transpose(1, 0, 2, 3).reshape(O, -1)              # (O, N·Ho·Wo)
    dW = (dy_o @ cols).reshape(W.shape)
    db = dy_o.sum(axis=1)
    # Each window's gradient as (k, k, N, C, Ho, Wo): the slice for one offset has contiguous rows.
    dwin = (W.reshape(O, -1).T @ dy_o).reshape(C, k, k, N, Ho, Wo).transpose(1, 2, 3, 0, 4, 5)
    dxp = _scatter_windows(dwin, (N, C, H + 2 * padding, Wd + 2 * padding), stride)
    return dxp[:, :, padding:padding + H, padding:padding + Wd], dW, db


class Conv2D(Layer):
    r"""2-D convolution (strictly, cross-correlation, as in torch.nn.functional.conv2d): each of the O
    filters slides over the zero-padded image and takes a weighted sum of every k×k×C window.

    Shapes: x (N, C, H, W); W (O, C, k, k); b (O,); y (N, O, H_out, W_out). $\tilde x$ is x padded
    with P zeros on every side, s the stride.

    Forward:
    $$ y_{n,o,i,j} = b_o + \sum_{c=1}^{C} \sum_{p=0}^{k-1} \sum_{q=0}^{k-1}
       W_{o,c,p,q}\, \tilde x_{n,c,\,si+p,\,sj+q} $$
    Backward (every output pixel that saw an input pixel sends gradient back to it):
    $$ \frac{\partial L}{\partial W_{o,c,p,q}} = \sum_{n,i,j} \frac{\partial L}{\partial y_{n,o,i,j}}\,
       \tilde x_{n,c,\,si+p,\,sj+q}, \qquad
       \frac{\partial L}{\partial b_o} = \sum_{n,i,j} \frac{\partial L}{\partial y_{n,o,i,j}} $$
    $$ \frac{\partial L}{\partial \tilde x_{n,c,a,e}} = \sum_{o} \sum_{\substack{i,j,p,q:\\ si+p=a,\ sj+q=e}}
       W_{o,c,p,q}\, \frac{\partial L}{\partial y_{n,o,i,j}} $$
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, init="he", rng=None,
                 seed=None):
        super().__init__()
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride, self.padding, self.init = int(kernel_size), int(stride), int(padding), init
        rng = rng if rng is not None else np.random.default_rng(seed)
        k2 = self.kernel_size ** 2
        shape = (self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        self.params["W"] = init_weights(init, shape, self.in_channels * k2, self.out_channels * k2, rng)
        self.params["b"] = np.zeros(self.out_channels)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        W = self.params["W"]
        self.x_shape = x.shape
        self.cols, (Ho, Wo) = im2col(x, self.kernel_size, self.stride, self.padding)   # (N·Ho·Wo, C·k·k)
        y = self.cols @ W.reshape(len(W), -1).T + self.params["b"]                     # (N·Ho·Wo, O)
        return y.reshape(len(x), Ho, Wo, len(W)).transpose(0, 3, 1, 2)

    def backward(self, dy):
        dx, self.grads["W"], self.grads["b"] = conv2d_backward(dy, self.cols, self.x_shape, self.params["W"],
                                                               self.stride, self.padding)
        return dx

    def config(self):
        return {"in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": self.kernel_size, "stride": self.stride, "padding": self.padding,
                "init": self.init}

    @staticmethod
    def param_shapes(in_channels, out_channels, kernel_size, **_):
        k, o = int(kernel_size), int(out_channels)
        return {"W": (o, int(in_channels), k, k), "b": (o,)}


# --- pooling ------------------------------------------------------------------------------------
def maxpool2d_loop(x, k, stride=None):
    """Max over each k×k window, one output number at a time (no padding, like torch's default)."""
    stride = stride or k
    N, C, H, W = x.shape
    Ho, Wo = out_size(H, k, stride), out_size(W, k, stride)
    y = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    y[n, c, i, j] = x[n, c, i * stride:i * stride + k, j * stride:j * stride + k].max()
    return y


def maxpool2d_backward_loop(dy, x, k, stride=None):
    """Each output's gradient goes to the first maximum of its window; overlapping windows add up."""
    stride = stride or k
    N, C, Ho, Wo = dy.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * stride:i * stride + k, j * stride:j * stride + k]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + p, j * stride + q] += dy[n, c, i, j]
    return dx


def maxpool2d(x, k, stride=None):
    """Vectorised max pooling; returns (y, argmax) where argmax (N, C, H_out, W_out) is the flat index
    p·k + q of each window's first maximum, which is all the backward pass needs."""
    stride = stride or k
    win = _windows(x, k, stride)                               # (N, C, Ho, Wo, k, k) view
    # One image per window offset, (k·k, N, C, Ho, Wo): max and argmax over the first axis compare
    # whole images elementwise, far faster than reducing many length-k·k rows.
    flat = win.transpose(4, 5, 0, 1, 2, 3).reshape(k * k, *win.shape[:4])
    return flat.max(axis=0), flat.argmax(axis=0)               # argmax: the first maximum on ties, like torch


def maxpool2d_backward(dy, argmax, x_shape, k, stride=None):
    """dx from the ``argmax`` that ``maxpool2d`` returned: each window's gradient to its winner."""
    stride = stride or k
    winner = np.arange(k * k)[:, None, None, None, None] == argmax      # (k·k, N, C, Ho, Wo)
    return _scatter_windows((winner * dy).reshape(k, k, *dy.shape), x_shape, stride)


class Pool2D(Layer):
    """What both pooling layers share: a k×k window moved by ``stride`` (default k), no parameters."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = int(kernel_size)
        self.stride = int(stride) if stride else self.kernel_size

    def config(self):
        return {"kernel_size": self.kernel_size, "stride": self.stride}


class MaxPool2D(Pool2D):
    r"""Max pooling: each k×k window (stride s, default k) is replaced by its largest value. No
    parameters. Shapes: x (N, C, H, W) → y (N, C, H_out, W_out).

    Forward:
    $$ y_{n,c,i,j} = \max_{0 \le p, q < k} x_{n,c,\,si+p,\,sj+q} $$
    Backward: only the winner of each window (the first maximum, as in torch) gets the gradient;
    when windows overlap (s < k) a pixel that wins several windows collects all of them:
    $$ \frac{\partial L}{\partial x_{n,c,a,e}} = \sum_{i,j} \frac{\partial L}{\partial y_{n,c,i,j}}\,
       \bigl[ (a, e) = \operatorname{argmax}_{(si+p,\,sj+q)} x_{n,c,\,si+p,\,sj+q} \bigr] $$
    """

    def forward(self, x):
        self.x_shape = x.shape
        y, self.argmax = maxpool2d(x, self.kernel_size, self.stride)
        return y

    def backward(self, dy):
        return maxpool2d_backward(dy, self.argmax, self.x_shape, self.kernel_size, self.stride)


class AvgPool2D(Pool2D):
    r"""Average pooling: each k×k window (stride s, default k) is replaced by its mean. No parameters.
    Shapes: x (N, C, H, W) → y (N, C, H_out, W_out).

    Forward:
    $$ y_{n,c,i,j} = \frac{1}{k^2} \sum_{p=0}^{k-1} \sum_{q=0}^{k-1} x_{n,c,\,si+p,\,sj+q} $$
    Backward: every pixel of a window gets an equal share:
    $$ \frac{\partial L}{\partial x_{n,c,a,e}} = \frac{1}{k^2} \sum_{\substack{i,j:\ (a,e)\ \text{in window}\ (i,j)}}
       \frac{\partial L}{\partial y_{n,c,i,j}} $$
    """

    def forward(self, x):
        self.x_shape = x.shape
        return _windows(x, self.kernel_size, self.stride).mean(axis=(-2, -1))

    def backward(self, dy):
        k = self.kernel_size
        dwin = np.broadcast_to(dy / (k * k), (k, k, *dy.shape))
        return _scatter_windows(dwin, self.x_shape, self.stride)

r"""Sequence data sets for recurrent networks: waves to continue, a delayed echo to remember, and
characters of a bundled public-domain text.

Arrays are batch-first, like the RNN: (n, T, features) inputs and (n, T) or (n, T, 1) targets.
"""
import numpy as np

from .images import ASSETS


def sine_windows(n, T, kind="sine", seed=0):
    r"""n windows of a wave, each with its own frequency and phase: X (n, T, 1) and Y (n, T, 1) with
    Y[:, t] the value after X[:, t] — the task is to predict the next value.
    "sine": one wave; "sum": the mean of two waves of different frequencies (still within [−1, 1]).
    $$ s_t = \sin(\omega t + \varphi) \quad\text{or}\quad s_t = \tfrac12\bigl(\sin(\omega_1 t + \varphi_1) + \sin(\omega_2 t + \varphi_2)\bigr) $$
    """
    if kind not in ("sine", "sum"):
        raise ValueError(f"unknown kind {kind!r}; choose 'sine' or 'sum'")
    rng = np.random.default_rng(seed)
    t = np.arange(T + 1)                                                   # one extra step for the last target
    waves = 1 if kind == "sine" else 2
    omega = rng.uniform(0.15, 0.6, size=(n, waves, 1))                     # radians per step
    phase = rng.uniform(0, 2 * np.pi, size=(n, waves, 1))
    s = np.sin(omega * t + phase).mean(axis=1)                             # (n, T+1)
    return s[:, :T, None], s[:, 1:, None]


def echo_task(n, T, k, n_symbols=4, seed=0):
    """Remember k steps back: X (n, T, n_symbols) one-hot random symbols, y (n, T) int with
    y[:, t] = the symbol at t − k (0 for t < k, before anything could be echoed)."""
    rng = np.random.default_rng(seed)
    symbols = rng.integers(0, n_symbols, size=(n, T))
    y = np.zeros((n, T), dtype=int)
    if k < T:
        y[:, k:] = symbols[:, :T - k]
    return np.eye(n_symbols)[symbols], y


def load_text():
    """The bundled text (five of Shakespeare's sonnets, public domain; see assets/README.md)."""
    return (ASSETS / "text.txt").read_text(encoding="utf-8")


class CharVocab:
    """The characters of a text, each given an integer id (in sorted order, so ids are reproducible)."""

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.size = len(self.chars)
        self.index = {c: i for i, c in enumerate(self.chars)}

    def encode(self, text):
        """str → int array (len(text),); a character outside the vocabulary raises ValueError."""
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {''.join(unknown)!r}")
        return np.array([self.index[c] for c in text], dtype=int)

    def decode(self, ids):
        return "".join(self.chars[int(i)] for i in np.ravel(ids))

    def one_hot(self, ids):
        """int array (...) → float array (..., size)."""
        return np.eye(self.size)[np.asarray(ids, dtype=int)]


def char_batches(ids, batch, T, rng):
    """A random batch of windows of the id sequence: X (batch, T) and Y (batch, T) = the next ids
    (Y[:, t] = ids[start + t + 1]). ``rng`` is a np.random.Generator (or a seed)."""
    rng = np.random.default_rng(rng)
    ids = np.asarray(ids)
    if len(ids) < T + 1:
        raise ValueError(f"a sequence of {len(ids)} ids is too short for windows of T = {T}")
    starts = rng.integers(0, len(ids) - T, size=batch)                      # last start: len − T − 1
    idx = starts[:, None] + np.arange(T)                                     # (batch, T)
    return ids[idx], ids[idx + 1]

r"""The recurrent-network lesson's models and trainer: an RNN followed by a Dense read-out, trained on
three sequence tasks with truncated backpropagation through time (BPTT).

* ``forecast``: the next value of a wave (RNN → Dense(H, 1) → MSE); the trained model can also run
  free, fed its own predictions (``free_run``).
* ``echo``: output the symbol seen k steps earlier (RNN → Dense(H, K) → CrossEntropy over (N, T, K)).
* ``chars``: the next character of a text (one-hot → RNN → Dense(H, V) → CrossEntropy); ``sample``
  draws new text at a temperature τ and returns the probabilities of every step.

Truncated BPTT: every batch is a stream of L steps, cut into chunks of T steps. The hidden state is
carried from one chunk to the next, but the gradient stops at a chunk's start — so the network can only
learn dependencies at most T steps apart. One optimizer update per chunk:
$$ h^{(c)}_0 = h^{(c-1)}_T, \qquad \theta \leftarrow \theta - \eta\, \nabla_\theta L^{(c)} $$
"""
import math
import time

import numpy as np

from nn_core.activations import softmax
from nn_core.layers import Dense
from nn_core.losses import MSE, CrossEntropy
from nn_core.models import Sequential
from nn_core.optimizers import clip_grad_norm, make_optimizer
from nn_core.rnn import RNN
from nn_core.sequences import CharVocab, char_batches, echo_task, load_text, sine_windows

MIN_TEXT = 20   # characters a learner's text needs at least (a few windows to learn from)
MAX_TEXT = 20_000   # characters of a learner's text: a few pages (the bundled sonnets have about 3,100)
MAX_VOCAB = 100     # distinct characters: one alphabet with its punctuation; each costs a row and a column of
                    # the one-hot inputs and the output layer (the sonnets use 53)
TEXT_HELP = (f"{MIN_TEXT} to {MAX_TEXT:,d} characters, at most {MAX_VOCAB} different ones (one alphabet with its digits "
             "and punctuation): each one is an input and an output of the network.")
OWN_CHARS = "Only characters of the network's text (it knows no others); the box keeps the first ones."


def spectral_radius(W):
    """The largest |eigenvalue| of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def set_spectral_radius(rnn, radius):
    r"""Rescale the recurrent weights W_h in place so that their spectral radius is ``radius``:
    $$ W_h \leftarrow W_h \cdot \frac{\rho^*}{\max_i |\lambda_i(W_h)|} $$
    Near h = 0, ∂h_t/∂h_{t-1} ≈ W_hᵀ, so a gradient sent back n steps shrinks (ρ < 1) or can grow (ρ > 1)
    roughly like ρⁿ."""
    Wh = rnn.params["Wh"]
    Wh *= float(radius) / spectral_radius(Wh)
    return Wh


# --- tasks: data and how to score them ------------------------------------------------------------
class _ArrayTask:
    """A task whose training set is a fixed array of sequences X (n, L, D) with targets Y; X_val, Y_val
    are held out. ``loss_class`` is the loss the model trains on."""
    loss_class = MSE

    def make_loss(self):
        return self.loss_class()

    def batch(self, rng, size):
        idx = rng.integers(0, len(self.X), size=size)
        return self.X[idx], self.Y[idx]

    def probe(self):
        """The sequence the pictures show: (x (L, D), its targets)."""
        return self.X_val[0], self.Y_val[0]


class ForecastTask(_ArrayTask):
    """Predict the next value of a sine (or a sum of two sines)."""
    name, classifier = "forecast", False

    def __init__(self, kind="sine", length=64, n=256, seed=0):
        self.kind, self.length, self.n, self.seed = kind, int(length), int(n), int(seed)
        self.X, self.Y = sine_windows(n, self.length, kind=kind, seed=seed)          # (n, L, 1) each
        self.X_val, self.Y_val = sine_windows(64, self.length, kind=kind, seed=seed + 1)
        self.input_size = self.output_size = 1

    def evaluate(self, model):
        """Validation loss (MSE) and no accuracy."""
        return MSE().forward(model.forward(self.X_val), self.Y_val), None


class EchoTask(_ArrayTask):
    """Output the symbol seen k steps earlier; accuracy counts the steps t ≥ k (where there is one)."""
    name, classifier, loss_class = "echo", True, CrossEntropy

    def __init__(self, k=2, length=48, n_symbols=4, n=512, seed=0):
        self.k, self.length, self.n_symbols = int(k), int(length), int(n_symbols)
        self.n, self.seed = int(n), int(seed)
        if not 1 <= self.k < self.length:
            raise ValueError(f"the delay k must lie between 1 and {self.length - 1}")
        self.X, self.Y = echo_task(n, self.length, self.k, n_symbols, seed=seed)        # (n, L, K), (n, L)
        self.X_val, self.Y_val = echo_task(128, self.length, self.k, n_symbols, seed=seed + 1)
        self.input_size = self.output_size = self.n_symbols
        self.chance = 1.0 / self.n_symbols

    def evaluate(self, model):
        """Validation loss and accuracy over the steps t ≥ k."""
        logits = model.forward(self.X_val)[:, self.k:]                                 # (n, L − k, K)
        target = self.Y_val[:, self.k:]
        return CrossEntropy().forward(logits, target), float(np.mean(logits.argmax(-1) == target))


HELD_OUT = 0.1   # the share of a text, at its end, kept for validation and never trained on


class CharTask:
    """Predict the next character of a text (the bundled sonnets, or the learner's own). The last
    ``HELD_OUT`` of the text (at least 2 characters) is the validation text: training windows come only
    from the part before it, so the validation loss measures text the network has never read."""
    name, classifier = "chars", True

    def __init__(self, text=None, length=100, seed=0):
        self.bundled, self.seed = text is None, int(seed)
        self.text = load_text() if text is None else str(text)
        if len(self.text) > MAX_TEXT:                       # measured before anything is sized by the text
            raise ValueError(f"Your text has {len(self.text):,d} characters; the limit is {MAX_TEXT:,d} "
                             "(a few pages).")
        distinct = len(set(self.text))
        if distinct > MAX_VOCAB:
            raise ValueError(f"Your text uses {distinct:,d} different characters; the limit is {MAX_VOCAB} "
                             "(one alphabet, with its digits and punctuation).")
        if len(self.text) < MIN_TEXT:
            raise ValueError(f"Your text has {len(self.text)} characters: type or paste at least {MIN_TEXT} (a few "
                             "lines is best) so the network has something to learn from.")
        self.vocab = CharVocab(self.text)
        if self.vocab.size < 2:
            raise ValueError("the text uses a single character: there is nothing to predict")
        self.ids = self.vocab.encode(self.text)
        self.n_val = max(2, int(len(self.ids) * HELD_OUT))
        self.train_ids, self.val_ids = self.ids[:-self.n_val], self.ids[-self.n_val:]
        self.length = min(int(length), len(self.train_ids) - 1)
        self.val_length = min(self.length, len(self.val_ids) - 1)
        self.input_size = self.output_size = self.vocab.size
        self.uniform_loss = math.log(self.vocab.size)      # the loss of guessing every character equally
        rng = np.random.default_rng(seed + 1)
        self.val_x, self.val_y = char_batches(self.val_ids, 32, self.val_length, rng)

    def make_loss(self):
        return CrossEntropy()

    def batch(self, rng, size):
        x, y = char_batches(self.train_ids, size, self.length, rng)
        return self.vocab.one_hot(x), y

    def probe(self):
        ids = self.ids[:min(40, len(self.ids) - 1) + 1]
        return self.vocab.one_hot(ids[:-1]), ids[1:]

    def evaluate(self, model):
        logits = model.forward(self.vocab.one_hot(self.val_x))
        loss = CrossEntropy().forward(logits, self.val_y)
        return loss, float(np.mean(logits.argmax(-1) == self.val_y))


def make_task(name, **kw):
    return {"forecast": ForecastTask, "echo": EchoTask, "chars": CharTask}[name](**kw)


def make_model(task, hidden_size, seed=0, radius=None):
    """RNN(D, H) → Dense(H, K) for the task, drawn from ``seed``; W_h rescaled to spectral radius
    ``radius`` when given."""
    rng = np.random.default_rng(seed)
    rnn = RNN(task.input_size, hidden_size, rng=rng)
    if radius is not None:
        set_spectral_radius(rnn, radius)
    return Sequential([rnn, Dense(hidden_size, task.output_size, rng=rng)])


# --- what the pictures show ------------------------------------------------------------------------
def hidden_states(model, x):
    """Every hidden state for one input sequence x (T, D): (T, H)."""
    return model.layers[0].forward(np.asarray(x, dtype=float)[None])[0]


def step_numbers(model, x, t, units=4):
    r"""The numbers of one time step t (0-based) of sequence x (T, D), for the first ``units`` hidden units:
    $$ z_t = x_t W_x + h_{t-1} W_h + b, \qquad h_t = \tanh(z_t) $$
    and the read-out of that step, through the model's Dense layer (W_y, b_y):
    $$ y_t = h_t W_y + b_y $$
    Returns a dict of arrays: x_t (D,), h_prev (units,), xWx, hWh, b, z, h (units,) — xWx and hWh use
    every input and every hidden unit; only the shown columns are cut — and y (K,), every output."""
    rnn = model.layers[0]
    hs = hidden_states(model, x)                                         # (T, H)
    h_prev_full = hs[t - 1] if t > 0 else np.zeros(rnn.hidden_size)
    x_t = np.asarray(x, dtype=float)[t]
    u = slice(0, min(units, rnn.hidden_size))
    xWx = x_t @ rnn.params["Wx"]
    hWh = h_prev_full @ rnn.params["Wh"]
    z = xWx + hWh + rnn.params["b"]
    readout = model.layers[1]
    y = hs[t] @ readout.params["W"] + readout.params["b"]                # (K,)
    return {"x_t": x_t, "h_prev": h_prev_full[u], "xWx": xWx[u], "hWh": hWh[u], "b": rnn.params["b"][u].copy(),
            "z": z[u], "h": np.tanh(z[u]), "h_engine": hs[t, u], "hidden_size": rnn.hidden_size, "y": y}


def last_step_grad_norms(model, loss, x, target):
    r"""‖∂L_T/∂h_t‖ for t = 1 … T, where L_T is the loss of the last step only: how strongly the last
    output's error reaches back to each earlier hidden state. Uses the engine's ``RNN.grad_norms``."""
    x = np.asarray(x, dtype=float)[None]
    out = model.forward(x)
    loss.forward(out[:, -1:], np.asarray(target)[None, -1:])
    dout = np.zeros_like(out)
    dout[:, -1:] = loss.backward()
    model.backward(dout)
    return model.layers[0].grad_norms.copy()


def free_run(model, x, warm):
    """Forecasting, with and without help: x (T, 1) a true wave. Returns (teacher, free), both (T,):
    teacher[t] = the prediction of x[t+1] from the true x[0..t]; free[t] = the same for t < warm, then
    the network is fed its own previous prediction instead of the truth."""
    rnn, dense = model.layers
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    teacher = model.forward(x[None])[0, :, 0]
    h = np.zeros((1, rnn.hidden_size))
    free = np.empty(len(x))
    inp = x[0:1]
    for t in range(len(x)):
        h = rnn.step(inp, h)
        free[t] = dense.forward(h)[0, 0]
        inp = x[t + 1:t + 2] if t + 1 < warm else free[t:t + 1, None]
    return teacher, free


def sample(model, vocab, n, temperature, rng, prime):
    r"""Generate n characters after ``prime`` (a non-empty string of the vocabulary), one at a time,
    each drawn from the softmax of the logits divided by the temperature τ:
    $$ p_k = \frac{e^{z_k / \tau}}{\sum_j e^{z_j / \tau}} $$
    Returns (text, probs (n, V)): probs[i] is the distribution the i-th character was drawn from.
    ``rng`` is a np.random.Generator."""
    rnn, dense = model.layers
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    ids = vocab.encode(prime)
    h = np.zeros((1, rnn.hidden_size))
    for i in ids[:-1]:
        h = rnn.step(vocab.one_hot([i]), h)
    current, out, probs = ids[-1], [], np.empty((n, vocab.size))
    for i in range(n):
        h = rnn.step(vocab.one_hot([current]), h)
        p = softmax(dense.forward(h)[0] / temperature)
        probs[i] = p
        current = int(rng.choice(vocab.size, p=p))
        out.append(current)
    return vocab.decode(out), probs


# --- training ----------------------------------------------------------------------------------------
class SeqTrainer:
    r"""Trains ``model`` on ``task`` with truncated BPTT over chunks of ``seq_len`` steps.

    Each update: forward the chunk from the carried state, loss, backward (the engine's BPTT), optional
    clipping of the global gradient norm to ``clip``, the optimizer's step:
    $$ g \leftarrow g \cdot \min\Bigl(1, \frac{c}{\|g\|}\Bigr), \qquad \theta \leftarrow \theta - \eta\, g \;\text{(SGD)} $$
    ``history``: "step", "loss", "grad_norm" (global, before clipping) per update; "batch_step",
    "batch_loss" (the mean over a batch's chunks) per batch; "eval_step", "val_loss", "val_acc" every ``eval_every``
    updates. ``grad_norms`` (T,) the engine's ‖∂L/∂h_t‖ of the latest batch's first chunk (before clipping);
    ``grad_norm`` the global gradient norm of the latest update. ``stopped``: None or a plain-words
    reason when the loss exploded; the weights are then those from before the burst.
    """

    def __init__(self, task, model, optimizer="adam", lr=0.01, seq_len=16, clip=None, batch_size=16,
                 seed=0, eval_every=10):
        self.task, self.model = task, model
        self.initial_weights, self.seed = model.get_weights(), int(seed)     # for the code export
        self.loss = task.make_loss()
        self.optimizer_name = optimizer
        self.optimizer = make_optimizer(optimizer, lr)
        self.seq_len, self.clip, self.batch_size = int(seq_len), clip, int(batch_size)
        self.eval_every = int(eval_every)
        self.rng = np.random.default_rng(seed)
        self.steps = 0
        self.history = {"step": [], "loss": [], "grad_norm": [], "batch_step": [], "batch_loss": [],
                        "eval_step": [], "val_loss": [], "val_acc": []}
        self.grad_norms, self.grad_norm = None, None
        self.first_loss = None
        self.stopped = None
        self._evaluate()

    @property
    def lr(self):
        return self.optimizer.lr

    def set_hyper(self, lr=None, clip="keep", seq_len=None, optimizer=None):
        """Change hyperparameters between updates; the weights stay (a new optimizer starts fresh)."""
        if optimizer is not None and optimizer != self.optimizer_name:
            self.optimizer_name = optimizer
            self.optimizer = make_optimizer(optimizer, self.optimizer.lr)
        if lr is not None:
            self.optimizer.lr = float(lr)
        if clip != "keep":
            self.clip = clip
        if seq_len is not None:
            self.seq_len = int(seq_len)

    def resume(self):
        """Clear a divergence stop (after the learner lowered the learning rate or turned clipping on)."""
        self.stopped = None

    def _evaluate(self):
        loss, acc = self.task.evaluate(self.model)
        self.history["eval_step"].append(self.steps)
        self.history["val_loss"].append(loss)
        self.history["val_acc"].append(acc)

    def _exploded(self, value):
        if not math.isfinite(value):
            return f"the loss became {'NaN' if math.isnan(value) else 'infinite'}"
        if self.first_loss is not None and value > 20 * self.first_loss + 1.0:
            return f"the loss shot up to {value:.3g} (it started at {self.first_loss:.3g})"
        if not all(np.isfinite(p).all() for layer in self.model.layers for p in layer.params.values()):
            return "the weights became NaN or infinite"
        return None

    def _diverge(self, what, good_weights):
        self.model.set_weights(good_weights)
        self.optimizer.reset()
        clip = "" if self.clip else " or turn on gradient clipping"
        self.stopped = (f"Training stopped at update {self.steps + 1}: {what}. The learning rate "
                        f"{self.lr:g} is most likely too large for {self.optimizer_name}, and the weights "
                        f"exploded. Lower the learning rate{clip}, then press Play again. The network has been "
                        f"put back to its weights from before the explosion.")

    def train_batch(self):
        """One batch: a stream of L steps, cut into chunks of seq_len, one update per chunk.
        Returns the number of updates made (0 when stopped)."""
        if self.stopped:
            return 0
        good_weights = self.model.get_weights()
        x, y = self.task.batch(self.rng, self.batch_size)
        rnn = self.model.layers[0]
        h = None
        T, L, done = max(1, self.seq_len), x.shape[1], 0
        for start in range(0, L, T):
            xc, yc = x[:, start:start + T], y[:, start:start + T]
            hs = rnn.forward(xc, h)
            value = self.loss.forward(self.model.layers[1].forward(hs), yc)
            h = hs[:, -1].copy()
            if (why := self._exploded(value)) is None:
                self.model.layers[0].backward(self.model.layers[1].backward(self.loss.backward()))
                if start == 0:                   # the first chunk is always a full T steps long
                    self.grad_norms = rnn.grad_norms.copy()
                self.grad_norm = clip_grad_norm(self.model, self.clip if self.clip else math.inf)
                self.optimizer.step(self.model)
                why = self._exploded(value)
            if why is not None:
                self._diverge(why, good_weights)
                return done
            if self.first_loss is None:
                self.first_loss = value
            self.steps += 1
            done += 1
            self.history["step"].append(self.steps)
            self.history["loss"].append(value)
            self.history["grad_norm"].append(self.grad_norm)
            if self.steps % self.eval_every == 0:
                self._evaluate()
        self.history["batch_step"].append(self.steps)
        self.history["batch_loss"].append(float(np.mean(self.history["loss"][-done:])))
        return done

    def run_for(self, seconds, max_updates=None, until=None):
        """Train whole batches while another fits in ``seconds`` of wall time (at least one unless
        stopped), none after ``until()`` turns true (a live page: the learner clicked). Returns the
        number of updates made."""
        start, done = time.perf_counter(), 0
        while not self.stopped and (max_updates is None or done < max_updates):
            t0 = time.perf_counter()
            n = self.train_batch()
            done += n
            now = time.perf_counter()
            if n == 0 or now - start + (now - t0) > seconds or (until is not None and until()):
                break
        if self.history["eval_step"][-1] != self.steps and not self.stopped:
            self._evaluate()
        return done


def echo_sweep(ks, hidden_size=32, seq_len=24, updates=400, optimizer="adam", lr=0.01, seed=0, progress=None):
    """Train a fresh network for each delay k (same seed and budget) and return {k: validation accuracy}.
    ``progress(i, k)`` is called before each run (for a progress bar)."""
    sweep = EchoSweep(ks, hidden_size, seq_len, updates, optimizer, lr, seed)
    while not sweep.finished:
        if progress is not None and sweep.trainer is None:
            progress(len(sweep.results), sweep.ks[len(sweep.results)])
        sweep.run_for(math.inf)
    return sweep.results


class EchoSweep:
    """``echo_sweep`` a slice at a time, for a live page: ``run_for(seconds, until)`` trains the current
    network for about ``seconds`` and moves on to the next k when its ``updates`` are done; ``results``
    {k: validation accuracy} grows as each k finishes, ``finished`` once all have."""

    def __init__(self, ks, hidden_size=32, seq_len=24, updates=400, optimizer="adam", lr=0.01, seed=0):
        self.ks, self.results, self.trainer = [int(k) for k in ks], {}, None
        self.kw = {"hidden_size": hidden_size, "seq_len": seq_len, "optimizer": optimizer, "lr": lr, "seed": seed}
        self.updates = updates

    @property
    def finished(self):
        return len(self.results) == len(self.ks)

    def run_for(self, seconds, until=None):
        start = time.perf_counter()
        while not self.finished and not (until is not None and until()):
            k, kw = self.ks[len(self.results)], self.kw
            if self.trainer is None:
                task = EchoTask(k=k, seed=kw["seed"])
                self.trainer = SeqTrainer(task, make_model(task, kw["hidden_size"], seed=kw["seed"]),
                                          optimizer=kw["optimizer"], lr=kw["lr"], seq_len=kw["seq_len"],
                                          seed=kw["seed"])
            left = seconds - (time.perf_counter() - start)
            self.trainer.run_for(left, max_updates=self.updates - self.trainer.steps, until=until)
            if self.trainer.steps >= self.updates or self.trainer.stopped:
                self.results[k] = self.trainer.history["val_acc"][-1]
                self.trainer = None
            if time.perf_counter() - start > seconds:
                break
        return self.finished

"""How fast is nn_core? Each workload is run three ways in one process, from the same initial weights
and the same batches:

* nn_core — the engine as a lesson uses it (Sequential, layers, loss, optimizer);
* hand-fused — the same maths written straight out in NumPy in this file: the limit for a NumPy engine;
* torch — PyTorch on the CPU, float64 like the others (a fair comparison of the same arithmetic;
  torch's default thread count is left alone), when torch is importable.

Prints one line per workload: ratios of median wall times (lower is better for nn_core), absolute ms,
and the mean loss of each run (they should agree, which shows the three do the same work).
Targets: nn_core/hand-fused ≤ 1.3 and nn_core/torch ≤ 1.0.

    python bench/engine.py [--repeats 7] [--only W2] [--cpu-time]
    python bench/engine.py --blas-threads 1 --cpu-time      # steadier when other work shares the machine

To add a workload, write ``setup(data)`` functions returning a zero-argument ``run() -> mean loss``
for each implementation and add a row to WORKLOADS (see the W4 placeholder at the bottom).
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

if "--blas-threads" in sys.argv[:-1]:   # must happen before NumPy (and its BLAS) is imported
    _n = sys.argv[sys.argv.index("--blas-threads") + 1]
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _n

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nn_core import SGD, Adam, Conv2D, CrossEntropy, Dense, Flatten, MaxPool2D, ReLU, RNN, Sequential, Tanh  # noqa: E402
from nn_core.images import load_digits  # noqa: E402
from nn_core.sequences import CharVocab, char_batches, load_text  # noqa: E402

try:
    import torch
except ImportError:   # the benchmark still compares nn_core with hand-fused NumPy
    torch = None


def _softmax_xent(z, y):
    """Mean cross-entropy and its gradient wrt the logits z (M, K), y (M,) — the fused versions' loss."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    M = len(y)
    loss = float(np.mean(np.log(s[:, 0]) - z[np.arange(M), y]))
    dz = e / s
    dz[np.arange(M), y] -= 1.0
    return loss, dz / M


def _adam(theta, g, m, v, t, lr, b1=0.9, b2=0.999, eps=1e-8):
    m *= b1
    m += (1 - b1) * g
    v *= b2
    v += (1 - b2) * g * g
    theta -= (lr / (1 - b1 ** t)) * m / (np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps)


def _t(a):
    return torch.tensor(a, dtype=torch.float64)


# --- W1: MLP 2-8-8-2, tanh, 500 points, batch 10, SGD ----------------------------------------------
def _nn_core_sgd_epoch(model, d):
    """W1 and W2 in nn_core: one epoch of cross-entropy + SGD over d["X"] in batches; returns the mean loss."""
    loss, opt, X, y, B = CrossEntropy(), SGD(d["lr"]), d["X"], d["y"], d["batch"]

    def run():
        total, steps = 0.0, 0
        for i in range(0, len(X), B):
            total += loss.forward(model.forward(X[i:i + B]), y[i:i + B])
            model.backward(loss.backward())
            opt.step(model)
            steps += 1
        return total / steps
    return run


def _torch_sgd_epoch(model, d):
    """The same epoch in PyTorch."""
    opt = torch.optim.SGD(model.parameters(), lr=d["lr"])
    X, y, B = _t(d["X"]), torch.tensor(d["y"]), d["batch"]

    def run():
        total, steps = 0.0, 0
        for i in range(0, len(X), B):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(X[i:i + B]), y[i:i + B])
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
        return total / steps
    return run


def w1_data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-6, 6, size=(500, 2))
    y = (np.hypot(X[:, 0], X[:, 1]) < 3.5).astype(int)               # the "circle" task
    sizes = [2, 8, 8, 2]
    weights = [(rng.uniform(-1, 1, (a, b)) * np.sqrt(6 / (a + b)), np.zeros(b)) for a, b in zip(sizes, sizes[1:])]
    return {"X": X, "y": y, "weights": weights, "batch": 10, "lr": 0.1}


def w1_nn_core(d):
    model = Sequential([Dense(2, 8), Tanh(), Dense(8, 8), Tanh(), Dense(8, 2)])
    for layer, (W, b) in zip(model.layers[::2], d["weights"]):
        layer.params["W"][...], layer.params["b"][...] = W, b
    return _nn_core_sgd_epoch(model, d)


def w1_fused(d):
    params = [(W.copy(), b.copy()) for W, b in d["weights"]]
    X, y, B, lr = d["X"], d["y"], d["batch"], d["lr"]

    def run():
        (W1, b1), (W2, b2), (W3, b3) = params          # updated in place
        total = 0.0
        for i in range(0, len(X), B):
            x, t = X[i:i + B], y[i:i + B]
            a1 = np.tanh(x @ W1 + b1)
            a2 = np.tanh(a1 @ W2 + b2)
            value, dz3 = _softmax_xent(a2 @ W3 + b3, t)
            total += value
            dz2 = (dz3 @ W3.T) * (1 - a2 * a2)
            dz1 = (dz2 @ W2.T) * (1 - a1 * a1)
            W3 -= lr * (a2.T @ dz3)
            b3 -= lr * dz3.sum(0)
            W2 -= lr * (a1.T @ dz2)
            b2 -= lr * dz2.sum(0)
            W1 -= lr * (x.T @ dz1)
            b1 -= lr * dz1.sum(0)
        return total / (len(X) // B)
    return run


def w1_torch(d):
    layers = [torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)]
    model = torch.nn.Sequential(*layers).double()
    with torch.no_grad():
        for layer, (W, b) in zip(layers[::2], d["weights"]):
            layer.weight.copy_(_t(W.T))
            layer.bias.copy_(_t(b))
    return _torch_sgd_epoch(model, d)


# --- W2: CNN conv(1→8, 3×3)-ReLU-maxpool(2)-dense(10) on the digits, batch 32, SGD ------------------
def w2_data():
    X, y = load_digits()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    return {"X": X[order, None], "y": y[order], "batch": 32, "lr": 0.05,
            "K": rng.normal(0, np.sqrt(2 / 9), (8, 1, 3, 3)), "kb": np.zeros(8),
            "W": rng.uniform(-1, 1, (72, 10)) * np.sqrt(6 / 82), "b": np.zeros(10)}


def w2_nn_core(d):
    model = Sequential([Conv2D(1, 8, 3), ReLU(), MaxPool2D(2), Flatten(), Dense(72, 10)])
    model.layers[0].params["W"][...], model.layers[0].params["b"][...] = d["K"], d["kb"]
    model.layers[4].params["W"][...], model.layers[4].params["b"][...] = d["W"], d["b"]
    return _nn_core_sgd_epoch(model, d)


def w2_fused(d):
    from numpy.lib.stride_tricks import sliding_window_view
    params = [d["K"].reshape(8, 9).copy(), d["kb"].copy(), d["W"].copy(), d["b"].copy()]
    X, y, B, lr = d["X"], d["y"], d["batch"], d["lr"]

    def run():
        Kmat, kb, W, b = params                         # updated in place
        total, steps = 0.0, 0
        for i in range(0, len(X), B):
            x, t = X[i:i + B, 0], y[i:i + B]
            N = len(x)
            cols = sliding_window_view(x, (3, 3), axis=(1, 2)).reshape(N * 36, 9)       # (N·6·6, 9)
            z = (cols @ Kmat.T + kb).reshape(N, 6, 6, 8)
            a = np.maximum(z, 0)
            blocks = a.reshape(N, 3, 2, 3, 2, 8)
            p = blocks.max(axis=(2, 4))                                                # (N, 3, 3, 8)
            flat = p.transpose(0, 3, 1, 2).reshape(N, 72)                              # channel-first, like Flatten
            value, dlogits = _softmax_xent(flat @ W + b, t)
            total += value
            steps += 1
            dflat = dlogits @ W.T
            W -= lr * (flat.T @ dlogits)
            b -= lr * dlogits.sum(0)
            dp = dflat.reshape(N, 8, 3, 3).transpose(0, 2, 3, 1)
            # the gradient goes to each window's first maximum, as in the engine and torch
            win = blocks.transpose(0, 1, 3, 5, 2, 4).reshape(N, 3, 3, 8, 4)
            onehot = win.argmax(axis=-1)[..., None] == np.arange(4)                    # (N, 3, 3, 8, 4)
            dwin = (onehot * dp[..., None]).reshape(N, 3, 3, 8, 2, 2).transpose(0, 1, 4, 2, 5, 3)
            dz = dwin.reshape(N, 6, 6, 8) * (z > 0)
            dz2 = dz.reshape(N * 36, 8)
            kb -= lr * dz2.sum(0)
            Kmat -= lr * (dz2.T @ cols)
        return total / steps
    return run


def w2_torch(d):
    conv, dense = torch.nn.Conv2d(1, 8, 3).double(), torch.nn.Linear(72, 10).double()
    with torch.no_grad():
        conv.weight.copy_(_t(d["K"]))
        conv.bias.copy_(_t(d["kb"]))
        dense.weight.copy_(_t(d["W"].T))
        dense.bias.copy_(_t(d["b"]))
    model = torch.nn.Sequential(conv, torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), dense)
    return _torch_sgd_epoch(model, d)


# --- W3: char RNN, 32 hidden units, 20 steps of T=25 at batch 16, Adam ------------------------------
def w3_data():
    text = load_text()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    rng = np.random.default_rng(0)
    batches = [char_batches(ids, 16, 25, rng) for _ in range(20)]
    V, H = vocab.size, 32
    lim = lambda a, b: np.sqrt(6 / (a + b))
    return {"batches": [(vocab.one_hot(x), t) for x, t in batches], "V": V, "H": H, "lr": 0.01,
            "Wx": rng.uniform(-1, 1, (V, H)) * lim(V, H), "Wh": rng.uniform(-1, 1, (H, H)) * lim(H, H),
            "bh": np.zeros(H), "Wy": rng.uniform(-1, 1, (H, V)) * lim(H, V), "by": np.zeros(V)}


def w3_nn_core(d):
    rnn, dense = RNN(d["V"], d["H"]), Dense(d["H"], d["V"])
    rnn.params["Wx"][...], rnn.params["Wh"][...], rnn.params["b"][...] = d["Wx"], d["Wh"], d["bh"]
    dense.params["W"][...], dense.params["b"][...] = d["Wy"], d["by"]
    model, loss, opt = Sequential([rnn, dense]), CrossEntropy(), Adam(d["lr"])

    def run():
        total = 0.0
        for x, t in d["batches"]:
            total += loss.forward(model.forward(x), t)
            model.backward(loss.backward())
            opt.step(model)
        return total / len(d["batches"])
    return run


def w3_fused(d):
    P = {k: d[k].copy() for k in ("Wx", "Wh", "bh", "Wy", "by")}
    M = {k: np.zeros_like(v) for k, v in P.items()}
    S = {k: np.zeros_like(v) for k, v in P.items()}
    H, lr = d["H"], d["lr"]
    step = [0]

    def run():
        total = 0.0
        for x, t in d["batches"]:
            N, T, V = x.shape
            zin = x @ P["Wx"] + P["bh"]
            hs = np.empty((N, T, H))
            h = np.zeros((N, H))
            for s in range(T):
                h = np.tanh(zin[:, s] + h @ P["Wh"])
                hs[:, s] = h
            value, dlog = _softmax_xent((hs @ P["Wy"] + P["by"]).reshape(N * T, V), t.reshape(-1))
            total += value
            G = {"Wy": hs.reshape(N * T, H).T @ dlog, "by": dlog.sum(0)}
            dhs = (dlog @ P["Wy"].T).reshape(N, T, H)
            dz = np.empty((N, T, H))
            dh_next = np.zeros((N, H))
            for s in reversed(range(T)):
                dz[:, s] = (dhs[:, s] + dh_next) * (1 - hs[:, s] ** 2)
                dh_next = dz[:, s] @ P["Wh"].T
            hprev = np.concatenate([np.zeros((N, 1, H)), hs[:, :-1]], axis=1)
            dz2 = dz.reshape(N * T, H)
            G["Wx"], G["Wh"], G["bh"] = x.reshape(N * T, V).T @ dz2, hprev.reshape(N * T, H).T @ dz2, dz2.sum(0)
            step[0] += 1
            for k in P:
                _adam(P[k], G[k], M[k], S[k], step[0], lr)
        return total / len(d["batches"])
    return run


def w3_torch(d):
    rnn = torch.nn.RNN(d["V"], d["H"], batch_first=True).double()
    dense = torch.nn.Linear(d["H"], d["V"]).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(_t(d["Wx"].T))
        rnn.weight_hh_l0.copy_(_t(d["Wh"].T))
        rnn.bias_ih_l0.copy_(_t(d["bh"]))
        rnn.bias_hh_l0.zero_()
        rnn.bias_hh_l0.requires_grad_(False)                          # one bias, like nn_core: keep it at 0
        dense.weight.copy_(_t(d["Wy"].T))
        dense.bias.copy_(_t(d["by"]))
    trained = [p for p in list(rnn.parameters()) + list(dense.parameters()) if p.requires_grad]
    opt = torch.optim.Adam(trained, lr=d["lr"])
    batches = [(_t(x), torch.tensor(t)) for x, t in d["batches"]]

    def run():
        total = 0.0
        for x, t in batches:
            opt.zero_grad()
            out, _ = rnn(x)
            logits = dense(out)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, d["V"]), t.reshape(-1))
            loss.backward()
            opt.step()
            total += loss.item()
        return total / len(batches)
    return run


# --- the table: name → (data, nn_core, hand-fused, torch); W4 is added here by its author ----------
WORKLOADS = {
    "W1 mlp": (w1_data, w1_nn_core, w1_fused, w1_torch),
    "W2 cnn": (w2_data, w2_nn_core, w2_fused, w2_torch),
    "W3 rnn": (w3_data, w3_nn_core, w3_fused, w3_torch),
    # "W4 ...": (w4_data, w4_nn_core, w4_fused, w4_torch),
}


def time_interleaved(setups, data, repeats, clock=time.perf_counter):
    """Median wall time (s) of one run for each implementation, each run from fresh weights (setup is
    not timed), and each one's first mean loss. The implementations take turns within every repeat,
    so that a busy machine slows them all alike."""
    times = {who: [] for who in setups}
    losses = {}
    for _ in range(repeats):
        for who, setup in setups.items():
            run = setup(data)
            start = clock()
            value = run()
            times[who].append(clock() - start)
            losses.setdefault(who, value)
    return {who: (statistics.median(times[who]), losses[who]) for who in setups}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", help="run only workloads whose name starts with this, e.g. W2")
    parser.add_argument("--blas-threads", type=int, help="set OPENBLAS/OMP/MKL threads (before NumPy "
                        "loads; use it as the first option: python bench/engine.py --blas-threads 1)")
    parser.add_argument("--cpu-time", action="store_true", help="time with this process's CPU time instead "
                        "of wall time: steadier on a busy machine (fair with --blas-threads 1)")
    args = parser.parse_args(argv)
    clock = time.process_time if args.cpu_time else time.perf_counter
    if torch is None:
        print("torch is not importable: the torch comparison is skipped")
    else:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads (default), float64 everywhere")
    print(f"NumPy {np.__version__}, BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}; "
          f"median of {args.repeats} interleaved repeats of {'CPU' if args.cpu_time else 'wall'} time")
    results = {}
    for name, (make_data, nn_setup, fused_setup, torch_setup) in WORKLOADS.items():
        if args.only and not name.startswith(args.only):
            continue
        data = make_data()
        setups = {"nn_core": nn_setup, "hand-fused": fused_setup}
        if torch is not None:
            setups["torch"] = torch_setup
        for setup in setups.values():                      # warm-up: imports, allocator, BLAS threads
            setup(data)()
        res = results[name] = time_interleaved(setups, data, args.repeats, clock)
        nn = res["nn_core"][0]
        ratios = " ".join(f"nn_core/{who}={nn / t:.2f}" for who, (t, _) in res.items() if who != "nn_core")
        ms = " ".join(f"{who}={t * 1e3:.1f}ms" for who, (t, _) in res.items())
        losses = " ".join(f"{who}={value:.6f}" for who, (_, value) in res.items())
        print(f"{name}: {ratios}   [{ms}]   mean loss {losses}")
    return results


if __name__ == "__main__":
    main()

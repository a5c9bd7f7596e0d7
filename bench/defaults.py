"""Search the playground's default training settings for a spiral that learns and then stays learned.

For each candidate (optimizer, learning rate, batch size, layers) at the page's defaults otherwise (spiral,
no noise, half the points for training, seed 0), train up to ``--reach`` epochs until the test accuracy
first reaches 95 %, then ``--hold`` epochs more, and print: the epoch it reached 95 %, the lowest test
accuracy over the hold, and whether the candidate passes (reaches 95 %, never below 93 % in the hold).
The chosen one goes into lessons.playground.DEFAULT_SETUP; tests/test_playground.py checks it.

    python bench/defaults.py [--seeds 0 1 2]
"""
import argparse
import itertools
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import lessons.playground as pg  # noqa: E402


def trial(overrides, reach=1000, hold=1000, seed=0):
    """(epoch at which the test accuracy first reached 95 % or None, lowest test accuracy over the next
    ``hold`` epochs)."""
    s = {**pg.default_setup(), **overrides, "seed": seed}
    tr = pg.make_trainer(s, pg.make_data(s))
    hit = None
    while tr.epoch < (reach if hit is None else hit + hold):
        if tr.run_epoch() is None:
            return None, 0.0
        if hit is None and tr.history["test_acc"][-1] >= 0.95:
            hit = tr.epoch
    if hit is None:
        return None, max(tr.history["test_acc"])
    return hit, min(tr.history["test_acc"][hit:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--opts", nargs="+", default=["adam"])
    ap.add_argument("--lrs", type=float, nargs="+", default=[0.003, 0.01, 0.03])
    ap.add_argument("--batches", type=int, nargs="+", default=[10, 30, 50, 0])
    ap.add_argument("--layers", nargs="+", default=["8,8,8", "8,8"])
    a = ap.parse_args()
    for opt, lr, batch, layers in itertools.product(a.opts, a.lrs, a.batches, a.layers):
        ls = [int(n) for n in layers.split(",")]
        over = {"opt": opt, "lr": lr, "batch": batch, "layers": ls, "acts": ["tanh"] * len(ls)}
        for seed in a.seeds:
            t = time.perf_counter()
            hit, low = trial(over, seed=seed)
            ok = hit is not None and low >= 0.93
            print(f"{opt:5s} lr {lr:<6g} batch {batch:<3d} layers {layers:6s} seed {seed}: reached 95 % at "
                  f"{hit}, lowest after {low:.1%} -> {'PASS' if ok else 'fail'} ({time.perf_counter() - t:.0f} s)",
                  flush=True)


if __name__ == "__main__":
    main()

"""CPU milliseconds per live frame of every live view, measured without a browser: the lesson page runs under
AppTest with its view playing, and each frame's two parts — ``advance`` (training, stepping) and ``draw``
(building the pictures and elements, Plotly's JSON included) — are timed on the script thread's CPU clock.
Steadier than frames/s on a shared machine (other work hardly changes a thread's CPU time), so speed work
can be judged while others run; ``bench/live.py`` gives the browser's figures on a quiet machine.

    python bench/frame_cpu.py                      # every view
    python bench/frame_cpu.py --only "optimizer race" --frames 20
"""
import argparse
import os
import pathlib
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name: (page, prefix of the live view, session-state settings before playing)
VIEWS = {
    "optimizer race": ("5_optimizers", "op", {}),
    "lr sweep": ("5_optimizers", "op_sweep", {"op_tab": "Learning rate"}),         # the page draws only the open tab
    "hp grid": ("5_optimizers", "op_grid", {"op_tab": "Hyperparameter explorer"}),
    "kernel slide": ("6_cnn", "cnn", {}),
    "cnn training": ("6_cnn", "cnn_train", {"cnn_tab": "2 · Train a CNN"}),     # only the open tab is drawn
    "rnn forecast": ("7_rnn", "rnn", {}),
    "rnn echo": ("7_rnn", "rnn", {"rnn_task": "echo"}),
    "rnn chars": ("7_rnn", "rnn", {"rnn_task": "chars"}),
    "rnn k sweep": ("7_rnn", "rnn_sweep", {"rnn_task": "echo"}),
}


def measure(page, prefix, settings, frames):
    from streamlit.testing.v1 import AppTest

    from ui import live
    times = []
    original = live.live_view

    def timed_live_view(pfx, advance, draw, **kw):
        if pfx != prefix:
            return original(pfx, advance, draw, **kw)

        def adv(seconds, until):
            c = time.thread_time()
            out = advance(seconds, until)
            times.append(["advance", 1000 * (time.thread_time() - c)])
            return out

        def drw(playing):
            from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
            ctx, sent = get_script_run_ctx(), [0]
            enqueue = ctx._enqueue

            def counted(msg):                                # what the frame sends the browser
                sent[0] += msg.ByteSize()
                return enqueue(msg)
            ctx._enqueue = counted
            c = time.thread_time()
            try:
                draw(playing)
            finally:
                ctx._enqueue = enqueue
            if playing:
                times.append(["draw", 1000 * (time.thread_time() - c)])
                times.append(["bytes", sent[0] / 1000])
        return original(pfx, adv, drw, **kw)

    live.live_view = timed_live_view
    try:
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
        for k, v in settings.items():
            at.session_state[k] = v
        at.run()
        at.button(key=f"{prefix}_play").click()              # Play, as a learner does (its on_play runs)
        for _ in range(frames + 2):
            at.run()
            if not at.session_state[f"{prefix}_playing"]:
                break
    finally:
        live.live_view = original
    adv = [t for k, t in times if k == "advance"][2:]          # the first frames warm caches up
    drw = [t for k, t in times if k == "draw"][2:]
    kb = [t for k, t in times if k == "bytes"][2:]
    return adv, drw, kb


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", default=list(VIEWS), help=f"views: {', '.join(VIEWS)}")
    ap.add_argument("--frames", type=int, default=12)
    a = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; CPU ms per frame (median over the frames, script thread)")
    print(f"{'view':<16} {'advance':>8} {'draw':>8} {'frame':>8} {'kB sent':>8}  frames")
    for name in a.only:
        adv, drw, kb = measure(*VIEWS[name], a.frames)
        med = (lambda v: float(np.median(v)) if v else float("nan"))
        print(f"{name:<16} {med(adv):8.1f} {med(drw):8.1f} {med(adv) + med(drw):8.1f} {med(kb):8.1f}  {len(drw)}",
              flush=True)


if __name__ == "__main__":
    main()

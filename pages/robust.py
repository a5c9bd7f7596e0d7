"""Live views under a classroom's load: pace each session's frames to what the server can deliver.

A Streamlit process runs every session's Python on one core (the GIL). When a class presses Play at once,
frames queue, every frame takes longer than its ``run_every`` interval and the whole class stalls together.
``live_frame`` measures, for this session only (no shared state), how much longer a frame took on the clock
than on this thread's CPU — the stretch factor L = wall / CPU, ≈ 1 on an idle server, growing with the number
of sessions competing — and after the frame sleeps long enough that the server stays below saturation
(L ≈ ``target``). The sleep costs no CPU, and while it lasts the last frame stays on screen; a busy server
thus gives every learner fewer frames instead of no frames. ``budget`` scales a frame's training chunk down
the same way, so a frame stays short when the server is busy.

Drop-in use in a live fragment (one line, under the fragment decorator)::

    @st.fragment(run_every=0.1 if playing else None)
    @robust.paced("pg")
    def live_view():
        trainer.run_for(robust.budget("pg", 0.035))
        ...draw...
"""
import contextlib
import functools
import time

import streamlit as st

MAX_PERIOD = 1.0      # never slower than one frame per second (Pause and widgets stay responsive)
TARGET = 2.5          # aim for a stretch factor of about 2.5: the server is busy but not saturated


def _state(prefix):
    key = f"{prefix}_pace"
    if key not in st.session_state:
        st.session_state[key] = {"stretch": 1.0, "period": 0.0, "last_end": None, "sleep": 0.0}
    return st.session_state[key]


def budget(prefix, base, floor=0.005):
    """Seconds of training for this frame: ``base`` on an idle server, less when frames are stretched."""
    return max(floor, base / max(1.0, _state(prefix)["stretch"]))


@contextlib.contextmanager
def live_frame(prefix, target=TARGET, max_period=MAX_PERIOD):
    """Measure this frame (wall and thread CPU); afterwards sleep so that this session's frame period keeps
    the server near ``target`` stretch. Safe to use anywhere: on an idle server it never sleeps."""
    s = _state(prefix)
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    yield s                          # an exception (st.rerun, Stop) skips the pacing: nothing to pace
    wall, cpu = time.perf_counter() - wall0, max(time.thread_time() - cpu0, 1e-4)
    stretch = min(max(wall / cpu, 1.0), 50.0)
    s["stretch"] = 0.7 * s["stretch"] + 0.3 * stretch           # smoothed over a few frames
    # period ∝ stretch: a busier server gets fewer frames from everyone (multiplicative, so it is fair)
    wanted = wall * s["stretch"] / target if s["stretch"] > target else 0.0
    s["period"] = min(max_period, 0.5 * s["period"] + 0.5 * wanted)
    s["sleep"] = max(0.0, min(s["period"] - wall, max_period))
    s["last_end"] = time.perf_counter()
    if s["sleep"] > 0.005:
        time.sleep(s["sleep"])


def paced(prefix, **kwargs):
    """Decorator form of ``live_frame`` for a fragment function (put it under ``@st.fragment``)."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kw):
            with live_frame(prefix, **kwargs):
                return fn(*args, **kw)
        return run
    return wrap

"""Live views under a classroom's load: pace each session's frames to what the server can deliver.

A Streamlit process runs every session's Python on one core (the GIL). When a class presses Play at once,
frames queue, every frame takes longer than its ``run_every`` interval and the whole class stalls together.
``live_frame`` measures, for this session only (no shared state), how much longer a frame took on the clock
than on this thread's CPU — the stretch factor L = wall / CPU, ≈ 1 on an idle server, growing with the number
of sessions competing — and after the frame sleeps for a time that grows with L. The sleep costs no CPU,
the last frame stays on screen meanwhile, and a click ends it at once; a busy server thus gives every
learner fewer frames instead of none. ``budget`` shrinks a frame's training chunk the same way,
so that under a class's load the frames (what everyone sees) come before the epochs.

Drop-in use in a live fragment (one line, under the fragment decorator)::

    @st.fragment(run_every=0.1 if playing else None)
    @robust.paced("pg")
    def live_view():
        trainer.run_for(robust.budget("pg", 0.030))
        ...draw...
"""
import contextlib
import functools
import time

import streamlit as st

MAX_SLEEP = 1.0       # never pause a session's live view longer than this between frames
START = 4.0           # frames stretched less than this (one learner, its browser, a few others) never wait
GAIN = 0.5            # beyond it, wait GAIN · (stretch − START) times UNIT
UNIT = 0.2            # seconds: the wait does not scale with the session's own frame, so that a costly
                      # frame (a big network) does not also wait longer — a class shares the server evenly


def _state(prefix):
    key = f"{prefix}_pace"
    if key not in st.session_state:
        st.session_state[key] = {"stretch": 1.0, "k": 0.0, "sleep": 0.0}
    return st.session_state[key]


def click_pending(*fragment_keys):
    """Whether the learner clicked something (a full-app rerun is waiting), or a control inside one of the
    fragments named by ``fragment_keys`` (``@st.fragment(key=...)``, whose reruns would otherwise wait for
    this frame to end): then stop sleeping, or training, at once. Peeks at Streamlit's request queue
    (internal: should it change, this answers False and a frame merely runs to its end)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
        ctx = get_script_run_ctx()
        req = ctx.script_requests
        data = req._rerun_data
        if req._state.name != "RERUN":
            return False
        queue = [data.fragment_id] if data.fragment_id else list(data.fragment_id_queue)
        if not queue:
            return True
        if not fragment_keys:
            return False
        return bool(set(queue) & set(ctx.fragment_storage.resolve_target(list(fragment_keys))))
    except Exception:
        return False


def fragment_rerun():
    """Whether this script run is a fragment's own rerun (not the whole page)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
        return bool(get_script_run_ctx().fragment_ids_this_run)
    except Exception:
        return False


def yield_to_click():
    """End a live frame before drawing it when the learner clicked meanwhile: Streamlit stops a script at its
    next element while a rerun waits, so this throwaway placeholder hands over to the click's rerun at once
    (the rerun draws everything anyway). Were Streamlit to carry on instead, it adds one empty element."""
    if click_pending():
        st.empty()


def budget(prefix, base, floor=0.002, slack=0.5):
    """Seconds of training for this frame: ``base`` on an idle server, far less when frames are stretched by
    other sessions (``base`` / (s − slack)² at a stretch s, at least ``floor``): under a class's load the
    frames, which every learner sees, come before the epochs. A stretch up to 1 + ``slack`` is one learner's
    own browser and websocket sharing the machine, not a class: it costs nothing."""
    return max(floor, base / max(1.0, _state(prefix)["stretch"] - slack) ** 2)


@contextlib.contextmanager
def live_frame(prefix, start=START, gain=GAIN, max_sleep=MAX_SLEEP, wake=()):
    """Measure this frame (wall and thread CPU); afterwards sleep k · ``UNIT`` seconds, with
    k = gain · (L − start) once the smoothed stretch L passes ``start`` (0 below: one learner never waits).
    The wait depends on L alone, and every session of a process sees about the same L, so all of them pace
    alike. With N sessions competing, L settles where enough frames are in flight to keep the process busy
    but not so many that they queue (measured with bench/load.py: 30 learners on two processes)."""
    s = _state(prefix)
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    yield s                          # an exception (st.rerun, Stop) skips the pacing: nothing to pace
    wall, cpu = time.perf_counter() - wall0, max(time.thread_time() - cpu0, 1e-4)
    stretch = min(max(wall / cpu, 1.0), 50.0)
    s["stretch"] = 0.85 * s["stretch"] + 0.15 * stretch         # smoothed over several frames
    s["k"] = gain * max(0.0, s["stretch"] - start)
    s["sleep"] = min(s["k"] * UNIT, max_sleep)
    end = time.perf_counter() + s["sleep"]
    while time.perf_counter() < end and not click_pending(*wake):   # a click ends the pause at once
        time.sleep(min(0.05, max(0.0, end - time.perf_counter())))


def paced(prefix, **kwargs):
    """Decorator form of ``live_frame`` for a fragment function (put it under ``@st.fragment``)."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kw):
            with live_frame(prefix, **kwargs):
                return fn(*args, **kw)
        return run
    return wrap

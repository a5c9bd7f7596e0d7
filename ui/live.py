"""Live views under a classroom's load: pace each session's frames to what the server can deliver.

A Streamlit process runs every session's Python on one core (the GIL). When a class presses Play at once,
frames queue, every frame takes longer than its ``run_every`` interval and the whole class stalls together.
``live_frame`` gives every live session of a process the same period between frames: with N sessions
running their scripts (each has its own script thread, so the process's thread list says how many — no
shared state of ours) and c this session's CPU time per frame, the period is N · c / ``SHARE``, so that the
frames of all N together use ``SHARE`` of the core (the server's own work — websockets, messages — takes
most of the rest). After its frame a session sleeps what is left of its period. The sleep costs no CPU,
the last frame stays on screen meanwhile, and a click ends it at once; a busy server thus gives every
learner the same, fewer frames instead of none. ``budget`` shrinks a frame's training chunk when frames
are stretched by others (wall time ≫ CPU time), so that under a class's load the frames (what everyone
sees) come before the epochs.

Drop-in use in a live fragment (one line, under the fragment decorator)::

    @st.fragment(run_every=0.1 if playing else None)
    @robust.paced("pg")
    def live_view():
        trainer.run_for(robust.budget("pg", 0.030))
        ...draw...
"""
import contextlib
import functools
import math
import threading
import time

import streamlit as st

from ui.streamlit_internals import click_pending, running_sessions  # noqa: F401  (re-exported)

SHARE = 0.55          # of one core: what the live frames of one process may use between them
MIN_SESSIONS = 3      # fewer sessions running at once (one learner, a second tab) never wait
CPU_MEMORY = 1.0      # seconds over which a session's CPU time per frame is averaged
MAX_SLEEP = 2.0       # never pause a session's live view longer than this between frames


def _state(prefix):
    key = f"{prefix}_pace"
    if key not in st.session_state:
        st.session_state[key] = {"stretch": 1.0, "cpu": None, "t": 0.0, "sessions": 1, "period": 0.0, "sleep": 0.0}
    return st.session_state[key]


def yield_to_click():
    """End a live frame before drawing it when the learner clicked meanwhile: Streamlit stops a script at its
    next element while a rerun waits, so this throwaway placeholder hands over to the click's rerun at once
    (the rerun draws everything anyway). Were Streamlit to carry on instead, it adds one empty element."""
    if click_pending():
        st.empty()


def loaded(prefix):
    """Whether this session's frames are paced (several sessions share the process: a class, not one learner)."""
    return _state(prefix)["sleep"] > 0


def budget(prefix, base, floor=0.002, slack=0.5):
    """Seconds of training for this frame: ``base`` on an idle server, far less when frames are stretched by
    other sessions (``base`` / (s − slack)² at a stretch s, at least ``floor``): under a class's load the
    frames, which every learner sees, come before the epochs. A stretch up to 1 + ``slack`` is one learner's
    own browser and websocket sharing the machine, not a class: it costs nothing."""
    return max(floor, base / max(1.0, _state(prefix)["stretch"] - slack) ** 2)


@contextlib.contextmanager
def live_frame(prefix, share=SHARE, min_sessions=MIN_SESSIONS, max_sleep=MAX_SLEEP, interval=0.0):
    """Measure this frame (wall and thread CPU); afterwards sleep until the period P = N · c / ``share``
    has passed since the frame began, with N the sessions running now (at least ``min_sessions`` for any
    wait) and c this session's smoothed CPU time per frame. Every session of a process sees the same N, so
    all get the same period whatever their luck with the GIL (a wait that grew with each session's own
    stretch gave some learners twice the frames of others). At least half the period is always slept: an
    overloaded process backs off instead of piling frames up. (Capping the period at 0.4 s, so that costly
    frames keep 2 a second, saturated the process instead: 13–23 gaps over 2 s in bench/load.py --mix, none
    without.) A view whose own ``interval`` between frames (the kernel slide's third of a second) is already as
    long as the period never sleeps: its timer spaces its frames. A click ends the sleep at once."""
    s = _state(prefix)
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    yield s                          # an exception (st.rerun, Stop) skips the pacing: nothing to pace
    wall, cpu = time.perf_counter() - wall0, max(time.thread_time() - cpu0, 1e-4)
    s["stretch"] = 0.85 * s["stretch"] + 0.15 * min(max(wall / cpu, 1.0), 50.0)   # smoothed, for budget
    # CPU per frame, averaged over about the last ``CPU_MEMORY`` seconds (not frames: a costly first frame
    # must not slow a session that gets one frame a second for the next ten seconds)
    now = time.perf_counter()
    a = 1.0 if s["cpu"] is None else 1.0 - math.exp(-(now - s["t"]) / CPU_MEMORY)
    s["cpu"], s["t"] = cpu if s["cpu"] is None else (1 - a) * s["cpu"] + a * cpu, now
    s["sessions"] = n = running_sessions()
    s["period"] = n * s["cpu"] / share if n >= min_sessions else 0.0
    s["sleep"] = 0.0 if s["period"] <= interval else min(max(s["period"] - wall, s["period"] / 2), max_sleep)
    end = time.perf_counter() + s["sleep"]
    while time.perf_counter() < end and not click_pending():   # a click ends the pause at once
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


def frame_stats(prefix, epoch, t_start, cpu_start, unit="epochs"):
    """While playing, a caption of the last 20 frames: frames/s, epochs/s, server and CPU time per frame
    (``t_start``/``cpu_start``: ``time.perf_counter()``/``time.process_time()`` when the frame began);
    called with ``epoch=None`` when paused, it forgets them."""
    frames = st.session_state.setdefault(f"{prefix}_frames", [])
    if epoch is None:
        frames.clear()
    text = "Paused: the live figures show here while playing."   # the line keeps its place: no layout jump
    if epoch is not None:
        text = "Live: starting…"
        frames.append((time.perf_counter(), epoch, 1000 * (time.perf_counter() - t_start),
                       1000 * (time.process_time() - cpu_start)))
        del frames[:-20]
    if len(frames) > 2:
        dt = frames[-1][0] - frames[0][0]
        server = sum(f[2] for f in frames[1:]) / (len(frames) - 1)
        cpu = sum(f[3] for f in frames[1:]) / (len(frames) - 1)
        text = (f"Live: {(len(frames) - 1) / dt:.1f} frames/s · {(frames[-1][1] - frames[0][1]) / dt:.0f} "
                f"{unit}/s · {server:.0f} ms of server time per frame ({cpu:.0f} ms CPU)")
    with st.container(key=f"{prefix}_stats"):
        st.caption(text)


# ---------------------------------------------------------------- the one live loop of every lesson
BAR_FIRST = 0.04        # seconds the run after a click on Play/Pause waits once the bar is sent (control_bar)
LIVE_INTERVAL = 0.09    # seconds between live frames: 11 asked, so that timer jitter and a long frame still leave ≥ 10
TRAINING = 0.030        # seconds of work (training, stepping) a live frame does on an idle server


def playing(prefix):
    """Whether the live view ``prefix`` is playing (``st.session_state[prefix + "_playing"]``)."""
    return bool(st.session_state.get(f"{prefix}_playing", False))


def set_playing(prefix, value):
    st.session_state[f"{prefix}_playing"] = bool(value)


def _on_play(prefix, play, hook):
    # the button says what it does (Play or Pause) instead of toggling: Streamlit may run a click's callback
    # twice, and a toggle run twice would undo the learner's Pause
    if play and hook is not None and hook() is False:
        return                                   # the lesson refused (nothing left to play)
    set_playing(prefix, play)
    st.session_state[f"{prefix}_clicked"] = True     # this run draws the bar, then lets the browser show it


def _on_action(prefix, action):
    set_playing(prefix, False)
    action()


def control_bar(prefix, *, on_play=None, step=None, reset=None, can_play=True, labels=("Play", "Pause"),
                step_label="Step", step_help=None, reset_label="Reset", reset_help=None):
    """The lab's training bar, the same shape in every lesson: Play/Pause (two buttons, one shown — a
    replayed Pause click must not find itself bound to Play), then Step and Reset when the lesson gives
    them (``step`` and ``reset`` are callables run in the click's callback). ``on_play`` runs before playing
    starts and may return False to refuse (e.g. a finished race starts over in it).

    The bar is deliberately not a fragment: a click on it asks for a rerun of the whole page, and Streamlit
    lets only such a request (not a fragment's) interrupt the script run under way. The live frame then
    stops training at once (``click_pending``) and hands over before drawing (``yield_to_click``), and the
    page is drawn paused: Pause lands in the time the page takes to reach the bar, not after one or two more
    frames (a fragment's click waited behind the frame running and the next timer tick: ~200 ms). Play, Step
    and Reset need the whole page anyway (the live view's timer starts or stops only in a full run).

    The bar first: the browser draws a run's elements when their stream pauses, and one Plotly chart in the lot
    that carries the new Play (or Pause) button holds the button back by its drawing (100–300 ms). So the run
    after a click on Play or Pause waits ``BAR_FIRST`` once the bar is sent: the browser shows the page down to
    the bar meanwhile, and whatever comes next (a paused view's figures, the rest of the page) comes after,
    whatever the page. Other runs (a slider moved while paused) do not wait."""
    # During a rerun Streamlit keeps the replaced button (stale) until the run's end: the old Play stayed under
    # the new Pause and pushed the view down 56 px. Hide a stale button as soon as a fresh one is there.
    st.html(f"<style>.st-key-{prefix}_playpause:has([data-stale='false']) [data-stale='true'] "
            "{display: none !important;}</style>")
    c = st.columns([1.15, 1.0, 1.05], vertical_alignment="bottom")
    with c[0].container(key=f"{prefix}_playpause"):
        if playing(prefix):
            st.button(labels[1], key=f"{prefix}_pause", on_click=_on_play, args=(prefix, False, None),
                      type="primary", icon=":material/pause:", width="stretch")
        else:
            st.button(labels[0], key=f"{prefix}_play", on_click=_on_play, args=(prefix, True, on_play),
                      type="primary", icon=":material/play_arrow:", width="stretch", disabled=not can_play)
    if step is not None:
        c[1].button(step_label, key=f"{prefix}_step", on_click=_on_action, args=(prefix, step),
                    icon=":material/skip_next:", width="stretch", help=step_help)
    if reset is not None:
        c[2].button(reset_label, key=f"{prefix}_reset", on_click=_on_action, args=(prefix, reset),
                    icon=":material/replay:", width="stretch", help=reset_help)
    if st.session_state.pop(f"{prefix}_clicked", False):
        time.sleep(BAR_FIRST)


def live_view(prefix, advance, draw, *, interval=LIVE_INTERVAL, training=TRAINING, floor=0.002, count=None,
              unit="steps"):
    """The live view of ``prefix``, a fragment that reruns every ``interval`` seconds while playing.

    Each frame: ``advance(seconds, until)`` does about ``seconds`` of the lesson's work (train, step, slide)
    — fewer under a class's load (``budget``) — and should stop early once ``until()`` is true (a click on
    the bar is waiting); it returns something true when playing must end (finished, stopped, diverged).
    Then ``draw(playing)`` draws the view (also on a full run, paused). A click on the bar hands over
    before drawing; Pause stops the timer at the next tick; frames are paced under load (``live_frame``), and
    the work shrinks towards ``floor`` seconds a frame (a long job whose frames are cheap keeps a larger one).
    ``training`` may be a callable (seconds, asked each frame). ``count()``: the lesson's counter (epochs,
    steps, updates…), shown with the frame rate under the view while playing (``frame_stats``; the
    benchmark reads it)."""
    st.session_state[f"{prefix}_live_timer"] = on = playing(prefix)
    # live images are replaced every frame: keep them at full strength instead of Streamlit's "stale" fading
    st.html(f"<style>.st-key-{prefix}_live [data-stale='true'] {{opacity: 1 !important; "
            "transition: none !important;}</style>")

    def frame():
        now = playing(prefix)
        if st.session_state.get(f"{prefix}_live_timer") and not now:
            st.rerun()                           # paused by a fragment's click: stop the timer, draw all
        t_start, cpu_start = time.perf_counter(), time.process_time()
        if now:
            base = training() if callable(training) else training
            finished = advance(budget(prefix, base, floor=floor), click_pending)
            yield_to_click()                     # Pause lands without drawing this frame
            if finished:
                set_playing(prefix, False)
                st.rerun()                       # the whole page: Play shows again and the timer stops
        with st.container(key=f"{prefix}_live"):
            draw(now)
        frame_stats(prefix, (count() if count else 0) if now else None, t_start, cpu_start, unit)

    # Two fragments, one per state, because Streamlit names a fragment after its function (and its place): a
    # timer tick the browser sent before the Pause's run reached it arrives after that run, and asks for the
    # playing fragment, which the paused page no longer has: Streamlit skips it, and the paused view is neither
    # drawn again (its Plotly figures cost the browser another 100–300 ms) nor cleared (a fragment's run that
    # drew less would leave the browser without the rest of its elements).
    if on:
        @st.fragment(run_every=interval)
        @paced(prefix, interval=interval)
        def playing_view():
            frame()
        playing_view()
    else:
        @st.fragment
        def paused_view():                        # a fragment still: a widget in the view reruns the view alone
            frame()
        paused_view()


def step_bar(prefix, n, speeds, default_speed, draw):
    """A walk over positions 0 … n − 1 (kept as ``{prefix}_pos``) on the lab's loop: the usual bar (Play/Pause,
    Step = one position on, Reset = back to the first), then Back, All and a speed (seconds per position);
    the live view moves one position a frame and ends at the last. ``draw(playing)`` draws the position."""
    ss, key = st.session_state, f"{prefix}_pos"
    ss[key] = int(min(max(ss.get(key, 0), 0), n - 1))

    def move(to):
        ss[key] = int(min(max(to, 0), n - 1))

    def start():
        if ss[key] >= n - 1:
            ss[key] = 0                          # Play at the end starts over

    def advance(seconds, until):
        move(ss[key] + 1)
        return ss[key] >= n - 1

    b = st.columns([3.3, 1, 1, 2], vertical_alignment="bottom")
    with b[0]:
        control_bar(prefix, on_play=start, step=lambda: move(ss[key] + 1), reset=lambda: move(0),
                    reset_help="Back to the first position")
    b[1].button("Back", icon=":material/chevron_left:", on_click=lambda: move(ss[key] - 1), key=f"{prefix}_back",
                width="stretch")
    b[2].button("All", icon=":material/last_page:", on_click=move, args=(n - 1,), key=f"{prefix}_last",
                width="stretch")
    speed = b[3].select_slider("Speed", list(speeds), value=default_speed, key=f"{prefix}_speed",
                               label_visibility="collapsed")
    live_view(prefix, advance, draw, interval=speeds[speed], count=lambda: ss[key], unit="positions")

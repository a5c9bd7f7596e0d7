"""The one place where the lab touches Streamlit's private internals, and why each is needed.

Everything else in ``ui/`` and ``pages/`` uses Streamlit's public API. What lives here has no public
equivalent in Streamlit 1.67:

- ``leave_folder_mode``: a lesson opened by its link (``/playground?...``) on a server where ``app.py`` has
  not run yet is started by Streamlit's old folder-based navigation, because a ``pages/`` folder sits
  beside ``app.py``: it runs the page alone, without ``app.py``'s navigation, page config and theme. The
  public ``st.navigation`` leaves that mode only once ``app.py`` calls it, so the page flips the same
  class flag ``st.navigation`` flips (``PagesManager.uses_pages_directory``) and reruns.
- ``click_pending``: whether a click is waiting while a live frame trains or sleeps (a whole-page rerun
  requested, or, with ``runner.fastReruns``, this run told to stop because the click's run has started), so
  that Pause lands in ~100 ms instead of after the frame (peeks at the session's request queue).
- ``running_sessions``: how many sessions of this process are running their script now (Streamlit names
  each session's script thread; the live loop's pacing counts them, keeping no shared state of its own).

``self_check()`` lists whatever of this is missing; ``tests/test_streamlit_internals.py`` fails, naming
this module, as soon as an upgrade of Streamlit changes any of it. Each helper otherwise degrades
gracefully (answers False / does nothing) rather than breaking a lesson.
"""
import threading

import streamlit as st

SCRIPT_THREAD = "ScriptRunner.scriptThread"     # Streamlit's name for a session's script thread


def _ctx():
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    return get_script_run_ctx()


def leave_folder_mode():
    """Leave Streamlit's folder mode (see the module's docstring) and rerun through ``app.py``."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def click_pending():
    """Whether the learner clicked something: a rerun of the whole page is waiting (the only request that
    Streamlit lets interrupt the run under way; a fragment's timer tick is not a click), or this run was told
    to stop. With ``runner.fastReruns`` (on by default) a click does the latter: the session stops the script
    runner under way and starts a new one for the click's run at once, so the old thread must end now, not
    after its frame's training, which it would spend competing for the GIL with the click's run. Should
    Streamlit's internals change, this answers False and a frame merely runs to its end."""
    try:
        req = _ctx().script_requests
        data = req._rerun_data
        state = req._state.name
        return state == "STOP" or (state == "RERUN" and not data.fragment_id and not data.fragment_id_queue)
    except Exception:
        return False


def running_sessions():
    """How many sessions of this process are running their script now."""
    return sum(t.name == SCRIPT_THREAD for t in threading.enumerate())


def self_check():
    """What this module relies on and no longer finds in the installed Streamlit (empty when all is well)."""
    missing = []
    try:
        from streamlit.runtime.pages_manager import PagesManager
        if not hasattr(PagesManager, "uses_pages_directory"):
            missing.append("PagesManager.uses_pages_directory")
    except ImportError:
        missing.append("streamlit.runtime.pages_manager.PagesManager")
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests
        from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext
        requests = ScriptRequests()
        for name in ("_rerun_data", "_state"):
            if not hasattr(requests, name):
                missing.append(f"ScriptRequests.{name}")
        if getattr(getattr(requests, "_state", None), "name", None) is None:
            missing.append("ScriptRequests._state.name")
        requests.request_stop()
        if getattr(getattr(requests, "_state", None), "name", None) != "STOP":
            missing.append("ScriptRequests._state 'STOP' after request_stop()")
        fields = getattr(RerunData, "__dataclass_fields__", {})
        for name in ("fragment_id", "fragment_id_queue"):
            if name not in fields:
                missing.append(f"RerunData.{name}")
        ctx_fields = getattr(ScriptRunContext, "__dataclass_fields__", {})
        for name in ("script_requests",):
            if name not in ctx_fields:
                missing.append(f"ScriptRunContext.{name}")
    except ImportError as e:
        missing.append(f"streamlit.runtime.scriptrunner_utils ({e})")
    try:
        from streamlit.runtime.scriptrunner import script_runner
        if SCRIPT_THREAD not in open(script_runner.__file__, encoding="utf-8").read():
            missing.append(f"the script thread's name {SCRIPT_THREAD!r}")
    except Exception as e:                          # noqa: BLE001  (any failure is a change to report)
        missing.append(f"streamlit.runtime.scriptrunner.script_runner ({e})")
    return missing

"""The one adapter over Streamlit's internals (ui/streamlit_internals.py) still finds what it relies on.

An upgrade of Streamlit that renames or removes any of it fails here, naming the adapter, instead of
silently turning Pause sluggish or a shared link into a page without the app's navigation."""
import importlib.metadata

from streamlit.testing.v1 import AppTest

from ui import streamlit_internals


def test_the_adapter_finds_every_internal_it_relies_on():
    missing = streamlit_internals.self_check()
    version = importlib.metadata.version("streamlit")
    assert not missing, (f"ui/streamlit_internals.py relies on Streamlit internals that Streamlit {version} "
                         f"no longer has: {missing}. Update the adapter (and its docstring) for this version.")


def _probe():
    import streamlit as st
    from ui import streamlit_internals as si
    st.session_state["probe"] = (si.click_pending(), si.running_sessions())


def test_the_adapter_answers_inside_a_script_run():
    """Inside a quiet script run: no click waits, and the run's own thread counts."""
    at = AppTest.from_function(_probe).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["probe"] == (False, 1)


def _probe_stop():
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    from ui import streamlit_internals as si
    seen = st.session_state.setdefault("probe", [])     # filled in place: the stopped run may set nothing more
    seen.append(si.click_pending())
    get_script_run_ctx().script_requests.request_stop()      # what a click does to the run under way (fastReruns)
    seen.append(si.click_pending())


def test_a_run_told_to_stop_counts_as_a_click():
    """With runner.fastReruns (Streamlit's default) a click stops the script runner under way and starts the
    click's run on a new one: a live frame must end at once then, as it does for a waiting rerun."""
    at = AppTest.from_function(_probe_stop).run()
    assert at.session_state["probe"] == [False, True]


def test_the_adapter_detects_a_removed_internal(monkeypatch):
    """self_check is not vacuous: take one internal away and it names it."""
    from streamlit.runtime.pages_manager import PagesManager
    monkeypatch.delattr(PagesManager, "uses_pages_directory")
    assert "PagesManager.uses_pages_directory" in streamlit_internals.self_check()

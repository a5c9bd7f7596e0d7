"""Helpers shared by the lesson pages (glue only: no maths, no figure construction)."""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from threadpoolctl import threadpool_limits

from nn_core.docmath import latex_blocks

# The engine's matrices are small: one BLAS thread multiplies them fastest, while several compete with the
# browser and the other learners' sessions for a laptop's cores (bench/engine.py measured 10–100× slower
# products with OpenBLAS's default threads on a busy two-core machine). A setting of the process, the same
# for every learner, made on the first import, before any lesson trains.
threadpool_limits(limits=1, user_api="blas")


def _run_through_app():
    """A lesson opened by its link (e.g. a shared /playground?...) on a server where app.py has not run
    yet is started by Streamlit's old folder-based navigation: it runs this page alone, without app.py's
    navigation, page config and theme, and lists every file in pages/ as a page. Leave that mode and
    rerun, so that app.py runs and shows the page the link asked for. (Streamlit itself leaves the mode
    the first time app.py calls st.navigation; this runs on the first import of this module, which every
    lesson does before it draws anything — at the end of the module, so that another session importing it
    meanwhile finds every helper defined.)"""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def show_equations(obj):
    """Render every $$…$$ block of ``obj``'s docstring: the lesson shows the maths the engine documents."""
    for block in latex_blocks(obj):
        st.latex(block)


def state(key, default):
    """``st.session_state[key]``, created from ``default()`` (a callable) on first use."""
    if key not in st.session_state:
        st.session_state[key] = default()
    return st.session_state[key]


_run_through_app()

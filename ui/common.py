"""Helpers shared by the lesson pages (glue only: no maths, no figure construction)."""
import streamlit as st
from threadpoolctl import threadpool_limits

from nn_core.docmath import latex_blocks
from ui.streamlit_internals import leave_folder_mode

# The engine's matrices are small: one BLAS thread multiplies them fastest, while several compete with the
# browser and the other learners' sessions for a laptop's cores (bench/engine.py measured 10–100× slower
# products with OpenBLAS's default threads on a busy two-core machine). A setting of the process, the same
# for every learner, made on the first import, before any lesson trains.
threadpool_limits(limits=1, user_api="blas")


def show_equations(obj):
    """Render every $$…$$ block of ``obj``'s docstring: the lesson shows the maths the engine documents."""
    for block in latex_blocks(obj):
        st.latex(block)


def state(key, default):
    """``st.session_state[key]``, created from ``default()`` (a callable) on first use."""
    if key not in st.session_state:
        st.session_state[key] = default()
    return st.session_state[key]


leave_folder_mode()    # last: another session importing this meanwhile finds every helper defined

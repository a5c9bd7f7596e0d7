"""Helpers shared by the lesson pages (glue only: no maths, no figure construction)."""
import streamlit as st
from threadpoolctl import threadpool_limits

from nn_core.docmath import latex_blocks
from ui import layout
from ui.streamlit_internals import leave_folder_mode
from viz.cnn import grey_png, png
from viz.palette import data_uri

# The engine's matrices are small: one BLAS thread multiplies them fastest, while several compete with the
# browser and the other learners' sessions for a laptop's cores (bench/engine.py measured 10–100× slower
# products with OpenBLAS's default threads on a busy two-core machine). A setting of the process, the same
# for every learner, made on the first import, before any lesson trains.
threadpool_limits(limits=1, user_api="blas")


def show_equations(obj):
    """Render every $$…$$ block of ``obj``'s docstring: the lesson shows the maths the engine documents."""
    for block in latex_blocks(obj):
        st.latex(block)


def maths_expander(title, sections, icon=":material/functions:", key="maths"):
    """An expander of (markdown caption, engine object) pairs, each object's docstring maths rendered below its
    caption: the formulas a lesson shows are the ones its code documents. Drawn only once opened: closed, its
    twenty-odd formulas would be re-rendered by the browser on every live frame of the page (about 2,400 DOM
    nodes of KaTeX, two thirds of the playground's), which delayed Pause."""
    box = st.expander(title, icon=icon, key=key, on_change="rerun")
    if not box.open:
        return
    with box:
        for caption, obj in sections:
            st.markdown(caption)
            show_equations(obj)


def grid_words(a, digits=2):
    """A small grid of numbers as words for a picture's alt text: rows separated by semicolons."""
    return "; ".join(", ".join(f"{float(v):.{digits}f}" for v in row) for row in a)


def show_rgb(where, rgb, max_width=None, **kwargs):
    """An RGB picture (H, W, 3) from viz at its own size (never blown up), at most ``max_width`` pixels wide (and in
    presenter mode no wider than the page at 1280×720: Streamlit shows an image as wide as asked, past its column)."""
    widest = layout.column_width() if layout.presenting() else rgb.shape[1]
    where.image(data_uri(png(rgb)), width=min(rgb.shape[1], max_width or rgb.shape[1], widest), **kwargs)


def grey_uri(img, scale):
    """A [0, 1] picture (1 = ink), each pixel scale×scale, ready for st.image."""
    return data_uri(grey_png(img, scale))


def state(key, default):
    """``st.session_state[key]``, created from ``default()`` (a callable) on first use."""
    if key not in st.session_state:
        st.session_state[key] = default()
    return st.session_state[key]


leave_folder_mode()    # last: another session importing this meanwhile finds every helper defined

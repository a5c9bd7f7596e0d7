"""A live view's picture in a box of fixed height: an image while playing, the Plotly figure when paused.

While playing, a frame's picture is a raster image (``viz.raster``: a few milliseconds to draw and encode, and
the browser swaps it at once) with alt text made from the engine's numbers; paused, the Plotly figure (hover,
exact values, zoom). Both sit in one ``st.container`` of ``height`` pixels, so Play and Pause move nothing.
(That the Play bar shows before a paused figure is the live loop's business: ``ui.live.control_bar``.)"""
import streamlit as st

from ui.layout import chart
from viz.raster import jpeg_uri


def live_picture(box, height, playing, image, figure, alt, key=None, **chart_kw):
    """In the box ``box`` (a container key): ``image()`` (uint8 (H, W, 3), drawn at most at its own width) with
    ``alt()`` while ``playing``, else ``figure()`` as a Plotly chart with ``key`` (build it ``height`` − 10 px
    high: the box must not scroll). ``image``, ``figure`` and ``alt`` are callables: only one state's is made."""
    with st.container(height=height, border=False, key=box):
        if playing:
            st.image(jpeg_uri(image()), alt=alt())
        else:
            chart(figure(), key=key, **chart_kw)

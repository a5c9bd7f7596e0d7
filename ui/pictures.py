"""A live view's picture in a box of fixed height: an image while playing, the Plotly figure when paused.

While playing, a frame's picture is a raster image (``viz.raster``: a few milliseconds to draw and encode, and
the browser swaps it at once) with alt text made from the engine's numbers; paused, the Plotly figure (hover,
exact values, zoom). Both sit in one ``st.container`` of ``height`` pixels, so Play and Pause move nothing."""
import streamlit as st

from viz.raster import jpeg_uri


def live_picture(box, height, playing, image, figure, alt, key=None, later=None, **chart_kw):
    """In the box ``box`` (a container key): ``image()`` (uint8 (H, W, 3), drawn at most at its own width) with
    ``alt()`` while ``playing``, else ``figure()`` as a Plotly chart with ``key`` (build it ``height`` − 10 px
    high: the box must not scroll). ``image``, ``figure`` and ``alt`` are callables: only one state's is made.

    ``later``: a list, for a box drawn just under the Play bar. Paused, the box then shows the image first and
    ``later`` gets a callable that puts the figure in its place: call it at the end of the page's run. The
    browser draws a run's elements when their stream pauses, and a Plotly chart in the first lot (the one with
    the Play button, after Pause) held the button back by its drawing (100–200 ms: CNN Pause 222 → 106 ms)."""
    with st.container(height=height, border=False, key=box):
        if playing:
            st.image(jpeg_uri(image()), alt=alt())
        elif later is not None:
            spot = st.empty()
            spot.image(jpeg_uri(image()), alt=alt())
            later.append(lambda: spot.plotly_chart(figure(), key=key, **chart_kw))
        else:
            st.plotly_chart(figure(), key=key, **chart_kw)


def chart_later(later, height, figure, key, **chart_kw):
    """``figure()`` as a Plotly chart with ``key``, drawn when the page calls what ``later`` (a list) received, at
    the end of its run (see ``live_picture``), in a box of ``height`` px held meanwhile so that nothing moves; with
    ``later`` None, drawn now."""
    if later is None:
        st.plotly_chart(figure(), key=key, **chart_kw)
        return
    spot = st.container(height=height, border=False).empty()
    later.append(lambda: spot.plotly_chart(figure(), key=key, **chart_kw))

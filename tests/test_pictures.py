"""ui.pictures' ``later``: paused, live_picture's box shows the image first, and it and chart_later draw their Plotly
figures only once the page calls what ``later`` received (at the end of its run), so that the lot of elements carrying
the Play button holds no Plotly chart."""
from streamlit.testing.v1 import AppTest

from live_helpers import box


def page(fill):
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from ui.pictures import chart_later, live_picture
    later = []
    live_picture("box", 200, False, lambda: np.zeros((10, 10, 3), np.uint8), lambda: go.Figure(), lambda: "a picture",
                 key="fig", later=later)
    with st.container(key="other"):
        chart_later(later, 100, go.Figure, "fig2")
    assert len(later) == 2
    if fill:
        for draw in later:
            draw()


def test_paused_box_shows_the_image_until_the_figure_is_drawn_later():
    at = AppTest.from_function(page, args=(False,)).run()
    assert not at.exception and box(at, "box") == (200, [("image", "a picture")]) and box(at, "other")[1] == []
    at = AppTest.from_function(page, args=(True,)).run()
    height, shown = box(at, "box")
    assert not at.exception and height == 200 and [kind for kind, _ in shown] == ["plotly"]
    assert [kind for kind, _ in box(at, "other")[1]] == ["plotly"]

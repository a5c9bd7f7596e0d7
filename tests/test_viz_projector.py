"""Presenter mode's figures (viz.projector.for_projector): every label at least 16 px as Plotly lays it out, on a
template with real colours (Streamlit's own template holds placeholder colours only its chart theme replaces), the
figure's own larger sizes and colours kept, and the figure it was given left as it was."""
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import streamlit  # noqa: F401  (sets Streamlit's template as Plotly's default, as in the app)

from viz.projector import FLOOR, for_projector, log_ticks

PLACEHOLDER = "#0000"       # Streamlit's stand-in colours: #000001 … #000040


def font_sizes(node, found=None):
    """Every (path, size) of a font size in a figure's JSON."""
    found = [] if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                sizes = value["size"] if isinstance(value["size"], list) else [value["size"]]
                found += [(key, s) for s in sizes]
            font_sizes(value, found)
    elif isinstance(node, list):
        for item in node:
            font_sizes(item, found)
    return found


def small_figure():
    fig = go.Figure([go.Scatter(x=[1, 2, 3], y=[3, 1, 2], mode="lines+text", text=["a", "b", "c"],
                                textfont={"size": [10, 20, 12], "color": "#e8850c"}, line={"color": "#0877bd"},
                                name="loss"),
                     go.Heatmap(z=[[1, 2], [3, 4]], texttemplate="%{z}", textfont={"size": 11},
                                colorbar={"tickfont": {"size": 9}})])
    fig.update_layout(font={"size": 12}, legend={"font": {"size": 13}}, title={"text": "t", "font": {"size": 24}},
                      xaxis={"tickfont": {"size": 10}, "title": {"text": "x", "font": {"size": 11}}},
                      annotations=[{"text": "fed the truth", "font": {"size": 10}, "x": 1, "y": 1}])
    return fig


def test_every_font_size_at_least_the_floor_and_larger_ones_kept():
    spec = for_projector(small_figure()).to_dict()
    sizes = font_sizes(spec["data"]) + font_sizes({k: v for k, v in spec["layout"].items() if k != "template"})
    assert sizes and min(s for _, s in sizes) >= FLOOR == 16
    assert spec["layout"]["font"]["size"] >= FLOOR                        # what every other label inherits
    assert spec["layout"]["title"]["font"]["size"] == 24                  # larger sizes stay
    assert spec["data"][0]["textfont"]["size"] == [16, 20, 16]           # one per point, each raised
    assert spec["data"][0]["line"]["color"] == "#0877bd" and spec["data"][0]["textfont"]["color"] == "#e8850c"


def test_the_template_is_ours_with_real_colours_and_room_for_the_labels():
    assert pio.templates.default == "streamlit"                           # what figures get without us
    spec = for_projector(small_figure()).to_dict()
    template = json.dumps(spec["layout"]["template"])
    assert PLACEHOLDER not in template
    assert PLACEHOLDER in json.dumps(small_figure().to_dict()["layout"]["template"])   # the one it replaced
    lay = spec["layout"]["template"]["layout"]
    assert lay["font"]["size"] >= FLOOR and lay["legend"]["font"]["size"] >= FLOOR
    assert lay["xaxis"]["automargin"] and lay["yaxis"]["automargin"]      # ticks and titles push the margins
    assert lay["paper_bgcolor"] == lay["plot_bgcolor"] == "white"
    assert len(lay["colorway"]) == 10 and all(c.startswith("#") and len(c) == 7 for c in lay["colorway"])


def test_the_figure_given_is_left_alone():
    fig = small_figure()
    before = fig.to_json()
    for_projector(fig)
    assert fig.to_json() == before
    assert for_projector(fig.to_dict()).layout.font.size >= FLOOR    # a figure's dict works too


def test_scripts_are_drawn_at_the_floor_too():
    """Plotly draws <sub>/<sup> at 70 % of their label (11 px under 16): the projector's figure sizes them itself."""
    fig = go.Figure(go.Scatter(x=[1], y=[1], name="h<sub>t</sub>"), layout={"title": {"text": "‖∂L/∂h<sub>t</sub>‖"}})
    spec = for_projector(fig)
    assert spec.data[0].name == f'h<sub><span style="font-size:{FLOOR}px">t</span></sub>'
    assert f'<sub><span style="font-size:{FLOOR}px">t</span></sub>' in spec.layout.title.text


@pytest.mark.parametrize("lo, hi, slots", [(0.05, 1.45, 4), (0.25, 3.0, 4), (1.38, 1.42, 4), (1e-6, 1.0, 5),
                                           (0.06, 0.1, 4), (2e-3, 5.0, 5), (1e-5, 0.5, 7)])
def test_log_ticks_fit_their_room(lo, hi, slots):
    """At most ``slots`` ticks, inside the range, none closer than span / slots in decades (what collided: Plotly
    labelled 0.06, 0.07, 0.08, 0.09, 0.1 in the RNN's 200 px loss plot); at least two where two fit."""
    ticks = log_ticks(lo, hi, slots)
    logs = np.log10(ticks)
    assert 2 <= len(ticks) <= slots
    assert all(lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9) for t in ticks)
    assert np.diff(logs).min() >= (np.log10(hi) - np.log10(lo)) / slots - 1e-9


def test_a_log_axis_gets_ticks_for_its_data_or_one_per_decade_without_data():
    fig = go.Figure(go.Scatter(x=[0, 1, 2, 3], y=[1.4, 0.5, 0.1, 0.06]),
                    layout={"height": 340, "yaxis": {"type": "log", "tickformat": "~g"}})
    axis = for_projector(fig).layout.yaxis
    assert list(axis.tickvals) == log_ticks(0.06, 1.4, (340 - 140) // 45) and axis.tickmode == "array"
    assert list(axis.ticktext) == ["0.1", "0.3", "1"]          # 1-2-5 is closer than 1.37 decades / 4 slots
    empty = go.Figure(go.Scatter(x=[], y=[]), layout={"yaxis": {"type": "log"}})
    assert for_projector(empty).layout.yaxis.dtick == 1

"""A Plotly figure made for a projector (presenter mode): every label at least ``FLOOR`` px, on the lab's own
template, so that Plotly lays the figure out at the size it draws it (ticks spaced, legends and margins sized for
the larger type) instead of a stylesheet enlarging the text afterwards, when neighbours then collide.

The figure is drawn without Streamlit's chart theme (``theme=None``): that theme sets ticks, legends and axis
titles to 12 px whatever the figure asks. Its look is kept here: Streamlit's text colour, font, grid greys and
chart colours (light theme, as .streamlit/config.toml sets), axes that make room for their labels, titles on the
left. Streamlit's own template (``pio.templates.default``, set when Streamlit is imported) holds placeholder colours
that only its theme replaces, so it is swapped for this one.
"""
import math
import re

import numpy as np
import plotly.graph_objects as go

FLOOR = 16                      # px: the smallest figure label readable from a classroom's back row (issue 21)
INK, MUTED, GRID = "#31333f", "#555867", "#e6e9ef"
FAMILY = '"Source Sans", "Source Sans Pro", sans-serif'    # Streamlit's body font
# Streamlit's default chart colours in its light theme (categorical and sequential)
COLORWAY = ["#0068c9", "#83c9ff", "#ff2b2b", "#ffabab", "#29b09d", "#7defa1", "#ff8700", "#ffd16a", "#6d3fc0",
            "#d5dae5"]
SEQUENTIAL = ["#e4f5ff", "#c7ebff", "#a6dcff", "#83c9ff", "#60b4ff", "#3d9df3", "#1c83e1", "#0068c9", "#0054a3",
              "#004280"]


def _scale(colours):
    return [[i / (len(colours) - 1), c] for i, c in enumerate(colours)]


def _axis(standoff):
    """An axis that makes room for its labels; ``standoff``: px between the tick labels and the plot (x and y
    differ, so that the two labels of the plot's corner, e.g. −3 and −3, do not meet)."""
    return {"automargin": True, "gridcolor": GRID, "zerolinecolor": GRID, "linecolor": GRID, "tickcolor": GRID,
            "ticks": "", "ticklabelstandoff": standoff, "title": {"standoff": 12}}


def template():
    """The lab's Plotly template for presenter mode (a new object each call: figures may change theirs)."""
    body = {"family": FAMILY, "size": FLOOR, "color": INK}
    return go.layout.Template(layout={
        "font": body, "colorway": COLORWAY, "margin": {"l": 8, "r": 8, "t": 40, "b": 8, "pad": 4}, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "title": {"x": 0, "xanchor": "left", "pad": {"l": 4}, "font": {"size": FLOOR + 2}},
        "legend": {"font": {"size": FLOOR, "color": INK}, "bgcolor": "rgba(255,255,255,0.85)"},
        "xaxis": _axis(4), "yaxis": _axis(10),
        "hoverlabel": {"font": {"family": FAMILY, "size": FLOOR}, "bgcolor": "white", "bordercolor": GRID},
        "colorscale": {"sequential": _scale(SEQUENTIAL)},
        "coloraxis": {"colorbar": {"tickfont": {"size": FLOOR}, "outlinewidth": 0}},
        "annotationdefaults": {"font": {"size": FLOOR}},
    })


def _raise(node, floor):
    """Every font size under ``node`` (a figure's JSON: dicts and lists) raised to at least ``floor``, in place:
    the size of any ``font``, ``tickfont``, ``textfont``, ``insidetextfont``… (a number, or one per point)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                size = value["size"]
                if isinstance(size, (int, float)):
                    value["size"] = max(size, floor)
                elif isinstance(size, (list, tuple)):
                    value["size"] = [max(s, floor) if isinstance(s, (int, float)) else s for s in size]
            _raise(value, floor)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _raise(item, floor)


SCRIPT = re.compile(r"<(sub|sup)>(.*?)</\1>", re.S)
AXIS = re.compile(r"^[xy]axis\d*$")


def _scripts(node, floor):
    """Sub- and superscripts (``<sub>t</sub>``) in every label under ``node`` drawn at ``floor`` px too, in place:
    Plotly draws them at 70 % (11 px under a 16 px label). Hover texts are left alone (they are not measured)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, str) and "</su" in value and not str(key).startswith("hover"):
            node[key] = SCRIPT.sub(rf'<\1><span style="font-size:{floor}px">\2</span></\1>', value)
        elif isinstance(value, (dict, list)) and not str(key).startswith("hover"):
            _scripts(value, floor)


def _tick_text(v):
    """A log axis's tick label: 0.05, 2, 300, 2×10⁴ (the exponent as a superscript drawn at full size later)."""
    if 1e-4 <= v < 1e5:
        return f"{v:.6g}"
    m, e = f"{v:.0e}".split("e")
    return ("" if m == "1" else f"{m}×") + f"10<sup>{int(e)}</sup>".replace("-", "−")


def log_ticks(lo, hi, slots):
    """Tick values for a log axis showing lo … hi (0 < lo < hi) with room for ``slots`` labels, no two closer than
    span / slots (in decades): a few values 1, 2 or 5 × 10^k apart when the span is under a decade, else 1-2-5 or
    1-3 per decade, or every 1, 2, 3, 5… decades, the finest that fits."""
    a, b = math.log10(lo), math.log10(hi)
    gap = max(b - a, 1e-9) / max(slots, 2)
    options = []
    if b - a < 1:                                   # within a decade: evenly spaced values, as on a linear axis
        for k in range(math.floor(a) - 2, math.ceil(b) + 1):
            for m in (1, 2, 2.5, 5):
                step = m * 10.0 ** k
                options.append([step * i for i in range(math.ceil(lo / step), math.floor(hi / step) + 1)])
    for mantissas in ((1, 2, 5), (1, 3)):
        options.append([m * 10.0 ** k for k in range(math.floor(a), math.ceil(b) + 1) for m in mantissas])
    for every in (1, 2, 3, 5, 10, 20):
        options.append([10.0 ** k for k in range(math.floor(a), math.ceil(b) + 1) if k % every == 0])
    for ticks in options:
        ticks = [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]
        logs = [math.log10(t) for t in ticks]
        if 2 <= len(ticks) <= slots and min(y - x for x, y in zip(logs, logs[1:])) >= gap * 0.999:
            return ticks
    return [10.0 ** round((a + b) / 2)]


def _data_range(figure, letter, axis_name):
    """The smallest and largest positive values the traces of ``figure`` (a ``go.Figure``) plot on the axis
    ``axis_name`` (e.g. "yaxis2"), or None."""
    ref = letter + axis_name[5:]                                        # "y2"
    values = []
    for trace in figure.data:
        if letter not in trace or trace[letter] is None or (trace[f"{letter}axis"] if f"{letter}axis" in trace
                                                              else letter) not in (ref, None):
            continue
        try:
            v = np.asarray(trace[letter], dtype=float).ravel()
        except (TypeError, ValueError):
            continue
        values.append(v[np.isfinite(v) & (v > 0)])
    values = np.concatenate(values) if values else np.array([])
    return (float(values.min()), float(values.max())) if values.size else None


def _axes(spec, figure):
    """Log axes labelled at a projector's size, in place. Plotly spaces a log axis's labels for no particular type
    size (at 16 px, 0.06 … 0.1 collided, and so did the small digits 6 7 8 9 between two powers of ten), and draws
    "10³" with a 70 % superscript: each log axis without its own ticks gets them here (``log_ticks``), about one per
    45 px of the plot (y) or 90 px (x), and superscripts at ``floor`` px."""
    layout = spec["layout"]
    height = layout.get("height") or 450
    for name, axis in layout.items():
        if not (AXIS.match(name) and isinstance(axis, dict)) or axis.get("type") != "log" or "tickvals" in axis:
            continue
        span = (10.0 ** min(axis["range"]), 10.0 ** max(axis["range"])) if axis.get("range") else \
            _data_range(figure, name[0], name)
        if not span or span[0] >= span[1]:
            axis.setdefault("dtick", 1)                 # no data yet (or one value): one label per power of ten
            continue
        length = (height - 140) * (axis.get("domain", [0, 1])[1] - axis.get("domain", [0, 1])[0]) if name[0] == "y" \
            else 600
        ticks = log_ticks(*span, slots=max(2, int(length // (45 if name[0] == "y" else 90))))
        axis.update(tickmode="array", tickvals=ticks, ticktext=[_tick_text(t) for t in ticks])


def for_projector(figure, floor=FLOOR):
    """A copy of ``figure`` (a ``go.Figure`` or its dict) on the projector template, every font size at least
    ``floor`` px (the figure's own larger sizes and colours kept)."""
    figure = figure if isinstance(figure, go.Figure) else go.Figure(figure)
    spec = figure.to_dict()                                              # a deep copy
    layout = spec.setdefault("layout", {})
    layout["template"] = template().to_plotly_json()
    _raise(spec, floor)
    _axes(spec, figure)
    _scripts(spec, floor)
    font = dict(layout.get("font") or {})
    font["size"] = max(font.get("size") or 0, floor)
    layout["font"] = font
    return go.Figure(spec)

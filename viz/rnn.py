"""Figures for the recurrent-network lesson: the unrolled network, loss and gradient curves, the hidden
state over time, forecasts, echo accuracies and next-character probabilities (pure Plotly builders)."""
import functools

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from viz import raster
from viz.projector import log_ticks
from viz.palette import BLUE, CLASS_COLORS, DIVERGING, GREY, ORANGE, diverging_rgb

FONT = {"size": 16}
WEIGHT_COLORS = {"W_x": "#2ca02c", "W_h": "#9467bd", "W_y": "#d62728"}


def _figure(traces, title, height=340, xaxis=None, yaxis=None, shapes=(), **layout):
    """One go.Figure built in a single call from plain dicts (adding traces one by one and updating the
    layout afterwards is ~20× slower, which matters for figures redrawn every frame)."""
    axis = {"showgrid": True, "gridcolor": "#eee", "zeroline": False}
    lay = {"title": {"text": title, "font": {"size": 18}}, "height": height, "font": FONT,
           "margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "plot_bgcolor": "white",
           "legend": {"orientation": "h", "y": -0.25}, "xaxis": {**axis, **(xaxis or {})},
           "yaxis": {**axis, **(yaxis or {})}, "shapes": list(shapes), **layout}
    return go.Figure(data=list(traces), layout=lay)


def _hline(y, **line):
    """A horizontal line across the plot at y (linear axes only: on a log axis a shape's y means log10 y)."""
    return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y,
            "line": {"dash": "dash", "color": "#777", **line}}


def unrolled_figure(n_steps, selected=None, inputs=None, values=None):
    """The RNN unrolled over ``n_steps`` time steps: x_t → h_t → y_t, h_{t−1} → h_t, with the same three
    weight matrices (one colour each) at every step. ``selected`` (1-based) is highlighted; ``inputs``
    optional short labels of the inputs shown under x_t; ``values``: optional {"x", "h", "y"} texts written
    beside the selected step's boxes (the numbers of that step)."""
    shapes, notes = [], []          # collected, then set at once (adding them one by one is slow)
    w, hgt = 0.5, 0.36
    rows = {"x": 0.0, "h": 1.3, "y": 2.6}

    def box(cx, cy, text, colour):
        shapes.append({"type": "rect", "x0": cx - w / 2, "x1": cx + w / 2, "y0": cy - hgt / 2, "y1": cy + hgt / 2,
                       "line": {"color": colour, "width": 2}, "fillcolor": "white", "layer": "above"})
        notes.append({"x": cx, "y": cy, "text": text, "showarrow": False, "font": {"size": 17, "color": "#222"}})

    def arrow(x0, y0, x1, y1, label, lx, ly, named=True):
        colour = WEIGHT_COLORS[label]
        notes.append({"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
                      "text": "", "showarrow": True, "arrowhead": 2, "arrowsize": 1.2, "arrowwidth": 2,
                      "arrowcolor": colour})
        if named:
            notes.append({"x": lx, "y": ly, "text": f"W<sub>{label[2]}</sub>", "showarrow": False,
                          "font": {"size": 14, "color": colour}})

    if selected is not None:
        shapes.append({"type": "rect", "x0": selected - 0.45, "x1": selected + 0.45, "y0": -0.55, "y1": 3.0,
                       "fillcolor": "#fff4e0", "line": {"width": 0}, "layer": "below"})
    box(0, rows["h"], "h<sub>0</sub>=0", GREY)
    for t in range(1, n_steps + 1):
        box(t, rows["x"], f"x<sub>{t}</sub>", ORANGE)
        box(t, rows["h"], f"h<sub>{t}</sub>", BLUE)
        box(t, rows["y"], f"y<sub>{t}</sub>", "#555")
        arrow(t, rows["x"] + hgt / 2, t, rows["h"] - hgt / 2, "W_x", t + 0.17, 0.65)
        arrow(t, rows["h"] + hgt / 2, t, rows["y"] - hgt / 2, "W_y", t + 0.17, 1.95)
        # the selected step's numbers sit over the next W_h arrow: its name would be hidden under them
        arrow(t - 1 + w / 2, rows["h"], t - w / 2, rows["h"], "W_h", t - 0.5, rows["h"] + 0.22,
              named=not (values and selected is not None and t == selected + 1))
        if inputs is not None and t <= len(inputs):
            notes.append({"x": t, "y": -0.42, "text": str(inputs[t - 1]), "showarrow": False,
                          "font": {"size": 13, "color": "#444"}})
    if selected is not None and values:
        for row, text in values.items():
            notes.append({"x": selected + w / 2 + 0.03, "y": rows[row], "text": text, "showarrow": False,
                          "xanchor": "left", "align": "left", "font": {"size": 11, "color": "#111"},
                          "bgcolor": "rgba(255,255,255,0.92)", "name": f"value {row}"})
    fig = go.Figure(layout={"shapes": shapes, "annotations": notes, "height": 340, "plot_bgcolor": "white",
                            "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "showlegend": False,
                            "xaxis": {"visible": False, "range": [-0.5, n_steps + 0.5]},
                            "yaxis": {"visible": False, "range": [-0.6, 3.0]}})
    return fig


def _line(x, y, name, colour, width=2.5, **kw):
    return {"type": "scatter", "x": np.asarray(x), "y": np.asarray(y, dtype=float), "mode": "lines", "name": name,
            "line": {"color": colour, "width": width, **kw.pop("line", {})}, **kw}


def log_axis(title, *series, span=4.0):
    """A log y axis over the finite positive values of ``series`` with our own ticks (``viz.projector.log_ticks``,
    labelled 0.5, 2, 10⁻³): Plotly's own labels a short range's minor ticks by their first digit alone (9, 8,
    … 3 under a 1 meant 0.9 … 0.3) and gives a single value a sliver of axis (1.405 … 1.415). The range shows
    at least a factor ``span``, centred on the values."""
    v = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series if s is not None] or [[]])
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return {"title": title, "type": "log"}
    lo, hi = float(v.min()), float(v.max())
    widen = max(np.sqrt(span * lo / hi), (hi / lo) ** 0.04)      # margins, and at least ``span`` in all
    lo, hi = lo / widen, hi * widen
    ticks = log_ticks(lo, hi, slots=7)          # at most 7 labels, round steps (10⁻³⁰, 10⁻²⁵ … not 10⁻³¹, 10⁻²⁶ …)
    return {"title": title, "type": "log", "range": [np.log10(lo), np.log10(hi)], "tickvals": ticks,
            "ticktext": [raster.power(x) for x in ticks]}


def loss_figure(history, reference=None, reference_label="", log=True):
    """Training loss (the mean over each batch) and validation loss at the evaluation steps, against
    updates, on a log scale; an optional horizontal reference (e.g. the loss of a uniform guess)."""
    traces = [_line(history["batch_step"], history["batch_loss"], "training loss", BLUE, 1.5),
              _line(history["eval_step"], history["val_loss"], "validation loss", ORANGE, 2.5,
                    mode="lines+markers", marker={"size": 5})]
    if reference is not None and history["eval_step"]:
        # A trace, not a shape: on a log axis a shape's y would be read as log10(y).
        traces.append(_line([0, max(history["eval_step"][-1], 1)], [reference, reference], reference_label, "#777",
                            2, line={"dash": "dash"}, hoverinfo="skip"))
    # updates are whole: before a few of them, ticks one update apart (Plotly wrote 0, 0.2 … 1 at update 0)
    few = max(history["batch_step"] + history["eval_step"], default=0) < 5
    return _figure(traces, "Loss", xaxis={"title": "update", "rangemode": "tozero", **({"dtick": 1} if few else {})},
                   yaxis=log_axis("loss", history["batch_loss"], history["val_loss"], reference) if log
                   else {"title": "loss"})


def grad_norm_figure(train_norms, last_norms=None, mark=None):
    """‖∂L/∂h_t‖ against t (log scale): ``train_norms`` (T,) from the latest training update (the loss of
    every step); ``last_norms`` (T,) the same when only the last step's loss counts; ``mark`` an optional
    step to point at (e.g. the one an echo's answer comes from)."""
    traces = [_line(np.arange(1, len(train_norms) + 1), train_norms, "loss of every step", BLUE, 3,
                    mode="lines+markers", hovertemplate="t = %{x}<br>‖∂L/∂h_t‖ = %{y:.3g}<extra></extra>")]
    if last_norms is not None:
        traces.append(_line(np.arange(1, len(last_norms) + 1), last_norms, "loss of the last step only", ORANGE, 3,
                            line={"dash": "dot"}, mode="lines+markers",
                            hovertemplate="t = %{x}<br>‖∂L_T/∂h_t‖ = %{y:.3g}<extra></extra>"))
    shapes, notes = [], []
    if mark is not None and mark >= 1:
        shapes.append({"type": "line", "yref": "paper", "x0": mark, "x1": mark, "y0": 0, "y1": 1,
                       "line": {"dash": "dash", "color": "#777"}})
        notes.append({"x": mark, "yref": "paper", "y": 1.02, "text": f"t = {mark}", "showarrow": False,
                      "bgcolor": "white"})                                # the dashed line stops under its label
    return _figure(traces, "Gradient through time: ‖∂L/∂h<sub>t</sub>‖", shapes=shapes, annotations=notes,
                   xaxis={"title": "time step t"},
                   yaxis=log_axis("‖∂L/∂h_t‖ (log scale)", train_norms, last_norms))


def clip_figure(norms, clip=None):
    """The global gradient norm ‖g‖ of every update (log scale), and, with clipping at c, the norm
    actually used, min(‖g‖, c)."""
    norms = np.asarray(norms, dtype=float)
    steps = np.arange(1, len(norms) + 1)
    traces = [_line(steps, norms, "‖g‖ computed", ORANGE, 1.5)]
    if clip:
        traces += [_line(steps, np.minimum(norms, clip), f"‖g‖ used (clipped at {clip:g})", BLUE, 2),
                   _line([1, max(len(norms), 2)], [clip, clip], f"threshold c = {clip:g}", "#777", 2,
                         line={"dash": "dash"}, hoverinfo="skip")]
    return _figure(traces, "Size of each update's gradient", height=300, xaxis={"title": "update"},
                   yaxis=log_axis("‖g‖", norms, clip))


def hidden_heatmap(hs, step_labels=None):
    """The hidden state over time: hs (T, H) in [−1, 1] drawn as an image, time down, hidden units across,
    on the diverging palette at the fixed range ±1 (orange −1, grey 0, blue +1). Hover shows the value."""
    hs = np.asarray(hs, dtype=float)
    T, H = hs.shape
    labels = step_labels if step_labels is not None else [""] * T
    text = [[f"t = {t + 1} {labels[t]}<br>unit {j + 1}<br>h = {hs[t, j]:+.3f}" for j in range(H)] for t in range(T)]
    image = {"type": "image", "z": diverging_rgb(hs, 1.0), "x0": 1, "y0": 1, "dx": 1, "dy": 1, "text": text,
             "hovertemplate": "%{text}<extra></extra>"}
    # The colour bar for the fixed range ±1, carried by an invisible one-cell heatmap.
    bar = {"type": "heatmap", "z": [[0]], "x": [0], "y": [0], "zmin": -1, "zmax": 1, "colorscale": DIVERGING,
           "opacity": 0, "hoverinfo": "skip", "colorbar": {"title": {"text": "h"}, "tickvals": [-1, 0, 1], "len": 0.8}}
    return _figure([image, bar], "Hidden state h<sub>t</sub> over time", height=520,
                   xaxis={"title": "hidden unit", "range": [0.5, H + 0.5], "showgrid": False},
                   yaxis={"title": "time step t", "range": [T + 0.5, 0.5], "showgrid": False, "scaleanchor": False})


def forecast_figure(truth, teacher, free, warm):
    """Next-value predictions against the truth: ``truth`` (T,) the values to predict; ``teacher`` fed the
    true values every step; ``free`` fed its own predictions after the first ``warm`` steps."""
    t = np.arange(1, len(truth) + 1)
    traces = [_line(t, truth, "truth", "#444", 4), _line(t, teacher, "prediction, fed the truth", BLUE),
              _line(t, free, "prediction, fed its own predictions", ORANGE, line={"dash": "dash"})]
    warmup = {"type": "rect", "yref": "paper", "x0": 0.5, "x1": warm + 0.5, "y0": 0, "y1": 1, "fillcolor": "#eee",
              "line": {"width": 0}, "layer": "below"}
    note = {"x": 1, "xanchor": "left", "yref": "paper", "y": 1.0, "text": "warm-up on the truth", "showarrow": False}
    return _figure(traces, "Forecast: the next value of the wave", height=360, shapes=[warmup], annotations=[note],
                   xaxis={"title": "time step t"}, yaxis={"title": "value", "range": [-1.6, 1.6]})


def echo_accuracy_figure(results, chance, current=None):
    """Validation accuracy against the delay k: ``results`` {k: accuracy} from the runs so far;
    ``current`` an optional (k, accuracy) of the run in progress; a line at chance level."""
    ks = sorted(results)
    hover = "k = %{x}<br>accuracy %{y:.1%}<extra></extra>"
    traces = [{"type": "bar", "x": ks, "y": [results[k] for k in ks], "name": "finished runs", "width": 0.7,
               "marker": {"color": BLUE}, "hovertemplate": hover}]
    if current is not None:
        traces.append({"type": "bar", "x": [current[0]], "y": [current[1]], "name": "this run (training)",
                       "width": 0.5, "marker": {"color": ORANGE}, "hovertemplate": hover})
    shown = sorted(set(ks + ([current[0]] if current is not None else [])))
    right = max(shown + [8]) + 0.6
    traces.append(_line([0.4, right], [chance, chance], "chance (guessing)", "#777", 2, line={"dash": "dash"},
                        hoverinfo="skip"))
    return _figure(traces, "How far back can it remember?", height=320, barmode="overlay",
                   xaxis={"title": "delay k", "tickvals": shown, "range": [0.4, right]},
                   yaxis={"title": "accuracy", "range": [0, 1.05], "tickformat": ".0%"})


def echo_sequence_figure(inputs, targets, predicted, k):
    """One echo sequence: the input symbols, the symbols to output (k steps later) and the network's answers,
    as coloured rows (class colours); a wrong answer is marked with ×."""
    T = len(inputs)
    rows = [("input x<sub>t</sub>", inputs), (f"target x<sub>t−{k}</sub>", targets), ("network's answer", predicted)]
    traces = []
    for r, (name, values) in enumerate(rows):
        colours = [CLASS_COLORS[int(v) % len(CLASS_COLORS)] for v in values]
        if r == 1:
            colours = [c if t >= k else "#ddd" for t, c in enumerate(colours)]
        traces.append({"type": "scatter", "x": np.arange(1, T + 1), "y": [r] * T, "mode": "markers+text",
                       "text": [str(int(v)) for v in values], "name": name, "hoverinfo": "skip", "showlegend": False,
                       "marker": {"symbol": "square", "size": 22, "color": colours}, "textfont": {"color": "white"}})
    wrong = [t + 1 for t in range(k, T) if predicted[t] != targets[t]]
    if wrong:
        traces.append({"type": "scatter", "x": wrong, "y": [2.45] * len(wrong), "mode": "text",
                       "text": ["×"] * len(wrong), "textfont": {"size": 18, "color": "#d62728"},
                       "showlegend": False, "hoverinfo": "skip", "name": "wrong"})
    return _figure(traces, "One sequence: symbols in, echoes out", height=230,
                   xaxis={"title": "time step t", "showgrid": False},
                   yaxis={"tickvals": [0, 1, 2], "ticktext": [r[0] for r in rows], "range": [2.7, -0.6],
                          "showgrid": False})


def _show(c):
    """A visible stand-in for a new line, a space or a tab."""
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(c, c)


CHAR_ROWS = 12      # candidate characters the probability heatmap shows


def char_probs_figure(prime, text, probs, chars, top=CHAR_ROWS):
    """Next-character probabilities for a generated sample: column i is the distribution the i-th
    character of ``text`` was drawn from (probs (n, V), after ``prime``); rows are the ``top`` characters
    most probable somewhere. Colour: probability 0 (grey) … 1 (blue), fixed range."""
    probs = np.asarray(probs, dtype=float)
    keep = np.sort(np.argsort(-probs.max(axis=0), kind="stable")[:top])
    z = probs[:, keep].T                                                   # (top, n)
    ylab = [_show(chars[i]) for i in keep]
    xlab = [f"{i + 1}:{_show(c)}" for i, c in enumerate(text)]            # unique category per column
    context = [(prime + text[:i])[-12:].replace("\n", "↵") for i in range(len(text))]
    hover = [[f"after “…{context[i]}”<br>P({ylab[r]}) = {z[r, i]:.3f}" for i in range(len(text))]
             for r in range(len(keep))]
    heat = {"type": "heatmap", "z": z, "x": xlab, "y": ylab, "zmin": 0, "zmax": 1, "colorscale": [[0, GREY], [1, BLUE]],
            "text": hover, "hovertemplate": "%{text}<extra></extra>", "colorbar": {"title": {"text": "P"}}}
    rows = {int(k): r for r, k in enumerate(keep)}
    drawn = [(xlab[i], ylab[rows[chars.index(c)]]) for i, c in enumerate(text) if chars.index(c) in rows]
    circles = {"type": "scatter", "x": [d[0] for d in drawn], "y": [d[1] for d in drawn], "mode": "markers",
               "name": "the character drawn", "hoverinfo": "skip",
               "marker": {"symbol": "circle-open", "size": 14, "color": ORANGE, "line": {"width": 2}}}
    return _figure([heat, circles], "Probability of each next character, step by step", height=440,
                   xaxis={"title": "the generated text, one character per column", "type": "category",
                          "tickangle": 0, "showgrid": False, "tickvals": xlab, "ticktext": [_show(c) for c in text],
                          "tickfont": {"size": 15}},
                   yaxis={"title": "candidate", "type": "category", "autorange": "reversed", "showgrid": False,
                          "tickfont": {"size": 15}})


# --- the same pictures as images, for live frames (viz.raster) ---------------------------------------------
def _thin(x, y, most=600):
    """At most about ``most`` evenly spaced points of a curve, always ending at its newest point."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.unique(np.r_[np.arange(0, len(x), max(1, int(np.ceil(len(x) / most)))), len(x) - 1]) if len(x) else []
    return x[keep], y[keep]


KEYS = dict(size=13, gap=16)    # the keys under the live images: from x = 20 px to 8 px before the right edge


def _keys_height(items, width):
    """The room the keys under an image take above their last row (two rows in a narrow image)."""
    return raster.legend_height(items, 20, width - 8, **KEYS)


def _keys(draw, items, width, height):
    raster.legend(draw, items, 20, height - 16, right=width - 8, **KEYS)


def _loss_items(reference_label):
    items = [("training loss", BLUE, "line"), ("validation loss", ORANGE, "dot")]
    return items + [(reference_label, "#777777", "dashed")] if reference_label is not None else items


@functools.lru_cache(maxsize=32)
def _loss_frame(reference_label, width, height):
    """What ``loss_image`` draws the same every frame (the title, the axis labels and the legend, with the
    reference's key unless ``reference_label`` is None) and the plot's box, drawn once and kept immutable (the
    image as bytes): text is the costly part of a frame's picture. None of it overlaps what a frame draws (the
    ticks, the axis lines again, the curves), so the image is the one drawn in a single go, pixel for pixel."""
    img, draw = raster.canvas(width, height)
    items = _loss_items(reference_label)
    box = (64, 40, width - 16, height - 76 - _keys_height(items, width))
    p = raster.Panel(draw, box, (0, 1), (0.1, 1), log_y=True)
    p.axes(title="Loss", xlabel="update", ylabel="loss (log scale)", size=14)   # the axis lines: drawn again
    _keys(draw, items, width, height)
    return box, img.tobytes()


def loss_image(history, reference=None, reference_label="", width=560, height=330):
    """``loss_figure`` as an image: training loss per batch (blue), validation loss at the evaluations (orange
    dots), an optional dashed reference, against updates, on a log scale."""
    bx, by = _thin(history["batch_step"], history["batch_loss"])
    vx, vy = np.asarray(history["eval_step"], dtype=float), np.asarray(history["val_loss"], dtype=float)
    vals = np.concatenate([by, vy, [reference] if reference is not None else []])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    lo, hi = (float(vals.min()) / 1.5, float(vals.max()) * 1.5) if len(vals) else (0.01, 10.0)
    last = max(float(vx[-1]) if len(vx) else 0.0, float(bx[-1]) if len(bx) else 0.0, 1.0)
    shown = reference is not None and len(vx)
    box, frame = _loss_frame(reference_label if shown else None, int(width), int(height))
    img, draw = raster.on_frame(frame, width, height)
    p = raster.Panel(draw, box, (0, last), (lo, hi), log_y=True)
    p.axes(xticks=raster.nice_ticks(0, last, 4), yticks=raster.log_ticks(lo, hi), size=14)
    if shown:
        p.hline(reference, "#777777")
    p.line(bx, by, BLUE, width=2)
    p.line(vx, vy, ORANGE, width=3)
    p.points(vx[-60:], vy[-60:], ORANGE, r=3)
    return raster.array(img)


@functools.lru_cache(maxsize=32)
def _forecast_frame(n, warm, width, height):
    """What ``forecast_image`` draws the same every frame for a wave of ``n`` steps and a warm-up of ``warm``
    (all but the three curves) and the plot's box, drawn once and kept immutable (the image as bytes): text is
    the costly part of a frame's picture, and the legend under the plot is never crossed by a curve (they stay
    inside the plot)."""
    img, draw = raster.canvas(width, height)
    items = [("truth", "#444444", "line"), ("fed the truth", BLUE, "line"), ("fed its own predictions", ORANGE, "dashed")]
    box = (56, 40, width - 16, height - 76 - _keys_height(items, width))
    p = raster.Panel(draw, box, (0.5, n + 0.5), (-1.6, 1.6))
    p.span(0.5, warm + 0.5)
    p.axes(title="Forecast: the next value of the wave", xlabel="time step t", ylabel="value",
           xticks=raster.nice_ticks(0, n, 5), yticks=[-1, 0, 1], size=14)
    draw.text((float(p.x(warm + 0.5)) + 4, p.box[1] + 4), "warm-up on the truth", fill=raster.MUTED,
              font=raster.font(12), anchor="la")
    _keys(draw, items, width, height)
    return box, img.tobytes()


def forecast_image(truth, teacher, free, warm, width=560, height=350):
    """``forecast_figure`` as an image: the truth, the prediction fed the truth, the prediction fed its own
    predictions after ``warm`` steps (the warm-up shaded)."""
    box, frame = _forecast_frame(len(truth), warm, int(width), int(height))
    img, draw = raster.on_frame(frame, width, height)
    p = raster.Panel(draw, box, (0.5, len(truth) + 0.5), (-1.6, 1.6))
    t = np.arange(1, len(truth) + 1)
    p.line(t, truth, "#444444", width=4)
    p.line(t, teacher, BLUE, width=2)
    p.line(t, free, ORANGE, width=2, dashed=True)
    return raster.array(img)


@functools.lru_cache(maxsize=32)
def _echo_accuracy_frame(shown, training, width, height):
    """What ``echo_accuracy_image`` draws the same while the delays ``shown`` and whether a run is ``training``
    stay (all but the bars and the chance line) and the plot's box, drawn once and kept immutable (the image as
    bytes): text is the costly part of a frame's picture."""
    img, draw = raster.canvas(width, height)
    right = max(list(shown) + [8]) + 0.6
    items = [("finished runs", BLUE, "box")] + [("this run (training)", ORANGE, "box")] * training \
        + [("chance (guessing)", "#777777", "dashed")]
    box = (60, 40, width - 16, height - 76 - _keys_height(items, width))
    p = raster.Panel(draw, box, (0.4, right), (0, 1.05))
    p.axes(title="How far back can it remember?", xlabel="delay k", ylabel="accuracy", xticks=list(shown),
           yticks=[0, 0.5, 1.0], yfmt="{:.0%}".format, xfmt=str, size=14)
    _keys(draw, items, width, height)
    return box, img.tobytes()


def echo_accuracy_image(results, chance, current=None, width=560, height=310):
    """``echo_accuracy_figure`` as an image: validation accuracy against the delay k, finished runs in blue,
    the run in progress in orange, chance as a dashed line."""
    ks = sorted(results)
    shown = sorted(set(ks + ([current[0]] if current is not None else [])))
    training = current is not None and current[1] is not None
    box, frame = _echo_accuracy_frame(tuple(shown), training, int(width), int(height))
    img, draw = raster.on_frame(frame, width, height)
    p = raster.Panel(draw, box, (0.4, max(shown + [8]) + 0.6), (0, 1.05))
    p.bars(ks, [results[k] for k in ks], BLUE, half=0.35)
    if training:
        p.bars([current[0]], [current[1]], ORANGE, half=0.25)
    p.hline(chance, "#777777")
    return raster.array(img)


def echo_sequence_image(inputs, targets, predicted, k, width=1100, height=220):
    """``echo_sequence_figure`` as an image: the input symbols, the symbols to output and the network's
    answers as rows of coloured squares (class colours, the digit written), a wrong answer marked ×."""
    img, draw = raster.canvas(width, height)
    T = len(inputs)
    left, top = 170, 44
    cell = min((width - left - 10) / max(T, 1), 40)
    f, small = raster.font(max(raster.SMALLEST, round(cell * 0.55))), raster.font(14)   # one digit a cell
    rows = [("input x_t", inputs), (f"target x_(t−{k})", targets), ("network's answer", predicted)]
    for r, (name, values) in enumerate(rows):
        y = top + r * (cell + 12)
        draw.text((left - 10, y + cell / 2), name, fill=raster.MUTED, font=small, anchor="rm")
        for t, v in enumerate(values):
            colour = raster.rgb(CLASS_COLORS[int(v) % len(CLASS_COLORS)]) if (r != 1 or t >= k) else (221, 221, 221)
            x = left + t * cell
            draw.rectangle((x + 1, y, x + cell - 2, y + cell - 1), fill=colour)
            draw.text((x + cell / 2 - 0.5, y + cell / 2), str(int(v)), fill=(255, 255, 255), font=f, anchor="mm")
            if r == 2 and t >= k and predicted[t] != targets[t]:
                draw.text((x + cell / 2, y + cell + 2), "×", fill=raster.rgb("#d62728"), font=raster.font(18),
                          anchor="ma")
    draw.text((left, 10), "One sequence: symbols in, echoes out", fill=raster.INK, font=raster.font(16), anchor="la")
    draw.text((left, top + 3 * (cell + 12) + 12), "time step t →", fill=raster.MUTED, font=small, anchor="la")
    return raster.array(img)


def char_probs_image(prime, text, probs, chars, top=CHAR_ROWS, width=1100, height=430):
    """``char_probs_figure`` as an image: column i the probabilities the i-th generated character was drawn
    from (grey 0 … blue 1, fixed range) for the ``top`` likeliest characters, the drawn one circled orange."""
    probs = np.asarray(probs, dtype=float)
    keep = np.sort(np.argsort(-probs.max(axis=0), kind="stable")[:top])
    z = probs[:, keep].T                                                   # (top, n)
    img, draw = raster.canvas(width, height)
    left, top_px, bottom = 60, 40, height - 40
    n = max(len(text), 1)
    cw, ch = min((width - left - 10) / n, 40), (bottom - top_px) / max(len(keep), 1)
    grey, blue = np.array(raster.rgb(GREY), float), np.array(raster.rgb(BLUE), float)
    cells = (grey + (blue - grey) * np.clip(z, 0, 1)[..., None]).round().astype(np.uint8)   # (top, n, 3)
    block = np.repeat(np.repeat(cells, int(round(ch)), axis=0), int(round(cw)), axis=1)
    img.paste(Image.fromarray(block), (left, top_px))
    f = raster.font(15)
    rows = {int(c): r for r, c in enumerate(keep)}
    for r, c in enumerate(keep):
        draw.text((left - 8, top_px + (r + 0.5) * round(ch)), _show(chars[c]), fill=raster.INK, font=f, anchor="rm")
    for i, c in enumerate(text):
        x = left + (i + 0.5) * round(cw)
        draw.text((x, top_px + len(keep) * round(ch) + 6), _show(c), fill=raster.INK, font=f, anchor="ma")
        r = rows.get(chars.index(c))
        if r is not None:
            y = top_px + (r + 0.5) * round(ch)
            draw.ellipse((x - 7, y - 7, x + 7, y + 7), outline=raster.rgb(ORANGE), width=2)
    draw.text((left, 10), "Probability of each next character, step by step", fill=raster.INK, font=raster.font(16),
              anchor="la")
    return raster.array(img)

"""Figures of the MLP playground: the decision map (a PNG coloured with NumPy, so it can be redrawn
every frame), the network diagram (Plotly, with a small map per neuron as a layout image, links by
weight, exact values on hover), the loss and accuracy curves and the confusion matrix.

Maps use the lab's diverging palette at a fixed range: −1 (orange) … 0 (grey) … +1 (blue), the same
range for every neuron, so a colour means the same value in every small map.
"""
import functools

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from viz.palette import (BLUE, BLUE_RGB, FONT_FILE, GREY, ORANGE, ORANGE_RGB, _rgb, class_rgb, data_uri, diverging_rgb,
                         png_bytes)
from viz import raster
from viz.raster import Panel, jpeg_uri  # noqa: F401  (jpeg_uri: re-exported for the playground's views)
from viz.raster import font as _font

VMAX = 1.0            # the fixed colour range of every map: −1 … +1
LIM = 6.0             # the input plane is [−LIM, LIM]²
POINT_EDGE, TRAIN_RING, TEST_RING = (60, 60, 60), (255, 255, 255), (20, 20, 20)   # every point's outline
CLASS_NAMES = ["orange", "blue", "green", "purple", "red", "brown", "pink", "grey", "olive", "cyan"]  # CLASS_COLORS'


def plane_image(values, n):
    """Values on the grid of ``nn_core.data.grid(n)`` (n·n,) → an (n, n) array with +y at the top row."""
    return np.asarray(values, dtype=float).reshape(n, n)[::-1]


def value_rgb(values, n, discretize=False, vmax=VMAX):
    """A map of values in [−vmax, vmax] → uint8 (n, n, 3); ``discretize`` shows only the sign."""
    v = plane_image(values, n)
    if discretize:
        v = np.sign(v) * vmax
    return diverging_rgb(v, vmax)


def class_map_rgb(classes, confidence, n, k, discretize=False):
    """K-class map: the predicted class's colour, faded toward grey where the model is unsure
    (probability 1/K = grey, 1 = full colour); ``discretize`` shows the plain class colours."""
    cls = plane_image(classes, n).astype(int)
    if discretize:
        t = np.full(cls.shape, 0.75)
    else:
        t = np.clip((plane_image(confidence, n) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    grey = _rgb(GREY)
    rgb = grey + (class_rgb(cls).astype(float) - grey) * t[..., None]
    return rgb.round().astype(np.uint8)


def point_colours(y, task):
    """uint8 (N, 3): class colours, or the diverging colour of a regression target."""
    if task == "regression":
        return diverging_rgb(y, VMAX)
    return class_rgb(y)


def hex_colours(rgb):
    """uint8 (N, 3) → ["#rrggbb", …]."""
    return ["#%02x%02x%02x" % tuple(int(v) for v in c) for c in np.asarray(rgb)]


def to_pixels(X, size, lim=LIM):
    """Input-plane points (N, 2) → pixel coordinates (N, 2) in a size×size image (+y up)."""
    X = np.asarray(X, dtype=float)
    px = (X[:, 0] + lim) / (2 * lim) * size
    py = (lim - X[:, 1]) / (2 * lim) * size
    return np.column_stack([px, py])


def points_overlay(size, train=None, test=None, task="binary", radius=3.5):
    """The points drawn once on a transparent size×size layer: (mask (size, size) bool, rgb (size, size, 3)).
    ``train`` and ``test`` are (X, y) or None; training points get a white ring, test points a black one, both
    edged in dark grey."""
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for pts, ring in ((train, (*TRAIN_RING, 255)), (test, (*TEST_RING, 255))):
        if pts is None or len(pts[0]) == 0:
            continue
        for (px, py), c in zip(to_pixels(pts[0], size), point_colours(pts[1], task)):
            r = radius + 1                 # a thin dark edge around the ring: readable on any background
            draw.ellipse((px - r, py - r, px + r, py + r), fill=(*POINT_EDGE, 255))
            draw.ellipse((px - radius, py - radius, px + radius, py + radius),
                         fill=(int(c[0]), int(c[1]), int(c[2]), 255), outline=ring)
    arr = np.asarray(layer)
    return arr[..., 3] > 0, arr[..., :3].copy()


def lighten(rgb, strength=0.6):
    """The map's colours at ``strength`` of their saturation, towards white: c' = 255 − s·(255 − c), so a
    point drawn in its class's full colour stays readable on a map the network has saturated."""
    return (255.0 - strength * (255.0 - np.asarray(rgb, dtype=np.float32))).astype(np.uint8)


def map_image(rgb, overlay=None, scale=4):
    """The map (n, n, 3) scaled up ``scale`` times (nearest neighbour) with the points of ``overlay``
    (from ``points_overlay`` at size n·scale) on top: uint8 (n·scale, n·scale, 3). Drawn with Pillow,
    about three times faster than NumPy's repeat and masked copy, which matters every live frame."""
    rgb = np.asarray(rgb, dtype=np.uint8)
    img = Image.fromarray(rgb).resize((rgb.shape[1] * scale, rgb.shape[0] * scale), Image.NEAREST)
    if overlay is not None:
        mask, colours = overlay
        img.paste(Image.fromarray(colours), (0, 0), Image.fromarray(mask))
    return np.asarray(img)


def diagram_geometry(sizes, width=640, height=430, top=44, left=62, right=14, bottom=8):
    """Where each neuron's square goes: box side (px) and, per column, the centres (x, y) in pixels."""
    ncol = len(sizes)
    rows = max(max(sizes), 1)
    pitch_y = (height - top - bottom) / rows
    box = int(min(pitch_y * 0.8, 44, (width - left - right) / ncol * 0.6))
    xs = np.linspace(left + box / 2, width - right - box / 2, ncol)
    mid = top + (height - top - bottom) / 2
    centres = [[(float(xs[c]), float(mid + (i - (s - 1) / 2) * pitch_y)) for i in range(s)]
               for c, s in enumerate(sizes)]
    return box, centres


def _name(col, i, feature_labels, ncol=None):
    if col == 0:
        return feature_labels[i]
    if ncol is not None and col == ncol - 1:
        return f"output {i + 1}" if i else "output"
    return f"neuron {col}.{i + 1}"


@functools.lru_cache(maxsize=64)
def _diagram_labels(sizes, feature_labels, width, height):
    """The diagram's unchanging layer: white, with the column titles and the feature names. Text is the
    costly part of drawing, so it is drawn once per architecture; shared as immutable bytes."""
    ncol = len(sizes)
    box, centres = diagram_geometry(sizes, width, height)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font, small = _font(14), _font(12)
    for i, (x, y) in enumerate(centres[0]):
        draw.text((int(round(x - box / 2)) - 6, y), feature_labels[i], fill=(40, 40, 40), font=font, anchor="rm")
    # the columns' titles, shorter where the columns are narrow (many layers, or presenter mode's narrow diagram)
    pitch = (centres[-1][0][0] - centres[0][0][0]) / max(ncol - 1, 1) - 8

    def fit(words, f):
        return next((w for w in words if draw.textlength(w, font=f) <= pitch), words[-1])

    for c in range(ncol):
        x = centres[c][0][0]
        title = "inputs" if c == 0 else ("output" if c == ncol - 1 else fit([f"layer {c}", f"L{c}"], font))
        draw.text((x, 6), title, fill=(30, 30, 30), font=font, anchor="mt")
        if 0 < c < ncol - 1:
            draw.text((x, 24), fit([f"{sizes[c]} neuron{'s' if sizes[c] > 1 else ''}", f"×{sizes[c]}"], small),
                      fill=(110, 110, 110), font=small, anchor="mt")
    return img.tobytes()


def network_diagram(dense, feature_labels, outs, n, act_names=None, width=640, height=430, hover=True):
    """Draw the network as one image: a small map per feature and neuron (what it outputs over the
    input plane at the fixed range ±1; the features squashed as tanh(v/3)), links with width and colour
    by the weight w (orange < 0 < blue), each neuron's bias b as a small square at its lower left.
    ``outs`` is ``neuron_outputs`` on the n×n grid. Returns a dict: "image" (uint8 (height, width, 3)),
    "width", "height", "neurons" and "links": lists of (x, y, hover text), positions in pixels (empty
    when ``hover`` is False: a live frame has no hover layer, and skips writing the texts)."""
    sizes = [dense[0].params["W"].shape[0]] + [d.params["W"].shape[1] for d in dense]
    ncol = len(sizes)
    box, centres = diagram_geometry(sizes, width, height)
    img, draw = raster.on_frame(_diagram_labels(tuple(sizes), tuple(feature_labels), width, height), width, height)
    links = []
    for li, d in enumerate(dense):
        W = d.params["W"]
        colours = diverging_rgb(np.clip(W, -1, 1), 1.0).tolist()             # (in, out, 3) as lists
        widths = np.rint(1 + 4 * np.minimum(np.abs(W), 1.0)).astype(int).tolist()
        for i, (x0, y0) in enumerate(centres[li]):
            for j, (x1, y1) in enumerate(centres[li + 1]):
                draw.line((x0 + box / 2, y0, x1 - box / 2, y1), width=widths[i][j], fill=tuple(colours[i][j]))
                if hover:
                    links.append((x0 + box / 2 + 0.3 * (x1 - x0 - box), y0 + 0.3 * (y1 - y0),
                                  f"weight w = {float(W[i, j]):.4f}<br>from {_name(li, i, feature_labels)} "
                                  f"to {_name(li + 1, j, feature_labels, ncol)}"))
    neurons = []
    # each small map: the n×n grid sampled at box×box points (nearest), +y up, one colouring per column
    pick = np.rint(np.linspace(0, n - 1, box)).astype(int)
    for c in range(ncol):
        maps = np.asarray(outs[c], dtype=float).reshape(n, n, -1)[::-1][pick][:, pick]   # (box, box, units)
        rgb = diverging_rgb(np.tanh(maps / 3.0) if c == 0 else maps, VMAX)
        bias = None if c == 0 else diverging_rgb(np.clip(dense[c - 1].params["b"], -1, 1), 1.0).tolist()
        for i, (x, y) in enumerate(centres[c]):
            x0, y0 = int(round(x - box / 2)), int(round(y - box / 2))
            img.paste(Image.fromarray(np.ascontiguousarray(rgb[:, :, i])), (x0, y0))
            draw.rectangle((x0 - 1, y0 - 1, x0 + box, y0 + box), outline=(90, 90, 90))
            if c == 0:
                if hover:
                    neurons.append((x, y, f"input feature {feature_labels[i]}"))
                continue
            draw.rectangle((x0 - 5, y0 + box - 4, x0 + 3, y0 + box + 4), fill=tuple(bias[i]), outline=(60, 60, 60))
            if hover:
                act = act_names[c - 1] if act_names and c - 1 < len(act_names) else ""
                neurons.append((x, y, f"{_name(c, i, feature_labels, ncol)}{' (' + act + ')' if act else ''}"
                                      f"<br>bias b = {float(dense[c - 1].params['b'][i]):.4f}"))
    return {"image": np.asarray(img), "width": width, "height": height, "neurons": neurons,
            "links": links}


def network_figure(diagram, height=None):
    """The diagram's image in a Plotly figure ``height`` px high (0.85 × the image's by default), with invisible
    hover points on every neuron (its bias) and every link (its weight): the exact values, on hover."""
    w, h = diagram["width"], diagram["height"]
    lx, ly, lt = zip(*diagram["links"]) if diagram["links"] else ((), (), ())
    nx, ny, nt = zip(*diagram["neurons"])
    data = [go.Scatter(x=lx, y=ly, mode="markers", marker=dict(size=10, opacity=0), hovertext=lt,
                       hoverinfo="text", showlegend=False, name="weights"),
            go.Scatter(x=nx, y=ny, mode="markers", marker=dict(size=30, opacity=0, symbol="square"),
                       hovertext=nt, hoverinfo="text", showlegend=False, name="neurons")]
    layout = dict(height=int(height or h * 0.85), margin=dict(l=0, r=0, t=0, b=0), plot_bgcolor="white",
                  xaxis=dict(visible=False, range=[0, w], fixedrange=True, constrain="domain", constraintoward="left"),
                  yaxis=dict(visible=False, range=[h, 0], fixedrange=True, scaleanchor="x", constrain="domain",
                             constraintoward="top"),    # where the live image sits: no jump at Pause
                  images=[dict(source=jpeg_uri(diagram["image"]), xref="x", yref="y", x=0, y=0, sizex=w, sizey=h,
                               sizing="stretch", layer="below")],
                  hovermode="closest", dragmode=False)
    return go.Figure(data=data, layout=layout)


def _thinned(history, max_points=400):
    """The history as float arrays (None → NaN) of at most about ``max_points`` evenly spaced epochs:
    thinned before converting, so a frame's cost does not grow with the number of epochs trained."""
    n = len(history["epoch"])
    keep = list(range(0, n, max(1, int(np.ceil(n / max_points)))))
    if n and keep[-1] != n - 1:
        keep.append(n - 1)                                  # always end at the newest epoch
    return {k: np.array([np.nan if vals[i] is None else vals[i] for i in keep], dtype=float)
            for k, vals in history.items()}


def curves_figure(history, classifier=True, height=260):
    """Train and test loss over epochs (left), and accuracy (right) for a classifier."""
    h = _thinned(history)
    ep = h["epoch"]
    data = [go.Scatter(x=ep, y=h["train_loss"], name="train loss", line=dict(color="#555", width=2)),
            go.Scatter(x=ep, y=h["test_loss"], name="test loss", line=dict(color="#111", width=2, dash="dot"))]
    layout = dict(height=height, margin=dict(l=50, r=10, t=30, b=40), hovermode="x unified",
                  legend=dict(orientation="h", y=-0.25, x=0), plot_bgcolor="white",
                  xaxis=dict(title="epoch", gridcolor="#eee"),
                  yaxis=dict(title="loss", gridcolor="#eee", rangemode="tozero"))
    if classifier:
        layout["xaxis"]["domain"] = [0, 0.46]
        layout["xaxis2"] = dict(title="epoch", domain=[0.56, 1], anchor="y2", gridcolor="#eee")
        layout["yaxis2"] = dict(title="accuracy", anchor="x2", range=[0, 1.02], tickformat=".0%", gridcolor="#eee")
        data += [go.Scatter(x=ep, y=h["train_acc"], name="train accuracy", xaxis="x2", yaxis="y2",
                            line=dict(color=BLUE, width=2)),
                 go.Scatter(x=ep, y=h["test_acc"], name="test accuracy", xaxis="x2", yaxis="y2",
                            line=dict(color=ORANGE, width=2, dash="dot"))]
    return go.Figure(data=data, layout=layout)


def _polyline(draw, xs, ys, box, xmax, ymin, ymax, colour, dashed=False):
    """Draw the finite points of (xs, ys) inside box = (left, top, right, bottom) pixels."""
    Panel(draw, box, (0, max(xmax, 1)), (ymin, ymax)).line(xs, ys, colour, 2, dashed)


def _curves_panels(classifier, width, height):
    """The panels of ``curves_image``: (title, box (left, top, right, bottom) in pixels, series), where each
    series is (history key, colour, dashed)."""
    panels = [("loss", [("train_loss", (85, 85, 85), False), ("test_loss", (17, 17, 17), True)])]
    if classifier:
        panels.append(("accuracy", [("train_acc", BLUE_RGB, False), ("test_acc", ORANGE_RGB, True)]))
    pw = (width - 20) // len(panels)
    return [(title, (k * pw + 62, 14, (k + 1) * pw - 12, height - 48), series)
            for k, (title, series) in enumerate(panels)]


def _tick(draw, box, y_value, ymax, label, font):
    y = box[3] - y_value / ymax * (box[3] - box[1])
    draw.line((box[0], y, box[2], y), fill=(235, 235, 235))
    draw.text((box[0] - 6, y), label, fill=(90, 90, 90), font=font, anchor="rm")


@functools.lru_cache(maxsize=8)
def _curves_frame(classifier, width, height):
    """What ``curves_image`` draws the same every frame (titles, legends, the accuracy axis): drawn once,
    shared as immutable bytes, since text is the costly part of drawing."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font = _font(13)
    for title, box, series in _curves_panels(classifier, width, height):
        if title == "accuracy":
            for t, lab in ((0.0, "0%"), (0.5, "50%"), (1.0, "100%")):
                _tick(draw, box, t, 1.0, lab, font)
        draw.text((box[0], box[3] + 6), title, fill=(40, 40, 40), font=font, anchor="la")
        keys = [(name.replace("_acc", " accuracy").replace("_loss", " loss"), colour, "dashed" if dashed else "line")
                for name, colour, dashed in series]         # under the panel, from under its tick labels
        raster.legend(draw, keys, box[0] - 40, height - 12, size=13, gap=16)
    return img.tobytes()


def curves_image(history, classifier=True, width=900, height=230, marks=()):
    """The same curves as ``curves_figure``, drawn as an image (uint8 (height, width, 3)) for live frames:
    a browser swaps an image far faster than it redraws a Plotly chart. Loss on the left (0 … its
    largest value), accuracy on the right (0 … 100 %). ``marks``: epochs marked by a grey line (where the
    learner went on from a rewound epoch)."""
    h = _thinned(history)
    ep = h["epoch"]
    img, draw = raster.on_frame(_curves_frame(bool(classifier), width, height), width, height)
    font = _font(13)
    xmax = ep[-1] if len(ep) else 1
    for title, box, series in _curves_panels(classifier, width, height):
        ymax = 1.0
        if title == "loss":
            vals = np.concatenate([h[name] for name, _, _ in series])
            top = float(np.nanmax(vals)) if np.isfinite(vals).any() else 1.0
            ymax = top * 1.05 or 1.0
            for t in (0.0, top / 2, top):
                _tick(draw, box, t, ymax, f"{t:.3g}", font)
        draw.line((box[0], box[3], box[2], box[3]), fill=(150, 150, 150))
        draw.text((box[2], box[3] + 6), f"epoch {int(xmax) if len(ep) else 0}", fill=(90, 90, 90), font=font,
                  anchor="ra")
        for e in marks:
            x = box[0] + (box[2] - box[0]) * min(e / max(xmax, 1), 1.0)
            draw.line((x, box[1], x, box[3]), fill=(160, 160, 160), width=1)
        for name, colour, dashed in series:
            _polyline(draw, ep, h[name], box, xmax, 0.0, ymax, colour, dashed)
    return np.asarray(img)


def loss_sparkline(history, width=300, height=120):
    """Train (solid) and test (dotted) loss over the epochs, small, for the corner above the decision map
    (as TensorFlow Playground shows it): an image (uint8 (height, width, 3)), drawn at the size it is shown
    so that its 13 px labels stay readable. The y axis runs from 0 to the largest loss so far."""
    h = _thinned(history)
    ep = h["epoch"]
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font = _font(13)
    box = (44, 8, width - 8, height - 24)
    vals = np.concatenate([h["train_loss"], h["test_loss"]]) if len(ep) else np.array([])
    top = float(np.nanmax(vals)) if np.isfinite(vals).any() else 1.0
    ymax = top * 1.05 or 1.0
    for t in (0.0, top):
        _tick(draw, box, t, ymax, f"{t:.2g}", font)
    draw.line((box[0], box[3], box[2], box[3]), fill=(150, 150, 150))
    xmax = ep[-1] if len(ep) else 1
    _polyline(draw, ep, h["train_loss"], box, xmax, 0.0, ymax, (85, 85, 85))
    _polyline(draw, ep, h["test_loss"], box, xmax, 0.0, ymax, (17, 17, 17), dashed=True)
    y = height - 10
    draw.line((box[0], y, box[0] + 16, y), fill=(85, 85, 85), width=2)
    draw.text((box[0] + 20, y), "train", fill=(60, 60, 60), font=font, anchor="lm")
    for x in range(box[0] + 66, box[0] + 82, 6):
        draw.line((x, y, x + 3, y), fill=(17, 17, 17), width=2)
    draw.text((box[0] + 86, y), "test", fill=(60, 60, 60), font=font, anchor="lm")   # both losses (the caption above)
    draw.text((box[2], y), f"epoch {int(xmax) if len(ep) else 0}", fill=(90, 90, 90), font=font, anchor="rm")
    return np.asarray(img)


def confusion_figure(cm, height=260):
    """A confusion matrix (rows = true class, columns = predicted class), counts written in the cells."""
    cm = np.asarray(cm)
    k = len(cm)
    names = [f"class {i}" for i in range(k)]
    frac = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig = go.Figure(go.Heatmap(z=frac, x=names, y=names, zmin=0, zmax=1, text=cm, texttemplate="%{text}",
                               colorscale=[[0, "white"], [1, BLUE]], showscale=False,
                               hovertemplate="true %{y}, predicted %{x}: %{text} points<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=60, r=10, t=30, b=50),
                      title=dict(text="Test set", font=dict(size=14)),
                      xaxis=dict(title="predicted", side="bottom"), yaxis=dict(title="true", autorange="reversed"))
    return fig


def data_figure(rgb, X, y, task, click_grid=24, height=420):
    """The points over the current map, as a Plotly chart that can be clicked: an invisible grid of
    markers catches the clicks (Plotly selects points, not empty space), so a click gives a position."""
    g = np.linspace(-LIM + LIM / click_grid, LIM - LIM / click_grid, click_grid)
    gx, gy = np.meshgrid(g, g)
    cols = point_colours(y, task)
    data = [go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers", name="click",
                       marker=dict(size=14, opacity=0.0),
                       hovertemplate="add a point at (%{x:.1f}, %{y:.1f})<extra></extra>"),
            go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", name="points", hoverinfo="skip",
                       marker=dict(size=7, color=[f"rgb({c[0]},{c[1]},{c[2]})" for c in cols],
                                   line=dict(width=1, color="white")))]
    layout = dict(height=height, margin=dict(l=30, r=10, t=10, b=30), showlegend=False, plot_bgcolor="white",
                  xaxis=dict(range=[-LIM, LIM], fixedrange=True, title="x1"),
                  yaxis=dict(range=[-LIM, LIM], fixedrange=True, scaleanchor="x", title="x2"),
                  images=[dict(source=data_uri(png_bytes(rgb)), xref="x", yref="y", x=-LIM, y=LIM, sizex=2 * LIM,
                               sizey=2 * LIM, sizing="stretch", layer="below", opacity=0.6)],
                  clickmode="event+select", dragmode=False)
    return go.Figure(data=data, layout=layout)



def importance_figure(names, harms, classifier, height=300):
    """One bar per hidden neuron, most important on top: the accuracy lost (or MSE gained) when that neuron
    alone is knocked out."""
    fig = go.Figure(go.Bar(x=list(harms), y=list(names), orientation="h", marker_color=BLUE,
                           text=[f"{h:+.1%}" if classifier else f"{h:+.3g}" for h in harms], textposition="outside",
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    lo, hi = min(0.0, min(harms, default=0.0)), max(0.0, max(harms, default=0.0))
    pad = 0.35 * (hi - lo or 1.0)                                   # room for the labels beside the bars
    fig.update_xaxes(range=[lo - (pad if lo < 0 else 0.0), hi + pad])
    fig.update_layout(height=max(height, 28 * len(names) + 80), margin=dict(l=10, r=40, t=30, b=10),
                      font=dict(size=14), plot_bgcolor="white",
                      title=dict(text="accuracy lost without each neuron" if classifier else
                                 "test MSE added without each neuron", font=dict(size=15)),
                      yaxis=dict(autorange="reversed", type="category"), xaxis=dict(gridcolor="#eee",
                      tickformat=".0%" if classifier else None))
    return fig

"""Figures of the MLP playground: the decision map (a PNG coloured with NumPy, so it can be redrawn
every frame), the network diagram (Plotly, with a small map per neuron as a layout image, links by
weight, exact values on hover), the loss and accuracy curves and the confusion matrix.

Maps use the lab's diverging palette at a fixed range: −1 (orange) … 0 (grey) … +1 (blue), the same
range for every neuron, so a colour means the same value in every small map.
"""
import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from viz.palette import BLUE, CLASS_COLORS, DIVERGING, GREY, ORANGE, _rgb, class_rgb, data_uri, diverging_rgb, png_bytes

VMAX = 1.0            # the fixed colour range of every map: −1 … +1
LIM = 6.0             # the input plane is [−LIM, LIM]²


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


def to_pixels(X, size, lim=LIM):
    """Input-plane points (N, 2) → pixel coordinates (N, 2) in a size×size image (+y up)."""
    X = np.asarray(X, dtype=float)
    px = (X[:, 0] + lim) / (2 * lim) * size
    py = (lim - X[:, 1]) / (2 * lim) * size
    return np.column_stack([px, py])


def map_png(rgb, train=None, test=None, task="binary", scale=4, radius=3.5):
    """The map image (n, n, 3) scaled up, with points drawn on top: ``train`` and ``test`` are (X, y)
    or None; training points get a white ring, test points a black one. Returns PNG bytes."""
    img = Image.fromarray(np.asarray(rgb, dtype=np.uint8)).resize(
        (rgb.shape[1] * scale, rgb.shape[0] * scale), Image.NEAREST)
    draw = ImageDraw.Draw(img)
    for pts, ring in ((train, (255, 255, 255)), (test, (20, 20, 20))):
        if pts is None or len(pts[0]) == 0:
            continue
        xy = to_pixels(pts[0], img.size[0])
        for (px, py), c in zip(xy, point_colours(pts[1], task)):
            draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=tuple(int(v) for v in c),
                         outline=ring)
    return png_bytes(np.asarray(img))


def neuron_pngs(outs, n, step=4):
    """Small PNG data URIs of every feature and neuron: ``outs`` is ``neuron_outputs`` on the (n·n) grid;
    returns a list per column (inputs, hidden layers..., output), each a list of data URIs, maps sampled
    every ``step`` grid points, coloured at the fixed range ±1."""
    cols = []
    for j, a in enumerate(outs):
        maps = np.asarray(a, dtype=float).reshape(n, n, -1)[::-1][::step, ::step]       # (m, m, units)
        rgb = diverging_rgb(maps if j else np.tanh(maps / 3.0), VMAX)                     # (m, m, units, 3)
        cols.append([data_uri(png_bytes(rgb[:, :, u])) for u in range(rgb.shape[2])])
    return cols


def _weight_bucket(w):
    """|w| → one of four widths (so one trace per width and sign keeps the figure light)."""
    return np.digitize(np.abs(w), [0.25, 0.5, 1.0])


WIDTHS = [0.8, 1.8, 3.2, 5.0]


def network_figure(dense, feature_labels, images, output_label="output", act_names=None, height=430):
    """The network diagram. ``dense``: the model's Dense layers (W (in, out), b (out,)); ``images``: one
    list of data URIs per column (inputs, hidden..., output) from ``neuron_pngs``; links are drawn with
    width by |w| and colour by sign; hovering a link's midpoint shows w, a neuron shows its bias b."""
    sizes = [dense[0].params["W"].shape[0]] + [d.params["W"].shape[1] for d in dense]
    ncol = len(sizes)
    box = 0.62                                           # neuron square, in data units
    ys = [np.arange(s)[::-1] - (s - 1) / 2.0 for s in sizes]
    ys = [y * 1.0 for y in ys]
    segs = {}                                            # (bucket, sign) → ([x], [y])
    hx, hy, htext = [], [], []
    for li, d in enumerate(dense):
        W = d.params["W"]
        x0, x1 = li + box / 2, li + 1 - box / 2
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                w = W[i, j]
                key = (int(_weight_bucket(w)), w >= 0)
                sx, sy = segs.setdefault(key, ([], []))
                sx += [x0, x1, None]
                sy += [ys[li][i], ys[li + 1][j], None]
                hx.append(x0 + 0.3 * (x1 - x0))
                hy.append(ys[li][i] + 0.3 * (ys[li + 1][j] - ys[li][i]))
                htext.append(f"weight w = {w:.4f}<br>from {_name(li, i, feature_labels)} to {_name(li + 1, j, feature_labels, ncol)}")
    data = []
    for (bucket, positive), (sx, sy) in sorted(segs.items()):
        level = (bucket + 1) / 4.0
        colour = diverging_rgb(level if positive else -level, 1.0)
        data.append(go.Scatter(x=sx, y=sy, mode="lines", hoverinfo="skip", showlegend=False,
                               line=dict(width=WIDTHS[bucket], color=f"rgb({colour[0]},{colour[1]},{colour[2]})")))
    data.append(go.Scatter(x=hx, y=hy, mode="markers", marker=dict(size=9, opacity=0), hovertext=htext,
                           hoverinfo="text", showlegend=False, name="weights"))
    # neurons: hover points at the centres, bias squares at the lower left
    nx, ny, ntext, bx, by, bcol = [], [], [], [], [], []
    for c in range(ncol):
        for i, y in enumerate(ys[c]):
            nx.append(c)
            ny.append(y)
            label = _name(c, i, feature_labels, ncol)
            if c == 0:
                ntext.append(f"input {label}")
            else:
                b = dense[c - 1].params["b"][i]
                act = (act_names[c - 1] if act_names and c - 1 < len(act_names) else "")
                ntext.append(f"{label}{' (' + act + ')' if act else ''}<br>bias b = {b:.4f}")
                bx.append(c - box / 2)
                by.append(y - box / 2)
                col = diverging_rgb(np.clip(b, -1, 1), 1.0)
                bcol.append(f"rgb({col[0]},{col[1]},{col[2]})")
    data.append(go.Scatter(x=bx, y=by, mode="markers", hoverinfo="skip", showlegend=False,
                           marker=dict(symbol="square", size=9, color=bcol, line=dict(width=1, color="#555"))))
    data.append(go.Scatter(x=nx, y=ny, mode="markers", marker=dict(size=30, opacity=0, symbol="square"),
                           hovertext=ntext, hoverinfo="text", showlegend=False, name="neurons"))
    layout_images = []
    for c in range(ncol):
        for i, y in enumerate(ys[c]):
            if c < len(images) and i < len(images[c]):
                layout_images.append(dict(source=images[c][i], xref="x", yref="y", x=c - box / 2, y=y + box / 2,
                                          sizex=box, sizey=box, sizing="stretch", layer="above"))
    annotations = [dict(x=c, y=max(ys[c]) + 0.65, text=_column_title(c, ncol, sizes), showarrow=False,
                        font=dict(size=13)) for c in range(ncol)]
    annotations += [dict(x=-box / 2 - 0.05, y=y, text=feature_labels[i], showarrow=False, xanchor="right",
                         font=dict(size=13)) for i, y in enumerate(ys[0])]
    span = max(max(sizes), 2)
    layout = dict(images=layout_images, annotations=annotations, height=height,
                  margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="white", paper_bgcolor="white",
                  xaxis=dict(visible=False, range=[-1.25, ncol - 1 + 0.5], fixedrange=True),
                  yaxis=dict(visible=False, range=[-span / 2 - 0.2, span / 2 + 0.55], fixedrange=True),
                  hovermode="closest", dragmode=False)
    return go.Figure(data=data, layout=layout)


def _name(col, i, feature_labels, ncol=None):
    if col == 0:
        return feature_labels[i]
    if ncol is not None and col == ncol - 1:
        return f"output {i + 1}" if i else "output"
    return f"neuron {col}.{i + 1}"


def _column_title(c, ncol, sizes):
    if c == 0:
        return "<b>inputs</b>"
    if c == ncol - 1:
        return "<b>output</b>"
    return f"<b>layer {c}</b><br>{sizes[c]} neuron{'s' if sizes[c] > 1 else ''}"


def _thin(values, max_points=400):
    step = max(1, int(np.ceil(len(values) / max_points)))
    return values[::step]


def curves_figure(history, classifier=True, height=260):
    """Train and test loss over epochs (left), and accuracy (right) for a classifier."""
    h = {k: np.array([np.nan if v is None else v for v in vals], dtype=float) for k, vals in history.items()}
    ep = _thin(h["epoch"])
    data = [go.Scatter(x=ep, y=_thin(h["train_loss"]), name="train loss", line=dict(color="#555", width=2)),
            go.Scatter(x=ep, y=_thin(h["test_loss"]), name="test loss", line=dict(color="#111", width=2, dash="dot"))]
    layout = dict(height=height, margin=dict(l=50, r=10, t=30, b=40), hovermode="x unified",
                  legend=dict(orientation="h", y=-0.25, x=0), plot_bgcolor="white",
                  xaxis=dict(title="epoch", gridcolor="#eee"), yaxis=dict(title="loss", gridcolor="#eee", rangemode="tozero"))
    if classifier:
        layout["xaxis"]["domain"] = [0, 0.46]
        layout["xaxis2"] = dict(title="epoch", domain=[0.56, 1], anchor="y2", gridcolor="#eee")
        layout["yaxis2"] = dict(title="accuracy", anchor="x2", range=[0, 1.02], tickformat=".0%", gridcolor="#eee")
        data += [go.Scatter(x=ep, y=_thin(h["train_acc"]), name="train accuracy", xaxis="x2", yaxis="y2",
                            line=dict(color=BLUE, width=2)),
                 go.Scatter(x=ep, y=_thin(h["test_acc"]), name="test accuracy", xaxis="x2", yaxis="y2",
                            line=dict(color=ORANGE, width=2, dash="dot"))]
    return go.Figure(data=data, layout=layout)


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
                      xaxis=dict(title="predicted", side="bottom"), yaxis=dict(title="true", autorange="reversed"))
    return fig


def data_figure(rgb, X, y, task, click_grid=24, height=420):
    """The points over the current map, as a Plotly chart that can be clicked: an invisible grid of
    markers catches the clicks (Plotly selects points, not empty space), so a click gives a position."""
    g = np.linspace(-LIM + LIM / click_grid, LIM - LIM / click_grid, click_grid)
    gx, gy = np.meshgrid(g, g)
    cols = point_colours(y, task)
    data = [go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers", name="click",
                       marker=dict(size=14, opacity=0.0), hovertemplate="add a point at (%{x:.1f}, %{y:.1f})<extra></extra>"),
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


__all__ = ["plane_image", "value_rgb", "class_map_rgb", "map_png", "neuron_pngs", "network_figure",
           "curves_figure", "confusion_figure", "data_figure", "to_pixels", "CLASS_COLORS", "DIVERGING"]

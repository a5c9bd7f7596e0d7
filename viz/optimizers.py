"""Figures for the optimizers lesson: loss surfaces with trajectories, loss per step, learning-rate
ladders and sweeps, the loss of one prediction, and the hyperparameter grid. Pure builders: engine
results (``nn_core.surfaces.Trajectory``, ``nn_core.sweeps`` results) and arrays in, Plotly figures or
LaTeX strings out."""
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from PIL import Image, ImageDraw

from viz import raster
from viz.palette import BLUE, CLASS_COLORS, GREY

OPT_COLORS = {"sgd": "#333333", "momentum": CLASS_COLORS[0], "rmsprop": CLASS_COLORS[2], "adam": CLASS_COLORS[1]}
OPT_LABELS = {"sgd": "SGD", "momentum": "Momentum", "rmsprop": "RMSprop", "adam": "Adam"}
# Loss is never signed: a light sequential scale keeps the coloured paths readable on a projector.
SURFACE_SCALE = [[0.0, "#ffffff"], [1.0, "#bcc3c9"]]
FONT = {"size": 16}


def contour_levels(Z, floor):
    """Height used for contour lines: log10 of the loss above its lowest value, so that both the steep
    walls and the flat floor of a surface get lines."""
    return np.log10(np.maximum(np.asarray(Z, dtype=float) - floor, 0.0) + 1e-3)


def _contour(xs, ys, Z, floor, showscale=False):
    return go.Contour(x=xs, y=ys, z=contour_levels(Z, floor), customdata=Z, colorscale=SURFACE_SCALE,
                      ncontours=18, showscale=showscale, line={"color": "#7d868e", "width": 1},
                      hovertemplate="θ₁ = %{x:.2f}<br>θ₂ = %{y:.2f}<br>loss = %{customdata:.4g}<extra></extra>",
                      name="loss surface")


def _path(traj, upto, color, name, showlegend=True, size=6, window=None):
    k = min(int(upto), len(traj.points) - 1)
    if window is not None:            # stop drawing one point after the path leaves the window for good
        (x0, x1), (y0, y1) = window
        p = traj.points[:k + 1]
        out = np.flatnonzero((p[:, 0] < x0) | (p[:, 0] > x1) | (p[:, 1] < y0) | (p[:, 1] > y1))
        k = int(out[0]) if out.size else k
    pts = traj.points[:k + 1]
    steps = np.arange(k + 1)
    return [
        go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name=name, showlegend=showlegend,
                   line={"color": color, "width": 3}, marker={"color": color, "size": size},
                   unselected={"marker": {"opacity": 1}},
                   customdata=np.column_stack([steps, traj.losses[:k + 1]]), legendgroup=name,
                   hovertemplate=f"{name}<br>step %{{customdata[0]}}<br>θ = (%{{x:.3f}}, %{{y:.3f}})"
                                 "<br>loss = %{customdata[1]:.4g}<extra></extra>"),
        go.Scatter(x=pts[-1:, 0], y=pts[-1:, 1], mode="markers", showlegend=False, legendgroup=name,
                   marker={"color": color, "size": 3 * size, "line": {"color": "white", "width": 2}},
                   unselected={"marker": {"opacity": 1}},
                   hoverinfo="skip"),
    ]


def _marks(start, minimum):
    traces = [go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name="start",
                         marker={"symbol": "star", "size": 20, "color": "#111111"})]
    if minimum is not None:
        traces.append(go.Scatter(x=[minimum[0]], y=[minimum[1]], mode="markers", name="minimum",
                                 marker={"symbol": "x-thin", "size": 20, "line": {"width": 4, "color": "#111111"}}))
    return traces


def click_targets(surface, n=31):
    """An invisible grid of points over the window, so that a click anywhere selects a nearby (θ₁, θ₂):
    the page uses the selection as a new start. Hover on them shows the loss there."""
    px, py = np.linspace(*surface.xlim, n), np.linspace(*surface.ylim, n)
    gx, gy = np.meshgrid(px, py)
    loss = surface.value(np.stack([gx, gy], axis=-1)).ravel()
    return go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers", name="click to start here", showlegend=False,
                      marker={"size": 14, "opacity": 0}, customdata=loss,
                      selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
                      hovertemplate="θ₁ = %{x:.2f}, θ₂ = %{y:.2f}<br>loss = %{customdata:.4g}"
                                    "<br>click: start here<extra></extra>")


def race_figure(surface, xs, ys, Z, trajectories, upto, start, height=560, clickable=False):
    """Contours of ``surface`` (grid ``xs``, ``ys``, ``Z``) with each optimizer's path up to step ``upto``;
    with ``clickable``, an invisible grid of click targets on top (see ``click_targets``)."""
    fig = go.Figure([_contour(xs, ys, Z, surface.floor())])
    if clickable:
        fig.add_trace(click_targets(surface))
    for name, traj in trajectories.items():
        fig.add_traces(_path(traj, upto, OPT_COLORS[name], OPT_LABELS[name]))
    fig.add_traces(_marks(start, surface.minimum))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font=FONT,
                      title=f"{surface.label}: step {int(upto)}", clickmode="event+select", dragmode=False,
                      legend={"orientation": "h", "y": -0.12, "x": 0})
    fig.update_xaxes(range=list(surface.xlim), title=surface.axes[0], constrain="domain")
    fig.update_yaxes(range=list(surface.ylim), title=surface.axes[1])
    return fig


LOSS_FLOOR = 1e-8   # the bottom of the log axis: a path that reaches it has found the minimum


def loss_above_floor(losses, floor):
    """The loss minus the surface's lowest loss, kept positive for a log axis (clipped at LOSS_FLOOR)."""
    return np.maximum(np.asarray(losses, dtype=float) - floor, LOSS_FLOOR)


def loss_steps_figure(trajectories, upto, floor, height=360):
    """Loss above the lowest loss (log axis) against step, one line per optimizer, up to ``upto``."""
    fig = go.Figure()
    for name, traj in trajectories.items():
        k = min(int(upto), len(traj.losses) - 1)
        fig.add_trace(go.Scatter(x=np.arange(k + 1), y=loss_above_floor(traj.losses[:k + 1], floor),
                                 mode="lines", name=OPT_LABELS[name], line={"color": OPT_COLORS[name], "width": 3},
                                 customdata=traj.losses[:k + 1],
                                 hovertemplate="step %{x}<br>loss = %{customdata:.5g}<extra></extra>"))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font=FONT,
                      title="Loss per step", showlegend=False)
    fig.update_xaxes(title="step", range=[0, max(len(t.losses) - 1 for t in trajectories.values())])
    top = max(float(np.nanmax(np.where(np.isfinite(t.losses), t.losses, np.nan)) - floor) for t in trajectories.values())
    fig.update_yaxes(title="loss − lowest loss", type="log", exponentformat="power",
                     range=[np.log10(LOSS_FLOOR), np.log10(max(top, 1e-6)) + 0.5])
    return fig


# --- the race as images, for live frames (viz.raster) ------------------------------------------------------
RACE_BOX = (58, 44, 12, 78)     # margins of the race image's plot: left, top, right, bottom (px)
RACE_KEYS = dict(size=14, gap=14)


def _race_keys(names, width):
    return [(OPT_LABELS[n], OPT_COLORS[n], "line") for n in names], RACE_BOX[0] - 40, width - 8


def _race_panel(draw, surface, width, height):
    """The race's plot box: its keys take two rows in a narrow image (presenter mode), leaving it less height."""
    l, t, r, b = RACE_BOX
    b += raster.legend_height(*_race_keys(OPT_LABELS, width), **RACE_KEYS)
    return raster.Panel(draw, (l, t, width - r, height - b), surface.xlim, surface.ylim)


def surface_rgb(surface, width=450, height=500, bands=18):
    """The race's background without its paths: the loss surface in ``bands`` bands of log loss (white
    low … grey-blue high, as the Plotly contour), their edges drawn as contour lines, with axes. uint8
    (height, width, 3); drawn once per surface (the page caches it), then copied for each frame."""
    img, draw = raster.canvas(width, height)
    p = _race_panel(draw, surface, width, height)
    l, t, r, b = (int(v) for v in p.box)
    # the loss on a 90 × 90 grid (some surfaces are costly), smoothly resized to the box's pixels
    gx, gy = np.meshgrid(np.linspace(*surface.xlim, 90), np.linspace(surface.ylim[1], surface.ylim[0], 90))
    with np.errstate(all="ignore"):
        z = contour_levels(surface.value(np.stack([gx, gy], axis=-1)), surface.floor()).astype(np.float32)
    z = np.asarray(Image.fromarray(z, mode="F").resize((r - l, b - t), Image.BILINEAR))
    lo, hi = float(np.nanmin(z)), float(np.nanmax(z))
    level = np.floor((z - lo) / ((hi - lo) or 1.0) * bands).clip(0, bands - 1)
    edge = np.zeros(level.shape, dtype=bool)
    edge[1:] |= level[1:] != level[:-1]
    edge[:, 1:] |= level[:, 1:] != level[:, :-1]
    frac = (level / (bands - 1))[..., None]
    fill = (255 - frac * (255 - np.array([188, 195, 201]))).astype(np.uint8)
    fill[edge] = (125, 134, 142)
    img.paste(Image.fromarray(fill), (l, t))
    p.axes(xlabel=surface.axes[0], ylabel=surface.axes[1], xticks=raster.nice_ticks(*surface.xlim),
           yticks=raster.nice_ticks(*surface.ylim), size=14, grid=False)
    return raster.array(img)


def _star(draw, x, y, r, colour):
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2, r * 0.45, r)
    draw.polygon(list(zip((x + radii * np.cos(angles)).tolist(), (y - radii * np.sin(angles)).tolist())),
                 fill=raster.rgb(colour))


def race_image(surface, background, trajectories, upto, start):
    """The race at step ``upto`` drawn on ``background`` (from ``surface_rgb``): each optimizer's path (as in
    ``race_figure``: stopped one point after it leaves the window), its current point, the start ★ and the
    minimum ×, a title and a legend. uint8 array of the background's size."""
    height, width = background.shape[:2]
    img = Image.fromarray(background)
    draw = ImageDraw.Draw(img)
    p = _race_panel(draw, surface, width, height)
    for name, traj in trajectories.items():
        k = min(int(upto), len(traj.points) - 1)
        pts = traj.points[:k + 1]
        (x0, x1), (y0, y1) = surface.xlim, surface.ylim
        out = np.flatnonzero((pts[:, 0] < x0) | (pts[:, 0] > x1) | (pts[:, 1] < y0) | (pts[:, 1] > y1))
        pts = pts[:int(out[0]) + 1] if out.size else pts
        colour = OPT_COLORS[name]
        p.line(pts[:, 0], pts[:, 1], colour, width=3)
        p.points(pts[-1:, 0], pts[-1:, 1], colour, r=8, outline="#ffffff")
    sx, sy = float(p.x(start[0])), float(p.y(start[1]))
    _star(draw, sx, sy, 11, "#111111")
    if surface.minimum is not None:
        p.points([surface.minimum[0]], [surface.minimum[1]], "#111111", r=8, shape="x")
    title = f"{surface.label}: step {int(upto)}"        # clear of the y label at the right (from the image's edge
    end = p.box[2] - raster.font(14).getlength(surface.axes[1]) - 10      # if need be, then smaller)
    x = p.box[0] if raster.font(18).getlength(title) <= end - p.box[0] else 8
    draw.text((x, 8), title, fill=raster.INK, font=raster.font(raster.fitted(title, 18, end - x)), anchor="la")
    keys, x, right = _race_keys(trajectories, width)
    raster.legend(draw, keys, x, height - 16, right=right, **RACE_KEYS)
    return raster.array(img)


def loss_steps_image(trajectories, upto, floor, width=300, height=300):
    """``loss_steps_figure`` as an image: loss above the lowest loss (log axis) against step, up to ``upto``."""
    img, draw = raster.canvas(width, height)
    last = max(len(t.losses) - 1 for t in trajectories.values())
    top = max(float(np.nanmax(np.where(np.isfinite(t.losses), t.losses, np.nan)) - floor)
              for t in trajectories.values())
    hi = 10.0 ** (np.log10(max(top, 1e-6)) + 0.5)
    title, ylabel = "Loss per step", "loss − lowest"
    head = 40 + raster.header_line(14) * raster.stacked(title, ylabel, width - 14 - 52, 14)   # narrow: two lines
    p = raster.Panel(draw, (52, head, width - 14, height - 46), (0, max(last, 1)), (LOSS_FLOOR, hi), log_y=True)
    p.axes(title=title, xlabel="step", ylabel=ylabel,
           xticks=raster.nice_ticks(0, last), yticks=raster.log_ticks(LOSS_FLOOR, hi, every=2), size=14)
    for name, traj in trajectories.items():
        k = min(int(upto), len(traj.losses) - 1)
        p.line(np.arange(k + 1), loss_above_floor(traj.losses[:k + 1], floor), OPT_COLORS[name], width=3)
    return raster.array(img)


def ladder_figure(surface, xs, ys, Z, trajectories, start, height=380):
    """Side-by-side panels, one per (label → Trajectory): the same optimizer with different learning rates."""
    labels = list(trajectories)
    fig = make_subplots(rows=1, cols=len(labels), horizontal_spacing=0.03,
                        subplot_titles=[f"{lab}: η = {trajectories[lab].lr:.3g}" for lab in labels])
    colors = [CLASS_COLORS[2], BLUE, CLASS_COLORS[0], CLASS_COLORS[4]]
    for i, lab in enumerate(labels, start=1):
        traj = trajectories[lab]
        fig.add_trace(_contour(xs, ys, Z, surface.floor()), row=1, col=i)
        for tr in _path(traj, len(traj.points) - 1, colors[(i - 1) % 4], lab, showlegend=False, size=5,
                        window=(surface.xlim, surface.ylim)):
            fig.add_trace(tr, row=1, col=i)
        fig.add_trace(_marks(start, surface.minimum)[0].update(showlegend=False, marker_size=14), row=1, col=i)
        fig.update_xaxes(range=list(surface.xlim), showticklabels=False, row=1, col=i)
        fig.update_yaxes(range=list(surface.ylim), showticklabels=i == 1, row=1, col=i)
    fig.update_annotations(font_size=17)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10}, font=FONT)
    return fig


def sweep_figure(lrs, losses, done=None, height=420):
    """Final training loss against learning rate (log–log). ``losses`` may hold NaN for runs that diverged;
    those are drawn as crosses on the top edge. ``done``: how many runs have finished (the rest are pending)."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    done = len(losses) if done is None else int(done)
    ok = np.isfinite(losses[:done])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=lrs[:done][ok], y=losses[:done][ok], mode="lines+markers", name="loss after training",
                             line={"color": BLUE, "width": 3}, marker={"size": 11},
                             hovertemplate="η = %{x:.3g}<br>loss = %{y:.4g}<extra></extra>"))
    top = np.nanmax(losses[:done]) * 2 if ok.any() else 10.0
    if (~ok).any():
        fig.add_trace(go.Scatter(x=lrs[:done][~ok], y=np.full((~ok).sum(), top), mode="markers", name="diverged",
                                 marker={"symbol": "x", "size": 16, "color": CLASS_COLORS[4]},
                                 hovertemplate="η = %{x:.3g}<br>diverged (loss NaN)<extra></extra>"))
    if ok.any():
        best = int(np.nanargmin(np.where(ok, losses[:done], np.nan)))
        fig.add_trace(go.Scatter(x=[lrs[best]], y=[losses[best]], mode="markers", name=f"best: η = {lrs[best]:.3g}",
                                 marker={"symbol": "star", "size": 22, "color": CLASS_COLORS[0]}))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font=FONT,
                      title="Loss after a fixed number of steps, against the learning rate",
                      legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(type="log", title="learning rate η (log scale)", exponentformat="power",
                     range=[np.log10(lrs.min()) - 0.2, np.log10(lrs.max()) + 0.2])
    fig.update_yaxes(type="log", title="training loss (log scale)", dtick="D2")
    return fig


def sweep_image(lrs, losses, done=None, width=900, height=370):
    """``sweep_figure`` as an image for live frames: the loss after training against η (log–log), the runs
    that diverged as crosses on the top edge, the best run's star."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    done = len(losses) if done is None else int(done)
    x, y = lrs[:done], losses[:done]
    ok = np.isfinite(y)
    top = np.nanmax(y) * 2 if ok.any() else 10.0
    low = np.nanmin(y[ok]) / 2 if ok.any() else 0.1
    img, draw = raster.canvas(width, height)
    xlim = (10 ** (np.log10(lrs.min()) - 0.2), 10 ** (np.log10(lrs.max()) + 0.2))
    p = raster.Panel(draw, (70, 44, width - 20, height - 76), xlim, (low, top * 1.3), log_x=True, log_y=True)
    p.axes(title="Loss after a fixed number of steps, against the learning rate", xlabel="learning rate η (log scale)",
           ylabel="training loss (log scale)", xticks=raster.log_ticks(*xlim), yticks=raster.log_ticks(low, top * 1.3),
           size=14)
    p.line(x[ok], y[ok], BLUE, width=3)
    p.points(x[ok], y[ok], BLUE, r=6)
    p.points(x[~ok], np.full((~ok).sum(), top), CLASS_COLORS[4], r=8, shape="x")
    items = [("loss after training", BLUE, "line")] + ([("diverged", CLASS_COLORS[4], "dot")] if (~ok).any() else [])
    if ok.any():
        best = int(np.nanargmin(np.where(ok, y, np.nan)))
        _star(draw, float(p.x(x[best])), float(p.y(y[best])), 13, CLASS_COLORS[0])
        items.append((f"best: η = {x[best]:.3g}", CLASS_COLORS[0], "dot"))
    raster.legend(draw, items, 60, height - 18, size=14)
    return raster.array(img)


def loss_function_figure(zs, curves, z_now, y, height=400):
    """Two panels over the weighted sum z of the output neuron: each loss, and the size of its gradient
    ∂L/∂z (what backprop sends into the network), with the current z marked."""
    names = {"mse": ("σ + MSE", CLASS_COLORS[0], "solid"), "bce": ("σ + binary cross-entropy", BLUE, "solid"),
             "cross_entropy": ("cross-entropy on logits (0, z)", "#333333", "dot")}
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=[f"loss L (target y = {int(y)})", "|∂L/∂z|: how hard the loss pulls on z"])
    for name, (label, color, dash) in names.items():
        c = curves[name]
        fig.add_trace(go.Scatter(x=zs, y=c["value"], name=label, line={"color": color, "width": 3, "dash": dash},
                                 legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=zs, y=np.abs(c["dz"]), name=label, showlegend=False,
                                 line={"color": color, "width": 3, "dash": dash}, legendgroup=name), row=1, col=2)
    for col in (1, 2):
        fig.add_vline(x=z_now, line={"color": "#888888", "dash": "dash"}, row=1, col=col)
        fig.update_xaxes(title="weighted sum z", row=1, col=col)
    fig.update_annotations(font_size=17)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10}, font=FONT,
                      legend={"orientation": "h", "y": -0.25})
    return fig


ACC_SCALE = [[0.0, GREY], [1.0, BLUE]]


def grid_heatmap(rows, cols, acc, row_label, col_label, chance=0.0, height=420):
    """Test accuracy per configuration: ``acc`` (len(rows), len(cols)), NaN for runs not done or diverged.
    Fixed colour range from ``chance`` (the accuracy of guessing, grey) to 100 % (blue)."""
    acc = np.asarray(acc, dtype=float)
    text = np.where(np.isfinite(acc), np.char.mod("%.0f %%", np.nan_to_num(acc) * 100), "–")
    fig = go.Figure(go.Heatmap(z=acc, x=[str(c) for c in cols], y=[str(r) for r in rows], zmin=chance, zmax=1,
                               colorscale=ACC_SCALE, text=text, texttemplate="%{text}", textfont={"size": 20},
                               colorbar={"title": "test acc.", "tickformat": ".0%"},
                               hovertemplate=f"{row_label} = %{{y}}<br>{col_label} = %{{x}}"
                                             "<br>test accuracy = %{text}<extra></extra>"))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font=FONT,
                      title="Test accuracy")
    fig.update_xaxes(title=col_label, type="category")
    fig.update_yaxes(title=row_label, type="category", autorange="reversed")
    return fig


def grid_curves(rows, cols, results, row_label, col_label, height=420):
    """Small multiples laid out like the heatmap: training (solid) and test (dashed) loss per epoch for
    each configuration; ``results`` is row-major and may be shorter than the grid (runs still to come)."""
    fig = make_subplots(rows=len(rows), cols=len(cols), shared_xaxes=True, shared_yaxes=True,
                        horizontal_spacing=0.02, vertical_spacing=0.04,
                        column_titles=[str(c) for c in cols], row_titles=[str(r) for r in rows])
    for i, res in enumerate(results):
        r, c = divmod(i, len(cols))
        h = res["history"]
        for key, dash, color in (("train_loss", "solid", BLUE), ("test_loss", "dash", CLASS_COLORS[0])):
            fig.add_trace(go.Scatter(x=h["epoch"], y=h[key], mode="lines", line={"color": color, "dash": dash, "width": 2},
                                     name=key.replace("_", " "), showlegend=i == 0, legendgroup=key,
                                     hovertemplate="epoch %{x}<br>loss = %{y:.3f}<extra></extra>"),
                          row=r + 1, col=c + 1)
    fig.update_annotations(font_size=14)
    fig.update_layout(height=height, margin={"l": 10, "r": 40, "t": 50, "b": 10}, font={"size": 13},
                      title=f"Loss per epoch (columns: {col_label}; rows: {row_label})",
                      legend={"orientation": "h", "y": -0.08})
    return fig


def grid_heatmap_image(rows, cols, acc, row_label, col_label, chance=0.0, width=520, height=410):
    """``grid_heatmap`` as an image for live frames: one cell per configuration coloured from ``chance``
    (grey) to 100 % (blue), its test accuracy written in it ("–" not done yet or diverged)."""
    acc = np.asarray(acc, dtype=float)
    img, draw = raster.canvas(width, height)
    l, t, r, b = 110, 44, width - 14, height - 60
    cw, ch = (r - l) / len(cols), (b - t) / len(rows)
    grey, blue = np.array(raster.rgb(GREY), float), np.array(raster.rgb(BLUE), float)
    f, small = raster.font(20), raster.font(14)
    for i, row in enumerate(rows):
        draw.text((l - 8, t + (i + 0.5) * ch), str(row), fill=raster.MUTED, font=small, anchor="rm")
        for j, col in enumerate(cols):
            a = acc[i, j]
            frac = np.clip((a - chance) / ((1 - chance) or 1), 0, 1) if np.isfinite(a) else 0.0
            fill = tuple((grey + (blue - grey) * frac).round().astype(int).tolist()) if np.isfinite(a) else (250, 250, 250)
            box = (l + j * cw + 1, t + i * ch + 1, l + (j + 1) * cw - 1, t + (i + 1) * ch - 1)
            draw.rectangle(box, fill=fill)
            draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), f"{a * 100:.0f} %" if np.isfinite(a) else "–",
                      fill=(255, 255, 255) if frac > 0.55 else raster.INK, font=f, anchor="mm")
    for j, col in enumerate(cols):
        draw.text((l + (j + 0.5) * cw, b + 6), str(col), fill=raster.MUTED, font=small, anchor="ma")
    draw.text(((l + r) / 2, b + 28), col_label, fill=raster.MUTED, font=small, anchor="ma")
    draw.text((8, t - 6), row_label, fill=raster.MUTED, font=small, anchor="ld")
    draw.text((l, 8), "Test accuracy", fill=raster.INK, font=raster.font(16), anchor="la")
    return raster.array(img)


def grid_curves_image(rows, cols, results, row_label, col_label, width=520, height=410):
    """``grid_curves`` as an image for live frames: small multiples of training (solid) and test (dashed)
    loss per epoch, one per configuration, on shared axes; ``results`` row-major, possibly short."""
    img, draw = raster.canvas(width, height)
    hist = [res["history"] for res in results]
    vals = np.concatenate([np.asarray(h[k], dtype=float) for h in hist for k in ("train_loss", "test_loss")] or [[]])
    top = float(np.nanmax(vals[np.isfinite(vals)])) * 1.05 if np.isfinite(vals).any() else 1.0
    last = max((float(h["epoch"][-1]) for h in hist if len(h["epoch"])), default=1.0)
    small, l, y = raster.font(13), 16, 8
    for line in raster.wrap(f"Loss per epoch (columns: {col_label}; rows: {row_label})", 15, width - l - 8):
        draw.text((l, y), line, fill=raster.INK, font=raster.font(15), anchor="la")    # two lines if narrow
        y += 20
    draw.text((l, y + 2), f"each panel: epochs 0–{last:g}, loss 0–{top:.3g}", fill=raster.MUTED, font=small,
              anchor="la")
    t, r, b = y + 46, width - 40, height - 40         # the columns' labels between the header and the panels
    cw, ch = (r - l) / len(cols), (b - t) / len(rows)
    for j, col in enumerate(cols):
        draw.text((l + (j + 0.5) * cw, t - 6), str(col), fill=raster.MUTED, font=small, anchor="md")
    for i, row in enumerate(rows):
        draw.text((r + 6, t + (i + 0.5) * ch), str(row), fill=raster.MUTED, font=small, anchor="lm")
    for k in range(len(rows) * len(cols)):
        i, j = divmod(k, len(cols))
        p = raster.Panel(draw, (l + j * cw + 4, t + i * ch + 4, l + (j + 1) * cw - 4, t + (i + 1) * ch - 4),
                         (0, max(last, 1)), (0, top))
        p.axes(grid=False)
        if k < len(hist):
            h = hist[k]
            p.line(h["epoch"], np.array(h["train_loss"], dtype=float), BLUE, width=2)
            p.line(h["epoch"], np.array(h["test_loss"], dtype=float), CLASS_COLORS[0], width=2, dashed=True)
    raster.legend(draw, [("train loss", BLUE, "line"), ("test loss", CLASS_COLORS[0], "dashed")], l, height - 16)
    return raster.array(img)


# --- the update formula with numbers ----------------------------------------------------------------
def _vec(a, digits=4):
    a = np.atleast_1d(np.asarray(a, dtype=float))
    return r"\left(" + r",\ ".join(f"{v:.{digits}g}" for v in a) + r"\right)"


def update_latex(name, hyper, numbers):
    """LaTeX lines for one step of optimizer ``name`` with its hyperparameters ``hyper`` and the step's
    numbers (``nn_core.surfaces.step_numbers``): each formula of the docstring with the values put in."""
    n, lr = numbers, hyper["lr"]
    lines = [rf"g_t = \nabla L(\theta_{{t-1}}) = {_vec(n['g'])}"]
    if name == "momentum":
        mu = hyper["momentum"]
        lines.append(rf"v_t = {mu:g}\cdot{_vec(n['v_prev'])} + {_vec(n['g'])} = {_vec(n['v'])}")
        lines.append(rf"\Delta\theta = -\eta\, v_t = -{lr:.3g}\cdot{_vec(n['v'])} = {_vec(n['step'])}")
    elif name == "rmsprop":
        a = hyper["alpha"]
        lines.append(rf"s_t = {a:g}\cdot{_vec(n['s_prev'])} + {1 - a:.2g}\cdot{_vec(n['g'])}^2 = {_vec(n['s'])}")
        lines.append(rf"\Delta\theta = -\eta\,\frac{{g_t}}{{\sqrt{{s_t}} + \epsilon}} = "
                     rf"-{lr:.3g}\cdot\frac{{{_vec(n['g'])}}}{{\sqrt{{{_vec(n['s'])}}}}} = {_vec(n['step'])}")
    elif name == "adam":
        b1, b2 = hyper["beta1"], hyper["beta2"]
        t = n["t"]
        lines.append(rf"m_t = {b1:g}\cdot{_vec(n['m_prev'])} + {1 - b1:.2g}\cdot{_vec(n['g'])} = {_vec(n['m'])}")
        lines.append(rf"v_t = {b2:g}\cdot{_vec(n['v_prev'])} + {1 - b2:.2g}\cdot{_vec(n['g'])}^2 = {_vec(n['v'])}")
        lines.append(rf"\hat m_t = \frac{{m_t}}{{1 - {b1:g}^{{{t}}}}} = {_vec(n['m_hat'])}, \qquad "
                     rf"\hat v_t = \frac{{v_t}}{{1 - {b2:g}^{{{t}}}}} = {_vec(n['v_hat'])}")
        lines.append(rf"\Delta\theta = -\eta\,\frac{{\hat m_t}}{{\sqrt{{\hat v_t}} + \epsilon}} = "
                     rf"-{lr:.3g}\cdot\frac{{{_vec(n['m_hat'])}}}{{\sqrt{{{_vec(n['v_hat'])}}}}} = {_vec(n['step'])}")
    else:
        lines.append(rf"\Delta\theta = -\eta\, g_t = -{lr:.3g}\cdot{_vec(n['g'])} = {_vec(n['step'])}")
    lines.append(rf"\theta_t = \theta_{{t-1}} + \Delta\theta = {_vec(n['theta_prev'])} + {_vec(n['step'])} "
                 rf"= {_vec(n['theta'])}")
    return lines


def race_figure_3d(surface, xs, ys, Z, trajectories, upto, start, height=560):
    """The same race on the loss drawn as a 3-D surface (height = loss, clipped to the drawn window's
    95th percentile so that steep walls do not flatten the valley); paths ride on the surface."""
    cap = float(np.percentile(Z, 95))
    lift = 0.02 * (cap - float(Z.min()))          # paths float just above the surface, so it never hides them
    fig = go.Figure([go.Surface(x=xs, y=ys, z=np.minimum(Z, cap), colorscale=[[0.0, "#ffffff"], [1.0, "#7d868e"]],
                                showscale=False, opacity=0.85, name="loss surface", customdata=Z,
                                hovertemplate="θ₁ = %{x:.2f}<br>θ₂ = %{y:.2f}<br>loss = %{customdata:.4g}<extra></extra>")])
    for name, traj in trajectories.items():
        k = min(int(upto), len(traj.points) - 1)
        pts, loss = traj.points[:k + 1], np.minimum(traj.losses[:k + 1], cap) + lift
        fig.add_trace(go.Scatter3d(x=pts[:, 0], y=pts[:, 1], z=loss, mode="lines+markers", name=OPT_LABELS[name],
                                   line={"color": OPT_COLORS[name], "width": 6},
                                   marker={"color": OPT_COLORS[name], "size": 3}))
    s = np.asarray(start, dtype=float)
    fig.add_trace(go.Scatter3d(x=[s[0]], y=[s[1]], z=[min(float(surface.value(s)), cap) + lift], mode="markers",
                               name="start", marker={"symbol": "diamond", "size": 7, "color": "#111111"}))
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 40, "b": 0}, font=FONT,
                      title=f"{surface.label}: step {int(upto)}", legend={"orientation": "h", "y": -0.05},
                      scene={"xaxis_title": surface.axes[0], "yaxis_title": surface.axes[1], "zaxis_title": "loss",
                             "xaxis_range": list(surface.xlim), "yaxis_range": list(surface.ylim),
                             "camera": {"eye": {"x": -1.4, "y": -1.6, "z": 1.1}}})
    return fig


def regression_figure(x, y, pred, height=360):
    """A regression sample (points), the line ŷ = w·x + b through it and each error ŷ − y as a vertical
    segment: MSE is the mean of those segments' squared lengths."""
    fig = go.Figure()
    ex, ey = [], []
    for xi, yi, pi in zip(x, y, pred):
        ex += [xi, xi, None]
        ey += [yi, pi, None]
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line=dict(color="#7f7f7f", width=2, dash="dot"),
                             name="error ŷ − y", hoverinfo="skip"))
    order = np.argsort(x)
    fig.add_trace(go.Scatter(x=np.asarray(x)[order], y=np.asarray(pred)[order], mode="lines", name="prediction ŷ",
                             line=dict(color=BLUE, width=3), hovertemplate="x = %{x}<br>ŷ = %{y:.2f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name="target y", marker=dict(size=11, color="#222"),
                             hovertemplate="x = %{x}<br>y = %{y}<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=15), plot_bgcolor="white",
                      xaxis=dict(title="hours of revision x", range=[0, 5.5], gridcolor="#eee"),
                      yaxis=dict(title="exam mark y", range=[-1, 12], gridcolor="#eee"),
                      legend=dict(orientation="h", y=1.08, x=0))
    return fig

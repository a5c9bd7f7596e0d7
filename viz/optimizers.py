"""Figures for the optimizers lesson: loss surfaces with trajectories, loss per step, learning-rate
ladders and sweeps, the loss of one prediction, and the hyperparameter grid. Pure builders: engine
results (``nn_core.surfaces.Trajectory``, ``nn_core.sweeps`` results) and arrays in, Plotly figures or
LaTeX strings out."""
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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

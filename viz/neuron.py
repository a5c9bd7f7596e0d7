"""Figures for the neuron lesson: the activation gallery (f and f′ with saturated regions shaded),
softmax bars, one neuron's output over the input plane, and a small layered-network diagram."""
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.palette import BLUE, DIVERGING, GREY, ORANGE
from viz.perceptron import CURRENT, INK, decision_segment

DERIV_COLOUR = "#7f7f7f"
SHADE = "rgba(232, 133, 12, 0.13)"      # the palette's orange, faint: "a small gradient here, but not zero"
SHADE_ZERO = "rgba(232, 133, 12, 0.38)"  # stronger: "no gradient at all here" (f′ exactly 0)


def flat_intervals(z, dfz, tol=0.02):
    """The stretches of the sorted grid ``z`` where |f′(z)| < tol — where the activation is saturated (or,
    for ReLU and step, flat), so that little or no gradient flows back. Returns a list of (start, end)."""
    return intervals(z, np.abs(np.asarray(dfz)) < tol)


def intervals(z, flat):
    """The stretches (start, end) of the sorted grid ``z`` where the boolean array ``flat`` is True."""
    out, start, prev = [], None, None
    for zi, f in zip(z, flat):
        if f and start is None:
            start = zi
        if not f and start is not None:
            out.append((start, prev))
            start = None
        prev = zi
    if start is not None:
        out.append((start, z[-1]))
    return out


def gallery_figure(activations, z, zlim=6.0, tol=0.02, n=401, selected=None, undefined=(), panel_height=300):
    """One small panel per activation: f(z) (solid) and f′(z) (dashed) on [−zlim, zlim], the stretches where
    f′ = 0 shaded strongly (name "zero") and where 0 < |f′| < tol faintly (name "small"), and the current z
    marked with f(z) and f′(z) (f(z) only for the names in ``undefined``, whose f′ is undefined at this z).
    ``activations``: name → engine object; ``panel_height``: pixels per row of panels."""
    names = list(activations)
    cols = 3
    rows = (len(names) + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=names, horizontal_spacing=0.06,
                        vertical_spacing=0.14)
    grid = np.linspace(-zlim, zlim, n)
    shapes = []
    for k, name in enumerate(names):
        act = activations[name]
        r, c = k // cols + 1, k % cols + 1
        f, df = act.fn(grid), act.derivative(grid)
        width = 4 if name == selected else 3
        fig.add_trace(go.Scatter(x=grid, y=f, mode="lines", name="f(z)", line=dict(color=BLUE, width=width),
                                 legendgroup="f", showlegend=k == 0,
                                 hovertemplate="z = %{x:.2f}<br>f(z) = %{y:.3f}<extra></extra>"), r, c)
        fig.add_trace(go.Scatter(x=grid, y=df, mode="lines", name="f′(z)", line=dict(color=DERIV_COLOUR, width=2.5,
                                 dash="dash"), legendgroup="df", showlegend=k == 0,
                                 hovertemplate="z = %{x:.2f}<br>f′(z) = %{y:.3f}<extra></extra>"), r, c)
        zv = np.array([float(z)])
        ys, colours = [float(act.fn(zv)[0]), float(act.derivative(zv)[0])], [BLUE, DERIV_COLOUR]
        if name in undefined:
            ys, colours = ys[:1], colours[:1]
        fig.add_trace(go.Scatter(x=[z] * len(ys), y=ys, mode="markers",
                                 marker=dict(size=11, color=colours, line=dict(color="white", width=1.5)),
                                 name="at z", showlegend=False, hoverinfo="skip"), r, c)
        xref = "x" if k == 0 else f"x{k + 1}"            # shapes written directly: add_vrect is slow
        yref = ("y" if k == 0 else f"y{k + 1}") + " domain"
        for kind, colour, mask in (("zero", SHADE_ZERO, df == 0), ("small", SHADE, (np.abs(df) < tol) & (df != 0))):
            for a, b in intervals(grid, mask):
                shapes.append(dict(type="rect", x0=a, x1=b, y0=0, y1=1, xref=xref, yref=yref, fillcolor=colour,
                                   line_width=0, layer="below", name=kind))
        shapes.append(dict(type="line", x0=float(z), x1=float(z), y0=0, y1=1, xref=xref, yref=yref,
                           line=dict(color=CURRENT, width=2)))
    fig.update_layout(shapes=shapes)
    fig.update_yaxes(range=[-1.6, 2.1], gridcolor=GREY, zerolinecolor="#c0c0c0")
    fig.update_xaxes(range=[-zlim, zlim], gridcolor=GREY, zerolinecolor="#c0c0c0")
    fig.update_layout(height=panel_height * rows + 60, margin=dict(l=10, r=10, t=40, b=10), font=dict(size=15),
                      plot_bgcolor="white", legend=dict(orientation="h", y=1.1, x=0))
    fig.update_annotations(font_size=18)
    return fig


def softmax_figure(z, p):
    """Scores z (bars coloured by sign) next to the probabilities softmax(z) (bars in class colours)."""
    k = np.arange(1, len(z) + 1)
    fig = make_subplots(rows=1, cols=2, subplot_titles=["scores z (logits)", "softmax(z): probabilities"],
                        horizontal_spacing=0.1)
    fig.add_trace(go.Bar(x=k, y=z, marker_color=[BLUE if v > 0 else ORANGE if v < 0 else GREY for v in z],
                         text=[f"{v:.2f}" for v in z], textposition="outside", name="z",
                         hovertemplate="z%{x} = %{y:.3f}<extra></extra>"), 1, 1)
    fig.add_trace(go.Bar(x=k, y=p, marker_color=BLUE,                  # probabilities are positive: blue
                         text=[f"{v:.3f}" for v in p], textposition="outside", name="p",
                         hovertemplate="p%{x} = %{y:.4f}<extra></extra>"), 1, 2)
    span = max(1.0, float(np.abs(z).max())) * 1.3
    fig.update_yaxes(range=[-span, span], row=1, col=1)
    fig.update_yaxes(range=[0, 1.15], row=1, col=2)
    fig.update_xaxes(title="class k", dtick=1)
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10), font=dict(size=16), showlegend=False,
                      plot_bgcolor="white")
    fig.update_yaxes(gridcolor=GREY, zerolinecolor="#9aa0a6")
    fig.update_annotations(font_size=18)
    return fig


def neuron_map_figure(xs, ys, a, vmax, w, b, lims, height=480):
    """The neuron's output a over the input plane as a heatmap, coloured with the lab's diverging palette at
    the fixed range ±vmax (not the map's own min–max), with the line w·x + b = 0 (where z changes sign)."""
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=a, zmin=-vmax, zmax=vmax, colorscale=DIVERGING,
                               colorbar=dict(title="a", thickness=16),
                               hovertemplate="x = (%{x:.2f}, %{y:.2f})<br>a = %{z:.3f}<extra></extra>"))
    seg = decision_segment(w, b, lims)
    if seg is not None:
        fig.add_trace(go.Scatter(x=seg[:, 0], y=seg[:, 1], mode="lines", name="z = 0",
                                 line=dict(color=INK, width=3, dash="dash"), hoverinfo="skip"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=16), showlegend=False,
                      xaxis=dict(range=list(lims), title="x₁", constrain="domain"),
                      yaxis=dict(range=list(lims), title="x₂", scaleanchor="x", scaleratio=1, constrain="domain"))
    return fig


def network_figure(sizes, labels, values=None, height=420):
    """Circles for the units of each layer, joined by every weight; ``labels``: one caption per layer;
    ``values``: optional numbers written on the last layer's units (the network's outputs)."""
    fig = go.Figure()
    L = len(sizes)
    xs = np.linspace(0.1, 0.9, L)
    shown = [min(s, 8) for s in sizes]                 # draw at most 8 units per layer
    pos = [np.linspace(0.85, 0.15, m) if m > 1 else np.array([0.5]) for m in shown]
    ex, ey = [], []
    for l in range(L - 1):
        for y0 in pos[l]:
            for y1 in pos[l + 1]:
                ex += [xs[l], xs[l + 1], None]
                ey += [y0, y1, None]
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line=dict(color="#c8ccd0", width=1.5), hoverinfo="skip"))
    for l in range(L):
        colour = INK if l == 0 else (BLUE if l == L - 1 else "#7f7f7f")
        text = None
        if l == L - 1 and values is not None:
            text = [f"{v:.2f}" for v in values[:shown[l]]]
        fig.add_trace(go.Scatter(x=np.full(shown[l], xs[l]), y=pos[l], mode="markers+text" if text else "markers",
                                 marker=dict(size=34, color="white", line=dict(color=colour, width=3)),
                                 text=text, textposition="middle right", textfont=dict(size=16, color=colour),
                                 hoverinfo="skip"))
        fig.add_annotation(x=xs[l], y=0.02, text=labels[l], showarrow=False, font=dict(size=16, color=colour))
        if sizes[l] > shown[l]:
            fig.add_annotation(x=xs[l], y=0.95, text=f"({sizes[l]} units, 8 drawn)", showarrow=False)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), showlegend=False, plot_bgcolor="white",
                      xaxis=dict(visible=False, range=[0, 1.05]), yaxis=dict(visible=False, range=[-0.02, 1]))
    return fig

"""Figures for the perceptron lesson: the anatomy diagram with live numbers, the input plane with the
decision line, the weight vector and the two regions, the path of the weights, and mistakes per epoch."""
import numpy as np
import plotly.graph_objects as go

from viz.palette import BLUE, CLASS_COLORS, GREY, ORANGE

INK = "#262730"
CURRENT = "#d62728"   # the sample being looked at, and the last update Δw
FONT = dict(size=18)


def _sign_colour(v):
    return BLUE if v > 0 else ORANGE if v < 0 else "#9aa0a6"


def _fmt(v):
    return f"{v:.2f}".replace("-", "−")


def anatomy_figure(x, w, b, z, y_hat):
    """Inputs x1…xn → weights w1…wn (edge colour = sign, width ∝ |w|) → Σ (with the bias b) → step H → ŷ.
    Every number is written on the diagram; ``z`` and ``y_hat`` come from the engine."""
    n = len(x)
    fig = go.Figure()
    ys = np.linspace(0.8, 0.2, n) if n > 1 else np.array([0.5])
    sx, sy = 0.5, 0.5                          # Σ node
    hx, ox = 0.785, 0.94                        # step node, output node
    shapes, notes = [], []
    for i, (xi, wi, yi) in enumerate(zip(x, w, ys), start=1):
        shapes.append(dict(type="line", x0=0.1, y0=yi, x1=sx - 0.05, y1=sy + (yi - sy) * 0.15,
                           line=dict(color=_sign_colour(wi), width=2 + 3 * min(abs(wi), 3))))
        notes.append(dict(x=0.04, y=yi, text=f"x<sub>{i}</sub> = {_fmt(xi)}", showarrow=False, xanchor="center"))
        t = 0.4                                # label the edge 40 % of the way along, just above it
        ex, ey = 0.1 + t * (sx - 0.15), yi + t * (sy + (yi - sy) * 0.15 - yi)
        notes.append(dict(x=ex, y=ey, yshift=16, text=f"w<sub>{i}</sub> = {_fmt(wi)}", showarrow=False,
                          font=dict(size=17, color=_sign_colour(wi)), bgcolor="rgba(255,255,255,0.85)"))
    # bias: a constant input 1 with weight b, from below
    shapes.append(dict(type="line", x0=sx, y0=0.02, x1=sx, y1=sy - 0.09,
                       line=dict(color=_sign_colour(b), width=2 + 3 * min(abs(b), 3))))
    notes.append(dict(x=sx + 0.015, y=0.06, text=f"bias b = {_fmt(b)}", showarrow=False, xanchor="left",
                      font=dict(size=17, color=_sign_colour(b))))
    shapes.append(dict(type="circle", x0=sx - 0.055, y0=sy - 0.09, x1=sx + 0.055, y1=sy + 0.09,
                       line=dict(color=INK, width=2), fillcolor="white"))
    notes.append(dict(x=sx, y=sy, text="<b>Σ</b>", showarrow=False, font=dict(size=28)))
    notes.append(dict(x=sx + 0.065, y=sy + 0.08, text=f"z = {_fmt(z)}", showarrow=False, xanchor="left",
                      font=dict(size=18, color=_sign_colour(z))))
    shapes.append(dict(type="line", x0=sx + 0.055, y0=sy, x1=hx - 0.06, y1=sy, line=dict(color=INK, width=2)))
    # step node: a box with the step's shape drawn inside
    shapes.append(dict(type="rect", x0=hx - 0.06, y0=sy - 0.1, x1=hx + 0.06, y1=sy + 0.1,
                       line=dict(color=INK, width=2), fillcolor="white"))
    shapes.append(dict(type="path", path=f"M {hx - 0.045},{sy - 0.06} L {hx},{sy - 0.06} L {hx},{sy + 0.06} "
                                         f"L {hx + 0.045},{sy + 0.06}", line=dict(color=INK, width=3)))
    notes.append(dict(x=hx, y=sy - 0.15, text="step H(z)", showarrow=False))
    shapes.append(dict(type="line", x0=hx + 0.06, y0=sy, x1=ox - 0.05, y1=sy, line=dict(color=INK, width=2)))
    out_colour = CLASS_COLORS[int(y_hat)]
    shapes.append(dict(type="circle", x0=ox - 0.05, y0=sy - 0.08, x1=ox + 0.05, y1=sy + 0.08,
                       line=dict(color=out_colour, width=3), fillcolor=out_colour))
    notes.append(dict(x=ox, y=sy, text=f"<b>{int(y_hat)}</b>", showarrow=False, font=dict(size=26, color="white")))
    notes.append(dict(x=ox, y=sy - 0.14, text="output ŷ", showarrow=False))
    fig.update_layout(shapes=shapes, annotations=notes, height=330, margin=dict(l=10, r=10, t=10, b=10),
                      xaxis=dict(visible=False, range=[-0.02, 1.0]), yaxis=dict(visible=False, range=[0, 1]),
                      plot_bgcolor="white", font=FONT, showlegend=False)
    return fig


def half_plane(w, b, lims):
    """Corners of the part of the square lims × lims where w·x + b ≥ 0 (possibly empty): the square
    clipped by one straight cut (Sutherland–Hodgman with a single edge)."""
    lo, hi = lims
    square = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]], dtype=float)
    w = np.asarray(w, dtype=float)
    out = []
    for p, q in zip(square, np.roll(square, -1, axis=0)):
        fp, fq = p @ w + b, q @ w + b
        if fp >= 0:
            out.append(p)
        if fp * fq < 0:
            out.append(p + fp / (fp - fq) * (q - p))
    return np.array(out).reshape(-1, 2)


def decision_segment(w, b, lims):
    """The two ends of the line w·x + b = 0 inside the square, or None when it misses it (or w = 0)."""
    w = np.asarray(w, dtype=float)
    if not np.any(w):
        return None
    lo, hi = lims
    pts = []
    if w[1] != 0:
        for x1 in (lo, hi):
            x2 = -(w[0] * x1 + b) / w[1]
            if lo <= x2 <= hi:
                pts.append((x1, x2))
    if w[0] != 0:
        for x2 in (lo, hi):
            x1 = -(w[1] * x2 + b) / w[0]
            if lo <= x1 <= hi:
                pts.append((x1, x2))
    pts = np.unique(np.round(np.array(pts).reshape(-1, 2), 12), axis=0)
    return pts[[0, -1]] if len(pts) >= 2 else None


def _polygon_trace(corners, colour, name):
    closed = np.vstack([corners, corners[:1]])
    return go.Scatter(x=closed[:, 0], y=closed[:, 1], fill="toself", fillcolor=colour, opacity=0.18,
                      line=dict(width=0), mode="lines", name=name, hoverinfo="skip", showlegend=False)


def plane_figure(w, b, lims, X=None, y=None, predicted=None, current=None, old=None, point=None, height=460):
    """The input plane: region ŷ = 1 (blue) and ŷ = 0 (orange), the decision line w·x + b = 0, the weight
    vector w drawn from the line (perpendicular to it, pointing into the ŷ = 1 side), and the data.
    ``predicted`` (the engine's ŷ for each row of X) marks mistakes with a black ✕; ``current`` is the
    index of the sample being looked at (ringed); ``old`` = (w, b) before the last update (dashed line);
    ``point`` = one input x drawn as a star (the anatomy's input)."""
    w = np.asarray(w, dtype=float)
    fig = go.Figure()
    pos, neg = half_plane(w, b, lims), half_plane(-w, -b, lims)
    if len(pos) >= 3:
        fig.add_trace(_polygon_trace(pos, BLUE, "ŷ = 1"))
    if len(neg) >= 3 and np.any(w):
        fig.add_trace(_polygon_trace(neg, ORANGE, "ŷ = 0"))
    annotations = []
    if old is not None:
        seg = decision_segment(old[0], old[1], lims)
        if seg is not None:
            fig.add_trace(go.Scatter(x=seg[:, 0], y=seg[:, 1], mode="lines", name="line before the update",
                                     line=dict(color="#7f7f7f", width=2, dash="dash")))
    seg = decision_segment(w, b, lims)
    if seg is not None:
        fig.add_trace(go.Scatter(x=seg[:, 0], y=seg[:, 1], mode="lines", name="decision line w·x + b = 0",
                                 line=dict(color=INK, width=4)))
        centre = np.full(2, (lims[0] + lims[1]) / 2)
        unit = w / np.linalg.norm(w)
        foot = centre - (centre @ w + b) / (w @ w) * w       # the point of the line nearest the centre
        tip = foot + unit * 0.22 * (lims[1] - lims[0])
        annotations.append(dict(x=tip[0], y=tip[1], ax=foot[0], ay=foot[1], xref="x", yref="y", axref="x",
                                ayref="y", showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=4,
                                arrowcolor=INK, text=""))
        annotations.append(dict(x=tip[0], y=tip[1], text="<b>w</b>", showarrow=False, font=dict(size=20),
                                xshift=14 * unit[0], yshift=14 * unit[1]))
    if X is not None and len(X):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=int)
        for k in (0, 1):
            m = y == k
            fig.add_trace(go.Scatter(
                x=X[m, 0], y=X[m, 1], mode="markers", name=f"class {k}",
                marker=dict(size=17, color=CLASS_COLORS[k], line=dict(color="white", width=2)),
                hovertemplate="x = (%{x:.2f}, %{y:.2f})<br>" + f"y = {k}<extra></extra>"))
        if predicted is not None:
            wrong = np.asarray(predicted) != y
            fig.add_trace(go.Scatter(x=X[wrong, 0], y=X[wrong, 1], mode="markers", name="misclassified",
                                     marker=dict(symbol="x-thin", size=15, line=dict(color=INK, width=3)),
                                     hoverinfo="skip"))
        if current is not None:
            fig.add_trace(go.Scatter(x=[X[current, 0]], y=[X[current, 1]], mode="markers", name="current sample",
                                     marker=dict(symbol="circle-open", size=32, color=CURRENT,
                                                 line=dict(color=CURRENT, width=4)),
                                     hoverinfo="skip"))
    if point is not None:
        fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="input x",
                                 marker=dict(symbol="star", size=22, color=INK, line=dict(color="white", width=1))))
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=10, b=10), annotations=annotations, font=dict(size=16),
        xaxis=dict(range=list(lims), title="x₁", zeroline=True, zerolinecolor="#c0c0c0", constrain="domain"),
        yaxis=dict(range=list(lims), title="x₂", zeroline=True, zerolinecolor="#c0c0c0", scaleanchor="x",
                   scaleratio=1, constrain="domain"),
        plot_bgcolor="white", legend=dict(orientation="h", y=-0.12), showlegend=True)
    return fig


def weight_path_figure(updates, w0, height=360):
    """The weights (w1, w2) after every update, joined in order, with the last update Δw as an arrow
    from the old weights to the new ones. ``updates``: the stepper's records; ``w0``: starting weights."""
    path = np.array([np.asarray(w0, dtype=float)] + [r["w"] for r in updates])
    fig = go.Figure(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name="w after each update",
                               line=dict(color="#9aa0a6", width=2), marker=dict(size=8, color="#9aa0a6"),
                               hovertemplate="w = (%{x:.2f}, %{y:.2f})<extra></extra>"))
    annotations = []
    if updates:
        old, new = updates[-1]["w_before"], updates[-1]["w"]
        annotations.append(dict(x=new[0], y=new[1], ax=old[0], ay=old[1], xref="x", yref="y", axref="x",
                                ayref="y", showarrow=True, arrowhead=3, arrowsize=1.3, arrowwidth=4,
                                arrowcolor=CURRENT, text=""))
        mid = (old + new) / 2
        annotations.append(dict(x=mid[0], y=mid[1], text="Δw", showarrow=False, font=dict(size=18, color=CURRENT),
                                xshift=16, yshift=10))
    span = max(1.0, float(np.abs(path).max()) * 1.15)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), annotations=annotations,
                      xaxis=dict(range=[-span, span], title="w₁", zerolinecolor="#c0c0c0", constrain="domain"),
                      yaxis=dict(range=[-span, span], title="w₂", zerolinecolor="#c0c0c0", scaleanchor="x",
                                 scaleratio=1, constrain="domain"),
                      plot_bgcolor="white", font=dict(size=16), showlegend=False)
    return fig


def mistakes_figure(mistakes, height=300):
    """Mistakes (updates) in each finished epoch: a bar per epoch."""
    epochs = np.arange(1, len(mistakes) + 1)
    fig = go.Figure(go.Bar(x=epochs, y=mistakes, marker_color=[BLUE if m == 0 else ORANGE for m in mistakes],
                           hovertemplate="epoch %{x}: %{y} mistakes<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=16),
                      xaxis=dict(title="epoch", dtick=max(1, len(mistakes) // 10)),
                      yaxis=dict(title="mistakes", rangemode="tozero", dtick=1 if max(mistakes, default=0) < 10 else None),
                      plot_bgcolor="white", bargap=0.2)
    fig.update_yaxes(gridcolor=GREY)
    return fig

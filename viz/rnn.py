"""Figures for the recurrent-network lesson: the unrolled network, loss and gradient curves, the hidden
state over time, forecasts, echo accuracies and next-character probabilities (pure Plotly builders)."""
import numpy as np
import plotly.graph_objects as go

from viz.palette import BLUE, CLASS_COLORS, DIVERGING, GREY, ORANGE, diverging_rgb

FONT = {"size": 16}
WEIGHT_COLORS = {"W_x": "#2ca02c", "W_h": "#9467bd", "W_y": "#d62728"}


def _layout(fig, title, height=340, **kw):
    fig.update_layout(title={"text": title, "font": {"size": 18}}, height=height, font=FONT,
                      margin={"l": 60, "r": 20, "t": 50, "b": 50}, plot_bgcolor="white",
                      legend={"orientation": "h", "y": -0.25}, **kw)
    fig.update_xaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    return fig


def unrolled_figure(n_steps, selected=None, inputs=None):
    """The RNN unrolled over ``n_steps`` time steps: x_t → h_t → y_t, h_{t−1} → h_t, with the same three
    weight matrices (one colour each) at every step. ``selected`` (1-based) is highlighted; ``inputs``
    optional short labels of the inputs shown under x_t."""
    fig = go.Figure()
    w, hgt = 0.5, 0.36
    rows = {"x": 0.0, "h": 1.3, "y": 2.6}

    def box(cx, cy, text, colour):
        fig.add_shape(type="rect", x0=cx - w / 2, x1=cx + w / 2, y0=cy - hgt / 2, y1=cy + hgt / 2,
                      line={"color": colour, "width": 2}, fillcolor="white", layer="above")
        fig.add_annotation(x=cx, y=cy, text=text, showarrow=False, font={"size": 17})

    def arrow(x0, y0, x1, y1, label, lx, ly):
        colour = WEIGHT_COLORS[label]
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=2, arrowcolor=colour)
        sub = label[2]
        fig.add_annotation(x=lx, y=ly, text=f"W<sub>{sub}</sub>", showarrow=False,
                           font={"size": 14, "color": colour})

    if selected is not None:
        fig.add_shape(type="rect", x0=selected - 0.45, x1=selected + 0.45, y0=-0.55, y1=3.0,
                      fillcolor="#fff4e0", line={"width": 0}, layer="below")
    box(0, rows["h"], "h<sub>0</sub>=0", GREY)
    for t in range(1, n_steps + 1):
        box(t, rows["x"], f"x<sub>{t}</sub>", ORANGE)
        box(t, rows["h"], f"h<sub>{t}</sub>", BLUE)
        box(t, rows["y"], f"y<sub>{t}</sub>", "#555")
        arrow(t, rows["x"] + hgt / 2, t, rows["h"] - hgt / 2, "W_x", t + 0.17, 0.65)
        arrow(t, rows["h"] + hgt / 2, t, rows["y"] - hgt / 2, "W_y", t + 0.17, 1.95)
        arrow(t - 1 + w / 2, rows["h"], t - w / 2, rows["h"], "W_h", t - 0.5, rows["h"] + 0.22)
        if inputs is not None and t <= len(inputs):
            fig.add_annotation(x=t, y=-0.42, text=str(inputs[t - 1]), showarrow=False,
                               font={"size": 13, "color": "#444"})
    fig.update_xaxes(visible=False, range=[-0.5, n_steps + 0.5])
    fig.update_yaxes(visible=False, range=[-0.6, 3.0])
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor="white",
                      showlegend=False)
    return fig


def loss_figure(history, reference=None, reference_label="", log=True):
    """Training loss per update and validation loss at the evaluation steps; an optional horizontal
    reference line (e.g. the loss of a uniform guess)."""
    fig = go.Figure()
    fig.add_scatter(x=history["step"], y=history["loss"], mode="lines", name="training loss (per update)",
                    line={"color": BLUE, "width": 1.5})
    fig.add_scatter(x=history["eval_step"], y=history["val_loss"], mode="lines+markers",
                    name="validation loss", line={"color": ORANGE, "width": 2.5}, marker={"size": 5})
    if reference is not None:
        fig.add_hline(y=reference, line={"dash": "dash", "color": "#777"}, annotation_text=reference_label,
                      annotation_position="top right")
    _layout(fig, "Loss", xaxis_title="update", yaxis_title="loss")
    if log:
        fig.update_yaxes(type="log")
    return fig


def grad_norm_figure(train_norms, last_norms=None, mark=None):
    """‖∂L/∂h_t‖ against t (log scale): ``train_norms`` (T,) from the latest training update (the loss of
    every step); ``last_norms`` (T,) the same when only the last step's loss counts; ``mark`` an optional
    step to point at (e.g. the one an echo's answer comes from)."""
    fig = go.Figure()
    t = np.arange(1, len(train_norms) + 1)
    fig.add_scatter(x=t, y=np.asarray(train_norms), mode="lines+markers", name="loss of every step",
                    line={"color": BLUE, "width": 3}, hovertemplate="t = %{x}<br>‖∂L/∂h_t‖ = %{y:.3g}<extra></extra>")
    if last_norms is not None:
        t2 = np.arange(1, len(last_norms) + 1)
        fig.add_scatter(x=t2, y=np.asarray(last_norms), mode="lines+markers", name="loss of the last step only",
                        line={"color": ORANGE, "width": 3, "dash": "dot"},
                        hovertemplate="t = %{x}<br>‖∂L_T/∂h_t‖ = %{y:.3g}<extra></extra>")
    if mark is not None and mark >= 1:
        fig.add_vline(x=mark, line={"dash": "dash", "color": "#777"}, annotation_text=f"t = {mark}",
                      annotation_position="top")
    _layout(fig, "Gradient through time: ‖∂L/∂h<sub>t</sub>‖", xaxis_title="time step t",
            yaxis_title="‖∂L/∂h_t‖ (log scale)")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


def clip_figure(norms, clip=None):
    """The global gradient norm ‖g‖ of every update (log scale), and, with clipping at c, the norm
    actually used, min(‖g‖, c)."""
    norms = np.asarray(norms, dtype=float)
    steps = np.arange(1, len(norms) + 1)
    fig = go.Figure()
    fig.add_scatter(x=steps, y=norms, mode="lines", name="‖g‖ computed", line={"color": ORANGE, "width": 1.5})
    if clip:
        fig.add_scatter(x=steps, y=np.minimum(norms, clip), mode="lines", name=f"‖g‖ used (clipped at {clip:g})",
                        line={"color": BLUE, "width": 2})
        fig.add_hline(y=clip, line={"dash": "dash", "color": "#777"})
    _layout(fig, "Size of each update's gradient", height=300, xaxis_title="update", yaxis_title="‖g‖")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


def hidden_heatmap(hs, step_labels=None):
    """The hidden state over time: hs (T, H) in [−1, 1] drawn as an image, time down, hidden units across,
    on the diverging palette at the fixed range ±1 (orange −1, grey 0, blue +1). Hover shows the value."""
    hs = np.asarray(hs, dtype=float)
    T, H = hs.shape
    labels = step_labels if step_labels is not None else [""] * T
    text = [[f"t = {t + 1} {labels[t]}<br>unit {j + 1}<br>h = {hs[t, j]:+.3f}" for j in range(H)] for t in range(T)]
    fig = go.Figure(go.Image(z=diverging_rgb(hs, 1.0), x0=1, y0=1, dx=1, dy=1, text=text,
                             hovertemplate="%{text}<extra></extra>"))
    # A colour bar for the fixed range, drawn by an invisible heatmap.
    fig.add_heatmap(z=[[0]], x=[0], y=[0], zmin=-1, zmax=1, colorscale=DIVERGING, opacity=0, hoverinfo="skip",
                    colorbar={"title": "h", "tickvals": [-1, 0, 1], "len": 0.8})
    _layout(fig, "Hidden state h<sub>t</sub> over time", height=max(300, min(700, 60 + 14 * T)),
            xaxis_title="hidden unit", yaxis_title="time step t")
    fig.update_xaxes(range=[0.5, H + 0.5], showgrid=False)
    fig.update_yaxes(range=[T + 0.5, 0.5], showgrid=False)
    return fig


def forecast_figure(truth, teacher, free, warm):
    """Next-value predictions against the truth: ``truth`` (T,) the values to predict; ``teacher`` fed the
    true values every step; ``free`` fed its own predictions after the first ``warm`` steps."""
    t = np.arange(1, len(truth) + 1)
    fig = go.Figure()
    fig.add_scatter(x=t, y=truth, mode="lines", name="truth", line={"color": "#444", "width": 4})
    fig.add_scatter(x=t, y=teacher, mode="lines", name="prediction, fed the truth", line={"color": BLUE, "width": 2.5})
    fig.add_scatter(x=t, y=free, mode="lines", name="prediction, fed its own predictions",
                    line={"color": ORANGE, "width": 2.5, "dash": "dash"})
    fig.add_vrect(x0=0.5, x1=warm + 0.5, fillcolor="#eee", line_width=0, layer="below",
                  annotation_text="warm-up on the truth", annotation_position="top left")
    _layout(fig, "Forecast: the next value of the wave", height=360, xaxis_title="time step t", yaxis_title="value")
    fig.update_yaxes(range=[-1.6, 1.6])
    return fig


def echo_accuracy_figure(results, chance, current=None):
    """Validation accuracy against the delay k: ``results`` {k: accuracy} from the runs so far;
    ``current`` an optional (k, accuracy) of the run in progress; a line at chance level."""
    ks = sorted(results)
    fig = go.Figure()
    fig.add_bar(x=ks, y=[results[k] for k in ks], name="finished runs", marker_color=BLUE,
                hovertemplate="k = %{x}<br>accuracy %{y:.1%}<extra></extra>")
    if current is not None:
        fig.add_bar(x=[current[0]], y=[current[1]], name="this run (training)", marker_color=ORANGE,
                    hovertemplate="k = %{x}<br>accuracy %{y:.1%}<extra></extra>")
    fig.add_hline(y=chance, line={"dash": "dash", "color": "#777"}, annotation_text="chance (guessing)",
                  annotation_position="top right")
    _layout(fig, "How far back can it remember?", height=320, xaxis_title="delay k",
            yaxis_title="accuracy", barmode="overlay")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_xaxes(dtick=1)
    return fig


def echo_sequence_figure(inputs, targets, predicted, k):
    """One echo sequence: the input symbols, the symbols to output (k steps later) and the network's answers,
    as coloured rows (class colours); a wrong answer is marked with ×."""
    T = len(inputs)
    rows = [("input x_t", inputs), (f"target (x_(t−{k}))", targets), ("network's answer", predicted)]
    fig = go.Figure()
    for r, (name, values) in enumerate(rows):
        colours = [CLASS_COLORS[int(v) % len(CLASS_COLORS)] for v in values]
        if r == 1:
            colours = [c if t >= k else "#ddd" for t, c in enumerate(colours)]
        fig.add_scatter(x=np.arange(1, T + 1), y=[r] * T, mode="markers+text", text=[str(int(v)) for v in values],
                        marker={"symbol": "square", "size": 22, "color": colours}, textfont={"color": "white"},
                        name=name, hoverinfo="skip", showlegend=False)
    wrong = [t + 1 for t in range(k, T) if predicted[t] != targets[t]]
    if wrong:
        fig.add_scatter(x=wrong, y=[2.45] * len(wrong), mode="text", text=["×"] * len(wrong),
                        textfont={"size": 18, "color": "#d62728"}, showlegend=False, hoverinfo="skip")
    _layout(fig, "One sequence: symbols in, echoes out", height=230, xaxis_title="time step t")
    fig.update_yaxes(tickvals=[0, 1, 2], ticktext=[r[0] for r in rows], range=[2.7, -0.6], showgrid=False)
    fig.update_xaxes(showgrid=False)
    return fig


def _show(c):
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(c, c)


def char_probs_figure(prime, text, probs, chars, top=12):
    """Next-character probabilities for a generated sample: column i is the distribution the i-th
    character of ``text`` was drawn from (probs (n, V), after ``prime``); rows are the ``top`` characters
    most probable somewhere. Colour: probability 0 (grey) … 1 (blue), fixed range."""
    probs = np.asarray(probs, dtype=float)
    keep = np.argsort(-probs.max(axis=0), kind="stable")[:top]
    keep = keep[np.argsort(keep)]
    z = probs[:, keep].T                                                   # (top, n)
    ylab = [repr(chars[i])[1:-1] if chars[i] not in "\n " else _show(chars[i]) for i in keep]
    xlab = [f"{i + 1}:{_show(c)}" for i, c in enumerate(text)]
    context = [(prime + text[:i])[-12:].replace("\n", "↵") for i in range(len(text))]
    hover = [[f"after “…{context[i]}”<br>P({ylab[r]}) = {z[r, i]:.3f}" for i in range(len(text))] for r in range(len(keep))]
    fig = go.Figure(go.Heatmap(z=z, x=xlab, y=ylab, zmin=0, zmax=1, colorscale=[[0, GREY], [1, BLUE]],
                               text=hover, hovertemplate="%{text}<extra></extra>", colorbar={"title": "P"}))
    sampled = [chars.index(c) if c in chars else -1 for c in text]
    rows = {int(k): r for r, k in enumerate(keep)}
    xs = [xlab[i] for i, s in enumerate(sampled) if s in rows]
    ys = [ylab[rows[s]] for s in sampled if s in rows]
    fig.add_scatter(x=xs, y=ys, mode="markers", marker={"symbol": "circle-open", "size": 14, "color": ORANGE,
                                                       "line": {"width": 2}},
                    name="the character drawn", hoverinfo="skip")
    _layout(fig, "Probability of each next character, step by step", height=420,
            xaxis_title="generated character", yaxis_title="candidate")
    fig.update_xaxes(tickangle=0, showgrid=False, type="category")
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category")
    return fig

"""Pictures for the convolution lesson.

Grids of numbers (input, kernel, products, output, pooling) are coloured with NumPy in the lab's one
diverging palette and drawn with Pillow into RGB arrays (fast enough to redraw on every frame of a
played slide); ``png`` turns one into bytes for ``st.image``. Training curves, class probabilities
and the confusion matrix are Plotly figures, where hover matters.
"""
import functools

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from PIL import Image, ImageDraw, ImageFont

from . import raster
from .palette import BLUE, DIVERGING, FONT_FILE, GREY, ORANGE, diverging_rgb, png_bytes

INK = (34, 34, 34)
PAD_FILL = (250, 250, 250)
BLANK = (255, 255, 255)
LINE = (200, 203, 206)


def symmetric_range(*arrays, floor=1e-9):
    """One fixed symmetric range ±vmax for a figure: the largest |value| over all its arrays."""
    vals = [np.abs(np.asarray(a, dtype=float)) for a in arrays if np.size(a)]
    m = max((float(np.nanmax(v)) for v in vals if np.isfinite(v).any()), default=0.0)
    return max(m, floor)


def fmt(v, decimals=2):
    s = f"{v:.{decimals}f}"
    if s.startswith("-"):
        s = s[1:] if float(s) == 0 else "−" + s[1:]        # no "−0.00"; a typographic minus sign
    return s


@functools.lru_cache(maxsize=64)
def _font(size):
    """DejaVu Sans from matplotlib's own files (it has ×, −, ⊙), else Pillow's default font."""
    try:
        return ImageFont.truetype(FONT_FILE, max(8, int(size)))
    except OSError:
        return ImageFont.load_default(size=max(8, int(size)))


def grid_rgb(values, vmax, cell=48, numbers=True, decimals=2, highlight=None, marks=(), padding=0,
             hatch=None, block=None, labels=None):
    """A (H, W) array as coloured cells, uint8 (H·cell+1, W·cell+1, 3).

    values: NaN cells are left white (not computed yet). vmax: the fixed symmetric colour range.
    numbers: True, False or a (H, W) bool mask of cells to write the value in (or ``labels``, an
    (H, W) array of strings, overrides the value text). highlight: list of (row, col, height, width)
    boxes drawn with a thick border. marks: (row, col) cells to ring (the max of a pooling window).
    padding: that many border rows/columns are zero padding (drawn paler). hatch: (H, W) bool mask of
    cells struck through with diagonal lines (never visited). block: draw a thicker line every
    ``block`` cells (pooling windows)."""
    v = np.asarray(values, dtype=float)
    H, W = v.shape
    rgb = diverging_rgb(np.nan_to_num(v), vmax).repeat(cell, 0).repeat(cell, 1)
    img = Image.new("RGB", (W * cell + 1, H * cell + 1), BLANK)
    img.paste(Image.fromarray(rgb), (0, 0))
    d = ImageDraw.Draw(img)
    is_pad = np.zeros((H, W), bool)
    if padding:
        is_pad[:padding], is_pad[-padding:], is_pad[:, :padding], is_pad[:, -padding:] = True, True, True, True
    for r, c in zip(*np.nonzero(np.isnan(v) | is_pad)):
        d.rectangle([c * cell, r * cell, (c + 1) * cell, (r + 1) * cell], fill=PAD_FILL if is_pad[r, c] else BLANK)
    for i in range(H + 1):
        w = 3 if block and i % block == 0 and 0 < i < H else 1
        d.line([(0, i * cell), (W * cell, i * cell)], fill=LINE if w == 1 else INK, width=w)
    for j in range(W + 1):
        w = 3 if block and j % block == 0 and 0 < j < W else 1
        d.line([(j * cell, 0), (j * cell, H * cell)], fill=LINE if w == 1 else INK, width=w)
    if hatch is not None:
        for r, c in zip(*np.nonzero(hatch)):
            x0, y0 = c * cell, r * cell
            for t in range(0, 2 * cell, max(6, cell // 4)):
                d.line([(x0 + max(0, t - cell), y0 + min(t, cell)), (x0 + min(t, cell), y0 + max(0, t - cell))],
                       fill=(150, 150, 150), width=1)
    mask = np.ones((H, W), bool) if numbers is True else (np.zeros((H, W), bool) if numbers is False
                                                          else np.asarray(numbers, bool))
    t = np.clip(np.nan_to_num(v) / vmax, -1, 1)
    cells = list(zip(*np.nonzero(mask & ~np.isnan(v))))
    texts = [labels[r][c] if labels is not None else fmt(v[r, c], decimals) for r, c in cells]
    size = cell * 0.36                                  # one size for the whole grid, the widest text fits
    room = cell - (14 if len(marks) else 5)             # (inside a mark's ring)
    while texts and size > 8 and max(d.textlength(t_, font=_font(size)) for t_ in texts) > room:
        size -= 1
    font = _font(size)
    for (r, c), text in zip(cells, texts):
        colour = (150, 150, 150) if is_pad[r, c] else ((255, 255, 255) if abs(t[r, c]) > 0.55 else INK)
        d.text((c * cell + cell / 2, r * cell + cell / 2), text, fill=colour, font=font, anchor="mm")
    for r, c in marks:                                  # a ring along the cell's edge, clear of its number
        d.rounded_rectangle([c * cell + 2, r * cell + 2, (c + 1) * cell - 2, (r + 1) * cell - 2],
                            radius=cell // 4, outline=INK, width=3)
    for r0, c0, h, w in highlight or ():
        d.rectangle([c0 * cell, r0 * cell, (c0 + w) * cell, (r0 + h) * cell], outline=INK, width=max(3, cell // 10))
    return np.asarray(img)


def symbol_rgb(text, height, width=None, size=None):
    """A white tile with one symbol (×, =, →) centred, to join grids into an equation."""
    width = width or max(40, height // 3)
    img = Image.new("RGB", (width, height), BLANK)
    ImageDraw.Draw(img).text((width / 2, height / 2), text, fill=INK, font=_font(size or 36), anchor="mm")
    return np.asarray(img)


def hstack(parts, gap=10):
    """Place RGB tiles left to right, vertically centred, on white."""
    H = max(p.shape[0] for p in parts)
    W = sum(p.shape[1] for p in parts) + gap * (len(parts) - 1)
    out = np.full((H, W, 3), 255, np.uint8)
    x = 0
    for p in parts:
        y = (H - p.shape[0]) // 2
        out[y:y + p.shape[0], x:x + p.shape[1]] = p
        x += p.shape[1] + gap
    return out


def window_equation_rgb(window, K, products, vmax_x, vmax_k, cell=56, decimals=2):
    """window ⊙ kernel = products, three k×k grids in one picture (products share the kernel's range:
    every input lies in [0, 1])."""
    k_dec = 0 if np.allclose(K, np.round(K)) else decimals        # whole-number kernels read better as such
    parts = [grid_rgb(window, vmax_x, cell, decimals=decimals), None,
             grid_rgb(K, vmax_k, cell, decimals=k_dec), None,
             grid_rgb(products, vmax_k, cell, decimals=decimals)]
    h = parts[0].shape[0]
    parts[1], parts[3] = symbol_rgb("×", h, max(32, h // 4)), symbol_rgb("=", h, max(32, h // 4))
    return hstack(parts)


def montage_rgb(maps, vmax, cell=16, ncols=None, gap=6):
    """Several small maps (M, H, W) side by side in rows of ``ncols``, one shared colour range; no numbers."""
    maps = np.asarray(maps, dtype=float)
    M, H, W = maps.shape
    ncols = ncols or M
    nrows = -(-M // ncols)
    tiles = [grid_rgb(m, vmax, cell, numbers=False) for m in maps]
    th, tw = tiles[0].shape[:2]
    out = np.full((nrows * th + gap * (nrows - 1), ncols * tw + gap * (ncols - 1), 3), 255, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, ncols)
        out[r * (th + gap):r * (th + gap) + th, c * (tw + gap):c * (tw + gap) + tw] = t
    return out


def png(rgb):
    return png_bytes(rgb)


def grey_png(img, cell=16):
    """A [0, 1] picture (1 = ink) in the same palette as the inputs (ink blue on light grey)."""
    return png_bytes(diverging_rgb(np.asarray(img, dtype=float), 1.0), scale=cell)


# --- Plotly figures -------------------------------------------------------------------------------
def history_figure(history, epochs_target=None):
    """Loss (left) and accuracy (right) per epoch, training solid, test dashed."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "accuracy"), horizontal_spacing=0.1)
    ep = history["epoch"]
    for key, name, dash in (("train", "training", None), ("test", "test", "dash")):
        fig.add_trace(go.Scatter(x=ep, y=history[f"{key}_loss"], name=f"{name} loss", mode="lines+markers",
                                 line=dict(color=ORANGE, dash=dash)), 1, 1)
        fig.add_trace(go.Scatter(x=ep, y=history[f"{key}_acc"], name=f"{name} accuracy", mode="lines+markers",
                                 line=dict(color=BLUE, dash=dash)), 1, 2)
    fig.update_xaxes(title_text="epoch", range=[0, max(epochs_target or 1, len(ep)) + 0.5])
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)          # from 0, as the live image draws it
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), font=dict(size=15),
                      legend=dict(orientation="h", y=-0.3))
    return fig


def history_image(history, epochs_target=None, width=900, height=290):
    """``history_figure`` as an image for live frames: loss (left) and accuracy (right) per epoch, training
    solid, test dashed, each epoch a dot."""
    img, draw = raster.canvas(width, height)
    ep = np.asarray(history["epoch"], dtype=float)
    last = max(epochs_target or 1, len(ep)) + 0.5
    losses = np.asarray(history["train_loss"] + history["test_loss"], dtype=float)
    top = float(np.nanmax(losses)) * 1.1 if np.isfinite(losses).any() else 1.0
    half = width // 2
    panels = (("loss", "loss", (0, top), ORANGE, raster.short), ("accuracy", "acc", (0, 1.02), BLUE, "{:.0%}".format))
    for k, (title, name, ylim, colour, fmt_) in enumerate(panels):
        p = raster.Panel(draw, (k * half + 56, 30, (k + 1) * half - 16, height - 70), (0, last), ylim)
        p.axes(title=title, xlabel="epoch", xticks=raster.nice_ticks(0, last - 0.5, 5),
               yticks=raster.nice_ticks(0, ylim[1], 4), yfmt=fmt_, size=14)
        for part, dashed in (("train", False), ("test", True)):
            y = np.asarray(history[f"{part}_{name}"], dtype=float)
            p.line(ep, y, colour, width=2, dashed=dashed)
            p.points(ep, y, colour, r=3)
    raster.legend(draw, [("training loss", ORANGE, "line"), ("test loss", ORANGE, "dashed"),
                         ("training accuracy", BLUE, "line"), ("test accuracy", BLUE, "dashed")], 40, height - 14, size=14)
    return raster.array(img)


def history_words(history, epochs_target):
    """The alt text of the live history image: the newest epoch's numbers."""
    n = len(history["epoch"])
    return f"Loss and accuracy per epoch, {n} of {epochs_target} epochs" + (
        f": training loss {history['train_loss'][-1]:.3f}, test loss {history['test_loss'][-1]:.3f}, "
        f"test accuracy {history['test_acc'][-1]:.1%}" if n else "")


def probability_figure(probs, classes, true=None):
    """Class probabilities as bars, the predicted class in blue, the others grey; the true class named."""
    probs = np.asarray(probs, dtype=float)
    best = int(probs.argmax())
    colours = [BLUE if i == best else "#b0b4b8" for i in range(len(probs))]
    names = [f"{c} ✓" if true is not None and i == true else str(c) for i, c in enumerate(classes)]
    fig = go.Figure(go.Bar(x=names, y=probs, marker_color=colours, text=[f"{p:.0%}" for p in probs],
                           textposition="outside", hovertemplate="%{x}: %{y:.3f}<extra></extra>"))
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=10, b=10), yaxis=dict(range=[0, 1.15], title="probability"),
                      font=dict(size=15), xaxis=dict(type="category"))
    return fig


def confusion_figure(cm, classes):
    """Counts, true class down, predicted class across: right answers blue (diagonal), mistakes orange,
    on one symmetric range ±(largest count); empty cells show no number, so mistakes stand out."""
    cm = np.asarray(cm)
    signed = np.where(np.eye(len(cm), dtype=bool), cm, -cm).astype(float)
    vmax = max(1, int(cm.max()))
    names = [str(c) for c in classes]
    hover = [[f"true {names[i]}, answered {names[j]}: {cm[i, j]} image(s)" for j in range(len(cm))]
             for i in range(len(cm))]
    fig = go.Figure(go.Heatmap(z=signed, x=names, y=names, zmin=-vmax, zmax=vmax, colorscale=DIVERGING,
                               showscale=False, text=np.where(cm > 0, cm.astype(str), ""), texttemplate="%{text}",
                               hovertext=hover,
                               hovertemplate="%{hovertext}<extra></extra>", xgap=1, ygap=1))
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=15),
                      xaxis=dict(title="network's answer", type="category", side="top"),
                      yaxis=dict(title="true class", type="category", autorange="reversed"),
                      plot_bgcolor=GREY)
    return fig


"""Live pictures: charts drawn with Pillow into uint8 (H, W, 3) arrays and sent as JPEG ``data:`` URIs.

A browser swaps an image far faster than it redraws a Plotly chart, and the server encodes one in a few
milliseconds instead of writing a figure's JSON: the live views draw these while playing and their Plotly
figures (hover, exact values) when paused. ``Panel`` maps data to pixels inside a box of an image and draws
lines, points, bars and axes there; ``legend`` writes a row of keys; ``jpeg_uri`` encodes the image.
"""
import base64
import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from viz.palette import FONT_FILE

INK, MUTED, GRID, AXIS = (40, 40, 40), (100, 100, 100), (232, 232, 232), (150, 150, 150)
# The smallest type a live image draws, px: shown at its own size in presenter mode (zoomed 1.35, ui.layout
# .picture_width), such a label reads 16 px from the back of a classroom
SMALLEST = 12


def font(size):
    """DejaVu Sans (it has ×, −, ⊙) at ``size`` px, else Pillow's default font. Loaded per call (0.03 ms by
    its full path), so no font object is shared between learners' threads."""
    try:
        return ImageFont.truetype(FONT_FILE, max(8, int(size)))
    except OSError:
        return ImageFont.load_default(size=max(8, int(size)))


def jpeg_uri(rgb, quality=80):
    """A ``data:`` URI of a uint8 (H, W, 3) image as JPEG: about ten times faster to encode than PNG for
    these pictures, which matters for images redrawn every frame."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(rgb, dtype=np.uint8)).save(buf, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def rgb(colour):
    """'#rrggbb' or an (r, g, b) tuple → an (r, g, b) tuple of ints."""
    if isinstance(colour, str):
        h = colour.lstrip("#")
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
    return tuple(int(c) for c in colour)


def canvas(width, height):
    """A white image and its ``ImageDraw``."""
    img = Image.new("RGB", (int(width), int(height)), (255, 255, 255))
    return img, ImageDraw.Draw(img)


def on_frame(frame, width, height):
    """A copy of a cached frame (the RGB bytes of a ``width`` × ``height`` image drawn once: its titles, labels and
    keys) to draw a live frame's data on, and its ``ImageDraw``."""
    img = Image.frombytes("RGB", (int(width), int(height)), frame)
    return img, ImageDraw.Draw(img)


def polyline(draw, px, py, colour, width=2, dashed=False):
    """A line through the pixel points (px, py) (non-finite points dropped). Dashed: dashes of 6 px every
    10 px along x, whatever the number of points — resampled every 2 px, each dash one short polyline (a
    few dozen draw calls instead of one per segment); x must then increase."""
    px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
    ok = np.isfinite(px) & np.isfinite(py)
    px, py, colour = px[ok], py[ok], rgb(colour)
    if len(px) == 0:
        return
    if dashed and len(px) > 1:
        xs_px = np.arange(px[0], px[-1] + 1e-9, 2.0)
        ys_px = np.interp(xs_px, px, py)
        on = ((xs_px - px[0]) % 10.0) < 6.0
        starts = np.flatnonzero(on & ~np.concatenate([[False], on[:-1]]))
        ends = np.flatnonzero(on & ~np.concatenate([on[1:], [False]]))
        for a, b in zip(starts, ends):
            seg = list(zip(xs_px[a:b + 1].tolist(), ys_px[a:b + 1].tolist()))
            draw.line(seg * 2 if len(seg) == 1 else seg, fill=colour, width=width)
        return
    pts = list(zip(px.tolist(), py.tolist()))
    draw.line(pts * 2 if len(pts) == 1 else pts, fill=colour, width=width, joint="curve" if width > 2 else None)


def nice_ticks(lo, hi, n=4):
    """About ``n`` round tick values (1, 2 or 5 × 10ᵏ apart) inside [lo, hi]."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n, 1)
    mag = 10.0 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = np.ceil(lo / step - 1e-9) * step
    return [float(round(v / step) * step) + 0.0 for v in np.arange(first, hi + step * 1e-6, step)]


def log_ticks(lo, hi, every=1):
    """Ticks for a log axis over [lo, hi]: every ``every``-th power of ten, or 1, 2, 5 × 10ᵏ when fewer than
    two powers of ten fall inside."""
    ks = range(int(np.ceil(np.log10(lo) - 1e-9)), int(np.floor(np.log10(hi) + 1e-9)) + 1)
    if len(ks) >= 2:
        return [10.0 ** k for k in ks][::every]
    return [m * 10.0 ** k for k in range(ks.start - 1, ks.stop + 1) for m in (1, 2, 5) if lo <= m * 10.0 ** k <= hi]


def short(v):
    """A tick label: 3 significant digits, a typographic minus."""
    if v == 0:
        return "0"
    return (f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}").replace("-", "−")


def power(v):
    """A log-axis tick label: 10ᵏ written with superscripts (other values as ``short``)."""
    k = int(round(np.log10(v)))
    if -2 <= k <= 2 or not np.isclose(v, 10.0 ** k):
        return short(10.0 ** k if np.isclose(v, 10.0 ** k) else v)
    return "10" + str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


class Panel:
    """One plot inside ``box`` = (left, top, right, bottom) pixels of an image: data (x, y) in ``xlim`` ×
    ``ylim`` (log10 scale on an axis with ``log_x``/``log_y``) → pixels, +y up. Values outside the limits are
    clipped to the box's edge."""

    def __init__(self, draw, box, xlim, ylim, log_x=False, log_y=False):
        self.draw, self.box, self.log_x, self.log_y = draw, tuple(float(b) for b in box), log_x, log_y
        self.xlim = tuple(np.log10(xlim)) if log_x else tuple(map(float, xlim))
        self.ylim = tuple(np.log10(ylim)) if log_y else tuple(map(float, ylim))

    def _scale(self, v, log, lim, a, b):
        v = np.asarray(v, dtype=float)
        if log:
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.where(v > 0, np.log10(np.where(v > 0, v, 1.0)), lim[0])
        span = (lim[1] - lim[0]) or 1.0
        return a + (np.clip(v, lim[0], lim[1]) - lim[0]) / span * (b - a)

    def x(self, v):
        return self._scale(v, self.log_x, self.xlim, self.box[0], self.box[2])

    def y(self, v):
        return self._scale(v, self.log_y, self.ylim, self.box[3], self.box[1])

    def line(self, xs, ys, colour, width=2, dashed=False):
        polyline(self.draw, self.x(xs), self.y(ys), colour, width, dashed)

    def points(self, xs, ys, colour, r=4, outline=None, shape="o"):
        for px, py in zip(self.x(xs).tolist(), self.y(ys).tolist()):
            if shape == "x":
                self.draw.line((px - r, py - r, px + r, py + r), fill=rgb(colour), width=3)
                self.draw.line((px - r, py + r, px + r, py - r), fill=rgb(colour), width=3)
            else:
                self.draw.ellipse((px - r, py - r, px + r, py + r), fill=rgb(colour),
                                  outline=None if outline is None else rgb(outline), width=2)

    def bars(self, xs, ys, colour, half=0.35):
        for x, y in zip(np.asarray(xs, dtype=float).tolist(), np.asarray(ys, dtype=float).tolist()):
            if np.isfinite(y):
                x0, x1 = self.x(x - half), self.x(x + half)
                self.draw.rectangle((float(x0), float(self.y(y)), float(x1), float(self.y(self.base()))),
                                    fill=rgb(colour))

    def base(self):
        return 10.0 ** self.ylim[0] if self.log_y else self.ylim[0]

    def hline(self, y, colour=AXIS, dashed=True, width=2):
        py = float(self.y(y))
        polyline(self.draw, [self.box[0], self.box[2]], [py, py], colour, width, dashed)

    def vline(self, x, colour=AXIS, width=1):
        px = float(self.x(x))
        self.draw.line((px, self.box[1], px, self.box[3]), fill=rgb(colour), width=width)

    def span(self, x0, x1, colour=(238, 238, 238)):
        self.draw.rectangle((float(self.x(x0)), self.box[1], float(self.x(x1)), self.box[3]), fill=rgb(colour))

    def axes(self, title=None, xlabel=None, ylabel=None, xticks=(), yticks=(), size=13, xfmt=short, yfmt=short,
             grid=True):
        """Labels at the ticks (values in data units) with grid lines across (``grid``), the axis lines, a
        title above the box's left corner, the x label under the middle and the y label above the ticks."""
        d, (l, t, r, b), f = self.draw, self.box, font(size)
        for v in yticks:
            py = float(self.y(v))
            if grid:
                d.line((l, py, r, py), fill=GRID)
            d.text((l - 5, py), (power if self.log_y else yfmt)(v), fill=MUTED, font=f, anchor="rm")
        for v in xticks:
            d.text((float(self.x(v)), b + 4), (power if self.log_x else xfmt)(v), fill=MUTED, font=f, anchor="ma")
        d.line((l, b, r, b), fill=AXIS)
        d.line((l, t, l, b), fill=AXIS)
        if title:           # a line higher when the y label, at the right end of the same line, would meet it
            up = header_line(size) if stacked(title, ylabel, r - l, size) else 0
            d.text((l, t - 6 - up), title, fill=INK, font=font(size + 2), anchor="ld")
        if xlabel:
            d.text(((l + r) / 2, b + 6 + size + 4), xlabel, fill=MUTED, font=f, anchor="ma")
        if ylabel:
            d.text((r, t - 6), ylabel, fill=MUTED, font=f, anchor="rd")


def fitted(text, size, room, smallest=SMALLEST):
    """The largest type, at most ``size`` px and at least ``smallest``, in which ``text`` is at most ``room`` px
    long (``smallest`` if none is)."""
    while size > smallest and font(size).getlength(text) > room:
        size -= 1
    return size


def wrap(text, size, room):
    """``text`` in lines at most ``room`` px long at ``size`` px (broken between words; a word longer than the
    room keeps a line of its own)."""
    f, lines = font(size), []
    for word in text.split(" "):
        if lines and f.getlength(lines[-1] + " " + word) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def header_line(size):
    """The height of a line of a panel's header (its title, its y label) at a type of ``size`` px."""
    return size + 8


def stacked(title, ylabel, room, size=13):
    """Whether a panel's title (``size`` + 2 px, from the left) and y label (``size`` px, at the right) do not fit
    on one line ``room`` px wide: ``Panel.axes`` then draws the title a line higher (leave it ``header_line(size)`` px more)."""
    if not title or not ylabel:
        return False
    return font(size + 2).getlength(title) + 12 + font(size).getlength(ylabel) > room


def _legend_rows(items, x, right, size, gap):
    f, rows, row, at = font(size), [], [], x
    for item in items:
        wide = 30 + f.getlength(item[0])
        if row and right is not None and at + wide > right:
            rows.append(row)
            row, at = [], x
        row.append(item)
        at += wide + gap
    return rows + [row] if row else rows


def legend_height(items, x, right, size=13, gap=26):
    """How far above its last row a legend's first row sits (0 for one row): what to leave it above ``y``."""
    return (len(_legend_rows(items, x, right, size, gap)) - 1) * (size + 9)


def legend(draw, items, x, y, size=13, gap=26, right=None):
    """Keys from (x, y) (their vertical middle): each item (label, colour, kind) with kind "line", "dashed", "dot"
    or "box". Items that would pass ``right`` go on a new row, the rows stacked upwards so that the last one is at
    ``y`` (``legend_height``: the room they take above it)."""
    f, rows = font(size), _legend_rows(items, x, right, size, gap)
    y -= (len(rows) - 1) * (size + 9)
    for row in rows:
        at = x
        for label, colour, kind in row:
            c = rgb(colour)
            if kind in ("line", "dashed"):
                polyline(draw, [at, at + 24], [y, y], c, 3, kind == "dashed")
            elif kind == "dot":
                draw.ellipse((at + 7, y - 5, at + 17, y + 5), fill=c)
            else:
                draw.rectangle((at + 5, y - 6, at + 19, y + 6), fill=c)
            draw.text((at + 30, y), label, fill=MUTED, font=f, anchor="lm")
            at += 30 + f.getlength(label) + gap
        y += size + 9


def array(img):
    """The image as a uint8 (H, W, 3) array."""
    return np.asarray(img)

"""The one diverging palette of the lab: negative = orange, zero = light grey, positive = blue.

Every figure uses a fixed, symmetric range (−vmax … +vmax), never a per-map min–max, so that a colour
means the same sign and size everywhere. Class colours follow it: class 0 orange, class 1 blue, then
further classes in distinct hues.
"""
import base64
import importlib.util
import io
import pathlib

import numpy as np

ORANGE = "#e8850c"
GREY = "#e8eaeb"
BLUE = "#0877bd"
NEGATIVE, ZERO, POSITIVE = ORANGE, GREY, BLUE
CLASS_COLORS = [ORANGE, BLUE, "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

# The lab's drawing font: matplotlib's own copy of DejaVu Sans (it has ×, −, ⊙), by its full path. A bare font
# name makes Pillow search the font directories on every load (0.1 ms against 0.03 ms here). Found without
# importing matplotlib (0.15 s that no lesson needs).
FONT_FILE = str(pathlib.Path(importlib.util.find_spec("matplotlib").submodule_search_locations[0])
                / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf")

# Plotly colorscale from −vmax (orange) through 0 (grey) to +vmax (blue); use with zmin=−vmax, zmax=vmax.
DIVERGING = [[0.0, ORANGE], [0.5, GREY], [1.0, BLUE]]


def _rgb(hex_colour):
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


GREY_RGB, ORANGE_RGB, BLUE_RGB = (tuple(int(v) for v in _rgb(c)) for c in (GREY, ORANGE, BLUE))   # parsed once


def diverging_rgb(values, vmax):
    """Colour an array with the diverging palette at a fixed range ±vmax: returns uint8 (..., 3).
    t = value / vmax, clipped to [−1, 1] (NaN → 0); colour = grey + (end − grey)·|t|, end = orange for t < 0
    and blue otherwise. Computed one channel at a time: a trailing axis of 3 makes NumPy's loops slow."""
    t = np.clip(np.asarray(values, dtype=float) / float(vmax), -1.0, 1.0)
    t = np.where(np.isnan(t), 0.0, t)
    size, negative = np.abs(t), t < 0
    channels = [g + np.where(negative, o - g, b - g) * size for g, o, b in zip(GREY_RGB, ORANGE_RGB, BLUE_RGB)]
    return np.stack(channels, axis=-1).round().astype(np.uint8)


def class_rgb(labels):
    """uint8 (..., 3) colours for integer class labels."""
    table = np.array([_rgb(c) for c in CLASS_COLORS], dtype=np.uint8)
    return table[np.asarray(labels, dtype=int) % len(table)]


def png_bytes(rgb, scale=1):
    """Encode a uint8 (H, W, 3) image as PNG, each pixel repeated ``scale`` times (nearest neighbour)."""
    from PIL import Image  # Pillow ships with matplotlib and streamlit

    rgb = np.asarray(rgb, dtype=np.uint8)
    if scale > 1:
        rgb = rgb.repeat(scale, axis=0).repeat(scale, axis=1)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def data_uri(png):
    """A ``data:`` URI for PNG bytes, e.g. for ``st.image`` or an ``<img>`` in a Plotly layout."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")

"""The CNN lesson's "inside" views: what convolutions buy, shown with the trained network's first- and
second-layer maps side by side, and the draw-your-digit panel whose answer follows the pen."""
import numpy as np
import streamlit as st

from lessons import cnn as cl
from lessons.drawing import bitmap, block_counts
from ui.canvas import digit_canvas
from ui.common import grey_uri, show_rgb
from viz import cnn as vc


def conv_maps(model, x):
    """The maps after each conv layer's ReLU for one image: a list of (C, H, W) arrays, first layer first."""
    outs = cl.layer_outputs(model, x)
    return [a for (name, a), (prev, _) in zip(outs[1:], outs[:-1]) if prev == "Conv2D" and a.ndim == 3]


def conv_hierarchy(model, x, key):
    """What convolutions buy, in words and numbers, and the two conv layers' maps for this image side by side."""
    conv = [layer for layer in model.layers if "W" in layer.params and layer.params["W"].ndim == 4]
    first = conv[0].params["W"]
    n_maps, size = first.shape[0], int(np.shape(x)[-1])
    shared = first.size + first.shape[0]
    dense = size * size * n_maps * size * size + n_maps * size * size
    st.markdown(
        "**What convolutions buy.** *Spatial patterns*: each filter looks at a 3×3 neighbourhood, so it "
        "responds to a local pattern — a stroke, an edge — wherever it is. *Weight sharing*: the first layer "
        f"uses {shared} weights and biases to make {n_maps} maps of {size}×{size}; a dense layer making the "
        f"same {n_maps * size * size} outputs from {size * size} pixels would need {dense:,}. *A hierarchy*: "
        "the second layer's filters read the first layer's maps, so they combine strokes into corners, "
        "loops and parts of shapes, over a wider patch of the image.")
    maps = conv_maps(model, x)
    if len(maps) < 2:
        st.caption("Choose the architecture *two conv layers* (and train it) to see the second layer beside the "
                   "first.")
        return
    k1, k2 = first.shape[-1], conv[1].params["W"].shape[-1]
    seen = [k1, min(size, k1 + 1 + (k2 - 1) * 2)]         # receptive fields: conv, 2×2 pool (stride 2), conv
    left, right = st.columns(2, gap="large")
    for col, a, rf, title, what in ((left, maps[0], seen[0], "Layer 1", "local strokes and edges"),
                                    (right, maps[1], seen[1], "Layer 2", "combinations of layer 1's maps")):
        vmax = vc.symmetric_range(a)
        col.markdown(f"**{title}: {a.shape[0]} maps of {a.shape[1]}×{a.shape[2]}** — {what}")
        show_rgb(col, vc.montage_rgb(a, vmax, cell=max(6, 80 // a.shape[-1]), ncols=4, gap=8),   # fits 1280 px
                 caption=f"after ReLU, range ±{vmax:.2f}; each pixel here sees a {rf}×{rf} patch of the image",
                 alt=f"{title}: {a.shape[0]} feature maps of {a.shape[1]}×{a.shape[2]} after ReLU, range ±{vmax:.2f}")


@st.fragment
def draw_your_digit(model, classes, digits=True, key="cnn_canvas"):
    """The canvas, what the network reads from it (the 32×32 bitmap and its 8×8 block counts), and its
    answer — a fragment, so each stroke reruns only this panel. ``digits``: is the network a digit reader
    (the canvas makes its picture as the digits were made)?"""
    if not digits:
        st.info("The canvas makes its picture the way the digits were made: choose the digits data, or tick cells.")
        return
    c1, c2, c3 = st.columns([1.35, 0.7, 1.45], gap="medium")     # the canvas's 280 px fit at 1280 px wide
    with c1:
        strokes, problem = digit_canvas(key)
        if problem:
            st.warning(problem + " The drawing you started from is used.")
    bits = bitmap(strokes)
    x = block_counts(bits)
    with c2:
        st.image(grey_uri(bits, 4), width=128, caption="32×32 bitmap, drawn as the training digits were",
                 alt="Your drawing as a 32×32 bitmap")
        st.image(grey_uri(x, 16), width=128, caption="8×8: ink pixels per 4×4 block ÷ 16 — the network's input",
                 alt="Your drawing as the network's 8×8 input")
    with c3:
        if not bits.any():
            st.info("Draw a digit on the canvas: the network's answer appears here as you draw.")
            return
        probs = cl.probabilities(model, x)
        st.markdown(f"**The network says: {classes[int(probs.argmax())]}** ({probs.max():.0%} sure)")
        st.plotly_chart(vc.probability_figure(probs, classes), key=f"{key}_probs", config={"displayModeBar": False})
        st.caption("Many 7s in the training digits have a bar across the middle; most digits are written "
                   "large and bold. Draw one big digit, filling the canvas's height.")

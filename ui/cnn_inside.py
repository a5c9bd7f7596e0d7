"""The CNN lesson's "inside" views, drawn under the training while its tab is open: the trained network's filters,
a test image's answer and feature maps, what convolutions buy (the first- and second-layer maps side by side), the
confusion matrix and mistakes, and the learner's own image (the draw-your-digit panel's answer follows the pen)."""
import numpy as np
import streamlit as st

from lessons import cnn as cl
from lessons.drawing import bitmap, block_counts
from ui import links
from ui.canvas import digit_canvas
from ui.common import grey_uri, show_rgb
from ui.drawing import pixel_editor
from ui.layout import chart
from ui.uploads import image_uploader
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
        chart(vc.probability_figure(probs, classes), key=f"{key}_probs", config={"displayModeBar": False})
        st.caption("Many 7s in the training digits have a bar across the middle; most digits are written "
                   "large and bold. Draw one big digit, filling the canvas's height.")


def pick_slider(n):
    """The test image to look at (bound to the link): also drawn while the tab is closed, so that its parameter stays."""
    return st.slider("A test image", 0, n - 1, 0, **links.kw("cnn_pick"))


def own_choice():
    """Where the learner's own image comes from (bound to the link), drawn as ``pick_slider`` is."""
    return st.radio("Your image", ["draw", "tick cells", "upload"], horizontal=True, **links.kw("cnn_own_src"))


def feature_maps(model, x):
    """Every layer's maps for one image, each layer on its own fixed symmetric range."""
    st.markdown("**Feature maps of every layer for this image** (one row per layer, one tile per filter)")
    for name, a in cl.layer_outputs(model, x):
        if a.ndim == 3:
            vmax = vc.symmetric_range(a)
            show_rgb(st, vc.montage_rgb(a, vmax, cell=max(8, 104 // a.shape[-1]), ncols=8, gap=10),
                     caption=f"{name}: {a.shape[0]} maps of {a.shape[1]}×{a.shape[2]} (range ±{vmax:.2f})",
                     alt=f"Feature maps of {name}: {a.shape[0]} maps of {a.shape[1]}×{a.shape[2]}, range ±{vmax:.2f}")


def inside_network(trainer, data):
    """The trained network from inside (drawn on full reruns: while paused, or when training ends): its first
    layer's filters, a test image's answer and feature maps, what convolutions buy, the confusion matrix and
    the mistakes."""
    model, classes = trainer.model, data["classes"]
    st.subheader("Inside the network" + (f" after {trainer.epoch} epoch(s)" if trainer.epoch else " (untrained)"))
    W1 = model.layers[0].params["W"][:, 0]
    st.markdown(f"**The {len(W1)} learned 3×3 filters of the first conv layer** (range ±{vc.symmetric_range(W1):.2f})")
    show_rgb(st, vc.montage_rgb(W1, vc.symmetric_range(W1), cell=36, ncols=8, gap=10),
             alt=f"The {len(W1)} learned 3×3 filters of the first conv layer, range ±{vc.symmetric_range(W1):.2f}")
    st.caption("Each filter is a kernel the network found by itself: compare them with the presets of part 1.")

    X_test, y_test = data["X_test"], data["y_test"]
    g1, g2 = st.columns([1, 2], gap="large")
    with g1:
        pick = pick_slider(len(X_test))
        st.image(grey_uri(X_test[pick, 0], 20), caption=f"true class: {classes[y_test[pick]]}", width=160,
                 alt=f"Test image {pick}, true class {classes[y_test[pick]]}")
    with g2:
        probs = cl.probabilities(model, X_test[pick])
        st.markdown(f"**The network says: {classes[int(probs.argmax())]}** ({probs.max():.0%} sure)")
        chart(vc.probability_figure(probs, classes, int(y_test[pick])), key="cnn_probs",
              config={"displayModeBar": False})
    feature_maps(model, X_test[pick])
    conv_hierarchy(model, X_test[pick], "cnn_hier")

    P_test = model.predict_proba(X_test)                           # one forward pass for both pictures
    cm = cl.confusion_matrix(y_test, P_test.argmax(axis=1), len(classes))
    g3, g4 = st.columns([1, 1], gap="large")
    with g3:
        st.markdown(f"**Confusion matrix** on the {len(y_test)} test images")
        chart(vc.confusion_figure(cm, classes), key="cnn_cm", config={"displayModeBar": False})
    with g4:
        wrong, said, conf = cl.mistakes(P_test, y_test)
        st.markdown(f"**Misclassified test images** ({len(wrong)}), most confident first")
        if len(wrong):
            shown = wrong[:12]
            st.image([grey_uri(X_test[i, 0], 12) for i in shown], width=96,
                     caption=[f"{classes[y_test[i]]} → {classes[s]} ({c:.0%})" for i, s, c in zip(shown, said, conf)],
                     alt=[f"Test image {i}: a {classes[y_test[i]]} taken for a {classes[s]} ({c:.0%} sure)"
                          for i, s, c in zip(shown, said, conf)])
        else:
            st.success("None: every test image is classified correctly.")


def own_image(model, classes, digits):
    """The learner's own image (drawn on the canvas, ticked cell by cell or uploaded) and the network's answer;
    ``digits``: is the network a digit reader?"""
    st.subheader("Your own image")
    own_src = own_choice()
    if own_src == "draw":                # the canvas's answer follows the pen: a fragment of its own
        draw_your_digit(model, classes, digits=digits)
    o1, o2 = st.columns([1.3, 1.7], gap="large")   # room for the 8 tick columns at 1280 px
    with o1:
        x_own = None
        if own_src == "upload":
            prepared, error = image_uploader("A picture for the network to recognise", "cnn_upload_own")
            if prepared is not None:
                x_own = prepared["image"]
                before, after = st.columns(2)
                before.image(prepared["preview"], clamp=True, caption="before: your picture, in grey", width=160,
                             alt="Your picture in grey, before it is shrunk")
                after.image(grey_uri(x_own, 16), caption="after: 8×8, like the training data", width="stretch",
                            alt="Your picture shrunk to 8×8, the network's input")
        elif own_src != "draw":
            x_own = pixel_editor("cnn_own_draw")
            st.image(grey_uri(x_own, 16), caption="your drawing", width=130, alt="Your drawing as 8×8 input")
    with o2:
        if x_own is not None:
            probs_own = cl.probabilities(model, x_own)
            st.markdown(f"**The network says: {classes[int(probs_own.argmax())]}** "
                        f"({probs_own.max():.0%} sure)")
            chart(vc.probability_figure(probs_own, classes), key="cnn_probs_own",
                  config={"displayModeBar": False})
    if x_own is not None:
        feature_maps(model, x_own)

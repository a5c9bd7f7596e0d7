"""The CNN lesson's first tab below its settings: the output size, the kernel's slide (one output cell at a time,
on the lab's live loop), then ReLU and 2×2 pooling. Drawn only while the tab is open (pages/6_cnn.py)."""
import numpy as np
import streamlit as st

from lessons import cnn as cl
from nn_core.conv import Conv2D, MaxPool2D
from ui import layout, links, live
from ui.common import grid_words, show_equations, show_rgb
from viz import cnn as vc

# Seconds per cell. Normal: 3 cells a second, so that under a class's load, which costs some frames, every learner
# keeps ≥ 2 (issue 17; at 2 cells a second the slide made 1.4–1.95 frames/s in bench/load.py --mix)
SPEEDS = {"slow": 1.0, "normal": 1 / 3, "fast": 0.2}
PICTURE = 322         # px: the input and output pictures' width at most, so that the window × kernel equation
                      # fits under them on a 1280×720 screen with the sidebar open (tests/test_browser_layout.py)
EQUATION_CELL = 42    # px: a 3×3 equation (485 px) fits its column beside z at 1280×720 with the sidebar open, its
                      # numbers at 12 px
DECIMALS = 2          # every number of the slide and its pooling, rounded alike: the window, the products, the output
                      # map, z and the engine's value (three decimals for z beside a map of one showed 0.062 beside 0.1)


def pool_choice():
    """The pooling radio (bound to the link): also drawn while the tab is closed, so that its parameter stays."""
    return st.radio("Pooling", ["max", "average"], horizontal=True, **links.kw("cnn_pool"))


def output_size(size, k, stride, padding):
    """The output-size formula with the numbers, and whether the kernel fits (a page that cannot go on stops)."""
    info = cl.check_settings(size, k, stride, padding)
    st.markdown("**Output size.** Along each axis, for an n×n image, a k×k kernel, stride s and padding p:")
    n_out_tex = r"\text{no fit}" if info["n_out"] is None else str(info["n_out"])
    st.latex(rf"n_\text{{out}} = \left\lfloor \frac{{n + 2p - k}}{{s}} \right\rfloor + 1 = "
             rf"\left\lfloor \frac{{{size} + 2 \cdot {padding} - {k}}}{{{stride}}} \right\rfloor + 1 = {n_out_tex}")
    if info["level"] == "error":
        st.error(info["message"])
        links.stop()
    if info["level"] == "warning":
        st.warning(info["message"], icon=":material/crop_free:")
    else:
        st.success(f"The {k}×{k} kernel fits exactly: the output is {info['n_out']}×{info['n_out']}.",
                   icon=":material/check:")
    return info


def slide_cells(n_in, n_out):
    """The cell sizes (px) of the slide's input (n_in × n_in, padded) and output maps, drawn at the size shown (no
    blur, no scaling). Presenter mode sets them side by side at a small gap, each as wide as its column, and the
    equation under them, so that every number is drawn at least 12 px and shown at its own size (× 1.35: 16 px)."""
    picture = layout.column_width((2, 0)) if layout.presenting() else PICTURE
    return min(52, picture // n_in), min(52, picture // n_out)


def pool_cell(n_out):
    """The cell size (px) of the pooling's maps (the pooled one's is twice it), in three columns or, in presenter
    mode, two (the gradient under the ReLU), so that a 10×10 map's numbers are drawn at least 12 px too."""
    if layout.presenting():
        return int(np.clip(layout.column_width((2, 0)) // n_out, 30, 56))
    return int(np.clip(300 // n_out, 30, 56))         # the three maps share one cell size, so blocks line up


def slide_section(image, K, k, stride, padding, size):
    """Output size, the slide and the pooling that follows, for ``image`` (size×size) and the kernel ``K``."""
    info = output_size(size, k, stride, padding)
    rec = cl.slide(image, K, stride, padding)
    n_out = info["n_out"]
    n_cells = n_out * n_out
    out_vmax = vc.symmetric_range(rec["output"])
    k_vmax = vc.symmetric_range(K)
    present = layout.presenting()
    in_cell, out_cell = slide_cells(rec["padded"].shape[0], n_out)
    st.subheader("Slide it")

    def slide_view(playing):
        pos = st.session_state["cnn_pos"]
        i, j = divmod(pos, n_out)
        r0, c0, window_mask, hatch, filled = cl.slide_frame(rec, pos, k, info["unused"])
        total = rec["sums"][i, j]
        c1, c3 = (c.container(key=key) for c, key in zip(st.columns(2, gap="small" if present else "large"),
                                                          ("cnn_slide_in", "cnn_slide_out")))
        c1.markdown(f"**Input** {'(padded with zeros)' if padding else ''} — window at row {r0}, column {c0}")
        show_rgb(c1, vc.grid_rgb(rec["padded"], 1.0, in_cell, numbers=window_mask, decimals=DECIMALS,
                                 highlight=[(r0, c0, k, k)], padding=padding, hatch=hatch if info["unused"] else None),
                 alt=f"Input image with the window at row {r0}, column {c0}; its values: {grid_words(rec['windows'][i, j])}")
        c3.markdown(f"**Output map** — cell ({i}, {j}), {pos + 1} of {n_cells}")
        show_rgb(c3, vc.grid_rgb(filled, out_vmax, out_cell, decimals=DECIMALS, highlight=[(i, j, 1, 1)]),
                 alt=f"Output map, {n_out}×{n_out}, filled up to cell ({i}, {j}) = {total:.{DECIMALS}f}")
        with st.container(key="cnn_slide_eq"):
            if k == 3 and not present:
                e1, e2 = st.columns([3, 2], gap="large", vertical_alignment="center")
            else:                                        # a 5×5 equation needs the whole width to stay legible
                e1, e2 = st.container(), st.container()
            e1.markdown("**Window × kernel, weight by weight**")
            show_rgb(e1, vc.window_equation_rgb(rec["windows"][i, j], K, rec["products"][i, j], 1.0, k_vmax,
                                                cell=EQUATION_CELL, decimals=DECIMALS),
                     alt=f"Window times kernel, weight by weight: products {grid_words(rec['products'][i, j])}; "
                         f"sum {total:.{DECIMALS}f}")
            e2.latex(rf"z_{{{i},{j}}} = \sum_{{p,q}} W_{{p,q}}\, \tilde x_{{{stride}\cdot{i}+p,\;{stride}\cdot{j}+q}}"
                     rf" + b = {total:.{DECIMALS}f}")
            e2.caption(f"The engine's convolution (conv2d_loop) gives {rec['output'][i, j]:.{DECIMALS}f} for this "
                       "cell. Bias b = 0 here; rows and columns count from 0, as in the code; x̃ is the padded input.")
        st.progress((pos + 1) / n_cells, text=f"output cell {pos + 1} of {n_cells}")

    live.step_bar("cnn", n_cells, SPEEDS, "normal", slide_view)
    pace = SPEEDS[st.session_state["cnn_speed"]]
    st.caption(f"Play moves the window one cell every {pace:.2g} s ({1 / pace:.2g} cell{'s' * (pace < 1)} a second; "
               "the speed is beside Play). Colours: orange = negative, grey = zero, blue = positive, on fixed ranges: "
               f"the input on ±1, the kernel and its products on ±{k_vmax:g}, the output on ±{out_vmax:.2f}.")
    pooling(rec["output"], n_out, out_vmax)


def pooling(output, n_out, out_vmax):
    st.subheader("Then ReLU and 2×2 pooling")
    st.markdown("A CNN passes the output map through **ReLU** (negatives become 0), then **pools** each 2×2 "
                "block into one number. Backward, the gradient of a pooled number goes back only to the "
                "pixel that won its block (max) or is shared equally (average).")
    pool_mode = pool_choice()
    activated = cl.relu(output)
    pooled = cl.pool(activated, pool_mode)
    if layout.presenting():                               # two columns, the gradient under the ReLU (pool_cell)
        (p1, p2), p3 = st.columns(2), st.columns(2)[0]
    else:
        p1, p2, p3 = st.columns(3, gap="medium")
    cell = pool_cell(n_out)
    p1.markdown("**ReLU(output)**")
    marks = [] if pooled is None or pooled["winners"] is None else [tuple(w) for w in pooled["winners"].reshape(-1, 2)]
    show_rgb(p1, vc.grid_rgb(activated, out_vmax, cell, decimals=DECIMALS, block=2, marks=marks),
             alt=f"ReLU of the output map: {grid_words(activated, DECIMALS)}")
    if pooled is None:
        st.info(f"The {n_out}×{n_out} output is smaller than one 2×2 pooling window: nothing to pool. "
                "Try stride 1 or more padding.")
    else:
        p2.markdown(f"**{pool_mode.capitalize()} pooling**" + (" — the winners are ringed on the left" if pool_mode == "max" else ""))
        show_rgb(p2, vc.grid_rgb(pooled["output"], out_vmax, 2 * cell, decimals=DECIMALS),
                 alt=f"{pool_mode.capitalize()} pooling: {grid_words(pooled['output'], DECIMALS)}")
        p3.markdown("**Backward: where a gradient of 1 from each pooled cell goes**")
        show_rgb(p3, vc.grid_rgb(pooled["grad"], 1.0, cell, decimals=2, block=2),
                 alt=f"Gradient sent back through the pooling: {grid_words(pooled['grad'])}")
        if activated.shape[0] % 2:
            st.caption("The map has an odd size: pooling drops its last row and column, which get no gradient.")
    with st.expander("The maths, as the engine states it"):
        show_equations(Conv2D)
        show_equations(MaxPool2D)
    st.markdown("**Try next:** Sobel x on a digit finds its vertical strokes — blue on one side, orange on the "
                "other. On this 8×8 image an odd kernel never fits stride 2 evenly (n + 2p − k is odd); stride 3 with "
                "padding 2 fits the 3×3 kernel exactly.")

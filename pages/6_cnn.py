"""Lesson 6: convolutional networks — slide a kernel over an image number by number, then train a small
CNN live and look inside it."""
import numpy as np
import streamlit as st

from lessons import cnn as cl, export
from nn_core.conv import Conv2D, MaxPool2D
from nn_core.images import SHAPE_CLASSES, load_digits, make_shapes
from nn_core.optimizers import make_optimizer
from ui import challenges, layout, link_state, links, live
from ui.cnn_inside import conv_hierarchy, draw_your_digit
from ui.common import grey_uri, grid_words, show_equations, show_rgb, state
from ui.drawing import pixel_editor
from ui.export import code_panel
from ui.pictures import live_picture
from ui.uploads import image_uploader
from viz import cnn as vc

SIZE = 8                     # every image in this lesson is 8×8, like the digits
SOURCES = ["a digit", "a shape", "your drawing", "your upload"]
SPEEDS = {"slow": 1.0, "normal": 0.5, "fast": 0.2}
OPTIMIZERS = {"adam": "Adam", "sgd": "SGD", "momentum": "SGD + momentum", "rmsprop": "RMSprop"}
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]


@st.cache_data
def digits():
    return load_digits()


@st.cache_data
def dataset(name):
    return cl.image_dataset(name)


# ==================================================================================================
st.title("Convolutional networks")
layout.explain(
    "A **convolutional layer** looks at an image through a small window of weights — a **kernel** — that "
    "slides over every position. At each stop it multiplies the window's pixels by the kernel's weights and "
    "adds them up: one weighted sum z per position, all made with the **same** weights. First watch one "
    "kernel slide, number by number; then train a small CNN on real images and look inside it.")
links.start("cnn", {"image": "the image", "kernel": "the kernel", "data": "data and network", "training": "training"})
tab_slide, tab_train = links.tabs(["1 · Slide a kernel", "2 · Train a CNN"], "cnn_tab")

# --- 1. the convolution explorer -------------------------------------------------------------------
with tab_slide:
    c_img, c_kernel = st.columns([1, 1], gap="large")
    with links.place("image", c_img):
        st.subheader("The input image")
        source = st.radio("Slide over", SOURCES, horizontal=True, **links.kw("cnn_src", "image"))
        image = None
        if source == "a digit":
            X_digits, y_digits = digits()
            idx = links.int_input(st, "Which digit (0–1796)", 0, len(X_digits) - 1, 4, "cnn_digit", "image")
            image = X_digits[idx]
            st.caption(f"Image {idx} of the 8×8 digits: a handwritten **{y_digits[idx]}**.")
        elif source == "a shape":
            cs1, cs2 = st.columns(2)
            shape = cs1.selectbox("Shape", SHAPE_CLASSES, **links.kw("cnn_shape", "image"))
            seed = links.int_input(cs2, "Another one (seed)", 0, 999, 0, "cnn_shape_seed", "image")
            Xs, ys = make_shapes(8, size=SIZE, seed=int(seed))
            image = Xs[np.flatnonzero(ys == SHAPE_CLASSES.index(shape))[0]]
        elif source == "your drawing":
            st.caption("Tick cells to draw with ink; the slide below follows your drawing.")
            image = pixel_editor("cnn_draw")
        else:
            prepared, error = image_uploader("A picture to slide the kernel over", "cnn_upload_x")
            if prepared is not None:
                image = prepared["image"]
                st.caption("Still your previous picture." if error else
                           "Your picture, made grey, cropped to its ink and averaged down to 8×8 like the digits.")
            else:
                if not error:
                    st.caption("No picture yet: the slide below uses digit 4 until you upload one.")
                image = digits()[0][4]
    with links.place("kernel", c_kernel):
        st.subheader("The kernel")
        ck1, ck2 = st.columns([2, 1])
        preset = ck1.selectbox("Preset", list(cl.KERNELS), index=2, **links.kw("cnn_kernel", "kernel"))
        k = ck2.radio("Size", cl.KERNEL_SIZES, horizontal=True, **links.kw("cnn_k", "kernel", cl.size_label))
        cs1, cs2 = st.columns(2)
        stride = cs1.slider("Stride s", 1, 3, 1, **links.kw("cnn_stride", "kernel"))
        padding = cs2.slider("Padding p", 0, 2, 0, help="Zeros added around the image.", **links.kw("cnn_pad", "kernel"))
        K = cl.kernel(preset, k)
        edit = st.toggle("Edit the kernel cell by cell", **links.kw("cnn_edit", "kernel"))
        K = link_state.kernel(K, f"cnn_kedit_{preset}_{k}", edit)     # the edited cells travel in the link
        if not edit:
            show_rgb(st, vc.grid_rgb(K, vc.symmetric_range(K), 44, decimals=0 if np.allclose(K, K.round()) else 2),
                     alt=f"The {k}×{k} kernel, row by row: {grid_words(K)}")

    info = cl.check_settings(SIZE, k, stride, padding)
    st.markdown("**Output size.** Along each axis, for an n×n image, a k×k kernel, stride s and padding p:")
    n_out_tex = r"\text{no fit}" if info["n_out"] is None else str(info["n_out"])
    st.latex(rf"n_\text{{out}} = \left\lfloor \frac{{n + 2p - k}}{{s}} \right\rfloor + 1 = "
             rf"\left\lfloor \frac{{{SIZE} + 2 \cdot {padding} - {k}}}{{{stride}}} \right\rfloor + 1 = {n_out_tex}")
    if info["level"] == "error":
        st.error(info["message"])
        links.stop()
    if info["level"] == "warning":
        st.warning(info["message"], icon=":material/crop_free:")
    else:
        st.success(f"The {k}×{k} kernel fits exactly: the output is {info['n_out']}×{info['n_out']}.",
                   icon=":material/check:")

    rec = cl.slide(image, K, stride, padding)
    n_out = info["n_out"]
    n_cells = n_out * n_out
    out_vmax = vc.symmetric_range(rec["output"])
    k_vmax = vc.symmetric_range(K)
    st.subheader("Slide it")

    def slide_view(playing):
        pos = st.session_state["cnn_pos"]
        i, j = divmod(pos, n_out)
        r0, c0, window_mask, hatch, filled = cl.slide_frame(rec, pos, k, info["unused"])
        total = rec["sums"][i, j]
        c1, c3 = (c.container(key=k) for c, k in zip(st.columns(2, gap="large"), ("cnn_slide_in", "cnn_slide_out")))
        c1.markdown(f"**Input** {'(padded with zeros)' if padding else ''} — window at row {r0}, column {c0}")
        show_rgb(c1, vc.grid_rgb(rec["padded"], 1.0, 52, numbers=window_mask, highlight=[(r0, c0, k, k)],
                             padding=padding, hatch=hatch if info["unused"] else None), 440,
                 alt=f"Input image with the window at row {r0}, column {c0}; its values: {grid_words(rec['windows'][i, j])}")
        c3.markdown(f"**Output map** — cell ({i}, {j}), {pos + 1} of {n_cells}")
        show_rgb(c3, vc.grid_rgb(filled, out_vmax, 52, decimals=1, highlight=[(i, j, 1, 1)]), 440,
                 alt=f"Output map, {n_out}×{n_out}, filled up to cell ({i}, {j}) = {total:.3f}")
        if k == 3:
            e1, e2 = st.columns([3, 2], gap="large", vertical_alignment="center")
        else:                                            # a 5×5 equation needs the whole width to stay legible
            e1, e2 = st.container(), st.container()
        e1.markdown("**Window × kernel, weight by weight**")
        show_rgb(e1, vc.window_equation_rgb(rec["windows"][i, j], K, rec["products"][i, j], 1.0, k_vmax,
                                        cell=60 if k == 3 else 54),
                 alt=f"Window times kernel, weight by weight: products {grid_words(rec['products'][i, j])}; sum {total:.3f}")
        e2.latex(rf"z_{{{i},{j}}} = \sum_{{p,q}} W_{{p,q}}\, \tilde x_{{{stride}\cdot{i}+p,\;{stride}\cdot{j}+q}}"
                 rf" + b = {total:.3f}")
        e2.caption(f"The engine's convolution (conv2d_loop) gives {rec['output'][i, j]:.3f} for this cell. "
                   "Bias b = 0 here; rows and columns count from 0, as in the code; x̃ is the padded input.")
        st.progress((pos + 1) / n_cells, text=f"output cell {pos + 1} of {n_cells}")

    live.step_bar("cnn", n_cells, SPEEDS, "normal", slide_view)
    st.caption(f"Colours: orange = negative, grey = zero, blue = positive, on fixed ranges: the input on ±1, "
               f"the kernel and its products on ±{k_vmax:g}, the output on ±{out_vmax:.2f}.")

    st.subheader("Then ReLU and 2×2 pooling")
    st.markdown("A CNN passes the output map through **ReLU** (negatives become 0), then **pools** each 2×2 "
                "block into one number. Backward, the gradient of a pooled number goes back only to the "
                "pixel that won its block (max) or is shared equally (average).")
    pool_mode = st.radio("Pooling", ["max", "average"], horizontal=True, **links.kw("cnn_pool"))
    activated = cl.relu(rec["output"])
    pooled = cl.pool(activated, pool_mode)
    p1, p2, p3 = st.columns(3, gap="medium")
    cell = int(np.clip(300 // n_out, 30, 56))             # the three maps share one cell size, so blocks line up
    p1.markdown("**ReLU(output)**")
    marks = [] if pooled is None or pooled["winners"] is None else [tuple(w) for w in pooled["winners"].reshape(-1, 2)]
    show_rgb(p1, vc.grid_rgb(activated, out_vmax, cell, decimals=1, block=2, marks=marks),
             alt=f"ReLU of the output map: {grid_words(activated, 1)}")
    if pooled is None:
        st.info(f"The {n_out}×{n_out} output is smaller than one 2×2 pooling window: nothing to pool. "
                "Try stride 1 or more padding.")
    else:
        p2.markdown(f"**{pool_mode.capitalize()} pooling**" + (" — the winners are circled" if pool_mode == "max" else ""))
        show_rgb(p2, vc.grid_rgb(pooled["output"], out_vmax, 2 * cell, decimals=2),
                 alt=f"{pool_mode.capitalize()} pooling: {grid_words(pooled['output'])}")
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

# --- 2. train a CNN --------------------------------------------------------------------------------
with tab_train:
    st.markdown("A small CNN learns its own kernels: it starts from random ones and follows the gradient of "
                "the loss, just as an MLP does. Pick the data and the architecture, then press **Play**.")
    t1, t2, t3 = (links.place("data", c) for c in st.columns(3, gap="large"))
    data_name = t1.radio("Data", list(cl.DATASETS), captions=[d.split(" ", 1)[1] if k == "digits" else d.split(": ", 1)[1]
                         for k, d in cl.DATASETS.items()], **links.kw("cnn_data", "data", cl.DATASET_NAMES.get))
    preset_name = t2.radio("Architecture", list(cl.CNN_PRESETS), captions=[*cl.CNN_PRESETS.values()], **links.kw("cnn_preset", "data"))
    filters = t3.slider("Filters per conv layer", 2, 16, 8, **links.kw("cnn_filters", "data"))
    h1, h2, h3, h4 = (links.place("training", c) for c in st.columns(4))
    opt_name = h1.selectbox("Optimizer", list(OPTIMIZERS), **links.kw("cnn_opt", "training", OPTIMIZERS.get))
    lr = h2.select_slider("Learning rate η", LEARNING_RATES, value=0.01, **links.kw("cnn_lr", "training"))
    batch = h3.select_slider("Batch size", [8, 16, 32, 64, 128], value=32, **links.kw("cnn_bs", "training"))
    epochs = h4.slider("Epochs", 1, 40, 10, **links.kw("cnn_epochs", "training"))

    data = dataset(data_name)
    classes = data["classes"]
    arch = (data_name, preset_name, filters)

    def new_trainer():
        return {"arch": arch, "opt": opt_name, "trainer": cl.make_trainer(data, preset_name, filters, opt_name, lr, batch)}

    run = state("cnn_run", new_trainer)
    if run["arch"] != arch:
        run = st.session_state["cnn_run"] = new_trainer()
        live.set_playing("cnn_train", False)
    trainer = run["trainer"]
    if run["opt"] != opt_name:
        trainer.optimizer, run["opt"] = make_optimizer(opt_name, lr), opt_name
    trainer.optimizer.lr, trainer.batch_size = lr, batch

    def reset_training():
        st.session_state["cnn_run"] = new_trainer()
        st.session_state.pop("cnn_mlp", None)

    def advance(seconds, until):                 # a frame's budget of mini-batches, to the epoch target
        if trainer.epoch < epochs and not trainer.stopped:
            trainer.run_steps_for(seconds, max_epochs=epochs - trainer.epoch, until=until)
        return trainer.epoch >= epochs or bool(trainer.stopped)

    def train_view(playing):
        hist = trainer.history
        done_part = trainer.epoch + trainer.epoch_progress
        st.progress(min(done_part / epochs, 1.0), text=f"epoch {trainer.epoch} of {epochs}"
                    + (f" (+{trainer.epoch_progress:.0%} of the next)" if trainer.epoch_progress else ""))
        if trainer.stopped:
            st.warning(trainer.stopped)
        m1, m2, m3 = st.columns(3)                # the same places before the first epoch: no layout jump
        m1.metric("training loss", f"{hist['train_loss'][-1]:.3f}" if hist["epoch"] else "—")
        m2.metric("test loss", f"{hist['test_loss'][-1]:.3f}" if hist["epoch"] else "—")
        m3.metric("test accuracy", f"{hist['test_acc'][-1]:.1%}" if hist["epoch"] else "—")
        live_picture("cnn_hist_box", 310, playing, lambda: vc.history_image(hist, epochs), lambda: vc.history_figure(
            hist, epochs), lambda: vc.history_words(hist, epochs), key="cnn_hist", config={"displayModeBar": False})

    done = trainer.epoch >= epochs
    bt = st.columns([3.3, 3], vertical_alignment="center")
    with bt[0]:
        live.control_bar("cnn_train", step=lambda: trainer.run_epoch(), reset=reset_training,
                         can_play=not done and not trainer.stopped, step_help="Train one epoch (or the rest of "
                         "the one under way)", reset_help="Start again from fresh random weights")
    bt[1].caption(f"{trainer.model.num_params():,} parameters. " + ("Done — raise the epochs to train on." if done else ""))
    live.live_view("cnn_train", advance, train_view, training=0.03, floor=0.015, count=lambda: trainer.epoch + trainer.epoch_progress,
                   unit="epochs")
    code_panel(lambda f, n: export.cnn_code(data_name, trainer, f, epochs=n), "cnn_code", trainer.epoch, default=epochs)

    # --- inside the network (drawn on full reruns: while paused, or when training ends) -------------
    model = trainer.model
    st.subheader("Inside the network" + (f" after {trainer.epoch} epoch(s)" if trainer.epoch else " (untrained)"))
    W1 = model.layers[0].params["W"][:, 0]
    st.markdown(f"**The {len(W1)} learned 3×3 filters of the first conv layer** (range ±{vc.symmetric_range(W1):.2f})")
    show_rgb(st, vc.montage_rgb(W1, vc.symmetric_range(W1), cell=36, ncols=8, gap=10),
             alt=f"The {len(W1)} learned 3×3 filters of the first conv layer, range ±{vc.symmetric_range(W1):.2f}")
    st.caption("Each filter is a kernel the network found by itself: compare them with the presets of part 1.")

    X_test, y_test = data["X_test"], data["y_test"]
    def feature_maps(x):
        """Every layer's maps for one image, each layer on its own fixed symmetric range."""
        st.markdown("**Feature maps of every layer for this image** (one row per layer, one tile per filter)")
        for name, a in cl.layer_outputs(model, x):
            if a.ndim == 3:
                vmax = vc.symmetric_range(a)
                show_rgb(st, vc.montage_rgb(a, vmax, cell=max(8, 104 // a.shape[-1]), ncols=8, gap=10),
                     caption=f"{name}: {a.shape[0]} maps of {a.shape[1]}×{a.shape[2]} (range ±{vmax:.2f})",
                     alt=f"Feature maps of {name}: {a.shape[0]} maps of {a.shape[1]}×{a.shape[2]}, range ±{vmax:.2f}")

    g1, g2 = st.columns([1, 2], gap="large")
    with g1:
        pick = st.slider("A test image", 0, len(X_test) - 1, 0, **links.kw("cnn_pick"))
        st.image(grey_uri(X_test[pick, 0], 20), caption=f"true class: {classes[y_test[pick]]}", width=160,
                 alt=f"Test image {pick}, true class {classes[y_test[pick]]}")
    with g2:
        probs = cl.probabilities(model, X_test[pick])
        st.markdown(f"**The network says: {classes[int(probs.argmax())]}** ({probs.max():.0%} sure)")
        st.plotly_chart(vc.probability_figure(probs, classes, int(y_test[pick])), key="cnn_probs",
                        config={"displayModeBar": False})
    feature_maps(X_test[pick])
    conv_hierarchy(model, X_test[pick], "cnn_hier")

    P_test = model.predict_proba(X_test)                           # one forward pass for both pictures
    cm = cl.confusion_matrix(y_test, P_test.argmax(axis=1), len(classes))
    g3, g4 = st.columns([1, 1], gap="large")
    with g3:
        st.markdown(f"**Confusion matrix** on the {len(y_test)} test images")
        st.plotly_chart(vc.confusion_figure(cm, classes), key="cnn_cm", config={"displayModeBar": False})
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

    st.subheader("Your own image")
    own_src = st.radio("Your image", ["draw", "tick cells", "upload"], horizontal=True, **links.kw("cnn_own_src"))
    if own_src == "draw":                # the canvas's answer follows the pen: a fragment of its own
        draw_your_digit(model, classes, digits=data_name == "digits")
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
            st.plotly_chart(vc.probability_figure(probs_own, classes), key="cnn_probs_own",
                            config={"displayModeBar": False})
    if x_own is not None:
        feature_maps(x_own)

    st.markdown("**Try next:** set the learning rate to 1 and watch the accuracy stall near chance; drop to 2 "
                "filters and see what the network can still learn; switch to the shapes and compare with the MLP "
                "below.")

    st.subheader("A CNN against an MLP of the same size")
    mlp_state = st.session_state.get("cnn_mlp")
    if st.button("Train an MLP with about as many parameters, for the same epochs", key="cnn_mlp_go",
                 disabled=trainer.epoch == 0):
        with st.spinner("Training the MLP…"):
            mlp_state = st.session_state["cnn_mlp"] = {"arch": arch, **cl.train_mlp_like(trainer, opt_name)}
    if trainer.epoch == 0:
        st.caption("Train the CNN first; then compare.")
    if mlp_state and mlp_state["arch"] == arch:
        cnn_acc = trainer.history["test_acc"][-1] if trainer.history["test_acc"] else float("nan")
        m1, m2 = st.columns(2)
        m1.metric(f"CNN: {model.num_params():,} parameters, {trainer.epoch} epochs", f"{cnn_acc:.1%} test accuracy")
        m2.metric(f"MLP (64 → {mlp_state['hidden']} → {len(classes)}): {mlp_state['params']:,} parameters, "
                  f"{mlp_state['epochs']} epochs",
                  "—" if mlp_state["acc"] is None else f"{mlp_state['acc']:.1%} test accuracy")
        if mlp_state["stopped"]:
            st.warning(mlp_state["stopped"])
        st.markdown(
            f"**Why weight sharing helps.** The first conv layer spends only {model.layers[0].params['W'].size + filters} "
            "parameters, yet each filter looks at every position of the image with the same weights: a stroke "
            "detector learned in one corner works everywhere. The MLP needs a separate weight for every "
            f"pixel–unit pair, so the same budget buys it only {mlp_state['hidden']} hidden units, and what it "
            "learns at one place does not carry over to another. On the digits, centred and tiny, a plain MLP "
            "keeps up; on the shapes, drawn anywhere in the frame, the shared filters usually win clearly — try both.")

challenges.close("cnn", challenges.cnn_view(K, st.session_state.get("cnn_edit", False), data_name, trainer, mlp_state, arch))

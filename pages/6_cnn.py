"""Lesson 6: convolutional networks — slide a kernel over an image number by number, then train a small
CNN live and look inside it."""
import numpy as np
import streamlit as st

from lessons import cnn as cl, export
from nn_core.images import SHAPE_CLASSES, load_digits, make_shapes
from nn_core.optimizers import make_optimizer
from ui import challenges, layout, link_state, links, live
from ui.cnn_inside import inside_network, own_choice, own_image, pick_slider
from ui.cnn_slide import pool_choice, slide_section
from ui.common import grid_words, show_rgb, state
from ui.drawing import pixel_editor
from ui.export import code_panel
from ui.pictures import live_picture
from ui.uploads import image_uploader
from viz import cnn as vc

SIZE = 8                     # every image in this lesson is 8×8, like the digits
SOURCES = ["a digit", "a shape", "your drawing", "your upload"]
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

    if tab_slide.open:                           # the closed tab is not drawn: it would slow every rerun
        slide_section(image, K, k, stride, padding, SIZE)
    else:
        live.set_playing("cnn", False)
        pool_choice()                            # its link parameter stays while the tab is closed

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

    mlp_state = st.session_state.get("cnn_mlp")
    if not tab_train.open:                       # the closed tab is not drawn: it would slow every rerun
        live.set_playing("cnn_train", False)
        pick_slider(len(data["X_test"]))
        own_choice()                             # their link parameters stay while the tab is closed
    else:
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
            width = layout.picture_width(900)
            live_picture("cnn_hist_box", 310, playing, lambda: vc.history_image(hist, epochs, width=width), lambda: vc.history_figure(
                hist, epochs), lambda: vc.history_words(hist, epochs), key="cnn_hist",
                         config={"displayModeBar": False})

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

        inside_network(trainer, data)
        own_image(trainer.model, classes, digits=data_name == "digits")

        st.markdown("**Try next:** set the learning rate to 1 and watch the accuracy stall near chance; drop to 2 "
                    "filters and see what the network can still learn; switch to the shapes and compare with the MLP "
                    "below.")

        st.subheader("A CNN against an MLP of the same size")
        if st.button("Train an MLP with about as many parameters, for the same epochs", key="cnn_mlp_go",
                     disabled=trainer.epoch == 0):
            with st.spinner("Training the MLP…"):
                mlp_state = st.session_state["cnn_mlp"] = {"arch": arch, **cl.train_mlp_like(trainer, opt_name)}
        if trainer.epoch == 0:
            st.caption("Train the CNN first; then compare.")
        if mlp_state and mlp_state["arch"] == arch:
            cnn_acc = trainer.history["test_acc"][-1] if trainer.history["test_acc"] else float("nan")
            m1, m2 = st.columns(2)
            m1.metric(f"CNN: {trainer.model.num_params():,} parameters, {trainer.epoch} epochs", f"{cnn_acc:.1%} test accuracy")
            m2.metric(f"MLP (64 → {mlp_state['hidden']} → {len(classes)}): {mlp_state['params']:,} parameters, "
                      f"{mlp_state['epochs']} epochs",
                      "—" if mlp_state["acc"] is None else f"{mlp_state['acc']:.1%} test accuracy")
            if mlp_state["stopped"]:
                st.warning(mlp_state["stopped"])
            st.markdown(
                f"**Why weight sharing helps.** The first conv layer spends only {trainer.model.layers[0].params['W'].size + filters} "
                "parameters, yet each filter looks at every position of the image with the same weights: a stroke "
                "detector learned in one corner works everywhere. The MLP needs a separate weight for every "
                f"pixel–unit pair, so the same budget buys it only {mlp_state['hidden']} hidden units, and what it "
                "learns at one place does not carry over to another. On the digits, centred and tiny, a plain MLP "
                "keeps up; on the shapes, drawn anywhere in the frame, the shared filters usually win clearly — try both.")

challenges.close("cnn", challenges.cnn_view(K, st.session_state.get("cnn_edit", False), data_name, trainer, mlp_state, arch))

"""Lesson 6 page under AppTest: every preset kernel and size, every stride/padding combination (the
ones that do not fit get a warning with the numbers), stepping and playing, every input source with
good and bad uploads, and training start/pause/step/reset with every training control. The numbers
on the page are checked against the engine's own convolution and models."""
import io
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from live_helpers import box
from lessons import cnn as cl
from nn_core.conv import conv2d_loop
from nn_core.images import SHAPE_CLASSES, load_digits, make_shapes
from nn_core.optimizers import SGD, RMSprop

PAGE = str(ROOT / "pages" / "6_cnn.py")
DIGIT = load_digits()[0][4]


TRAIN = "2 · Train a CNN"


def fresh(tab=None):
    """The page at its defaults, on its first tab or on the tab ``tab`` (its link parameter, as a share link opens it)."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    if tab:
        at.query_params["cnn_tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def z_shown(at):
    """The value of the current output cell as the page writes it: z_{i,j} = ... + b = value."""
    tex = next(t.value for t in at.latex if "z_{" in t.value)
    i, j = map(int, re.search(r"z_\{(\d+),(\d+)\}", tex).groups())
    return i, j, float(tex.rsplit("=", 1)[1].strip().strip("$").strip())


def engine_output(image, K, stride=1, padding=0):
    return conv2d_loop(np.asarray(image, float)[None, None], np.asarray(K, float)[None, None], np.zeros(1),
                       stride, padding)[0, 0]


def png(array, mode="RGB"):
    buf = io.BytesIO()
    Image.fromarray(array.astype(np.uint8), mode).save(buf, format="PNG")
    return buf.getvalue()


def seven_picture(scale=1):
    """Dark ink on white, colour, 240×160 (under ui.uploads' KEEP_SIDE: kept as it is) or ``scale`` times that."""
    img = np.full((160 * scale, 240 * scale, 3), 255, np.uint8)
    img[32 * scale:48 * scale, 80 * scale:160 * scale] = (20, 20, 90)
    for r in range(48 * scale, 144 * scale):
        c = 152 * scale - (r - 48 * scale) // 2
        img[r, c - 8 * scale:c + 8 * scale] = (20, 20, 90)
    return img


# --- the explorer ---------------------------------------------------------------------------------
def test_defaults_show_the_engines_numbers():
    at = fresh()
    assert at.title[0].value == "Convolutional networks"
    assert r"\left\lfloor \frac{8 + 2 \cdot 0 - 3}{1} \right\rfloor + 1 = 6" in at.latex[0].value
    assert "fits exactly: the output is 6×6" in at.success[0].value
    i, j, z = z_shown(at)
    y = engine_output(DIGIT, cl.kernel("vertical edge", 3))
    assert (i, j) == (0, 0) and z == pytest.approx(y[0, 0], abs=5.1e-3)
    # one rounding for one number: the output map's cell (its picture's alt text), z and the engine's value
    # (z = 0.062 was shown beside a map cell of 0.1)
    shown = f"{y[0, 0]:.2f}"
    assert any(f"gives {shown} for" in c.value for c in at.caption)
    assert box(at, "cnn_slide_out")[1][0][1].endswith(f"= {shown}") and z == float(shown)


@pytest.mark.parametrize("k", [3, 5])
def test_every_preset_kernel(k):
    at = fresh()
    at.radio(key="cnn_k").set_value(k)
    at.slider(key="cnn_pad").set_value(1).run()
    at.button(key="cnn_last").click().run()                      # the last cell: every window checked there
    for name in cl.KERNELS:
        ok(at.selectbox(key="cnn_kernel").set_value(name).run())
        y = engine_output(DIGIT, cl.kernel(name, k), 1, 1)
        i, j, z = z_shown(at)
        assert (i, j) == (y.shape[0] - 1, y.shape[1] - 1), name
        assert z == pytest.approx(y[i, j], abs=5.1e-3), name


@pytest.mark.parametrize("k", [3, 5])
def test_every_stride_and_padding(k):
    at = fresh()
    at.radio(key="cnn_k").set_value(k)
    at.selectbox(key="cnn_kernel").set_value("Sobel x")
    for stride in (1, 2, 3):
        for padding in (0, 1, 2):
            at.slider(key="cnn_stride").set_value(stride)
            at.slider(key="cnn_pad").set_value(padding)
            at.session_state["cnn_pos"] = 1                       # the second cell: the window moved by s
            ok(at.run())
            num = 8 + 2 * padding - k
            n_out = num // stride + 1
            assert f"= {n_out}" in at.latex[0].value and f"{{{stride}}}" in at.latex[0].value
            assert any(f"of {n_out * n_out}" in m.value for m in at.markdown), (stride, padding)
            if num % stride:
                assert len(at.warning) == 1 and not at.success
                msg = at.warning[0].value
                assert f"{num}/{stride} = {num / stride:.2f} is not a whole number" in msg
                assert f"rounds down to {n_out}" in msg
            else:
                assert not at.warning and f"output is {n_out}×{n_out}" in at.success[0].value
            y = engine_output(DIGIT, cl.kernel("Sobel x", k), stride, padding)
            i, j, z = z_shown(at)
            assert (i, j) == (0, 1) and z == pytest.approx(y[0, 1], abs=5.1e-3)
            assert any(f"column {stride}" in m.value for m in at.markdown)


def test_step_back_all_play_and_pause():
    at = fresh()
    y = engine_output(DIGIT, cl.kernel("vertical edge", 3))
    at.button(key="cnn_step").click().run()
    at.button(key="cnn_step").click().run()
    assert z_shown(at)[:2] == (0, 2) and z_shown(at)[2] == pytest.approx(y[0, 2], abs=5.1e-3)
    at.button(key="cnn_back").click().run()
    assert z_shown(at)[:2] == (0, 1)
    at.button(key="cnn_last").click().run()
    assert z_shown(at)[:2] == (5, 5) and z_shown(at)[2] == pytest.approx(y[5, 5], abs=5.1e-3)
    at.button(key="cnn_play").click().run()                      # at the end, Play starts over from 0 …
    assert at.session_state["cnn_playing"] is True
    assert z_shown(at)[:2] == (0, 1)                             # … and each frame moves one cell
    assert at.button(key="cnn_pause").label == "Pause"
    ok(at.button(key="cnn_pause").click().run())
    assert at.session_state["cnn_playing"] is False and z_shown(at)[:2] == (0, 1)
    at.session_state["cnn_pos"] = 35
    at.session_state["cnn_playing"] = True
    ok(at.run())                                                 # the last frame stops the play by itself
    assert at.session_state["cnn_playing"] is False


def test_the_slide_says_its_pace_which_keeps_two_cells_a_second_under_load():
    """Under a class's load a frame is lost now and then: at 2 cells a second (its normal speed) the slide made
    1.4–1.95 frames/s in bench/load.py --mix, under the ≥ 2 asked of every live view (issue 17). Its normal speed
    is 3 cells a second, and the lesson says the pace of each speed."""
    at = fresh()

    def pace():
        text = next(c.value for c in at.caption if c.value.startswith("Play moves the window one cell every"))
        seconds, per_second = re.search(r"every ([\d.]+) s \(([\d.]+) cells? a second", text).groups()
        assert float(per_second) == pytest.approx(1 / float(seconds), rel=0.02)      # the sentence agrees with itself
        return float(per_second)

    assert pace() >= 3
    paces = []
    for speed in ("slow", "normal", "fast"):
        ok(at.select_slider(key="cnn_speed").set_value(speed).run())
        paces.append(pace())
    assert paces[0] < paces[1] < paces[2] and paces[1] >= 3


def test_kernel_edited_cell_by_cell():
    at = fresh()
    at.toggle(key="cnn_edit").set_value(True).run()
    at.session_state["cnn_kedit_vertical edge_3"] = {"edited_rows": {1: {"2": 4.0}}, "added_rows": [],
                                                     "deleted_rows": []}
    ok(at.run())
    K = cl.kernel("vertical edge", 3)
    K[1, 1] = 4.0
    assert z_shown(at)[2] == pytest.approx(engine_output(DIGIT, K)[0, 0], abs=5.1e-3)


def test_pooling_modes():
    at = fresh()
    assert any("Max pooling" in m.value for m in at.markdown)
    ok(at.radio(key="cnn_pool").set_value("average").run())
    assert any("Average pooling" in m.value for m in at.markdown)


def test_digit_and_shape_sources():
    at = fresh()
    ok(at.number_input(key="cnn_digit").set_value(10).run())
    X, y = load_digits()
    assert f"a handwritten **{y[10]}**" in " ".join(c.value for c in at.caption)
    assert z_shown(at)[2] == pytest.approx(engine_output(X[10], cl.kernel("vertical edge"))[0, 0], abs=5.1e-3)
    at.radio(key="cnn_src").set_value("a shape").run()
    at.button(key="cnn_last").click()
    for shape in SHAPE_CLASSES:
        at.selectbox(key="cnn_shape").set_value(shape)
        ok(at.number_input(key="cnn_shape_seed").set_value(3).run())
        Xs, ys = make_shapes(8, size=8, seed=3)
        img = Xs[np.flatnonzero(ys == SHAPE_CLASSES.index(shape))[0]]
        assert z_shown(at)[2] == pytest.approx(engine_output(img, cl.kernel("vertical edge"))[5, 5], abs=5.1e-3)


def test_drawing_in_the_pixel_editor_and_clearing_it():
    at = fresh()
    at.radio(key="cnn_src").set_value("your drawing").run()
    at.session_state["cnn_draw_0"] = {"edited_rows": {0: {"1": True}, 2: {"3": True}}, "added_rows": [],
                                      "deleted_rows": []}
    ok(at.run())
    drawing = np.zeros((8, 8))
    drawing[1, 1:7] = 1
    drawing[np.arange(2, 7), 5 - np.arange(5) // 2] = 1                  # the 7 the editor starts with
    drawing[0, 0] = drawing[2, 2] = 1                                   # the two ticks
    assert z_shown(at)[2] == pytest.approx(engine_output(drawing, cl.kernel("vertical edge"))[0, 0], abs=5.1e-3)
    ok(at.button(key="cnn_draw_clear").click().run())
    assert z_shown(at)[2] == 0.0
    assert at.data_editor[0].value.to_numpy().sum() == 0


def test_good_upload_then_bad_uploads_keep_the_picture():
    at = fresh()
    at.radio(key="cnn_src").set_value("your upload").run()
    assert any("uses digit 4" in c.value for c in at.caption)
    picture = seven_picture()
    ok(at.file_uploader(key="cnn_upload_x").set_value(("seven.png", png(picture), "image/png")).run())
    assert not at.error
    expected = engine_output(cl.prepare_image(picture)["image"], cl.kernel("vertical edge"))[0, 0]
    z_good = z_shown(at)[2]
    assert z_good == pytest.approx(expected, abs=5.1e-3)
    bad = {
        "notes.png": (b"this is not a picture", "not an image that can be read"),
        "cut.png": (png(picture)[:300], "damaged"),
        "big.png": (b"\x89PNG" + bytes(6 * 1024 * 1024), "the limit is 5 MB"),
        "anim.png": (gif_bytes(), "is a GIF image"),
    }
    for name, (data, words) in bad.items():
        ok(at.file_uploader(key="cnn_upload_x").set_value((name, data, "image/png")).run())
        assert len(at.error) == 1 and words in at.text[0].value, name    # the reason, as plain text
        assert z_shown(at)[2] == z_good, name                          # nothing else changed
        assert any("Still your previous picture" in c.value for c in at.caption)


def test_blank_upload_is_accepted_with_a_note():
    at = fresh()
    at.radio(key="cnn_src").set_value("your upload").run()
    ok(at.file_uploader(key="cnn_upload_x").set_value(("white.png", png(np.full((20, 30, 3), 200)), "image/png")).run())
    assert not at.error and "looks blank" in at.info[0].value
    assert z_shown(at)[2] == 0.0


def gif_bytes():
    buf = io.BytesIO()
    Image.new("L", (8, 8), 128).save(buf, format="GIF")
    return buf.getvalue()


def test_big_jpeg_upload_is_reduced_before_it_is_kept():
    """A 2800×2000 grey photo: decoded at a fraction of its size and reduced to at most 256 pixels a side
    before anything is kept, with nearly the numbers the full picture would give."""
    at = fresh()
    at.radio(key="cnn_src").set_value("your upload").run()
    grey = np.full((2800, 2000), 230, np.uint8)
    grey[400:2400, 800:1200] = 10
    buf = io.BytesIO()
    Image.fromarray(grey, "L").save(buf, format="JPEG")
    ok(at.file_uploader(key="cnn_upload_x").set_value(("bar.jpg", buf.getvalue(), "image/jpeg")).run())
    assert not at.error
    kept = at.session_state["cnn_upload_x_img"]["value"]
    assert max(kept["grey"].shape) <= 256 and max(kept["ink"].shape) <= 256
    full = np.asarray(Image.open(io.BytesIO(buf.getvalue())))
    expected = engine_output(cl.prepare_image(full)["image"], cl.kernel("vertical edge"))[0, 0]
    assert z_shown(at)[2] == pytest.approx(expected, abs=0.05)


# --- the two tabs ---------------------------------------------------------------------------------
def test_only_the_open_tab_is_drawn_and_the_closed_one_keeps_its_link_parameters():
    """A closed tab's pictures and live view are not drawn (each rerun, a Pause among them, would carry them), and
    what it plays stops; its settings stay drawn (hidden): the challenges judge them and the link keeps them."""
    at = fresh()
    assert at.button(key="cnn_play") and not [b for b in at.button if b.key.startswith("cnn_train_")]
    assert not at.get("plotly_chart") and not at.metric
    assert at.slider(key="cnn_pick") and at.radio(key="cnn_own_src") and at.radio(key="cnn_data")
    ok(at.button(key="cnn_play").click().run())
    assert at.session_state["cnn_playing"] is True
    at.session_state["cnn_tab"] = TRAIN                  # as a click on the tab does
    ok(at.run())
    assert at.session_state["cnn_playing"] is False      # the slide stopped with its tab closed
    assert at.button(key="cnn_train_play") and not [b for b in at.button if b.key in ("cnn_play", "cnn_pause")]
    assert not any("z_{" in t.value for t in at.latex) and at.radio(key="cnn_pool") and at.selectbox(key="cnn_kernel")
    assert {m.label for m in at.metric} >= {"training loss", "test loss", "test accuracy"}
    ok(at.button(key="cnn_train_play").click().run())
    ok(at.radio(key="cnn_pool").set_value("average").run())   # set while its tab is closed: kept for it
    at.session_state["cnn_tab"] = "1 · Slide a kernel"
    ok(at.run())
    assert at.session_state["cnn_train_playing"] is False
    assert any("Average pooling" in m.value for m in at.markdown)


# --- training -------------------------------------------------------------------------------------
def trainer(at):
    return at.session_state["cnn_run"]["trainer"]


def test_train_pause_resume_step_reset():
    at = fresh(TRAIN)
    assert trainer(at).epoch == 0 and at.button(key="cnn_train_play").label == "Play"
    assert at.button(key="cnn_mlp_go").disabled
    ok(at.button(key="cnn_train_play").click().run())
    t = trainer(at)
    assert at.session_state["cnn_train_playing"] is True and t.epoch + t.epoch_progress > 0   # one frame's batches
    assert at.button(key="cnn_train_pause").label == "Pause"
    frames = 0
    while t.epoch < 1 and frames < 100:                          # AppTest runs no timers: each run is a frame
        ok(at.run())
        frames += 1
    assert t.epoch >= 1
    # playing: the curves are an image whose alt text gives the engine's newest numbers (no Plotly chart)
    h = t.history
    height, shown = box(at, "cnn_hist_box")
    assert shown == [("image", f"Loss and accuracy per epoch, {len(h['epoch'])} of 10 epochs: training loss "
                               f"{h['train_loss'][-1]:.3f}, test loss {h['test_loss'][-1]:.3f}, test accuracy "
                               f"{h['test_acc'][-1]:.1%}")]
    ok(at.button(key="cnn_train_pause").click().run())
    assert at.session_state["cnn_train_playing"] is False
    assert box(at, "cnn_hist_box") == (height, [("plotly", box(at, "cnn_hist_box")[1][0][1])])   # paused: Plotly, same box
    epoch, progress = t.epoch, t.epoch_progress
    ok(at.run())
    assert (t.epoch, t.epoch_progress) == (epoch, progress) and at.button(key="cnn_train_play").label == "Play"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["test accuracy"] == f"{t.history['test_acc'][-1]:.1%}"
    assert metrics["training loss"] == f"{t.history['train_loss'][-1]:.3f}"
    ok(at.button(key="cnn_train_step").click().run())                # finishes the epoch under way
    assert t.epoch == epoch + 1 and t.epoch_progress == 0
    assert any(f"after {epoch + 1} epoch(s)" in h.value for h in at.subheader)
    # the network's answer for the chosen test image is the engine's
    data = cl.image_dataset("digits")
    probs = cl.probabilities(t.model, data["X_test"][0])
    assert any(f"The network says: {probs.argmax()}** ({probs.max():.0%} sure)" in m.value for m in at.markdown)
    ok(at.button(key="cnn_train_reset").click().run())
    assert trainer(at).epoch == 0 and trainer(at) is not t


def test_training_stops_at_the_epoch_target():
    at = fresh(TRAIN)
    at.slider(key="cnn_epochs").set_value(1).run()
    ok(at.button(key="cnn_train_play").click().run())
    frames = 0
    while at.session_state["cnn_train_playing"] and frames < 100:
        ok(at.run())
        frames += 1
    assert trainer(at).epoch == 1 and at.session_state["cnn_train_playing"] is False
    assert at.button(key="cnn_train_play").disabled
    assert any("Done" in c.value for c in at.caption)


def test_every_training_control():
    at = fresh(TRAIN)
    ok(at.radio(key="cnn_data").set_value("shapes").run())
    assert trainer(at).model.layers[-1].out_features == 4
    ok(at.radio(key="cnn_preset").set_value("two conv layers").run())
    assert sum(type(layer).__name__ == "Conv2D" for layer in trainer(at).model.layers) == 2
    ok(at.slider(key="cnn_filters").set_value(4).run())
    model = trainer(at).model
    assert model.layers[0].params["W"].shape == (4, 1, 3, 3)
    assert any(f"{model.num_params():,} parameters" in c.value for c in at.caption)
    ok(at.selectbox(key="cnn_opt").set_value("rmsprop").run())
    assert isinstance(trainer(at).optimizer, RMSprop)
    ok(at.selectbox(key="cnn_opt").set_value("momentum").run())
    assert isinstance(trainer(at).optimizer, SGD) and trainer(at).optimizer.momentum > 0
    ok(at.select_slider(key="cnn_lr").set_value(0.1).run())
    assert trainer(at).optimizer.lr == 0.1
    ok(at.select_slider(key="cnn_bs").set_value(64).run())
    assert trainer(at).batch_size == 64
    ok(at.slider(key="cnn_epochs").set_value(3).run())
    ok(at.button(key="cnn_train_step").click().run())
    assert trainer(at).epoch == 1 and trainer(at).model is model
    ok(at.slider(key="cnn_pick").set_value(5).run())
    data = cl.image_dataset("shapes")
    probs = cl.probabilities(model, data["X_test"][5])
    assert any(f"The network says: {data['classes'][probs.argmax()]}**" in m.value for m in at.markdown)


def test_own_image_drawn_and_uploaded_and_mlp_comparison():
    at = fresh(TRAIN)
    ok(at.button(key="cnn_train_step").click().run())
    model = trainer(at).model
    at.radio(key="cnn_own_src").set_value("tick cells").run()   # the canvas: tests/test_drawing.py
    drawing = np.zeros((8, 8))
    drawing[1, 1:7] = 1
    drawing[np.arange(2, 7), 5 - np.arange(5) // 2] = 1
    says = [m.value for m in at.markdown if "The network says" in m.value]
    probs = cl.probabilities(model, drawing)
    assert f"The network says: {probs.argmax()}** ({probs.max():.0%} sure)" in says[-1]
    at.radio(key="cnn_own_src").set_value("upload").run()
    picture = seven_picture()
    ok(at.file_uploader(key="cnn_upload_own").set_value(("seven.png", png(picture), "image/png")).run())
    probs = cl.probabilities(model, cl.prepare_image(picture)["image"])
    says = [m.value for m in at.markdown if "The network says" in m.value]
    assert f"The network says: {probs.argmax()}** ({probs.max():.0%} sure)" in says[-1]
    epoch = trainer(at).epoch
    ok(at.file_uploader(key="cnn_upload_own").set_value(("notes.png", b"hello", "image/png")).run())
    assert len(at.error) == 1 and "not an image" in at.text[0].value
    assert trainer(at).epoch == epoch and trainer(at).model is model   # nothing else changed
    says_after = [m.value for m in at.markdown if "The network says" in m.value]
    assert says_after[-1] == says[-1]                                   # still the last good picture
    ok(at.button(key="cnn_mlp_go").click().run())
    mlp = cl.build_mlp_like(model.num_params(), 64, 10)
    metrics = {m.label: m.value for m in at.metric}
    label = next(k for k in metrics if k.startswith("MLP"))
    assert f"{mlp.num_params():,} parameters, 1 epochs" in label
    cnn_label = next(k for k in metrics if k.startswith("CNN"))
    assert metrics[cnn_label] == f"{trainer(at).history['test_acc'][-1]:.1%} test accuracy"
    assert any("Why weight sharing helps" in m.value for m in at.markdown)


def test_a_divergence_stop_is_shown_in_plain_words_and_blocks_training():
    at = fresh(TRAIN)
    trainer(at).stopped = "The loss became NaN at epoch 3: the learning rate 1 is most likely too large."
    ok(at.run())
    assert "learning rate 1 is most likely too large" in at.warning[0].value
    assert at.button(key="cnn_train_play").disabled
    ok(at.button(key="cnn_train_reset").click().run())
    assert not trainer(at).stopped and not at.button(key="cnn_train_play").disabled

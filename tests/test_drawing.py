"""Draw your own digit: the canvas's strokes become the 8×8 input exactly as the training digits were made
(lessons/drawing.py), the shipped example is read correctly, and the CNN page shows the network's answer."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import lessons.drawing as D
from conftest import ROOT
from lessons import cnn as cl
from nn_core.images import load_digits


def test_block_counts_are_ink_pixels_per_4x4_block_over_16():
    bits = np.zeros((32, 32))
    bits[0:4, 0:4] = 1                       # a full block: 16 of 16
    bits[4:6, 8:12] = 1                      # half a block: 8 of 16
    bits[31, 31] = 1                         # one pixel: 1 of 16
    x = D.block_counts(bits)
    assert x.shape == (8, 8) and x[0, 0] == 1.0 and x[1, 2] == 0.5 and x[7, 7] == 1 / 16
    assert x.sum() == pytest.approx(bits.sum() / 16)


def test_a_drawing_is_made_like_the_training_digits():
    X, _ = load_digits()
    bits = D.bitmap(D.EXAMPLE_SEVEN)
    assert set(np.unique(bits)) == {0.0, 1.0}                          # black and white, like the bitmaps
    # every training digit has ink in the top and the bottom rows of blocks: so has the drawing
    assert np.all(X[:, 0].sum(1) > 0) and np.all(X[:, 7].sum(1) > 0)
    x = D.digit_image(D.EXAMPLE_SEVEN)
    assert x[0].sum() > 0 and x[7].sum() > 0
    # as much ink as the training digits have on average (their block counts sum to ink pixels / 16)
    mean_ink = X.sum(axis=(1, 2)).mean() * 16
    assert abs(bits.sum() - mean_ink) < 0.05 * mean_ink
    # the same drawing drawn small in a corner, or large, gives the same input: it is scaled to the height
    small = [[[0.1 + 0.3 * px, 0.05 + 0.3 * py] for px, py in s] for s in D.EXAMPLE_SEVEN]
    assert np.allclose(D.digit_image(small), x, atol=1 / 16 + 1e-12)


def test_the_shipped_example_is_read_as_a_seven():
    trainer = cl.make_trainer(cl.image_dataset("digits"), "one conv layer", 8, "adam", 0.01, 32)   # page defaults
    for _ in range(10):
        trainer.run_epoch()
    assert trainer.history["test_acc"][-1] > 0.9
    probs = cl.probabilities(trainer.model, D.digit_image(D.EXAMPLE_SEVEN))
    assert int(probs.argmax()) == 7 and probs.max() > 0.8


@pytest.mark.parametrize("bad", ["text", [[["a", 1]]], [[[0.5, 0.5]]] * (D.MAX_STROKES + 1),
                                 [[[0.5, float("nan")]]], [[[5.0, 0.5]]], [[[0.1, 0.1]] * (D.MAX_POINTS + 1)]])
def test_what_is_not_a_drawing_is_refused_in_words(bad):
    with pytest.raises(ValueError):
        D.check_strokes(bad)


def test_an_empty_canvas_is_blank_and_a_dot_is_ink():
    assert not D.bitmap([]).any()
    assert D.bitmap([[[0.5, 0.5]]]).sum() > 0


def test_the_cnn_page_reads_the_canvas():
    at = AppTest.from_file(str(ROOT / "pages" / "6_cnn.py"), default_timeout=90)
    at.query_params["cnn_tab"] = "2 · Train a CNN"           # the canvas is on the training tab (drawn when open)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="cnn_own_src").value == "draw"
    model = at.session_state["cnn_run"]["trainer"].model
    probs = cl.probabilities(model, D.digit_image(D.EXAMPLE_SEVEN))    # the canvas starts with the example
    says = [m.value for m in at.markdown if m.value.startswith("**The network says")]
    assert f"**The network says: {int(probs.argmax())}** ({probs.max():.0%} sure)" in says
    captions = [i.proto.imgs[0].caption for i in at.get("image") if i.proto.imgs]
    assert "8×8: ink pixels per 4×4 block ÷ 16 — the network's input" in captions
    at.button(key="cnn_canvas_clear").click().run()
    assert any("Draw a digit on the canvas" in i.value for i in at.info)
    at.radio(key="cnn_own_src").set_value("tick cells").run()
    assert not at.exception and at.get("arrow_data_frame") is not None

"""nn_core.cnn_lesson: kernel presets, the output-size rule, the sliding-window record (checked against
the engine's Conv2D and hand-computed sums), pooling forward/backward, CNN presets, upload preparation."""
import numpy as np
import pytest

from nn_core import CrossEntropy, Conv2D
from lessons import cnn as cl
from nn_core.gradcheck import check_model
from nn_core.optimizers import Adam
from nn_core.training import Trainer

# Textbook 3×3 kernels, written out by hand.
HAND_3x3 = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "horizontal edge": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "vertical edge": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "Sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "box blur": [[1 / 9] * 3] * 3,
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


@pytest.mark.parametrize("name", list(HAND_3x3))
def test_3x3_presets_are_the_textbook_kernels(name):
    np.testing.assert_allclose(cl.kernel(name, 3), HAND_3x3[name])


def test_5x5_presets():
    K = {name: cl.kernel(name, 5) for name in cl.KERNELS}
    assert all(k.shape == (5, 5) for k in K.values())
    assert K["identity"][2, 2] == 1 and K["identity"].sum() == 1
    assert K["box blur"].sum() == pytest.approx(1.0) and np.ptp(K["box blur"]) == 0
    assert K["sharpen"].sum() == pytest.approx(1.0) and K["sharpen"][2, 2] == 1.0   # flat areas unchanged
    assert K["Sobel x"][2].tolist() == [-6, -12, 0, 12, 6]          # [1 4 6 4 1]ᵀ · [−1 −2 0 2 1], middle row
    np.testing.assert_array_equal(K["Sobel y"], K["Sobel x"].T)
    assert K["horizontal edge"][:, 0].tolist() == [-1, -1, 0, 1, 1]
    np.testing.assert_array_equal(K["vertical edge"], K["horizontal edge"].T)
    assert K["emboss"][0, 0] == -4 and K["emboss"][4, 4] == 4 and K["emboss"][2, 2] == 1


def test_unknown_kernel_or_size_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown kernel"):
        cl.kernel("blur", 3)
    with pytest.raises(ValueError, match="3 or 5"):
        cl.kernel("identity", 4)


@pytest.mark.parametrize("n, k, s, p, n_out, exact, unused", [
    (8, 3, 1, 0, 6, True, 0), (8, 3, 1, 1, 8, True, 0), (8, 3, 2, 0, 3, False, 1), (8, 3, 2, 1, 4, False, 1),
    (8, 5, 3, 0, 2, True, 0), (8, 5, 2, 2, 4, False, 1), (8, 3, 3, 2, 4, True, 0), (8, 5, 3, 1, 2, False, 2),
])
def test_output_size_by_hand(n, k, s, p, n_out, exact, unused):
    info = cl.check_settings(n, k, s, p)
    assert (info["n_out"], info["exact"], info["unused"]) == (n_out, exact, unused)
    assert info["numerator"] == n + 2 * p - k
    if exact:
        assert info["level"] is None
    else:
        assert info["level"] == "warning" and "not a whole number" in info["message"]
        assert f"{n + 2 * p - k}/{s}" in info["message"] and f"rounds down to {n_out}" in info["message"]


def test_kernel_larger_than_padded_image_is_an_error():
    info = cl.check_settings(3, 5, 1, 0)
    assert info["level"] == "error" and info["n_out"] is None
    assert "larger than the padded image (3×3)" in info["message"]
    assert cl.check_settings(3, 5, 1, 1)["level"] is None          # one ring of padding makes it fit


def test_slide_by_hand():
    x = np.arange(16.0).reshape(4, 4)
    K = np.array([[1.0, 0], [0, -1]])                               # x[i, j] − x[i+1, j+1] = −5 everywhere
    rec = cl.slide(x, K)
    np.testing.assert_allclose(rec["output"], np.full((3, 3), -5.0))
    np.testing.assert_allclose(rec["sums"], rec["output"])
    np.testing.assert_allclose(rec["windows"][1, 2], [[6, 7], [10, 11]])
    np.testing.assert_allclose(rec["products"][1, 2], [[6, 0], [0, -11]])


@pytest.mark.parametrize("k, s, p", [(3, 1, 0), (3, 2, 1), (5, 1, 2), (5, 3, 1), (3, 3, 2)])
def test_slide_matches_the_engine_conv2d_layer(k, s, p):
    rng = np.random.default_rng(k * 10 + s + p)
    x, K = rng.random((8, 8)), rng.normal(size=(k, k))
    rec = cl.slide(x, K, s, p, bias=0.3)
    layer = Conv2D(1, 1, k, stride=s, padding=p)
    layer.params["W"][...] = K
    layer.params["b"][...] = 0.3
    y = layer.forward(x[None, None])[0, 0]
    np.testing.assert_allclose(rec["output"], y, atol=1e-12)
    np.testing.assert_allclose(rec["sums"], y, atol=1e-12)
    for i, j in [(0, 0), (y.shape[0] - 1, y.shape[1] - 1)]:
        r, c = rec["corners"][i, j]
        assert (r, c) == (s * i, s * j)
        np.testing.assert_array_equal(rec["windows"][i, j], rec["padded"][r:r + k, c:c + k])
    assert rec["padded"].shape == (8 + 2 * p,) * 2 and rec["padded"][:p].sum() == 0


def test_max_pool_forward_backward_by_hand():
    fmap = np.array([[1.0, 3, 0, 0],
                     [2, 0, 5, 4],
                     [0, 0, 1, 1],
                     [0, 7, 1, 1]])
    res = cl.pool(fmap, "max")
    np.testing.assert_array_equal(res["output"], [[3, 5], [7, 1]])
    assert res["winners"].reshape(-1, 2).tolist() == [[0, 1], [1, 2], [3, 1], [2, 2]]   # first max on ties
    grad = np.zeros((4, 4))
    grad[0, 1] = grad[1, 2] = grad[3, 1] = grad[2, 2] = 1
    np.testing.assert_array_equal(res["grad"], grad)


def test_average_pool_and_odd_sizes():
    res = cl.pool(np.arange(25.0).reshape(5, 5), "average")
    np.testing.assert_allclose(res["output"], [[3, 5], [13, 15]])
    assert res["winners"] is None
    assert res["grad"][:4, :4].tolist() == np.full((4, 4), 0.25).tolist()
    assert res["grad"][4].sum() == 0 and res["grad"][:, 4].sum() == 0      # the dropped row/column
    assert cl.pool(np.ones((1, 1))) is None


def test_relu_is_the_engines():
    np.testing.assert_array_equal(cl.relu(np.array([[-1.0, 2.0]])), [[0.0, 2.0]])


@pytest.mark.parametrize("preset, filters, params", [
    ("one conv layer", 8, (8 * 9 + 8) + (8 * 16 * 10 + 10)),
    ("two conv layers", 8, (8 * 9 + 8) + (8 * 8 * 9 + 8) + (8 * 4 * 10 + 10)),
    ("one conv layer", 2, (2 * 9 + 2) + (2 * 16 * 4 + 4)),
])
def test_cnn_presets_parameter_counts(preset, filters, params):
    n_classes = 4 if filters == 2 else 10
    model = cl.build_cnn(preset, filters, n_classes)
    assert model.num_params() == params
    assert model.forward(np.zeros((3, 1, 8, 8))).shape == (3, n_classes)
    with pytest.raises(ValueError, match="unknown preset"):
        cl.build_cnn("three", 4)


def test_cnn_preset_gradients_by_finite_differences():
    rng = np.random.default_rng(0)
    model = cl.build_cnn("two conv layers", 3, 4, seed=1)
    for layer in model.layers:
        for b in [v for name, v in layer.params.items() if name == "b"]:
            b[...] = rng.normal(scale=0.1, size=b.shape)
    errors = check_model(model, CrossEntropy(), rng.random((3, 1, 8, 8)), np.array([0, 3, 1]))
    assert max(errors.values()) < 1e-5, errors


def test_mlp_like_has_a_similar_budget():
    for target in (994, 1370, 2700):
        mlp = cl.build_mlp_like(target, 64, 10)
        h = mlp.layers[1].out_features
        assert mlp.num_params() == 65 * h + (h + 1) * 10
        assert abs(mlp.num_params() - target) <= (64 + 1 + 10) / 2 + 1


def test_one_conv_preset_learns_the_digits():
    data = cl.image_dataset("digits")
    model = cl.build_cnn("one conv layer", 8, 10)
    t = Trainer(model, CrossEntropy(), Adam(0.01), data["X_train"], data["y_train"], data["X_test"],
                data["y_test"], batch_size=32)
    for _ in range(4):
        t.run_epoch()
    assert t.history["test_acc"][-1] > 0.9
    P = cl.probabilities(model, data["X_test"][0])
    assert P.shape == (10,) and P.sum() == pytest.approx(1.0)


def test_datasets():
    d = cl.image_dataset("shapes")
    assert d["X_train"].shape[1:] == (1, 8, 8) and len(d["classes"]) == 4
    assert len(d["X_train"]) + len(d["X_test"]) == 1200
    with pytest.raises(ValueError):
        cl.image_dataset("cifar")


def test_layer_outputs_follow_the_model():
    model = cl.build_cnn("one conv layer", 4, 10)
    x = np.random.default_rng(0).random((8, 8))
    outs = cl.layer_outputs(model, x)
    assert [n for n, _ in outs] == ["Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense"]
    assert [a.shape for _, a in outs] == [(4, 8, 8), (4, 8, 8), (4, 4, 4), (64,), (10,)]
    np.testing.assert_allclose(outs[-1][1], model.forward(x[None, None])[0])


def test_confusion_matrix_and_mistakes_by_hand():
    cm = cl.confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]

    P = np.array([[0.8, 0.1, 0.1], [0.1, 0.6, 0.3], [0.2, 0.1, 0.7], [0.5, 0.4, 0.1]])
    wrong, said, conf = cl.mistakes(P, np.array([0, 0, 1, 0]))
    assert wrong.tolist() == [2, 1] and said.tolist() == [2, 1]     # the 0.7 answer is the more confident
    assert conf.tolist() == [0.7, 0.6]


def test_prepare_image_dark_ink_on_white_colour_picture():
    img = np.full((120, 90, 3), 255, np.uint8)
    img[30:90, 40:50] = (10, 20, 30)                               # a dark vertical bar: a "1"
    res = cl.prepare_image(img)
    assert res["inverted"] and res["image"].shape == (8, 8)
    assert res["image"].max() == pytest.approx(1.0) and res["image"].min() >= 0
    cols = res["image"].sum(axis=0)
    assert cols[3:5].sum() > 0.8 * cols.sum()                      # centred: the ink sits in the middle columns
    assert res["image"][0].sum() < res["image"][3].sum()


def test_prepare_image_light_ink_on_black_and_rgba_and_blank():
    img = np.zeros((16, 16))
    img[4:12, 4:12] = 1.0
    res = cl.prepare_image(img)
    assert not res["inverted"] and res["image"][4, 4] == pytest.approx(1.0)
    rgba = np.zeros((20, 20, 4), np.uint8)                          # transparent, shown over white
    rgba[5:15, 9:11] = (0, 0, 0, 255)
    assert cl.prepare_image(rgba)["inverted"]
    blank = cl.prepare_image(np.full((10, 10), 255, np.uint8))
    assert blank["blank"] and blank["image"].shape == (8, 8) and not blank["image"].any()
    assert not res["blank"]


def test_slide_frame_marks_the_window_and_fills_the_output_up_to_the_cell():
    image = np.arange(64, dtype=float).reshape(8, 8) / 64
    rec = cl.slide(image, cl.kernel("identity", 3), stride=2, padding=0)      # 8 − 3 = 5 is odd: one unused
    r0, c0, window, hatch, filled = cl.slide_frame(rec, 4, 3, unused=1)     # cell (1, 1) of the 3×3 output
    assert (r0, c0) == (2, 2)
    assert window.sum() == 9 and window[2:5, 2:5].all()
    assert hatch[-1].all() and hatch[:, -1].all() and hatch.sum() == 15
    assert np.isnan(filled.flat[5:]).all() and not np.isnan(filled.flat[:5]).any()
    assert filled.flat[4] == image[3, 3]                                      # the identity kernel's centre


def test_the_mlp_to_compare_has_about_the_cnns_parameters_and_trains_as_long():
    data = cl.image_dataset("digits")
    cnn = cl.make_trainer(data, list(cl.CNN_PRESETS)[0], 4, "adam", 0.01, 64)
    cnn.run_epoch()
    result = cl.train_mlp_like(cnn, "adam")
    assert result["epochs"] == 1 and 0.0 <= result["acc"] <= 1.0
    assert abs(result["params"] - cnn.model.num_params()) <= 64 + 1 + 10     # within one hidden unit's weights

"""viz.playground, checked on its data: the map's colours are the model's predictions, the diagram's hover
values are the weights and biases, the curves are the history, the confusion matrix is the counts."""
import base64
import io

import numpy as np
import pytest
from PIL import Image

import lessons.playground as pg
from viz.palette import CLASS_COLORS, _rgb, class_rgb, diverging_rgb
from viz.playground import (LIM, class_map_rgb, confusion_figure, curves_figure, data_figure, diagram_geometry, jpeg_uri,
                            map_image, network_diagram, network_figure, points_overlay, to_pixels, value_rgb)


def trained(**changes):
    setup = {**pg.default_setup(), **changes}
    data = pg.make_data(setup)
    tr = pg.make_trainer(setup, data)
    for _ in range(5):
        tr.run_epoch()
    return setup, data, tr


def test_binary_map_pixels_are_the_models_predictions():
    setup, data, tr = trained()
    n = 40
    xs, ys, XY = pg.plane_grid(n)
    rgb = value_rgb(pg.output_map(pg.neuron_outputs(tr.model, setup, XY)[-1], "binary"), n)
    p = tr.model.predict_proba(XY)[:, 1]                     # the engine's own prediction, computed apart
    for i, j in [(0, 0), (5, 33), (20, 20), (39, 7)]:          # grid row i = ys[i]; image row n-1-i
        assert rgb[n - 1 - i, j].tolist() == diverging_rgb(2 * p[i * n + j] - 1, 1.0).tolist()
    assert XY[5 * n + 33].tolist() == [xs[33], ys[5]]


def test_discretized_map_shows_the_decided_class_only():
    setup, data, tr = trained()
    n = 30
    XY = pg.plane_grid(n)[2]
    rgb = value_rgb(pg.output_map(pg.neuron_outputs(tr.model, setup, XY)[-1], "binary"), n, discretize=True)
    pred = tr.model.predict(XY).reshape(n, n)[::-1]
    blue, orange = _rgb(CLASS_COLORS[1]), _rgb(CLASS_COLORS[0])
    assert np.all(rgb[pred == 1] == blue) and np.all(rgb[pred == 0] == orange)


def test_multiclass_map_colours_follow_the_predicted_class():
    setup, data, tr = trained(data="blobs4")
    n = 30
    XY = pg.plane_grid(n)[2]
    cls, conf = pg.output_map(pg.neuron_outputs(tr.model, setup, XY)[-1], "multiclass")
    np.testing.assert_array_equal(cls, tr.model.predict(XY))
    rgb = class_map_rgb(cls, conf, n, 4)
    grey = _rgb("#e8eaeb")
    i, j = 3, 17
    k = cls[(n - 1 - i) * n + j]
    t = (conf[(n - 1 - i) * n + j] - 0.25) / 0.75
    expected = np.round(grey + (class_rgb(k).astype(float) - grey) * t)
    np.testing.assert_allclose(rgb[i, j], expected, atol=1)


def test_points_are_drawn_where_they_are_in_their_class_colour():
    X = np.array([[0.0, 0.0], [3.0, -3.0]])
    y = np.array([0, 1])
    mask, colours = points_overlay(400, (X, y), None, "binary")
    (px0, py0), (px1, py1) = to_pixels(X, 400)
    assert (px0, py0) == (200, 200) and (px1, py1) == (300, 300)
    assert colours[200, 200].tolist() == class_rgb(0).tolist() and mask[200, 200]
    assert colours[300, 300].tolist() == class_rgb(1).tolist()
    assert not mask[50, 50]
    img = map_image(np.zeros((100, 100, 3), np.uint8), (mask, colours), 4)
    assert img.shape == (400, 400, 3) and img[300, 300].tolist() == class_rgb(1).tolist()


def test_jpeg_uri_decodes_to_the_image():
    rgb = np.zeros((20, 30, 3), np.uint8)
    rgb[:, 15:] = 200
    uri = jpeg_uri(rgb)
    assert uri.startswith("data:image/jpeg;base64,")
    back = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    assert back.shape == (20, 30, 3) and abs(int(back[10, 25, 0]) - 200) < 8 and back[10, 2, 0] < 8


def test_network_diagram_hover_values_are_the_weights_and_biases():
    setup, data, tr = trained(layers=[3, 2], acts=["tanh", "relu"])
    outs = pg.neuron_outputs(tr.model, setup, pg.plane_grid(100)[2])
    dense = pg.dense_layers(tr.model)
    d = network_diagram(dense, ["x1", "x2"], outs, 100, act_names=["tanh", "ReLU"])
    assert len(d["links"]) == 2 * 3 + 3 * 2 + 2 * 1
    assert len(d["neurons"]) == 2 + 3 + 2 + 1
    W1 = dense[0].params["W"]
    assert f"weight w = {W1[1, 2]:.4f}" in d["links"][1 * 3 + 2][2]
    assert "from x2 to neuron 1.3" in d["links"][1 * 3 + 2][2]
    b2 = dense[1].params["b"]
    texts = [t for _, _, t in d["neurons"]]
    assert f"neuron 2.2 (ReLU)<br>bias b = {b2[1]:.4f}" in texts
    assert d["image"].shape == (d["height"], d["width"], 3)
    # the neuron's small map is its output over the whole input plane, +y up: its corners are the plane's corners
    box, centres = diagram_geometry([2, 3, 2, 1], d["width"], d["height"])
    x, y = centres[1][0]
    x0, y0 = int(round(x - box / 2)), int(round(y - box / 2))
    tile = d["image"][y0:y0 + box, x0:x0 + box].astype(int)

    def colour_of_neuron_1_1_at(px, py):
        a = pg.neuron_outputs(tr.model, setup, np.array([[px, py]]))[1][0, 0]
        return diverging_rgb(a, 1.0).astype(int)

    lim = LIM
    for (r, c), (px, py) in {(0, 0): (-lim, lim), (0, box - 1): (lim, lim), (box - 1, box - 1): (lim, -lim)}.items():
        assert np.abs(tile[r, c] - colour_of_neuron_1_1_at(px, py)).max() <= 1, (r, c)
    # the middle pixel: the output at one of the grid points next to the plane's centre
    step = 2 * lim / 99
    offsets = (-1.5 * step, -0.5 * step, 0.5 * step, 1.5 * step)
    near = [colour_of_neuron_1_1_at(dx, dy) for dx in offsets for dy in offsets]
    assert min(np.abs(tile[box // 2, box // 2] - c).max() for c in near) <= 1


def test_live_diagram_is_the_same_picture_without_the_hover_texts():
    """A live frame skips the hover texts (no hover layer while playing) but draws the very same picture; the
    text layer is drawn once per architecture and its labels change with the features."""
    setup, data, tr = trained(layers=[3, 2], acts=["tanh", "relu"])
    outs = pg.neuron_outputs(tr.model, setup, pg.plane_grid(100)[2])
    dense = pg.dense_layers(tr.model)
    full = network_diagram(dense, ["x1", "x2"], outs, 100)
    live = network_diagram(dense, ["x1", "x2"], outs, 100, hover=False)
    assert live["links"] == [] and live["neurons"] == [] and len(full["links"]) == 2 * 3 + 3 * 2 + 2
    np.testing.assert_array_equal(live["image"], full["image"])
    other = network_diagram(dense, ["sin x1", "x2"], outs, 100, hover=False)
    assert not np.array_equal(other["image"], live["image"])                   # a new label, a new text layer


def test_network_figure_carries_the_hover_texts_and_the_image():
    setup, data, tr = trained(layers=[2], acts=["sigmoid"])
    outs = pg.neuron_outputs(tr.model, setup, pg.plane_grid(100)[2])
    d = network_diagram(pg.dense_layers(tr.model), ["x1", "x2"], outs, 100)
    fig = network_figure(d)
    assert list(fig.data[0].hovertext) == [t for _, _, t in d["links"]]
    assert list(fig.data[1].hovertext) == [t for _, _, t in d["neurons"]]
    assert fig.layout.images[0].source.startswith("data:image/jpeg")


def test_largest_network_diagram():
    setup, data, tr = trained(layers=[8] * 6, acts=["relu"] * 6, features=list(pg.FEATURE_CODES))
    outs = pg.neuron_outputs(tr.model, setup, pg.plane_grid(100)[2])
    d = network_diagram(pg.dense_layers(tr.model), list(pg.FEATURE_CODES), outs, 100)
    assert len(d["links"]) == 7 * 8 + 5 * 64 + 8
    assert len(d["neurons"]) == 7 + 48 + 1


def test_curves_are_the_history():
    setup, data, tr = trained()
    fig = curves_figure(tr.history, True)
    names = [t.name for t in fig.data]
    assert names == ["train loss", "test loss", "train accuracy", "test accuracy"]
    np.testing.assert_allclose(fig.data[1].y, tr.history["test_loss"])
    np.testing.assert_allclose(fig.data[3].y, tr.history["test_acc"])
    assert len(curves_figure(tr.history, False).data) == 2


def test_long_histories_are_thinned_but_keep_their_values():
    h = {"epoch": list(range(1, 2001)), "train_loss": list(np.linspace(1, 0, 2000)), "test_loss": [None] * 2000,
         "train_acc": [0.5] * 2000, "test_acc": [0.5] * 2000}
    fig = curves_figure(h, True)
    assert len(fig.data[0].x) <= 401                             # 400 evenly spaced epochs and the newest
    i = int(fig.data[0].x[7])
    assert fig.data[0].y[7] == pytest.approx(h["train_loss"][i - 1])
    assert fig.data[0].x[-1] == 2000 and fig.data[0].y[-1] == pytest.approx(0.0)    # the newest epoch is drawn


def test_confusion_figure_shows_the_counts():
    cm = np.array([[5, 1], [2, 7]])
    fig = confusion_figure(cm)
    np.testing.assert_array_equal(fig.data[0].text, cm)
    np.testing.assert_allclose(fig.data[0].z, cm / cm.sum(axis=1, keepdims=True))


def test_data_figure_has_a_click_grid_and_the_points():
    X = np.array([[1.0, 2.0], [-1.0, 0.0]])
    fig = data_figure(np.zeros((24, 24, 3), np.uint8), X, np.array([0, 1]), "binary", click_grid=10)
    assert len(fig.data[0].x) == 100 and fig.data[0].marker.opacity == 0
    assert list(fig.data[1].x) == [1.0, -1.0] and list(fig.data[1].y) == [2.0, 0.0]


def test_curves_image_draws_the_history_where_it_belongs():
    from viz.playground import curves_image
    h = {"epoch": [1, 2, 3, 4], "train_loss": [1.0, 0.5, 0.25, 0.0], "test_loss": [1.0, 1.0, 1.0, 1.0],
         "train_acc": [0.0, 0.0, 0.0, 0.0], "test_acc": [1.0, 1.0, 1.0, 1.0]}
    img = curves_image(h, True, width=900, height=230)
    assert img.shape == (230, 900, 3)
    pw = (900 - 20) // 2
    left, top, right, bottom = 62, 14, pw - 12, 230 - 48
    ymax = 1.05
    y_end = round(bottom - 0.0 / ymax * (bottom - top))              # train loss ends at 0, on the right
    assert tuple(img[y_end - 1:y_end + 2, right - 3].min(axis=0)) <= (120, 120, 120)
    # train accuracy (blue, 0 %) runs along the bottom of the right panel
    blue = np.array(_rgb(CLASS_COLORS[1]))
    row = img[bottom - 1:bottom + 2, pw + 62 + 20:pw + 62 + 200].reshape(-1, 3).astype(int)
    assert (np.abs(row - blue).sum(axis=1) < 60).any()
    assert curves_image(h, False).shape == (230, 900, 3)

"""The map canvas's data contract (lessons/playground_map.py): the numbers it shows on hover are the engine's
outputs at the grid points, a click is read safely, the words describe the numbers; and the lightened map keeps
every point's outline readable at a trained, saturated state (on the image data the canvas paints)."""
import base64

import numpy as np
import pytest

import lessons.playground as pg
import lessons.playground_map as pm
from nn_core.data import feature_matrix
from viz.palette import CLASS_COLORS
from viz.playground import CLASS_NAMES, POINT_EDGE, lighten, value_rgb

N, LIM = 100, 6.0


def model_and_payload(setup, task, classes):
    model = pg.make_model(setup, task, classes)
    out = pg.neuron_outputs(model, setup, pg.plane_grid(N)[2])[-1]
    return model, pm.payload(out, task, classes, N, LIM, CLASS_NAMES)


def engine_at(model, setup, x1, x2):
    """The network's output at one point, computed on its own (one row through the model)."""
    return model.forward(feature_matrix(np.array([[x1, x2]]), setup["features"]))[0]


@pytest.mark.parametrize("x1, x2", [(0.03, -0.02), (-6.0, 6.0), (2.47, -3.3), (5.99, 1.01), (-1.2, 0.6)])
def test_hover_value_is_the_engines_output_at_the_nearest_grid_point(x1, x2):
    setup = pg.default_setup()
    model, payload = model_and_payload(setup, "binary", 2)
    gx, gy, value, cls = pm.grid_value(payload, x1, x2)
    xs = np.linspace(-LIM, LIM, N)
    assert gx == pytest.approx(xs[np.abs(xs - x1).argmin()]) and gy == pytest.approx(xs[np.abs(xs - x2).argmin()])
    p = engine_at(model, setup, gx, gy)[0]
    assert value == pytest.approx(p, abs=1e-6)          # float32 of the engine's float64
    assert cls == int(p >= 0.5)


def test_multiclass_hover_gives_the_winning_class_and_its_probability():
    setup = {**pg.default_setup(), "data": "blobs4", "layers": [5], "acts": ["relu"]}
    model, payload = model_and_payload(setup, "multiclass", 4)
    gx, gy, value, cls = pm.grid_value(payload, 1.5, -2.0)
    z = engine_at(model, setup, gx, gy)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert cls == int(np.argmax(z)) and value == pytest.approx(p.max(), abs=1e-6)


def test_the_words_agree_with_the_numbers():
    setup = pg.default_setup()
    model, payload = model_and_payload(setup, "binary", 2)
    values = pm.decode_f32(payload["values"])
    classes = np.frombuffer(base64.b64decode(payload["classes"]), dtype=np.uint8)
    words = payload["words"]
    assert f"from {values.min():.2f} to {values.max():.2f}" in words
    assert f"{np.mean(classes == 1):.0%} class 1 (blue)" in words


@pytest.mark.parametrize("raw", [None, "1,2", [1, 2], {}, {"x1": 1}, {"x1": "a", "x2": 0}, {"x1": float("nan"), "x2": 0},
                                 {"x1": 7, "x2": 0}, {"x1": 0, "x2": -6.5}, {"x1": 1e308 * 10, "x2": 0},
                                 {"x1": None, "x2": 1}])
def test_a_click_that_is_not_a_point_of_the_plane_is_ignored(raw):
    assert pm.clicked_point(raw, LIM) is None


def test_a_click_is_kept_where_it_was_not_snapped():
    assert pm.clicked_point({"x1": -2.4049, "x2": 1.2351}, LIM) == (-2.4, 1.24)
    assert pm.clicked_point({"x1": "0.37", "x2": 6}, LIM) == (0.37, 6.0)


def contrast(a, b):
    """WCAG contrast ratio of two sRGB colours (0–255)."""
    def lum(c):
        c = np.asarray(c, dtype=float) / 255
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return c @ [0.2126, 0.7152, 0.0722]
    la, lb = lum(a), lum(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def test_every_points_outline_contrasts_with_the_saturated_map_beneath_it():
    """Train the defaults until the map saturates (outputs near 0 and 1), paint it as the canvas does (lightened),
    and check the colour beneath every point against the outline the canvas draws around it: at least 3:1
    (WCAG's figure for graphics). The unlightened blue (#0877bd) gives 2.3:1 and fails."""
    setup = pg.default_setup()
    data = pg.make_data(setup)
    tr = pg.make_trainer(setup, data)
    tr.run_for(60.0, max_epochs=400)
    out = pg.neuron_outputs(tr.model, setup, pg.plane_grid(N)[2])[-1]
    assert np.mean(np.abs(out[:, 0] - 0.5) > 0.45) > 0.8                # saturated: most of the plane is sure
    rgb = lighten(value_rgb(pg.output_map(out, "binary"), N))          # what the canvas paints (viz colours)
    X = np.vstack([data["X_train"], data["X_test"]])
    col = np.clip(np.round((X[:, 0] + LIM) / (2 * LIM) * (N - 1)).astype(int), 0, N - 1)
    row = np.clip(np.round((LIM - X[:, 1]) / (2 * LIM) * (N - 1)).astype(int), 0, N - 1)   # +x2 at the top
    beneath = rgb[row, col]
    ratios = contrast(np.broadcast_to(POINT_EDGE, beneath.shape), beneath)
    assert ratios.min() >= 3.0, f"{np.sum(ratios < 3)} points hard to see (worst {ratios.min():.2f}:1)"
    # and the point's own colour is never the map's unlightened colour beneath it (a class colour stays distinct)
    assert {tuple(c) for c in beneath}.isdisjoint({tuple(int(CLASS_COLORS[i][k:k + 2], 16) for k in (1, 3, 5))
                                                   for i in range(2)})

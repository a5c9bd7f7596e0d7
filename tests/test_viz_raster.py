"""The live images (issue #17): viz/raster's mapping from data to pixels and its tick labels, and the lessons'
images drawing the engine's numbers where the axes say they are."""
import numpy as np
import pytest

from lessons import surfaces as S
from viz import cnn as vc
from viz import optimizers as V
from viz import raster
from viz import rnn as vz


def test_panel_maps_limits_to_the_box_edges_linear_and_log():
    img, draw = raster.canvas(200, 100)
    p = raster.Panel(draw, (10, 5, 190, 95), (0, 10), (1e-3, 1e1), log_y=True)
    assert p.x(0) == 10 and p.x(10) == 190 and p.x(5) == 100
    assert p.y(1e-3) == 95 and p.y(1e1) == 5 and p.y(1e-1) == pytest.approx(50)
    assert p.y(1e6) == 5 and p.y(0) == 95                # outside the limits (or ≤ 0 on a log axis): the edge


def test_ticks_and_labels():
    assert raster.nice_ticks(0, 1.02, 4) == [0.0, 0.5, 1.0]
    assert raster.nice_ticks(-5, 5) == [-5.0, 0.0, 5.0]
    assert [raster.short(v) for v in (0.0, -0.5, 1000, 2.5e-5)] == ["0", "−0.5", "1,000", "2.5e−05"]
    assert [raster.power(v) for v in (1e-6, 0.01, 10, 4)] == ["10⁻⁶", "0.01", "10", "4"]
    assert raster.log_ticks(1e-3, 30) == [1e-3, 1e-2, 1e-1, 1, 10]
    assert raster.log_ticks(0.3, 1.8) == pytest.approx([0.5, 1.0])      # under two powers of ten: 1, 2, 5 × 10ᵏ


def near(img, x, y, colour, r=3, tol=40):
    """Whether a pixel within r px of (x, y) has about ``colour``."""
    patch = img[int(y) - r:int(y) + r + 1, int(x) - r:int(x) + r + 1].reshape(-1, 3).astype(int)
    return bool((np.abs(patch - np.array(raster.rgb(colour))).max(axis=1) < tol).any())


def test_race_image_draws_each_optimizer_where_the_engine_put_it():
    bowl = S.Bowl(20.0)
    trajs = S.race(bowl, bowl.start, {"sgd": 0.07, "momentum": 0.01, "rmsprop": 0.1, "adam": 0.3}, 40)
    bg = V.surface_rgb(bowl)
    img = V.race_image(bowl, bg, trajs, 25, bowl.start)
    assert img.shape == bg.shape
    _, draw = raster.canvas(*bg.shape[1::-1])
    p = V._race_panel(draw, bowl, bg.shape[1], bg.shape[0])
    for name in ("momentum", "adam"):                     # their current points (step 25), in their colours
        x, y = trajs[name].points[25]
        assert near(img, p.x(x), p.y(y), V.OPT_COLORS[name]), name
        assert not near(bg, p.x(x), p.y(y), V.OPT_COLORS[name]), name     # drawn, not part of the background


def test_history_image_puts_the_newest_loss_at_its_height():
    h = {"epoch": [1, 2, 3], "train_loss": [1.0, 0.6, 0.3], "test_loss": [1.1, 0.7, 0.5],
         "train_acc": [0.5, 0.7, 0.9], "test_acc": [0.4, 0.6, 0.8]}
    img = vc.history_image(h, 10, width=900, height=290)
    _, draw = raster.canvas(900, 290)
    loss = raster.Panel(draw, (56, 30, 450 - 16, 290 - 70), (0, 10.5), (0, 1.1 * 1.1))
    acc = raster.Panel(draw, (450 + 56, 30, 900 - 16, 290 - 70), (0, 10.5), (0, 1.02))
    assert near(img, loss.x(3), loss.y(0.3), vc.ORANGE) and near(img, acc.x(3), acc.y(0.9), vc.BLUE)
    assert not near(img, loss.x(3), loss.y(0.9), vc.ORANGE, r=2)


def test_rnn_images_have_their_sizes_and_draw_something():
    h = {"batch_step": [1, 2, 3], "batch_loss": [1.0, 0.5, 0.2], "eval_step": [0, 3], "val_loss": [1.2, 0.3],
         "val_acc": [None, None]}
    assert vz.loss_image(h).shape == (330, 560, 3)
    t = np.linspace(0, 6, 48)
    fc = vz.forecast_image(np.sin(t), np.sin(t), np.sin(t), 16)
    assert fc.shape == (350, 560, 3) and (fc != 255).any()
    acc = vz.echo_accuracy_image({1: 0.9, 2: 0.5}, 0.25, (3, 0.4))
    assert acc.shape == (310, 560, 3)

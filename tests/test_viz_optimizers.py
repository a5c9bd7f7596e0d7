"""viz.optimizers: the figures carry the engine's numbers (trace data, ranges, hover), without a browser."""
import numpy as np
import pytest

from nn_core import make_optimizer
from lessons import surfaces as S
from viz import optimizers as V
from viz.palette import BLUE, GREY


@pytest.fixture(scope="module")
def bowl_race():
    bowl = S.Bowl(10.0)
    return bowl, S.race(bowl, bowl.start, bowl.lrs, 30)


def test_race_figure_draws_each_path_up_to_the_step(bowl_race):
    bowl, race = bowl_race
    xs, ys, Z = bowl.grid(40)
    fig = V.race_figure(bowl, xs, ys, Z, race, 12, bowl.start)
    contour = fig.data[0]
    assert contour.type == "contour" and np.allclose(contour.customdata, Z)       # hover shows the real loss
    assert np.allclose(contour.z, np.log10(Z - 0.0 + 1e-3))
    for name, traj in race.items():
        path = next(t for t in fig.data if t.name == V.OPT_LABELS[name])
        assert np.allclose(path.x, traj.points[:13, 0]) and np.allclose(path.y, traj.points[:13, 1])
        assert path.line.color == V.OPT_COLORS[name]
        assert np.allclose(np.asarray(path.customdata)[:, 1], traj.losses[:13])
    assert fig.layout.title.text == "Quadratic bowl: step 12"
    assert tuple(fig.layout.xaxis.range) == bowl.xlim
    start = next(t for t in fig.data if t.name == "start")
    assert (start.x[0], start.y[0]) == bowl.start


def test_loss_steps_figure_is_loss_above_the_floor_on_a_log_axis():
    saddle = S.Saddle()
    race = S.race(saddle, saddle.start, saddle.lrs, 40)
    fig = V.loss_steps_figure(race, 25, saddle.floor())
    sgd = fig.data[0]
    assert np.allclose(sgd.y, np.maximum(race["sgd"].losses[:26] + 1.0, V.LOSS_FLOOR))   # floor of the saddle is −1
    assert np.allclose(sgd.customdata, race["sgd"].losses[:26])
    assert fig.layout.yaxis.type == "log"


def test_ladder_figure_stops_a_diverging_path_at_the_window():
    bowl = S.Bowl(10.0)
    ladder = {k: S.run(bowl, make_optimizer("sgd", lr), bowl.start, 40) for k, lr in S.lr_ladder(bowl).items()}
    xs, ys, Z = bowl.grid(30)
    fig = V.ladder_figure(bowl, xs, ys, Z, ladder, bowl.start)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == [f"{k}: η = {t.lr:.3g}" for k, t in ladder.items()]
    paths = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"]
    assert len(paths) == 4
    assert np.allclose(paths[1].x, ladder["good"].points[:, 0])                   # whole path when it stays inside
    far = ladder["far too large"].points
    outside = np.flatnonzero(np.abs(far[:, 1]) > 5)[0]
    assert len(paths[3].x) == outside + 1 < len(far)                               # one point beyond the edge


def test_sweep_figure_marks_diverged_runs_and_the_best():
    lrs = [0.001, 0.01, 0.1, 1.0, 10.0]
    losses = [0.7, 0.5, 0.1, 0.3, float("nan")]
    fig = V.sweep_figure(lrs, losses)
    line, crosses, best = fig.data
    assert list(line.x) == lrs[:4] and list(line.y) == losses[:4]
    assert list(crosses.x) == [10.0] and crosses.y[0] == pytest.approx(1.4)     # drawn above the highest loss
    assert list(best.x) == [0.1] and "0.1" in best.name
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    partial = V.sweep_figure(lrs, losses[:2], done=2)
    assert list(partial.data[0].x) == lrs[:2]


def test_loss_function_figure_shows_gradient_sizes():
    zs = np.linspace(-6, 6, 13)
    curves = S.loss_curves(zs, 1)
    fig = V.loss_function_figure(zs, curves, -4.0, 1)
    mse_grad = [t for t in fig.data if t.legendgroup == "mse"][1]
    assert np.allclose(mse_grad.y, np.abs(curves["mse"]["dz"]))
    assert fig.layout.annotations[0].text == "loss L (target y = 1)"


def test_grid_heatmap_and_curves():
    acc = np.array([[0.5, 0.9], [np.nan, 1.0]])
    fig = V.grid_heatmap([1, 2], [4, 8], acc, "hidden layers", "neurons per layer", chance=0.5)
    heat = fig.data[0]
    assert heat.zmin == 0.5 and heat.zmax == 1 and heat.colorscale[0][1] == GREY and heat.colorscale[-1][1] == BLUE
    assert heat.text[0][1] == "90 %" and heat.text[1][0] == "–"
    hist = {"epoch": np.array([1.0, 2.0]), "train_loss": np.array([0.6, 0.4]), "test_loss": np.array([0.7, 0.5])}
    curves = V.grid_curves([1, 2], [4, 8], [{"history": hist}] * 3, "hidden layers", "neurons per layer")
    assert len(curves.data) == 6 and list(curves.data[5].y) == [0.7, 0.5]
    assert curves.data[5].xaxis == "x3"                                            # third run: row 2, column 1


def test_update_latex_puts_the_engines_numbers_in_the_formula():
    bowl = S.Bowl(4.0)
    traj = S.run(bowl, make_optimizer("momentum", 0.1), (-3.0, 1.0), 3, name="momentum")
    n = S.step_numbers(traj, 2)
    lines = V.update_latex("momentum", traj.hyper, n)
    assert lines[0] == rf"g_t = \nabla L(\theta_{{t-1}}) = \left({n['g'][0]:.4g},\ {n['g'][1]:.4g}\right)"
    assert "0.9" in lines[1] and f"{n['v'][0]:.4g}" in lines[1]
    assert lines[2].endswith(rf"\left({n['step'][0]:.4g},\ {n['step'][1]:.4g}\right)")
    adam = S.run(bowl, make_optimizer("adam", 0.1), (-3.0, 1.0), 3)
    lines = V.update_latex("adam", adam.hyper, S.step_numbers(adam, 3))
    assert len(lines) == 6 and "^{3}" in lines[3]
    assert len(V.update_latex("sgd", {"lr": 0.1}, S.step_numbers(S.run(bowl, make_optimizer("sgd", 0.1), (1, 1), 1), 1))) == 3


def test_race_figure_3d_rides_on_the_surface(bowl_race):
    bowl, race = bowl_race
    xs, ys, Z = bowl.grid(30)
    fig = V.race_figure_3d(bowl, xs, ys, Z, race, 5, bowl.start)
    surf = fig.data[0]
    cap = np.percentile(Z, 95)
    assert surf.type == "surface" and np.allclose(surf.z, np.minimum(Z, cap)) and np.allclose(surf.customdata, Z)
    adam = next(t for t in fig.data if t.name == "Adam")
    lift = 0.02 * (cap - Z.min())
    assert np.allclose(adam.z, np.minimum(race["adam"].losses[:6], cap) + lift) and len(adam.x) == 6


def test_click_targets_cover_the_window_with_the_loss_in_hover():
    saddle = S.Saddle()
    fig = V.race_figure(saddle, *saddle.grid(20), {}, 0, saddle.start, clickable=True)
    grid = next(t for t in fig.data if t.name == "click to start here")
    assert len(grid.x) == 31 * 31 and min(grid.x) == saddle.xlim[0] and max(grid.y) == saddle.ylim[1]
    i = 17
    assert grid.customdata[i] == pytest.approx(saddle.value(np.array([grid.x[i], grid.y[i]])))
    assert grid.marker.opacity == 0 and fig.layout.clickmode == "event+select"

"""The recurrent-network lesson's figures, checked for their data (no browser)."""
import numpy as np
import pytest

from viz import rnn as vz
from viz.palette import BLUE, ORANGE, diverging_rgb


def rgb(hex_colour):
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]


def test_unrolled_figure_draws_every_step_with_the_same_three_weights():
    fig = vz.unrolled_figure(5, selected=2, inputs=["a", "b", "c", "d", "e"])
    texts = [a.text for a in fig.layout.annotations]
    for t in range(1, 6):
        assert {f"x<sub>{t}</sub>", f"h<sub>{t}</sub>", f"y<sub>{t}</sub>"} <= set(texts)
    for w in ("x", "h", "y"):
        assert texts.count(f"W<sub>{w}</sub>") == 5          # one label per step: the same matrix reused
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 15 and len({a.arrowcolor for a in arrows}) == 3
    highlight = [s for s in fig.layout.shapes if s.fillcolor == "#fff4e0"]
    assert len(highlight) == 1 and highlight[0].x0 < 2 < highlight[0].x1
    assert "c" in texts                                      # the inputs written under x_t


def test_grad_norm_figure_carries_the_values_on_a_log_axis():
    train, last = np.array([3.0, 2.0, 1.0]), np.array([1e-6, 1e-3, 1.0])
    fig = vz.grad_norm_figure(train, last, mark=2)
    assert fig.layout.yaxis.type == "log"
    assert np.array_equal(fig.data[0].y, train) and list(fig.data[0].x) == [1, 2, 3]
    assert np.array_equal(fig.data[1].y, last)
    assert fig.layout.shapes[0].x0 == 2
    assert len(vz.grad_norm_figure(train).data) == 1
    assert_log_ticks_say_their_values(fig.layout.yaxis, [1e-6, 3.0])
    # a short range (seen: 0.25 … 3 labelled 3, 2, 1, 9, 8, 7, … 3 — the minor ticks by their first digit)
    assert_log_ticks_say_their_values(vz.grad_norm_figure(np.array([0.25, 0.6, 3.0])).layout.yaxis, [0.25, 3.0])


def test_hidden_heatmap_uses_the_fixed_diverging_range():
    hs = np.array([[-1.0, 0.0, 1.0], [0.5, -0.25, 0.9]])
    fig = vz.hidden_heatmap(hs, ["a", "b"])
    z = np.asarray(fig.data[0].z)
    assert np.array_equal(z, diverging_rgb(hs, 1.0))         # ±1, never the map's own min–max
    assert list(z[0, 0]) == rgb(ORANGE) and list(z[0, 2]) == rgb(BLUE)
    small = vz.hidden_heatmap(hs * 0.1)                        # a quiet state stays pale
    assert np.array_equal(np.asarray(small.data[0].z), diverging_rgb(hs * 0.1, 1.0))
    assert "h = +0.500" in fig.data[0].text[1][0] and "t = 2 b" in fig.data[0].text[1][0]
    bar = fig.data[1]
    assert (bar.zmin, bar.zmax) == (-1, 1)
    assert tuple(fig.layout.yaxis.range) == (2.5, 0.5)       # time runs down


def test_loss_figure_plots_the_history_and_the_reference():
    hist = {"batch_step": [4, 8], "batch_loss": [2.0, 1.0], "eval_step": [0, 8], "val_loss": [3.0, 1.5]}
    fig = vz.loss_figure(hist, reference=np.log(40), reference_label="uniform guess")
    assert list(fig.data[0].y) == [2.0, 1.0] and list(fig.data[1].y) == [3.0, 1.5]
    assert list(fig.data[2].y) == [pytest.approx(np.log(40))] * 2 and fig.data[2].name == "uniform guess"
    assert fig.layout.yaxis.type == "log"
    # every tick written in full (0.5, not Plotly's abbreviated minor-tick "5": seen as 5, 2, 1, 5, 2, 0.1 at 1280 px)
    assert_log_ticks_say_their_values(fig.layout.yaxis, [1.0, 3.0])
    one = vz.loss_figure({"batch_step": [], "batch_loss": [], "eval_step": [0], "val_loss": [1.41]})
    assert_log_ticks_say_their_values(one.layout.yaxis, [1.41, 1.41])   # update 0: not a 1.405 … 1.415 sliver
    assert one.layout.xaxis.dtick == 1           # updates are whole: not 0, 0.2 … 1 update at update 0
    assert fig.layout.xaxis.dtick is None        # 8 updates: Plotly spaces its own ticks


def tick_value(label):
    """A tick label as a number: '0.5', '2', '10⁻³', '−1'."""
    if label.startswith("10") and len(label) > 2 and not label[2].isdigit():
        return 10.0 ** int(label[2:].translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    return float(label.replace("−", "-"))


def assert_log_ticks_say_their_values(axis, data_range):
    """Each label reads as its tick's value, the ticks lie inside the axis, the axis holds the data with room,
    and at least two ticks are labelled."""
    assert axis.type == "log" and len(axis.tickvals) >= 2
    assert [tick_value(s) for s in axis.ticktext] == pytest.approx(list(axis.tickvals))
    lo, hi = axis.range
    assert all(lo <= np.log10(v) <= hi for v in axis.tickvals)
    assert lo < np.log10(data_range[0]) and np.log10(data_range[1]) < hi


def test_clip_figure_shows_the_gradient_used():
    fig = vz.clip_figure([0.5, 5.0, 50.0], clip=1.0)
    assert list(fig.data[0].y) == [0.5, 5.0, 50.0] and list(fig.data[1].y) == [0.5, 1.0, 1.0]
    assert len(vz.clip_figure([1.0, 2.0]).data) == 1
    assert_log_ticks_say_their_values(fig.layout.yaxis, [0.5, 50.0])


def test_forecast_figure():
    truth, teacher, free = np.sin(np.arange(10)), np.zeros(10), np.ones(10)
    fig = vz.forecast_figure(truth, teacher, free, warm=4)
    assert [d.name for d in fig.data] == ["truth", "prediction, fed the truth", "prediction, fed its own predictions"]
    assert np.allclose(fig.data[0].y, truth) and np.allclose(fig.data[2].y, free)
    assert fig.layout.shapes[0].x1 == 4.5


def test_echo_figures():
    fig = vz.echo_accuracy_figure({1: 1.0, 4: 0.6}, 0.25, current=(6, 0.3))
    assert list(fig.data[0].x) == [1, 4] and list(fig.data[0].y) == [1.0, 0.6]
    assert list(fig.data[1].y) == [0.3] and list(fig.data[2].y) == [0.25, 0.25]      # chance level
    assert list(fig.layout.xaxis.tickvals) == [1, 4, 6]
    seq = vz.echo_sequence_figure([0, 1, 2, 3], [0, 0, 0, 1], [0, 0, 1, 1], k=2)
    assert [int(t) for t in seq.data[1].text] == [0, 0, 0, 1]
    assert list(seq.data[3].x) == [3]                         # the one wrong answer (t = 3), marked ×


def test_char_probs_figure_keeps_the_probabilities_and_marks_the_drawn_character():
    chars = ["\n", " ", "a", "b"]
    probs = np.array([[0.1, 0.2, 0.6, 0.1], [0.0, 0.9, 0.05, 0.05]])
    fig = vz.char_probs_figure("b", "a ", probs, chars, top=3)
    heat, circles = fig.data
    assert list(heat.y) == ["↵", "␣", "a"]                    # b is never the likeliest: left out at top=3
    assert np.allclose(heat.z, probs[:, :3].T)
    assert (heat.zmin, heat.zmax) == (0, 1)
    assert list(circles.y) == ["a", "␣"]
    assert "after “…b”" in heat.text[2][0] and "0.600" in heat.text[2][0]

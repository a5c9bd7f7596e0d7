"""The recurrent-network lesson's figures, checked for their data (no browser)."""
import numpy as np
import pytest

from viz import raster
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


# --- the live images draw their fixed parts once (a cached frame) and the curves each frame -------------------
def _history(n, scale):
    steps = list(range(1, n + 1))
    return {"batch_step": steps, "batch_loss": [scale / s for s in steps], "eval_step": [0] + steps[4::5],
            "val_loss": [1.2 * scale] + [1.1 * scale / s for s in steps[4::5]], "val_acc": [None] * (1 + n // 5)}


CALLS = [  # one after the other on the same cache: other data, and other settings (reference, warm-up, width)
    lambda: vz.loss_image(_history(40, 1.0)), lambda: vz.loss_image(_history(300, 0.2), 1.4, "guessing: ln(K)"),
    lambda: vz.loss_image(_history(3, 5.0)), lambda: vz.loss_image(_history(300, 0.2), 1.4, "guessing: ln(K)", 700),
    lambda: vz.loss_image(_history(80, 3.0), 1.4, "guessing: ln(K)"),
    lambda: vz.forecast_image(np.sin(np.arange(48) / 3), np.zeros(48), np.full(48, 0.5), 16),
    lambda: vz.forecast_image(np.cos(np.arange(48) / 3), np.ones(48), np.full(48, -0.5), 16),
    lambda: vz.forecast_image(np.cos(np.arange(48) / 3), np.ones(48), np.full(48, -0.5), 4),
    lambda: vz.forecast_image(np.cos(np.arange(96) / 3), np.ones(96), np.full(96, -0.5), 4, width=700),
    lambda: vz.forecast_image(np.sin(np.arange(96) / 3), np.zeros(96), np.full(96, 0.2), 4, width=700),
    lambda: vz.echo_accuracy_image({1: 0.9, 2: 0.5}, 0.25, (4, 0.3)),
    lambda: vz.echo_accuracy_image({1: 0.7, 2: 0.6}, 0.25, (4, 0.8)),
    lambda: vz.echo_accuracy_image({1: 0.7, 2: 0.6}, 0.25, (4, None)),
    lambda: vz.echo_accuracy_image({1: 0.7, 2: 0.6}, 0.1, (12, 0.4)),
    lambda: vz.echo_accuracy_image({1: 0.7, 2: 0.6, 12: 0.2}, 0.1, None, width=300),
]


def test_live_rnn_images_on_cached_frames_equal_those_drawn_on_a_fresh_cache():
    """Drawn one after the other, each on a frame cached by the calls before it, the images are pixel for pixel
    those drawn with an empty cache: a frame cached for other settings (a reference's key, a warm-up, a width)
    or one drawn upon by an earlier call (its curves) would show."""
    frames = (vz._loss_frame, vz._forecast_frame, vz._echo_accuracy_frame)
    [frame.cache_clear() for frame in frames]
    cached = [call() for call in CALLS]
    assert all(frame.cache_info().hits >= 1 for frame in frames)
    for call, got in zip(CALLS, cached):
        [frame.cache_clear() for frame in frames]
        want = call()
        assert got.shape == want.shape and (got == want).all()


def test_live_rnn_images_draw_new_curves_on_the_same_frame():
    """Other data: other curves and ticks inside the plot, but the same title, labels and legend; the warm-up's
    shading and the reference's key follow the settings of the call, whatever was drawn before."""
    a = vz.forecast_image(np.sin(np.arange(48) / 3), np.zeros(48), np.full(48, 0.5), 16)
    b = vz.forecast_image(np.cos(np.arange(48) / 3), np.ones(48), np.full(48, -0.5), 16)
    inside = (slice(41, 350 - 77), slice(57, 560 - 17))
    assert (a[inside] != b[inside]).any(-1).sum() > 500                   # the curves moved
    a, b = a.copy(), b.copy()
    a[inside], b[inside] = 255, 255
    assert (a == b).all()                                                 # the rest: the same frame
    assert (a[:30] != 255).any() and (a[-30:] != 255).any()              # which has a title and a legend
    for warm in (16, 4, 30):                                              # the shading ends after step warm
        img = vz.forecast_image(np.zeros(48), np.zeros(48), np.zeros(48), warm)
        row = img[350 - 80, 57:560 - 17]                                  # just above the plot's bottom
        shaded = np.flatnonzero((np.abs(row.astype(int) - 238) <= 2).all(-1))
        end = 56 + (warm + 0.5 - 0.5) / 48 * (560 - 16 - 56)
        assert abs(57 + shaded.max() - end) <= 2
    la, lb = vz.loss_image(_history(40, 1.0)), vz.loss_image(_history(300, 0.2))
    assert (la[:36] == lb[:36]).all() and (la[-30:] == lb[-30:]).all()    # title and legend: the same
    assert (la[40:330 - 76] != lb[40:330 - 76]).any(-1).sum() > 500       # the curves and ticks: not
    with_ref = vz.loss_image(_history(300, 0.2), 1.4, "guessing: ln(K)")
    keys = (with_ref[-30:] != 255).any(axis=(0, 2))                       # the legend's columns with ink
    assert keys[400:].any() and not ((lb[-30:] != 255).any(axis=(0, 2))[400:]).any()   # a third key, then not
    assert not ((vz.loss_image(_history(30, 0.2))[-30:] != 255).any(axis=(0, 2))[400:]).any()
    orange = np.array(raster.rgb(ORANGE))

    def orange_keys(img):                                                 # orange pixels in the legend's row
        return int((np.abs(img[-30:].astype(int) - orange).sum(-1) < 30).sum())
    assert orange_keys(vz.echo_accuracy_image({1: 0.9}, 0.25, (4, 0.3))) > 50        # the run training: its key
    assert orange_keys(vz.echo_accuracy_image({1: 0.9}, 0.25, (4, None))) == 0       # none training: none


def test_log_axis_ticks_fall_on_round_powers_over_many_decades():
    """A vanishing gradient spans 30 decades: the ticks are every 5th power of ten counted from 10⁰ (10⁻³⁰, 10⁻²⁵ …
    1), at most 7 of them, each labelled with its value; not every 5th from the lowest (10⁻³¹, 10⁻²⁶ …)."""
    import math
    axis = vz.log_axis("gradient norm", [1e-31, 3.0])
    exps = [math.log10(t) for t in axis["tickvals"]]
    assert 2 <= len(exps) <= 7 and all(abs(e - round(e)) < 1e-9 for e in exps)
    step = round(exps[1] - exps[0])
    assert all(round(e) % step == 0 for e in exps) and 0 in [round(e) for e in exps]
    assert axis["ticktext"][0] == "10⁻³⁰" and axis["ticktext"][-1] == "1"

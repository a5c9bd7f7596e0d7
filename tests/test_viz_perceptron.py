"""viz.perceptron: the figures' data (no browser)."""
import numpy as np
import pytest

from lessons.perceptron import PerceptronStepper, gate
from viz.palette import BLUE, CLASS_COLORS, ORANGE
from viz.perceptron import (anatomy_figure, decision_segment, half_plane, mistakes_figure, plane_figure,
                            weight_path_figure)


def area(poly):
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def test_half_plane_by_hand():
    assert area(half_plane([1, 0], 0, (-1, 1))) == pytest.approx(2.0)         # right half of a 2×2 square
    assert area(half_plane([1, 1], 0, (-1, 1))) == pytest.approx(2.0)         # diagonal cut
    assert area(half_plane([1, 1], -1, (-1, 1))) == pytest.approx(0.5)        # x1 + x2 ≥ 1: a corner triangle
    assert area(half_plane([0, 0], 1, (-1, 1))) == pytest.approx(4.0)         # w = 0, b > 0: z ≥ 0 everywhere
    assert len(half_plane([0, 0], -1, (-1, 1))) == 0
    assert len(half_plane([1, 0], -5, (-1, 1))) == 0                          # the line misses the square


def test_decision_segment_lies_on_the_line():
    w, b = np.array([0.8, -0.5]), -0.3
    seg = decision_segment(w, b, (-3, 3))
    assert seg.shape == (2, 2)
    assert np.allclose(seg @ w + b, 0)
    assert (np.abs(seg) <= 3 + 1e-12).all()
    assert decision_segment([0, 0], 1, (-3, 3)) is None
    assert decision_segment([1, 0], -5, (-3, 3)) is None


def test_plane_figure_regions_line_vector_points():
    X, y = gate("AND")
    w, b = np.array([1.0, 1.0]), -1.5
    pred = np.array([0, 0, 0, 1])
    fig = plane_figure(w, b, (-0.5, 1.5), X, y, predicted=np.array([0, 1, 0, 0]), current=3)
    fills = [t for t in fig.data if t.fill == "toself"]
    assert [t.fillcolor for t in fills] == [BLUE, ORANGE]
    line = [t for t in fig.data if t.name.startswith("decision line")][0]
    assert np.allclose(np.array(line.x) * w[0] + np.array(line.y) * w[1] + b, 0)
    # the weight arrow is parallel to w (so perpendicular to the line) and starts on the line
    arrow = [a for a in fig.layout.annotations if a.showarrow][0]
    d = np.array([arrow.x - arrow.ax, arrow.y - arrow.ay])
    assert abs(d[0] * w[1] - d[1] * w[0]) < 1e-9 and d @ w > 0
    assert np.array([arrow.ax, arrow.ay]) @ w + b == pytest.approx(0)
    for k in (0, 1):
        t = [t for t in fig.data if t.name == f"class {k}"][0]
        assert np.allclose(np.column_stack([t.x, t.y]), X[y == k]) and t.marker.color == CLASS_COLORS[k]
    wrong = [t for t in fig.data if t.name == "misclassified"][0]
    assert list(zip(wrong.x, wrong.y)) == [(0.0, 1.0), (1.0, 1.0)]          # rows 1 and 3 disagree with y
    ring = [t for t in fig.data if t.name == "current sample"][0]
    assert (ring.x[0], ring.y[0]) == (1.0, 1.0)
    assert fig.layout.yaxis.scaleanchor == "x"                                # equal scales: right angles look right


def test_plane_figure_old_line_and_zero_weights():
    fig = plane_figure([0, 0], 0.0, (-1, 1), old=([1.0, 0.0], 0.0))
    assert [t.name for t in fig.data] == ["ŷ = 1", "line before the update"]   # w = 0: z = 0 ≥ 0 everywhere
    assert not [a for a in fig.layout.annotations if a.showarrow]


def test_anatomy_figure_writes_every_number():
    fig = anatomy_figure([1.0, -0.5, 2.0], [0.8, -1.2, 0.0], 0.25, -0.95, 0)
    text = " ".join(a.text for a in fig.layout.annotations)
    for s in ["x<sub>1</sub> = 1.00", "x<sub>2</sub> = −0.50", "x<sub>3</sub> = 2.00", "w<sub>1</sub> = 0.80",
              "w<sub>2</sub> = −1.20", "bias b = 0.25", "z = −0.95", "<b>0</b>", "<b>Σ</b>"]:
        assert s in text
    edges = [s for s in fig.layout.shapes if s.type == "line"][:3]
    assert [e.line.color for e in edges] == [BLUE, ORANGE, "#9aa0a6"]       # sign of each weight
    assert edges[1].line.width > edges[0].line.width                          # |w2| > |w1|


def test_weight_path_and_mistakes_figures():
    s = PerceptronStepper(*gate("XOR"))
    s.run()
    fig = weight_path_figure(s.updates, s.updates[0]["w_before"])
    path = np.column_stack([fig.data[0].x, fig.data[0].y])
    assert np.allclose(path, [[0, 0]] + [r["w"] for r in s.updates])
    arrow = fig.layout.annotations[0]
    last = s.updates[-1]
    assert (arrow.ax, arrow.ay) == tuple(last["w_before"]) and (arrow.x, arrow.y) == tuple(last["w"])
    bars = mistakes_figure(s.mistakes).data[0]
    assert list(bars.y) == s.mistakes and list(bars.x) == list(range(1, len(s.mistakes) + 1))
    assert mistakes_figure([3, 0]).data[0].marker.color == (ORANGE, BLUE)

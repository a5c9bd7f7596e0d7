"""viz.neuron: the figures' data (no browser)."""
import numpy as np
import pytest

from nn_core import Identity, LeakyReLU, ReLU, Sigmoid, Step, softmax
from viz.neuron import flat_intervals, gallery_figure, network_figure, neuron_map_figure, softmax_figure
from viz.palette import DIVERGING


def test_flat_intervals_sigmoid_by_hand():
    # σ'(z) = σ(1 − σ) = 0.02  ⇔  σ = (1 + √0.92)/2  ⇔  z = ln(σ / (1 − σ)) ≈ 3.869
    edge = np.log((1 + np.sqrt(0.92)) / (1 - np.sqrt(0.92)))
    z = np.linspace(-6, 6, 1201)
    (a0, a1), (b0, b1) = flat_intervals(z, Sigmoid().derivative(z), tol=0.02)
    assert (a0, b1) == (-6, 6)
    assert a1 == pytest.approx(-edge, abs=0.011) and b0 == pytest.approx(edge, abs=0.011)


def test_flat_intervals_relu_step_linear():
    z = np.linspace(-2, 2, 401)
    [(a, b)] = flat_intervals(z, ReLU().derivative(z))
    assert a == -2 and b == pytest.approx(0.0, abs=1e-12)
    assert flat_intervals(z, Step().derivative(z)) == [(-2, 2)]
    assert flat_intervals(z, Identity().derivative(z)) == []
    assert flat_intervals(z, LeakyReLU(0.1).derivative(z)) == []


def test_gallery_curves_and_marker_are_the_engines():
    acts = {"sigmoid": Sigmoid(), "ReLU": ReLU(), "linear": Identity()}
    fig = gallery_figure(acts, z=-1.5)
    curves = [t for t in fig.data if t.mode == "lines"]
    assert len(curves) == 6
    z = np.array(curves[0].x)
    assert np.allclose(curves[0].y, Sigmoid().fn(z)) and np.allclose(curves[1].y, Sigmoid().derivative(z))
    assert np.allclose(curves[3].y, ReLU().derivative(z))
    marker = [t for t in fig.data if t.mode == "markers"][0]
    assert marker.y == pytest.approx((Sigmoid().fn(np.array([-1.5]))[0], Sigmoid().derivative(np.array([-1.5]))[0]))
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [s.xref for s in rects] == ["x", "x", "x2"]                     # sigmoid: 2 tails, ReLU: z ≤ 0
    assert {s.x0 for s in fig.layout.shapes if s.type == "line"} == {-1.5}


def test_softmax_figure():
    z = np.array([1.0, -2.0, 0.5])
    fig = softmax_figure(z, softmax(z))
    assert np.allclose(fig.data[0].y, z) and np.allclose(fig.data[1].y, softmax(z))
    assert fig.data[1].text == tuple(f"{p:.3f}" for p in softmax(z))


def test_neuron_map_fixed_range_and_line():
    xs = ys = np.linspace(-3, 3, 5)
    a = np.full((5, 5), 0.2)
    fig = neuron_map_figure(xs, ys, a, 4.0, [1.0, 2.0], -1.0, (-3, 3))
    heat = fig.data[0]
    assert (heat.zmin, heat.zmax) == (-4.0, 4.0) and [c[1] for c in heat.colorscale] == [c[1] for c in DIVERGING]
    line = fig.data[1]
    assert np.allclose(np.array(line.x) + 2 * np.array(line.y) - 1, 0)


def test_network_figure_units_edges_and_outputs():
    fig = network_figure([3, 5, 2], ["in", "hidden", "out"], values=np.array([0.25, 0.75]))
    edges, *layers = fig.data
    assert [len(t.x) for t in layers] == [3, 5, 2]
    assert len(edges.x) == 3 * (3 * 5 + 5 * 2)                              # two ends and a gap per weight
    assert layers[-1].text == ("0.25", "0.75")
    big = network_figure([2, 20, 1], ["a", "b", "c"])
    assert [len(t.x) for t in big.data[1:]] == [2, 8, 1]
    assert any("20 units" in a.text for a in big.layout.annotations)

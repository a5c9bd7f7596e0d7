"""AppTest of lesson 2 (pages/2_neuron.py): at its defaults and after changing every control; the numbers
shown are the engine's."""
import numpy as np
import pytest
import perceptron_neuron_helpers as helpers
from conftest import ROOT
from perceptron_neuron_helpers import arr, chart, latex, text
from nn_core import Identity, LeakyReLU, ReLU, Sigmoid, Step, Tanh, mlp, softmax
from nn_core.docmath import latex_blocks
from viz.palette import DIVERGING

PAGE = str(ROOT / "pages" / "2_neuron.py")


def run(at=None):
    return helpers.run(PAGE, at)


def test_defaults():
    at = run()
    assert at.title[0].value == "Neuron & activations"
    # By hand: σ(1) = 1/(1 + e^−1) = 0.7311, σ'(1) = 0.7311 · 0.2689 = 0.1966.
    assert any("f(1.0) = 0.731" in t and "f'(1.0) = 0.197" in t for t in latex(at))
    assert any(block in latex(at)[k] for k in range(len(latex(at))) for block in latex_blocks(Sigmoid))
    gallery = chart(at, "nr_gallery")
    shaded = [s for s in gallery["layout"]["shapes"] if s["type"] == "rect"]
    assert len(shaded) == 2 + 2 + 1 + 1 + 1 + 0   # sigmoid, tanh: both tails; ReLU, leaky (α = 0.01): z ≤ 0;
    #                                                step: everywhere; linear: nowhere
    # softmax([2, 1, 0.1]) by hand: e^2 / (e^2 + e + e^0.1) = 0.659
    assert any("= 0.659" in t for t in latex(at))
    assert "a = **0.731**" in text(at)             # sigmoid(1.5 − 1 + 0.5) = σ(1)
    assert "**17** weights" in text(at)            # 2·4 + 4 + 4·1 + 1


def test_z_slider():
    at = run()
    for z in [-6.0, -2.5, 0.0, 6.0]:
        at.slider(key="nr_z").set_value(z)
        run(at)
        s = Sigmoid()
        fz, dfz = s.fn(np.array([z]))[0], s.derivative(np.array([z]))[0]
        assert any(f"f({z:.1f}) = {fz:.3f}" in t and f"f'({z:.1f}) = {dfz:.3f}" in t for t in latex(at))
        table = at.dataframe[0].value
        assert table.loc[table.activation == "tanh", "f(z)"].item() == f"{np.tanh(z):.3f}"
        assert table.loc[table.activation == "ReLU", "f′(z)"].item() == ("1.000" if z > 0 else "0.000")
        gallery = chart(at, "nr_gallery")
        assert {s["x0"] for s in gallery["layout"]["shapes"] if s["type"] == "line"} == {z}


def test_focus_shows_the_engines_formulas():
    at = run()
    classes = {"sigmoid": Sigmoid, "tanh": Tanh, "ReLU": ReLU, "leaky ReLU": LeakyReLU, "step": Step,
               "linear": Identity}
    for name, cls in classes.items():
        at.selectbox(key="nr_focus").select(name)
        run(at)
        shown = latex(at)
        for block in latex_blocks(cls):
            assert any(block in t for t in shown), (name, block)
        assert f"**{name}**" in text(at)


def test_alpha_slider_changes_leaky_relu():
    at = run()
    at.slider(key="nr_alpha").set_value(0.2)
    at.slider(key="nr_z").set_value(-2.0)
    at.selectbox(key="nr_focus").select("leaky ReLU")
    run(at)
    f = LeakyReLU(0.2)
    assert f.fn(np.array([-2.0]))[0] == pytest.approx(-0.4)
    assert any("f(-2.0) = -0.400" in t and "f'(-2.0) = 0.200" in t for t in latex(at))
    gallery = chart(at, "nr_gallery")
    shaded = [s for s in gallery["layout"]["shapes"] if s["type"] == "rect"]
    assert len(shaded) == 6                        # α = 0.2 ≥ 0.02: leaky ReLU is no longer shaded


def test_softmax_controls():
    at = run()
    at.slider(key="nr_k").set_value(5)
    run(at)
    assert len([n for n in at.number_input if n.key.startswith("nr_s")]) == 5
    at.number_input(key="nr_s4").set_value(8.0)
    run(at)
    z = np.array([2.0, 1.0, 0.1, -1.0, 8.0])
    p = softmax(z)
    assert p[4] == pytest.approx(np.exp(8) / np.exp(z).sum())
    assert any(f"\\mathrm{{softmax}}(z)_5" in t and f"= {p[4]:.3f}" in t for t in latex(at))
    bars = chart(at, "nr_softmax")["data"]
    assert np.allclose(arr(bars[0]["y"]), z) and np.allclose(arr(bars[1]["y"]), p)


def test_neuron_map_per_activation():
    at = run()
    for name, vmax in [("tanh", 1), ("ReLU", 4), ("leaky ReLU", 4), ("step", 1), ("linear", 4), ("sigmoid", 1)]:
        at.selectbox(key="nr_map_act").select(name)
        run(at)
        heat = chart(at, "nr_map")["data"][0]
        assert heat["zmin"] == -vmax and heat["zmax"] == vmax, name
        assert [c[1] for c in heat["colorscale"]] == [c[1] for c in DIVERGING]


def test_neuron_map_weights():
    at = run()
    at.selectbox(key="nr_map_act").select("tanh")
    for key, value in [("nr_w1", -3.0), ("nr_w2", 3.0), ("nr_b", -3.0)]:
        at.slider(key=key).set_value(value)
        run(at)
        w1, w2, b = (at.slider(key=k).value for k in ("nr_w1", "nr_w2", "nr_b"))
        heat = chart(at, "nr_map")["data"][0]
        xs, ys, a = arr(heat["x"]), arr(heat["y"]), arr(heat["z"])
        i, j = 7, 100
        assert a[i, j] == pytest.approx(np.tanh(w1 * xs[j] + w2 * ys[i] + b))
        assert f"a = **{np.tanh(w1 + w2 + b):.3f}**" in text(at)


@pytest.mark.parametrize("task, extra, n_out", [("Binary", None, 1),
                                                ("Multi-class", ("nr_classes", 5), 5),
                                                ("Regression", ("nr_targets", 3), 3)])
def test_layers_output_sizing(task, extra, n_out):
    at = run()
    at.radio(key="nr_task").set_value(task)
    at.slider(key="nr_in").set_value(3)
    at.slider(key="nr_hidden").set_value(6)
    run(at)
    if extra:
        at.slider(key=extra[0]).set_value(extra[1])
        run(at)
    assert f"**{3 * 6 + 6 + 6 * n_out + n_out}** weights" in text(at)
    net = chart(at, "nr_net")
    units = [len(arr(t["x"])) for t in net["data"][1:]]
    assert units == [3, 6, n_out]
    output = {"Binary": "sigmoid", "Multi-class": None, "Regression": "identity"}[task.split()[0]]
    out = mlp([3, 6, n_out], activation="relu", output=output, seed=0).forward(np.linspace(-1, 1, 3)[None])[0]
    if output is None:
        out = softmax(out)
        assert out.sum() == pytest.approx(1)
    assert [f"{v:.2f}" for v in out] == list(net["data"][-1]["text"])
    # Only softmax's outputs add up to 1: the sentence says so for it alone (a sigmoid's 0.50 "adding up to
    # 0.50", a regression's numbers "adding up to" anything, would teach the wrong idea).
    assert ("adding up to 1.00" in text(at)) == (output is None)
    assert ("adding up to" in text(at)) == (output is None)


def test_words_agree_with_the_derivatives_shown():
    at = run()
    at.selectbox(key="nr_focus").select("tanh")
    run(at)
    # By hand: σ′(0) = σ(0)(1 − σ(0)) = 1/4 and tanh′(0) = 1 − 0² = 1: four times, not twice.
    assert "4 times as steep" in at.info[0].value
    at.selectbox(key="nr_focus").select("leaky ReLU")
    at.slider(key="nr_alpha").set_value(0.01)
    run(at)
    assert "α = 0.01" in at.info[0].value and "never zero" in at.info[0].value
    rects = [s for s in chart(at, "nr_gallery")["layout"]["shapes"] if s["type"] == "rect"]
    by_panel = {}
    for r in rects:
        by_panel.setdefault(r["xref"], []).append(r["name"])
    # Panels in order sigmoid, tanh, ReLU, leaky ReLU, step, linear: leaky's negative side (slope 0.01) is a
    # small gradient, ReLU's and the step's are none at all.
    assert by_panel == {"x": ["small", "small"], "x2": ["small", "small"], "x3": ["zero"], "x4": ["small"],
                        "x5": ["zero"]}


def test_step_derivative_is_undefined_at_zero_everywhere_it_is_shown():
    at = run()
    at.selectbox(key="nr_focus").select("step")
    at.slider(key="nr_z").set_value(0.0)
    run(at)
    table = at.dataframe[0].value
    assert table.loc[table.activation == "step", "f′(z)"].item() == "undefined"
    assert table.loc[table.activation == "ReLU", "f′(z)"].item() == "0.000"      # ReLU′(0) = 0 by its formula
    assert any(r"f'(0.0) = \text{undefined}" in t for t in latex(at))
    markers = [t for t in chart(at, "nr_gallery")["data"] if t.get("mode") == "markers"]
    assert [len(arr(t["y"])) for t in markers] == [2, 2, 2, 2, 1, 2]


def test_softmax_cross_entropy_gradient_is_p_minus_y():
    at = run()
    at.selectbox(key="nr_true").select("class 1")
    run(at)
    # By hand, scores (2, 1, 0.1): p = e^z / (e² + e + e^0.1) = (0.659, 0.242, 0.099); y = (1, 0, 0).
    assert any("= (-0.341, 0.242, 0.099)" in t for t in latex(at))
    at.selectbox(key="nr_true").select("class 3")
    run(at)
    assert any("= (0.659, 0.242, -0.901)" in t for t in latex(at))


def test_try_counting_the_weights():
    at = run()
    at.number_input(key="nr_guess").set_value(17)        # 2·4 + 4 + 4·1 + 1, by hand
    run(at)
    assert "(2·4 + 4) + (4·1 + 1) = 17" in at.success[-1].value
    at.number_input(key="nr_guess").set_value(16)
    run(at)
    assert "Not quite" in at.warning[-1].value


def test_ann_is_named_with_the_brain_analogy_and_its_limits():
    at = run()
    assert "artificial neural network" in text(at)
    assert "backpropagation" in at.expander[0].children[0].value and "86 billion" in text(at)
    home = helpers.run(str(ROOT / "app.py"))
    assert "artificial neural networks (ANNs)" in text(home) and "inspired by the brain" in text(home)

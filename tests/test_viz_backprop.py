"""viz.backprop without a browser: the diagram's traces (colour, width, labels, hover), the formulas'
numbers, the tables and the computation graph — all checked against the engine's record."""
import pytest

from lessons import backprop as stepper
from viz import backprop as viz
from viz.palette import BLUE, ORANGE


@pytest.fixture(scope="module")
def textbook():
    spec = stepper.preset("textbook")
    return spec, stepper.run(spec), stepper.build_steps(spec)


def links(fig):
    return [t for t in fig.data if t.mode == "lines"]


def labels(fig):
    return next(t for t in fig.data if t.name == "links")


def neurons(fig):
    return next(t for t in fig.data if t.name == "neurons")


def test_fmt():
    assert viz.fmt(0.2983711087600027, 9) == "0.298371109"
    assert viz.fmt(-0.0380982365, 4) == "-0.0381"
    assert viz.fmt(0.0) == "0"


def test_every_weight_and_every_bias_is_a_link_coloured_and_sized_by_its_value(textbook):
    spec, rec, steps = textbook
    fig = viz.network_figure(spec, rec, steps[0])
    lines = links(fig)
    assert len(lines) == 8 + 4                      # w1..w8 and the four bias links (b1 twice, b2 twice)
    values = [0.15, 0.20, 0.35, 0.25, 0.30, 0.35, 0.40, 0.45, 0.60, 0.50, 0.55, 0.60]   # drawing order: into h1, h2, o1, o2
    widths = [t.line.width for t in lines]
    assert [widths[k] < widths[k + 1] for k in (0, 3, 6)] == [True, True, True]   # bigger weight, thicker link
    assert widths[0] == pytest.approx(1.5 + 8 * 0.15 / 1.0)
    assert [t.line.color for t in lines] == [viz.sign_colour(v, 1.0) for v in values]
    assert viz.colour_range(spec) == 1.0
    neg = dict(spec, W=[[[-0.9, 0.25], [0.2, 0.3]], spec["W"][1]])
    assert viz.sign_colour(-0.9, 1.0) != viz.sign_colour(0.9, 1.0)
    # the palette's ends: −vmax is orange, +vmax blue
    assert viz.sign_colour(-1.0, 1.0) == ORANGE and viz.sign_colour(1.0, 1.0) == BLUE
    colour = links(viz.network_figure(neg, stepper.run(neg), steps[0]))[0].line.color   # w1 = −0.9: orange side
    assert colour == viz.sign_colour(-0.9, 1.0) and int(colour[1:3], 16) > int(colour[5:7], 16)


def test_forward_step_shows_known_values_and_highlights_the_current_neuron(textbook):
    spec, rec, steps = textbook
    fig = viz.network_figure(spec, rec, steps[1])          # forward, h2
    node = neurons(fig)
    a_h1, a_h2 = rec["trace"]["layers"][0]["a"]
    assert list(node.text) == ["0.05", "0.1", viz.fmt(a_h1, 4), viz.fmt(a_h2, 4), "?", "?"]
    assert list(node.marker.line.width) == [1.5, 1.5, 1.5, 6, 1.5, 1.5]
    assert "<b>w<sub>3</sub> 0.25</b>" in labels(fig).text   # w3 feeds h2: its label is bold, named as in the article
    assert "w<sub>5</sub> 0.4" in labels(fig).text


def test_backward_step_labels_links_with_their_gradients(textbook):
    spec, rec, steps = textbook
    fig = viz.network_figure(spec, rec, steps[5])          # backward, o1
    row = rec["trace"]["layers"][1]
    text, hover = list(labels(fig).text), list(labels(fig).hovertext)
    assert f"<b>∂w<sub>5</sub> {viz.fmt(row['dL_dW'][0][0], 3)}</b>" in text      # ∂L/∂w5 on its link, marked ∂
    assert any(f"∂L/∂w<sub>5</sub> = {viz.fmt(row['dL_dW'][0][0], 6)}" in h for h in hover)
    assert f"∂L/∂a = {viz.fmt(row['dL_da'][0], 4)}<br>δ = {viz.fmt(row['dL_dz'][0], 4)}" in list(fig.data[-1].text)
    assert any("y=0.01" in t for t in fig.data[-2].text)                  # the target beside o1


def test_update_step_labels_links_with_the_new_weights(textbook):
    spec, rec, steps = textbook
    fig = viz.network_figure(spec, rec, steps[-1])
    text = list(labels(fig).text)
    assert f"<b>w<sub>5</sub>′ {viz.fmt(rec['after']['W'][1][0][0], 4)}</b>" in text   # new w5 = 0.3589
    assert any("new w<sub>5</sub> = 0.358916" in h for h in labels(fig).hovertext)


def test_hidden_backward_step_shows_the_weights_its_formula_reads(textbook):
    # Step 8 of the textbook (backward, h1): ∂L/∂a_h1 = w5·δ_o1 + w7·δ_o2 reads w5 = 0.4 and w7 = 0.5, so those
    # links show 0.4 and 0.5 (named), not their gradients; the δs and ∂L/∂a are written under the neurons.
    spec, rec, steps = textbook
    assert steps[7] == {"phase": "backward", "layer": 0, "neuron": 0}
    fig = viz.network_figure(spec, rec, steps[7])
    text = list(labels(fig).text)
    assert "<b>w<sub>5</sub> 0.4</b>" in text and "<b>w<sub>7</sub> 0.5</b>" in text
    bwd = viz.backward_latex(spec, rec, 0, 0)[0]
    assert "0.4 \\cdot" in bwd and "0.5 \\cdot" in bwd
    row = rec["trace"]["layers"][0]
    under = list(fig.data[-1].text)
    assert f"∂L/∂a = {viz.fmt(row['dL_da'][0], 4)}<br>δ = {viz.fmt(row['dL_dz'][0], 4)}" in under
    assert viz.fmt(row["dL_da"][0]) in bwd                  # the same ∂L/∂a_h1 as the formula's result


def test_three_neuron_layers_label_only_the_current_links():
    spec = stepper.preset("softmax")                         # 2-3-3: every label at once overlapped
    rec = stepper.run(spec)
    step = stepper.build_steps(spec)[0]
    text = list(labels(viz.network_figure(spec, rec, step)).text)
    assert sum(bool(t) for t in text) == 2 + 1               # the 2 weights and the bias into the first neuron


def test_textbook_biases_have_one_symbol_per_value(textbook):
    spec, rec, _ = textbook
    upd = "".join(viz.update_latex(spec, rec, 1))
    bwd = [viz.backward_latex(spec, rec, 1, j)[-1] for j in range(2)]
    # two engine biases, two values, two names: b2 (o1), b2 (o2)
    assert "b_{2\\,(o_{1})}" in bwd[0] and "b_{2\\,(o_{2})}" in bwd[1] and "b_{2\\,(o_{1})}" in upd
    name, g = stepper.shared_bias_gradient(spec, rec["trace"], 1)
    d = rec["trace"]["layers"][1]["dL_db"]
    assert name == "b2" and g == pytest.approx(0.1004, abs=5e-5) and g == pytest.approx(d[0] + d[1])


def test_formulas_carry_the_engines_numbers(textbook):
    spec, rec, _ = textbook
    tr = rec["trace"]
    z_line, a_line = viz.forward_latex(spec, rec, 1, 0)
    assert "w_{5}" in z_line and "0.4 \\cdot 0.59327 +" in z_line
    assert z_line.endswith(f"= {viz.fmt(tr['layers'][1]['z'][0])} \\end{{aligned}}")
    assert a_line.endswith(f"= {viz.fmt(tr['layers'][1]['a'][0])}") and "e^{-1.10591}" in a_line
    assert viz.loss_latex(spec, rec)[1].endswith("= 0.298371")
    bwd = "".join(viz.backward_latex(spec, rec, 0, 0))   # hidden h1: Σ w δ, then f', then δ
    assert "w_{5}\\,\\delta_{o_{1}} + w_{7}\\,\\delta_{o_{2}}" in bwd
    assert viz.fmt(tr["layers"][0]["dL_da"][0]) in bwd and viz.fmt(tr["layers"][0]["dL_dz"][0]) in bwd
    assert viz.fmt(tr["layers"][0]["dL_dW"][1][0]) in bwd     # ∂L/∂w2
    out = "".join(viz.backward_latex(spec, rec, 1, 0))
    assert "\\frac{2}{2}(0.751365 - 0.01)" in out
    upd = "".join(viz.update_latex(spec, rec, 1))
    assert "0.4 - 0.5 \\cdot 0.082167 = 0.358916" in upd


def test_softmax_formulas_and_probability_labels():
    spec = stepper.preset("softmax")
    rec = stepper.run(spec)
    probs = rec["trace"]["probs"]
    loss = "".join(viz.loss_latex(spec, rec))
    assert all(viz.fmt(p) in loss for p in probs) and "-\\log p_{3}" in loss
    delta = viz.backward_latex(spec, rec, 1, 2)[0]
    assert f"{viz.fmt(probs[2])} - 1 = {viz.fmt(probs[2] - 1)}" in delta
    fig = viz.network_figure(spec, rec, stepper.build_steps(spec)[7])   # the loss step
    top = [t for t in fig.data[-2].text if "p=" in t]
    assert len(top) == 3 and "★" in top[2]


def test_update_rows_and_gradcheck_rows(textbook):
    spec, rec, _ = textbook
    rows = viz.update_rows(spec, rec, 1)
    assert [r["parameter"] for r in rows] == ["w5", "w6", "b2 (o1)", "w7", "w8", "b2 (o2)"]
    assert rows[0]["new"] == rec["after"]["W"][1][0][0] and rows[0]["gradient"] == rec["trace"]["layers"][1]["dL_dW"][0][0]
    check = viz.gradcheck_rows(spec, stepper.gradient_check(spec))
    assert [r["parameter"] for r in check][:3] == ["w1", "w2", "b1 (h1)"]


def test_computation_graph_shows_value_and_grad_on_each_node(textbook):
    spec, rec, _ = textbook
    graph = stepper.neuron_graph(rec["trace"], 1, 0)
    fig = viz.graph_figure(spec, rec, 1, 0, graph)
    boxes = [a.text for a in fig.layout.annotations if a.text]
    assert len(boxes) == len(graph["nodes"]) == 3 * 2 + 4
    w5 = next(b for b in boxes if b.startswith("<b>w<sub>5</sub>"))
    assert f"value 0.4<br>grad {viz.fmt(rec['trace']['layers'][1]['dL_dW'][0][0], 4)}" in w5
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == len(graph["edges"])


def test_loss_curve():
    fig = viz.loss_curve_figure([0.3, 0.2, 0.1])
    assert list(fig.data[0].y) == [0.3, 0.2, 0.1] and list(fig.data[0].x) == [0, 1, 2]


def test_big_networks_label_only_the_links_of_the_current_step():
    spec = stepper.random_spec([4, 4, 3], ["tanh", "sigmoid"], "mse", seed=0)
    rec = stepper.run(spec)
    step = stepper.build_steps(spec)[0]                       # forward, first hidden neuron: 4 weights + 1 bias
    text = list(labels(viz.network_figure(spec, rec, step)).text)
    assert sum(bool(t) for t in text) == 5 and all(t.startswith("<b>") for t in text if t)
    assert all(labels(viz.network_figure(spec, rec, step, label_all=True)).text)   # every link when asked
    assert len(text) == 4 * 4 + 4 + 4 * 3 + 3                  # yet every link is there, with its hover text


def test_graph_input_says_share_and_total(textbook):
    # The graph of o1 reads a_h1: the grad flowing back through o1 is δ_o1·w5 (0.0554 in the article's numbers),
    # while backward step 8 gives the total ∂L/∂a_h1 = w5·δ_o1 + w7·δ_o2 (0.0364): the box shows both, named.
    spec, rec, _ = textbook
    row = rec["trace"]["layers"]
    share = row[1]["dL_dz"][0] * 0.4
    total = row[1]["dL_dz"][0] * 0.4 + row[1]["dL_dz"][1] * 0.5
    assert share == pytest.approx(0.0554, abs=1e-4) and total == pytest.approx(0.0364, abs=1e-4)
    fig = viz.graph_figure(spec, rec, 1, 0, stepper.neuron_graph(rec["trace"], 1, 0))
    box = next(a.text for a in fig.layout.annotations if a.text and a.text.startswith("<b>a h"))
    assert f"grad via o<sub>1</sub> {viz.fmt(share, 4)}" in box and f"total ∂L/∂a {viz.fmt(total, 4)}" in box
    assert viz.fmt(total) in viz.backward_latex(spec, rec, 0, 0)[0]      # what step 8 shows

"""Lesson 3 under AppTest: every preset stepped through every phase with the engine's numbers on screen,
the textbook's published values, and every control changed."""
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from lessons import backprop as stepper
from viz.backprop import fmt

PAGE = str(ROOT / "pages" / "3_backprop.py")
DIGITS = 5   # the page's default


def fresh():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ok(at):
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def latex(at):
    return "\n".join(x.value for x in at.latex)


def results(at):
    """The result of every formula on screen: what follows its last "=" sign."""
    out = []
    for x in at.latex:
        v = re.sub(r"\\(quad|\s)*\\text\{[^}]*\}", "", x.value.replace(r"\end{aligned}", "")).strip(" $\n")
        out.append(v.rsplit("= ", 1)[-1].strip())
    return out


def table_with(at, column):
    """The first table (st.dataframe / st.data_editor) that has this column."""
    return next(t.value for t in at.dataframe if column in t.value.columns)


def step_label(at):
    return next(m.value for m in at.markdown if m.value.startswith("**step "))


def expected_numbers(spec, rec, step):
    """The engine numbers that must be on screen at this step (formatted as the page does)."""
    tr = rec["trace"]
    l, j = step["layer"], step["neuron"]
    if step["phase"] == "forward":
        row = tr["layers"][l]
        return [row["z"][j], row["a"][j]]
    if step["phase"] == "loss":
        return [tr["loss"]]
    if step["phase"] == "backward":
        row = tr["layers"][l]
        out = [row["dL_dz"][j], row["dL_db"][j]] + [row["dL_dW"][i][j] for i in range(spec["sizes"][l])]
        return out if spec["loss"] == "cross_entropy" and l == len(tr["layers"]) - 1 else out + [row["dL_da"][j], row["fprime"][j]]
    if l is not None:
        return [rec["after"]["W"][l][0][0]]
    return [rec["loss_after"]]


@pytest.mark.parametrize("preset", list(stepper.PRESETS))
def test_every_step_of_every_preset_shows_the_engines_numbers(preset):
    at = fresh()
    if preset != "textbook":
        at.selectbox(key="bp_preset").set_value(preset)
        ok(at)
    spec = stepper.preset(preset)
    rec = stepper.run(spec)
    steps = stepper.build_steps(spec)
    for k, step in enumerate(steps):
        assert step_label(at) == f"**step {k + 1} of {len(steps)}**"
        assert at.radio(key="bp_phase").value == step["phase"]
        shown = results(at)
        for v in expected_numbers(spec, rec, step):
            assert fmt(v, DIGITS) in shown, (preset, k, step, fmt(v, DIGITS), shown)
        if step["phase"] == "loss":
            assert all(fmt(v, DIGITS) in latex(at) for v in rec["trace"]["output"])
        if step["phase"] == "forward":   # the sum itself: every weight times every input, plus the bias
            row = rec["trace"]["layers"][step["layer"]]
            terms = [f"{fmt(w[step['neuron']], DIGITS)}" for w in row["W"]] + [fmt(a, DIGITS) for a in row["a_prev"]]
            assert all(t in latex(at) for t in terms)
        if step["phase"] == "update" and step["layer"] is not None:
            table = table_with(at, "new")   # old / gradient / new for every parameter of the layer
            l = step["layer"]
            new = [v for j in range(spec["sizes"][l + 1]) for v in
                   [rec["after"]["W"][l][i][j] for i in range(spec["sizes"][l])] + [rec["after"]["b"][l][j]]]
            assert np.allclose(table["new"].to_numpy(), new, rtol=0, atol=1e-15)
        if k < len(steps) - 1:
            at.button(key="bp_next").click()
            ok(at)
    assert at.button(key="bp_next").disabled


def test_textbook_shows_the_published_values_and_the_bias_note():
    at = fresh()
    at.radio(key="bp_phase").set_value("loss")
    ok(at)
    assert "0.298371109" in at.success[0].value and "**0.298371109**" in at.success[0].value
    at.radio(key="bp_phase").set_value("update")
    ok(at)
    assert "**0.35891648**" in at.success[0].value          # the engine's w5, as printed in the article
    assert any("biases are not updated" in i.value for i in at.info)
    table = table_with(at, "new")
    assert table.loc[table.parameter == "b2 (o1)", "new"].item() == 0.6   # kept, as in the textbook
    at.button(key="bp_next").click().run()
    at.button(key="bp_next").click().run()
    rec = stepper.run(stepper.preset("textbook"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Loss after, biases fixed (textbook)"] == fmt(rec["loss_after"], DIGITS)
    assert metrics["Loss after, biases updated too"] == fmt(rec["loss_after_other_biases"], DIGITS)


def test_updating_biases_changes_the_update_table():
    at = fresh()
    at.checkbox(key="bp_biases").check()
    at.radio(key="bp_phase").set_value("update")
    ok(at)
    table = table_with(at, "new")
    spec = dict(stepper.preset("textbook"), update_biases=True)
    delta_o1 = stepper.run(spec)["trace"]["layers"][1]["dL_dz"][0]
    assert table.loc[table.parameter == "b2 (o1)", "new"].item() == pytest.approx(0.6 - 0.5 * delta_o1, rel=1e-14)
    assert not any("biases are not updated" in i.value for i in at.info)


def test_learning_rate_changes_the_update():
    at = fresh()
    at.number_input(key="bp_lr").set_value(1.0)
    at.radio(key="bp_phase").set_value("update")
    ok(at)
    # w5 − 1.0 · ∂L/∂w5 with the article's gradient 0.082167041
    assert fmt(0.4 - 0.082167041, DIGITS) in latex(at)


def test_previous_next_and_jump():
    at = fresh()
    assert at.button(key="bp_prev").disabled
    at.radio(key="bp_phase").set_value("backward")
    ok(at)
    assert step_label(at) == "**step 6 of 12**"
    at.button(key="bp_prev").click()
    ok(at)
    assert step_label(at) == "**step 5 of 12**" and at.radio(key="bp_phase").value == "loss"


def test_editing_weights_sample_and_target_in_the_tables():
    at = fresh()
    v = at.session_state["bp_ver"]
    at.session_state[f"bp_W1_{v}"] = {"edited_rows": {0: {"o1": 0.5}}, "added_rows": [], "deleted_rows": []}
    at.session_state[f"bp_x_{v}"] = {"edited_rows": {0: {"sample": 1.0}}, "added_rows": [], "deleted_rows": []}
    at.session_state[f"bp_t_{v}"] = {"edited_rows": {1: {"target": 0.5}}, "added_rows": [], "deleted_rows": []}
    ok(at)
    spec = at.session_state["bp_spec"]
    assert spec["W"][1][0][0] == 0.5 and spec["x"] == [1.0, 0.1] and spec["target"] == [0.01, 0.5]
    rec = stepper.run(spec)
    assert fmt(rec["trace"]["layers"][0]["z"][0], DIGITS) in latex(at)      # step 1 with x1 = 1
    at.radio(key="bp_phase").set_value("loss")
    ok(at)
    assert fmt(rec["trace"]["loss"], DIGITS) in latex(at)


def test_presenter_mode_edits_the_network_in_a_grid_of_inputs():
    """A data editor draws its cells on a canvas at 14 px whatever the page's zoom: in presenter mode the sample, the
    target and every weight and bias are number inputs (their type grows with the page), and an edit applies."""
    at = AppTest.from_file(str(ROOT / "pages" / "3_backprop.py"), default_timeout=120)
    at.session_state["present"] = True
    ok(at)
    v = at.session_state["bp_ver"]
    assert len(at.data_editor) == 0
    keys = {n.key for n in at.number_input}
    assert {f"bp_x_{v}_{i}_0" for i in range(2)} | {f"bp_t_{v}_{i}_0" for i in range(2)} <= keys
    assert {f"bp_W{l}_{v}_{r}_{c}" for l in range(2) for r in range(3) for c in range(2)} <= keys   # 2 rows + bias
    at.number_input(key=f"bp_W1_{v}_0_0").set_value(0.5)
    at.number_input(key=f"bp_x_{v}_0_0").set_value(1.0)
    at.number_input(key=f"bp_t_{v}_1_0").set_value(0.5)
    ok(at)
    spec = at.session_state["bp_spec"]
    assert spec["W"][1][0][0] == 0.5 and spec["x"] == [1.0, 0.1] and spec["target"] == [0.01, 0.5]
    rec = stepper.run(spec)
    assert fmt(rec["trace"]["layers"][0]["z"][0], DIGITS) in latex(at)      # step 1 with x1 = 1


@pytest.mark.parametrize("edit, words", [
    (("bp_W0", {0: {"h1": None}}), "must be a finite number"),
    (("bp_t", {0: {"target": 2.0}}), None),   # MSE accepts any target: no warning
])
def test_bad_table_edits_are_explained_and_ignored(edit, words):
    at = fresh()
    v = at.session_state["bp_ver"]
    at.session_state[f"{edit[0]}_{v}"] = {"edited_rows": edit[1], "added_rows": [], "deleted_rows": []}
    ok(at)
    if words:
        assert any(words in w.value for w in at.warning)
        assert at.session_state["bp_spec"]["W"] == stepper.PRESETS["textbook"]["W"]   # the last good network stays
    else:
        assert not at.warning


def test_class_out_of_range_in_the_softmax_preset():
    at = fresh()
    at.selectbox(key="bp_preset").set_value("softmax")
    ok(at)
    v = at.session_state["bp_ver"]
    at.session_state[f"bp_t_{v}"] = {"edited_rows": {0: {"class y": 7}}, "added_rows": [], "deleted_rows": []}
    ok(at)
    assert any("class index" in w.value for w in at.warning)
    assert at.session_state["bp_spec"]["target"] == [2]


def test_random_weights_from_a_seed():
    at = fresh()
    at.number_input(key="bp_seed").set_value(3)
    at.button(key="bp_random").click()
    ok(at)
    expected = stepper.random_spec([2, 2, 2], ["sigmoid", "sigmoid"], "mse", seed=3, lr=0.5, update_biases=False)
    spec = at.session_state["bp_spec"]
    assert spec["W"] == expected["W"] and spec["x"] == expected["x"] and step_label(at) == "**step 1 of 12**"
    assert fmt(stepper.run(spec)["trace"]["layers"][0]["z"][0], DIGITS) in latex(at)


def test_train_n_more_steps_shows_the_loss_falling():
    at = fresh()
    at.number_input(key="bp_n").set_value(20)
    at.button(key="bp_train").click()
    ok(at)
    losses, trained, _ = stepper.train(stepper.preset("textbook"), 20)
    assert at.session_state["bp_history"] == losses
    assert losses[-1] < losses[0]
    assert any(f"{fmt(losses[0], DIGITS)} → {fmt(losses[-1], DIGITS)} after 20 steps" in c.value for c in at.caption)
    assert at.session_state["bp_spec"]["W"] == trained["W"]      # the walk-through continues from the new weights
    at.button(key="bp_train").click()
    ok(at)
    assert len(at.session_state["bp_history"]) == 41


def test_training_that_diverges_is_stopped_with_a_message():
    at = fresh()
    at.selectbox(key="bp_preset").set_value("custom")
    ok(at)
    at.selectbox(key="bp_c_act0").set_value("identity")
    ok(at)
    at.selectbox(key="bp_c_act1").set_value("identity")
    at.number_input(key="bp_lr").set_value(60.0)
    at.number_input(key="bp_n").set_value(500)
    ok(at)
    at.button(key="bp_train").click()
    ok(at)
    assert any("Training stopped" in w.value for w in at.warning)
    assert all(np.all(np.isfinite(w)) for w in at.session_state["bp_spec"]["W"])


def test_custom_network_controls():
    at = fresh()
    at.selectbox(key="bp_preset").set_value("custom")
    ok(at)
    at.slider(key="bp_c_layers").set_value(3)
    ok(at)
    at.slider(key="bp_c_in").set_value(3)
    at.slider(key="bp_c_n0").set_value(4)
    at.slider(key="bp_c_n2").set_value(3)
    at.selectbox(key="bp_c_act1").set_value("relu")
    at.selectbox(key="bp_c_loss").set_value("cross_entropy")
    ok(at)
    spec = at.session_state["bp_spec"]
    assert spec["sizes"] == [3, 4, 2, 3] and spec["activations"] == ["sigmoid", "relu", "identity"]
    assert spec["loss"] == "cross_entropy"
    assert at.selectbox(key="bp_c_act2").disabled     # the loss fixes the output activation, and shows it
    assert at.selectbox(key="bp_c_act2").value == "identity"
    steps = stepper.build_steps(spec)
    assert step_label(at) == f"**step 1 of {len(steps)}**"
    at.radio(key="bp_phase").set_value("backward")
    ok(at)
    rec = stepper.run(spec)
    assert fmt(rec["trace"]["layers"][2]["dL_dz"][0], DIGITS) in latex(at)
    gc = stepper.gradient_check(spec)
    assert at.success and ("agree for all" in at.success[0].value) == all(r["agrees"] for r in gc)
    at.selectbox(key="bp_c_loss").set_value("bce")
    ok(at)
    assert at.session_state["bp_spec"]["activations"][-1] == "sigmoid"


def test_digits_gradient_check_and_neuron_graph_controls():
    at = fresh()
    at.select_slider(key="bp_digits").set_value(8)
    ok(at)
    z = stepper.run(stepper.preset("textbook"))["trace"]["layers"][0]["a"][0]
    assert fmt(z, 8) in latex(at)
    table = table_with(at, "relative error")
    assert len(table) == 12 and table["relative error"].max() < 1e-6
    assert "agree for all 12 parameters" in at.success[0].value
    graph = at.selectbox(key="bp_gn_0")
    assert graph.value == (0, 0)             # follows the current neuron
    graph.set_value((1, 1))
    ok(at)
    assert len(at.get("plotly_chart")) == 2


def test_article_words_only_while_the_article_is_on_screen():
    at = fresh()
    assert any("Check every number against the article" in c.value for c in at.caption)
    at.number_input(key="bp_seed").set_value(3)
    at.button(key="bp_random").click()
    ok(at)
    captions = " ".join(c.value for c in at.caption)
    assert "Check every number" not in captions and "no longer the article's" in captions


def test_update_table_and_formula_show_one_number_each_and_the_shared_bias():
    at = fresh()
    at.checkbox(key="bp_biases").check()
    at.radio(key="bp_phase").set_value("update")
    ok(at)
    rec = stepper.run(dict(stepper.preset("textbook"), update_biases=True))
    g = rec["trace"]["layers"][1]["dL_dW"][0][0]
    table = table_with(at, "gradient")
    assert table.loc[table.parameter == "w5", "gradient"].item() == g
    [upd] = [t for t in at.dataframe if "gradient" in t.value.columns]
    assert f'"format":"%.{DIGITS}g"' in upd.proto.columns.replace(" ", "")   # significant digits, as the formula:
    assert f"\\cdot {fmt(g, DIGITS)} =" in latex(at) and f"{g:.{DIGITS}g}" == fmt(g, DIGITS)
    d = rec["trace"]["layers"][1]["dL_db"]
    note = next(c.value for c in at.caption if "shared" in c.value)
    # By the article's numbers: 0.1385 + (−0.0381) = 0.1004 for its one b2.
    assert f"= {fmt(d[0] + d[1], DIGITS)}" in note and fmt(d[0] + d[1], 3) == "0.1"  and abs(d[0] + d[1] - 0.1004) < 1e-4


def test_gradient_check_says_overflow_when_there_is_no_relu():
    at = fresh()
    spec = stepper.random_spec([2, 2, 2], ["sigmoid", "identity"], "mse", seed=1)
    spec["W"] = (np.array(spec["W"]) * 1e8).tolist()
    at.session_state["bp_spec"] = spec
    at.session_state["bp_ver"] = 99
    ok(at)
    rows = stepper.gradient_check(spec)
    assert not all(r["agrees"] for r in rows)
    warning = next(w.value for w in at.warning if "disagree" in w.value)
    assert "huge" in warning and "ReLU" not in warning


def test_ten_thousand_steps_explain_the_articles_last_digits():
    at = fresh()
    at.number_input(key="bp_n").set_value(10_000)
    at.button(key="bp_train").click()
    ok(at)
    losses, _, _ = stepper.train(stepper.preset("textbook"), 10_000)
    note = next(i.value for i in at.info if "0.0000351085" in i.value)
    assert f"{losses[-1]:.10f}" in note and "rounded" in note and f"{losses[1]:.9f}" in note

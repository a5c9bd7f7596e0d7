"""Knocking neurons and links out of a playground network (lessons/knockout.py) and the page's panel."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import lessons.knockout as ko
from conftest import ROOT
from nn_core import mlp


@pytest.fixture
def net():
    model = mlp([2, 3, 2, 2], activation="tanh", seed=3)       # two hidden layers, logits for 2 classes
    for layer in model.layers:
        if "b" in layer.params:
            layer.params["b"][...] = np.random.default_rng(1).normal(size=layer.params["b"].shape)
    X = np.random.default_rng(2).normal(size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return model, X, y


def by_hand(model, X, dead_unit=None, cut=None):
    """The forward pass written out with NumPy, with one hidden activation forced to 0 or one weight zeroed."""
    dense = ko.dense_of(model)
    a = X
    for l, d in enumerate(dense):
        W = d.params["W"].copy()
        if cut is not None and cut[0] == l:
            W[cut[1], cut[2]] = 0.0
        a = a @ W + d.params["b"]
        if l < len(dense) - 1:
            a = np.tanh(a)
            if dead_unit is not None and dead_unit[0] == l:
                a[:, dead_unit[1]] = 0.0
    return a


def test_a_knocked_out_neuron_is_an_activation_forced_to_zero(net):
    model, X, _ = net
    before = [w.copy() for layer in model.get_weights() for w in layer.values()]
    for unit in ko.hidden_units(model):
        assert np.allclose(ko.knocked_out(model, units=[unit]).forward(X), by_hand(model, X, dead_unit=unit))
    assert all(np.array_equal(a, b) for a, b in
               zip(before, [w for layer in model.get_weights() for w in layer.values()]))   # the original kept
    assert len(ko.hidden_units(model)) == 3 + 2 and len(ko.all_links(model)) == 2 * 3 + 3 * 2 + 2 * 2


def test_a_cut_link_is_one_weight_zeroed(net):
    model, X, _ = net
    for link in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        assert np.allclose(ko.knocked_out(model, links=[link]).forward(X), by_hand(model, X, cut=link))


def test_importance_ranks_by_the_accuracy_each_neuron_takes_with_it(net):
    model, X, y = net
    base = np.mean(by_hand(model, X).argmax(1) == y)
    rows = ko.importance(model, X, y, classifier=True)
    for r in rows:
        acc = np.mean(by_hand(model, X, dead_unit=r["unit"]).argmax(1) == y)
        assert r["score"] == pytest.approx(acc) and r["harm"] == pytest.approx(base - acc)
    assert [r["harm"] for r in rows] == sorted([r["harm"] for r in rows], reverse=True)


def test_the_playground_panel_shows_the_knocked_out_score():
    at = AppTest.from_file(str(ROOT / "pages" / "4_playground.py"), default_timeout=90).run()
    for _ in range(3):
        at.button(key="pg_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    tr = at.session_state["pg_trainer"]
    y = at.session_state["pg_data"]["y_test"]
    unit = ko.hidden_units(tr.model)[0]
    at.multiselect(key="pg_ko_units").select(unit).run()
    assert not at.exception, [e.value for e in at.exception]
    knocked = ko.knocked_out(tr.model, units=[unit])
    acc = np.mean(knocked.predict(tr.X_test) == y)
    captions = [i.proto.imgs[0].caption for i in at.get("image")]
    assert f"Knocked out — test accuracy {acc:.1%}" in captions
    before = np.mean(tr.model.predict(tr.X_test) == y)
    assert f"As trained — test accuracy {before:.1%}" in captions
    assert before == pytest.approx(tr.history["test_acc"][-1])       # the same number as the page's metric
    rows = ko.importance(tr.model, tr.X_test, y, True)
    assert any(f"Most important: {ko.unit_name(rows[0]['unit'])}" in c.value for c in at.caption)

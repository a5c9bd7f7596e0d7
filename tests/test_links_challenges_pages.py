"""Every lesson opened from a share link with non-default settings shows them; a link's ignored parameters are
named on the page as plain text; a classroom link locks the chosen controls; the challenge panel on each page
judges what the page shows (AppTest)."""
import pathlib
import sys

import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import ROOT  # noqa: E402


def open_link(page, params):
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(at, key):
    for kind in ("slider", "select_slider", "selectbox", "radio", "number_input", "toggle", "checkbox"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return found[0]
    raise KeyError(key)


def panel_texts(at):
    return [x.value for x in at.success if x.value.startswith("Solved")] + \
           [x.value for x in at.info if x.value.startswith("Not yet")]


def warned(at):
    return " ".join(t.value for t in at.text)


# page, link parameters, {widget key: value the page must show}
LINKS = [
    ("1_perceptron.py", {"pc_n": "3", "pc_data": "XOR", "pc_lr": "0.5", "pc_w3": "-1.5"},
     {"pc_n": 3, "pc_data": "XOR", "pc_lr": 0.5, "pc_w3": -1.5}),
    ("2_neuron.py", {"nr_w1": "3.0", "nr_map_act": "tanh", "nr_task": "Multi-class", "nr_classes": "5"},
     {"nr_w1": 3.0, "nr_map_act": "tanh", "nr_task": "Multi-class", "nr_classes": 5}),
    ("3_backprop.py", {"bp_preset": "XOR 2-2-1", "bp_lr": "2.0", "bp_biases": "false"},
     {"bp_preset": "xor", "bp_lr": 2.0, "bp_biases": False}),
    ("5_optimizers.py", {"op_surface": "Rosenbrock's valley", "op_steps": "300", "op_z": "-6.0", "op_y": "0"},
     {"op_surface": "rosenbrock", "op_steps": 300, "op_z": -6.0, "op_y": 0}),
    ("6_cnn.py", {"cnn_kernel": "Sobel y", "cnn_stride": "2", "cnn_pad": "1", "cnn_filters": "4",
                  "cnn_data": "Drawn shapes"},
     {"cnn_kernel": "Sobel y", "cnn_stride": 2, "cnn_pad": 1, "cnn_filters": 4, "cnn_data": "shapes"}),
    ("7_rnn.py", {"rnn_hidden": "16", "rnn_T": "24", "rnn_task": "Echo k steps back", "rnn_k": "6"},
     {"rnn_hidden": 16, "rnn_T": 24, "rnn_task": "echo", "rnn_k": 6}),
]


@pytest.mark.parametrize("page,params,shown", LINKS, ids=[p for p, _, _ in LINKS])
def test_a_link_with_non_default_settings_shows_them(page, params, shown):
    at = open_link(page, params)
    for key, value in shown.items():
        assert widget(at, key).value == value, (key, widget(at, key).value)
    assert not [w for w in at.warning if "ignored" in w.value], warned(at)
    # a second link: a bad value and an unknown name are named, as text, and the rest still applies
    key, first = next(iter(params.items()))
    at = open_link(page, {**dict(list(params.items())[1:]), key: "**not-a-value**", "zz_unknown": "1"})
    text = warned(at)
    assert f"{key} has a value this setting cannot take" in text and "zz_unknown is not a setting" in text, text
    assert all("**not-a-value**" not in m.value for m in at.markdown)
    second_key, second_value = list(shown.items())[1]
    assert widget(at, second_key).value == second_value


def test_a_bound_value_out_of_range_is_reported_and_clamped_or_dropped():
    at = open_link("7_rnn.py", {"rnn_k": "8", "rnn_task": "Echo k steps back",
                                "rnn_T": "999"})
    assert widget(at, "rnn_T").value in (16, 64)            # Streamlit drops or clamps; the page says which
    assert "rnn_T" in warned(at)


def test_classroom_link_locks_the_chosen_controls():
    at = open_link("1_perceptron.py", {"classroom": "data,learning,nonsense", "pc_data": "OR"})
    assert widget(at, "pc_data").disabled and widget(at, "pc_lr").disabled and widget(at, "pc_random_start").disabled
    assert not widget(at, "pc_b").disabled                  # a group the teacher did not hide
    assert widget(at, "pc_data").value == "OR"
    assert any("fixed some settings" in c.value for c in at.caption)
    assert "classroom “nonsense” is not a group of controls" in warned(at)
    plain = open_link("1_perceptron.py", {})
    assert not widget(plain, "pc_data").disabled


def test_share_box_offers_the_classroom_choice_on_every_lesson():
    for page in ("1_perceptron.py", "2_neuron.py", "3_backprop.py", "5_optimizers.py", "6_cnn.py", "7_rnn.py"):
        at = open_link(page, {})
        assert any(m.label == "For a class exercise, hide these controls" for m in at.multiselect), page
        assert any(e.label.startswith("Share this lesson") for e in at.expander), page


# --- the panel on the page judges what the page shows ------------------------------------------------------
def test_perceptron_panel_from_a_link():
    at = open_link("1_perceptron.py", {"pc_goal": "OR", "pc_ch_w1": "1.0", "pc_ch_w2": "1.0", "pc_ch_b": "-0.5"})
    texts = panel_texts(at)
    assert any(t.startswith("Solved") and "OR on all four" in t for t in texts), texts
    at.slider(key="pc_ch_b").set_value(0.5).run()                        # (0, 0) now answers 1: not OR
    assert any(t.startswith("Not yet") and "(0, 0) gives 1" in t for t in panel_texts(at)), panel_texts(at)


def test_neuron_panel_follows_the_sliders():
    at = open_link("2_neuron.py", {})
    assert not any(t.startswith("Solved") for t in panel_texts(at))
    at.slider(key="nr_w1").set_value(3.0)
    at.slider(key="nr_w2").set_value(-2.0).run()
    assert any("soft edge is 1.2" in t and t.startswith("Solved") for t in panel_texts(at)), panel_texts(at)


def test_backprop_panel_reveals_the_sign():
    at = open_link("3_backprop.py", {})
    at.radio(key="ch_bp_sign").set_value("positive").run()
    assert any("step on to the backward pass" in t for t in panel_texts(at)), panel_texts(at)
    steps = at.session_state["bp_steps"]
    target = steps.index({"phase": "backward", "layer": 1, "neuron": 0})
    at.session_state["bp_k"] = target
    at.run()
    assert any(t.startswith("Solved") and "∂L/∂w5 = +" in t for t in panel_texts(at)), panel_texts(at)


def test_optimizers_panel_on_a_link():
    at = open_link("5_optimizers.py", {"op_lr_sgd_bowl20": "0.05", "op_z": "-7.5"})
    texts = panel_texts(at)
    assert sum(t.startswith("Solved") for t in texts) == 2, texts
    at = open_link("5_optimizers.py", {})
    assert not any(t.startswith("Solved") for t in panel_texts(at)), panel_texts(at)


def test_rnn_panel_sees_the_vanishing_gradient():
    at = open_link("7_rnn.py", {"rnn_radius_on": "true", "rnn_radius": "0.5"})
    assert any(t.startswith("Solved") and "vanished" in t for t in panel_texts(at)), panel_texts(at)
    at = open_link("7_rnn.py", {})
    assert any(t.startswith("Not yet") and "below 0.001" in t for t in panel_texts(at)), panel_texts(at)


def test_cnn_panel_judges_the_kernel_on_screen():
    at = open_link("6_cnn.py", {"cnn_kernel": "Sobel y", "cnn_edit": "true"})
    assert any("one of the presets" in t for t in panel_texts(at)), panel_texts(at)
    at = open_link("6_cnn.py", {"cnn_kernel": "Sobel y"})
    assert any("Edit the kernel cell by cell" in t for t in panel_texts(at)), panel_texts(at)


URL_VALUE_MAX = 24     # characters, once URL-encoded: a bound option's value as the address bar shows it


def bound_option_values(at):
    """{parameter: the URL values its bound option widget can write}: Streamlit 1.67 writes the *formatted*
    option (what format_func returns, the label the learner reads) into the URL, not the option itself."""
    out = {}
    for kind in ("selectbox", "radio", "select_slider", "multiselect"):
        for w in getattr(at, kind):
            key = getattr(w.proto, "query_param_key", "")
            if key:
                out[key] = [getattr(o, "label", o) for o in w.proto.options]
    out.update(at.session_state["_links_page"].get("tab_labels", {}))      # bound tabs write their label too
    return out


@pytest.mark.parametrize("page", sorted({p for p, _, _ in LINKS} | {"4_playground.py"}))
def test_bound_options_write_short_url_values(page):
    """Labels become URL values: each must stay short (a long sentence, or its translation, would make every
    link long and break old links when reworded), so those widgets show short labels with captions or help."""
    from urllib.parse import quote_plus
    values = {}
    more = {"7_rnn.py": [{"rnn_task": "Next character"}], "6_cnn.py": [{"cnn_src": "a shape"}],
            "1_perceptron.py": [{"pc_data": "Random separable points"}]}.get(page, [])
    for params in [{}] + [p for name, p, _ in LINKS if name == page] + more:
        values.update(bound_option_values(open_link(page, params)))
    assert values, page
    long = {k: v for k, opts in values.items() for v in opts if len(quote_plus(str(v))) > URL_VALUE_MAX}
    assert not long, long


# every whole-number input bound through ui/links.int_input: (page, key, parameters that make it drawn, default)
INT_INPUTS = [("1_perceptron.py", "pc_rand_seed", {"pc_data": "Random separable points"}, 4),
              ("3_backprop.py", "bp_seed", {"bp_preset": "Custom network"}, 0),
              ("4_playground.py", "pg_seed", {}, 0), ("4_playground.py", "pg_budget", {}, 0),
              ("6_cnn.py", "cnn_digit", {}, 4), ("6_cnn.py", "cnn_shape_seed", {"cnn_src": "a shape"}, 0),
              ("7_rnn.py", "rnn_seed", {}, 0)]


def test_streamlit_still_overflows_on_an_infinite_bound_integer(tmp_path):
    """Why ui/links.int_input exists: Streamlit 1.67's bound integer number_input raises OverflowError while
    seeding itself from ``?n=1e999``. If this starts passing, Streamlit has fixed it and the workaround can go."""
    script = tmp_path / "n.py"
    script.write_text("import streamlit as st\nst.number_input('n', 0, 10, 3, key='n', bind='query-params')\n")
    at = AppTest.from_file(str(script))
    at.query_params["n"] = "1e999"
    at.run()
    assert at.exception and "cannot convert float infinity to integer" in str(at.exception[0].value)


@pytest.mark.parametrize("page,key,needs,default", INT_INPUTS, ids=[k for _, k, _, _ in INT_INPUTS])
@pytest.mark.parametrize("bad", ["1e999", "-1e999"])
def test_an_infinite_whole_number_in_a_link_is_ignored_with_a_notice(page, key, needs, default, bad):
    at = open_link(page, {**needs, key: bad})          # open_link: no exception
    assert widget(at, key).value == default
    assert f"• {key} has a value this setting cannot take" in warned(at), warned(at)
    for name, value in needs.items():                  # the rest of the link still applies
        assert name not in warned(at)
    at.run()                                           # and the page goes on (the input is drawn unbound)
    assert not at.exception and widget(at, key).value == default


# --- settings that are not a bound widget: in the link as a parameter the page owns (ui/link_state.py) ---------
def test_perceptron_own_points_travel_in_the_link():
    at = open_link("1_perceptron.py", {"pc_data": "Your own points", "pc_pts": "1_1_1~-1.5_0.5_0~2_-2_1"})
    assert at.session_state["pc_points"] == [(1.0, 1.0, 1), (-1.5, 0.5, 0), (2.0, -2.0, 1)]
    assert "3 of 3" not in warned(at) and not warned(at)
    assert at.session_state["pc_stepper"].X.shape == (3, 2)           # the perceptron learns these points
    at.button(key="pc_add").click().run()                              # one more, by hand: the link follows
    assert at.query_params["pc_pts"] in ("1_1_1~-1.5_0.5_0~2_-2_1~1_1_1", ["1_1_1~-1.5_0.5_0~2_-2_1~1_1_1"])
    at.selectbox(key="pc_data").set_value("AND").run()                 # not the own points: not in the link
    assert "pc_pts" not in at.query_params


@pytest.mark.parametrize("bad", ["1_1_7", "9_9_1", "1_x_1", "_".join(["1"] * 300), "1_1_1~" * 50 + "1_1_1"])
def test_perceptron_bad_points_in_a_link_are_named_and_ignored(bad):
    at = open_link("1_perceptron.py", {"pc_data": "Your own points", "pc_pts": bad})
    assert "• pc_pts " in warned(at) and at.session_state["pc_points"] == []
    assert "pc_pts" not in at.query_params                             # refused: out of the address too


def test_cnn_kernel_cells_travel_in_the_link():
    cells = "1_0_-1_2_0_-2_1_0_-1"                                     # Sobel x written by hand on the Sobel y preset
    at = open_link("6_cnn.py", {"cnn_kernel": "Sobel y", "cnn_edit": "true", "cnn_kcells": cells})
    assert not warned(at)
    shown = at.session_state["cnn_kedit_Sobel y_3_base"]                # what the editable grid starts from
    assert shown.ravel().tolist() == [1, 0, -1, 2, 0, -2, 1, 0, -1]
    at.run()                                                            # a later run writes the cells itself
    assert at.query_params["cnn_kcells"] in (cells, [cells])
    at.toggle(key="cnn_edit").set_value(False).run()                    # the preset again: no cells in the link
    assert "cnn_kcells" not in at.query_params
    at = open_link("6_cnn.py", {"cnn_kernel": "Sobel y", "cnn_edit": "true", "cnn_kcells": "1_2_nan"})
    assert "• cnn_kcells needs 9 numbers" in warned(at)
    at = open_link("6_cnn.py", {"cnn_kernel": "Sobel y", "cnn_kcells": cells})   # not editing: said, not used
    assert "• cnn_kcells is used only with cnn_edit=true" in warned(at)


def test_rnn_own_text_travels_in_the_link_when_short():
    text = "to be or not to be, that is the question. " * 3
    at = open_link("7_rnn.py", {"rnn_task": "Next character", "rnn_source": "My own text", "rnn_own": text})
    assert at.text_area(key="rnn_text").value == text and not warned(at)
    long = "abc " * 400                                                  # 1,600 characters: too long for a link
    at.text_area(key="rnn_text").input(long).run()
    assert "rnn_own" not in at.query_params
    assert any("too long for a link" in c.value for c in at.caption)
    at.text_area(key="rnn_text").input("short text, twenty-plus characters").run()
    assert at.query_params["rnn_own"] in ("short text, twenty-plus characters", ["short text, twenty-plus characters"])
    at = open_link("7_rnn.py", {"rnn_task": "Next character", "rnn_source": "My own text", "rnn_own": "x" * 20_001})
    assert "• rnn_own is 20,001 characters long" in warned(at)


def test_backprop_edited_numbers_travel_in_the_link():
    from lessons import backprop as stepper
    base = stepper.preset("textbook")
    at = open_link("3_backprop.py", {})
    assert "bp_net" not in at.query_params                              # the preset's own numbers: no parameter
    numbers = [0.5, 0.25, 0.01, 0.99] + [0.1 * i for i in range(1, 9)] + [0.35, 0.35, 0.6, 0.6]
    at = open_link("3_backprop.py", {"bp_net": "_".join(f"{v:g}" for v in numbers)})
    spec = at.session_state["bp_spec"]
    assert spec["x"] == [0.5, 0.25] and spec["W"][0][0][0] == 0.1 and spec["sizes"] == base["sizes"] and not warned(at)
    assert any("0.5" in x.value for x in at.latex)                      # the formulas use the link's sample
    at.run()                                                            # a later run writes the numbers itself
    assert at.query_params["bp_net"] in ("_".join(f"{v:g}" for v in numbers), ["_".join(f"{v:g}" for v in numbers)])
    at = open_link("3_backprop.py", {"bp_net": "1_2_3"})
    assert "• bp_net needs 16 numbers" in warned(at) and at.session_state["bp_spec"]["x"] == base["x"]

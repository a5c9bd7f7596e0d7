"""Every lesson, opened straight from a share link on a fresh server, rebuilds the linked experiment.

A new ``streamlit run`` serves this module only. Each lesson is opened directly by a link with non-default
settings (the first time that server sees the lesson): its widgets must show the link's settings, and the page
must show the same numbers as a session that set the same settings by hand (AppTest, widget by widget; the
same seed gives the same numbers). Screenshots of each, at 1440×900 and 1280×720, go to SCREENSHOT_DIR.
"""
import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, SCREENSHOTS, page_errors, screenshot, serve_app, wait_ready


@pytest.fixture(scope="module")
def fresh_url():
    with serve_app("server-links-lessons.log") as url:
        yield url


def by_hand(page, steps):
    """A session that sets the settings by hand: ``steps`` are (kind, key, value) widget changes, or
    ("click", key) — run one after another, as a learner would."""
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120).run()
    for kind, key, *value in steps:
        w = getattr(at, kind)(key=key)
        (w.click() if kind == "button" else w.set_value(value[0])).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def first_capture(elements, pattern, what):
    """The first capture of ``pattern`` in the values of ``elements`` (AppTest's formulas, captions, …)."""
    for x in elements:
        m = re.search(pattern, x.value)
        if m:
            return m.group(1)
    raise AssertionError(f"no {what} matches {pattern!r}")


def latex_number(at, pattern):
    """The first capture of ``pattern`` in the page's formulas (raw TeX)."""
    return first_capture(at.latex, pattern, "formula")


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def caption_number(at, pattern):
    return first_capture(at.caption, pattern, "caption")


# lesson path, link, {widget key: what the widget shows}, the by-hand session's steps, the numbers to find
# (from the by-hand session), what the browser does before looking (a button to press, or None)
CASES = {
    "perceptron": ("perceptron", "pc_data=Random+separable+points&pc_rand_n=12&pc_rand_seed=9&pc_lr=0.5",
                   {"pc_data": "Random separable points", "pc_rand_n": "12", "pc_rand_seed": "9", "pc_lr": "0.5"},
                   ("1_perceptron.py", [("selectbox", "pc_data", "Random separable points"), ("slider", "pc_rand_n", 12),
                                        ("number_input", "pc_rand_seed", 9), ("slider", "pc_lr", 0.5),
                                        ("button", "pc_run")]),
                   lambda at: [re.search(r"after \*\*(\d+ updates?)\*\*", at.success[0].value).group(1)],
                   "Run until converged"),
    "perceptron-own-points": (
        "perceptron", "pc_data=Your+own+points&pc_pts=1_1_1~-1.5_0.5_0~2_-2_1~-2_-1_0",
        {"pc_data": "Your own points"},
        ("1_perceptron.py", [("selectbox", "pc_data", "Your own points")] + [
            step for x, y, c in ((1.0, 1.0, 1), (-1.5, 0.5, 0), (2.0, -2.0, 1), (-2.0, -1.0, 0))
            for step in (("number_input", "pc_px", x), ("number_input", "pc_py", y), ("radio", "pc_pcls", c),
                         ("button", "pc_add"))] + [("button", "pc_run")]),
        lambda at: [re.search(r"after \*\*(\d+ updates?)\*\*", at.success[0].value).group(1),
                    re.search(r"w = (\([^)]*\)), b = ", at.markdown[[m.value.startswith("**Now:**")
                                                                   for m in at.markdown].index(True)].value).group(1)],
        "Run until converged"),
    "neuron": ("neuron", "nr_z=2.5&nr_focus=tanh&nr_w1=2.0",
               {"nr_z": "2.5", "nr_focus": "tanh", "nr_w1": "2"},
               ("2_neuron.py", [("slider", "nr_z", 2.5), ("selectbox", "nr_focus", "tanh"), ("slider", "nr_w1", 2.0)]),
               lambda at: [latex_number(at, r"f\(2\.5\) = ([-\d.]+)")], None),
    "backprop": ("backprop", "bp_preset=XOR+2-2-1&bp_lr=2.0",
                 {"bp_preset": "XOR 2-2-1", "bp_lr": "2.000"},
                 ("3_backprop.py", [("selectbox", "bp_preset", "xor"), ("number_input", "bp_lr", 2.0)]),
                 lambda at: [latex_number(at, r"a_\{h_\{1\}\} = \\sigma\([^)]*\) = .*= ([-\d.]+)")], None),
    "playground": ("playground", "pg_ds=Exclusive+or+%28XOR%29&pg_seed=3&pg_noise=10&pg_layers=3&pg_acts=relu",
                   {"pg_ds": "Exclusive or (XOR)", "pg_seed": "3", "pg_noise": "10", "pg_n_0": "3", "pg_act_0": "ReLU"},
                   ("4_playground.py", [("selectbox", "pg_ds", "xor"), ("number_input", "pg_seed", 3),
                                        ("slider", "pg_noise", 10), ("button", "pg_layer_del"),
                                        ("button", "pg_layer_del"), ("number_input", "pg_n_0", 3),
                                        ("selectbox", "pg_act_0", "relu"), ("button", "pg_step")]),
                   lambda at: [metric(at, "Test accuracy"), caption_number(at, r"(Train loss [\d.]+ · test loss [\d.]+)")],
                   "Step"),
    "optimizers": ("optimizers", "op_surface=Rosenbrock%27s+valley&op_steps=300",
                   {"op_surface": "Rosenbrock's valley", "op_steps": "300"},
                   ("5_optimizers.py", [("selectbox", "op_surface", "rosenbrock"), ("slider", "op_steps", 300)]),
                   lambda at: list(re.search(r"g_t = .*\\left\(([-\d.]+),\\ ([-\d.]+)\\right\)",
                                             next(x.value for x in at.latex if "g_t =" in x.value)).groups()), None),
    "cnn": ("cnn", "cnn_kernel=Sobel+y&cnn_stride=2&cnn_pad=1&cnn_digit=7",
            {"cnn_kernel": "Sobel y", "cnn_stride": "2", "cnn_pad": "1", "cnn_digit": "7"},
            ("6_cnn.py", [("selectbox", "cnn_kernel", "Sobel y"), ("slider", "cnn_stride", 2), ("slider", "cnn_pad", 1),
                          ("number_input", "cnn_digit", 7)]),
            lambda at: [caption_number(at, r"gives ([-\d.]+) for this cell"),
                        latex_number(at, r"\\right\\rfloor \+ 1 = (\d+)")], None),
    "rnn": ("rnn", "rnn_hidden=16&rnn_seed=5&rnn_T=24",
            {"rnn_hidden": "16", "rnn_seed": "5", "rnn_T": "24"},
            ("7_rnn.py", [("select_slider", "rnn_hidden", 16), ("number_input", "rnn_seed", 5), ("slider", "rnn_T", 24)]),
            lambda at: [metric(at, "Validation loss"), caption_number(at, r"ρ = ([\d.]+)")], None),
}


def shown(page, key):
    """What a widget shows in the browser: a slider's value, a number input's text, a radio's choice, or the
    text of a select box (its chosen option)."""
    box = page.locator(f".st-key-{key}").first
    box.locator("[data-testid='stWidgetLabel']").first.wait_for(state="attached", timeout=20000)   # not a skeleton
    combo = box.locator("input[role='combobox']")
    if combo.count():
        return combo.first.input_value()
    thumb = box.locator("[data-testid='stSliderThumbValue']")
    if thumb.count():
        return thumb.first.inner_text()
    number = box.locator("input[type='number']")
    if number.count():
        return number.first.input_value()
    checked = box.locator("input[type='radio']:checked")
    if checked.count():
        return checked.first.evaluate("e => e.closest('label').innerText")
    return box.inner_text()


@pytest.mark.parametrize("name", list(CASES))
def test_a_lesson_opened_from_a_link_on_a_fresh_server_rebuilds_the_experiment(fresh_url, browser, name):
    path, query, widgets, (script, steps), numbers, press = CASES[name]
    expected = numbers(by_hand(script, steps))
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(f"{fresh_url}/{path}?{query}")
    wait_ready(page, settle=1.5)
    for key, text in widgets.items():
        got = shown(page, key)
        assert text in got or (text.replace(".", "").isdigit() and float(got or "nan") == float(text)), (key, got, text)
    assert "ignored" not in page.inner_text("body")
    if press:
        page.get_by_role("button", name=press).first.click()
        wait_ready(page, settle=1.5)
    html = page.content()
    for number in expected:
        assert number in html or number.replace("-", "−") in html, (name, number)
    assert not page_errors(page), page_errors(page)
    screenshot(page, f"link-{name}-1440")
    page.set_viewport_size({"width": 1280, "height": 720})
    time.sleep(1.0)
    page.screenshot(path=str(SCREENSHOTS / f"link-{name}-1280.view.png"))      # the first screen, as projected
    screenshot(page, f"link-{name}-1280")
    ctx.close()


def test_a_hostile_link_is_named_as_text_and_the_page_keeps_working(fresh_url, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.goto(f"{fresh_url}/playground?pg_lr=%3Cscript%3Ealert(1)%3C/script%3E&pg_layers=**9**&pg_seed=1e999"
              "&zz=%5Bx%5D(javascript:alert(1))")
    wait_ready(page, settle=1.5)
    body = page.inner_text("body")
    for name in ("pg_lr", "pg_layers", "pg_seed", "zz"):
        assert f"• {name} " in body, (name, body[:800])
    assert page.locator("a[href^='javascript']").count() == 0 and "alert(1)" not in body   # values never echoed
    assert shown(page, "pg_lr") == "0.03" and shown(page, "pg_seed") == "0"    # the defaults
    screenshot(page, "link-hostile-1280")
    page.get_by_role("button", name="Step").first.click()                     # and the page works on
    wait_ready(page, settle=1.0)
    assert not page_errors(page), page_errors(page)
    ctx.close()


def test_playground_settings_survive_a_visit_to_another_lesson(fresh_url, browser):
    """persist_state="session" (the bound widgets) and the page's own state (the hidden layers): back from
    another lesson, the playground shows the same experiment and writes it into the address again."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(f"{fresh_url}/playground?pg_noise=20&pg_ds=Circle&pg_layers=3,2&pg_acts=relu,tanh")
    wait_ready(page, settle=1.5)
    assert shown(page, "pg_noise") == "20" and "2 hidden layers" in page.inner_text("body")
    page.get_by_role("link", name="Perceptron").first.click()
    wait_ready(page, settle=1.0)
    page.get_by_role("link", name="MLP playground").first.click()
    wait_ready(page, settle=1.5)
    assert shown(page, "pg_noise") == "20" and shown(page, "pg_ds") == "Circle" and shown(page, "pg_n_1") == "2"
    assert "2 hidden layers" in page.inner_text("body")
    page.wait_for_function("() => location.search.includes('pg_layers=3%2C2') && location.search.includes('pg_noise=20')",
                           timeout=10000)
    assert not page_errors(page), page_errors(page)
    ctx.close()

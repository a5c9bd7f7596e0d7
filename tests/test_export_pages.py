"""'Show the code' on the playground, CNN and RNN pages (issue 20): the panel writes nothing until opened;
opened, it shows the PyTorch and the nn_core version with a script and a notebook download each, and the
nn_core code shown on the page, run as it is, repeats the page's own run."""
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

PAGES = {"pg": "4_playground.py", "cnn": "6_cnn.py", "rnn": "7_rnn.py"}


def page(name, **link):
    at = AppTest.from_file(str(ROOT / "pages" / PAGES[name]), default_timeout=120)
    for key, value in link.items():                # e.g. the open tab: only that tab is drawn
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_code(at):
    found = {}
    for c in at.code:
        title = re.match(r'"""[^\n]* — the (\S+) version of your run', c.value)
        if title:
            found[title.group(1)] = c.value
    return found


def open_panel(at, key):
    at.session_state[key] = True                 # what a click on the expander sets
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return shown_code(at)


def run_shown(code):
    scope = {"__name__": "__main__"}
    exec(compile(code, "<shown on the page>", "exec"), scope)     # noqa: S102  (the page's own code)
    return scope["history"]


def test_playground_panel_is_lazy_then_shows_both_versions_and_repeats_the_run():
    at = page("pg")
    assert "Show the code" in [e.label for e in at.expander] and not shown_code(at)
    for _ in range(2):
        at.button(key="pg_step").click().run()
    trainer = at.session_state["pg_trainer"]
    codes = open_panel(at, "pg_code")
    assert set(codes) == {"PyTorch", "nn_core"}
    assert "nn.Linear(8, 1)" in codes["PyTorch"] and "EPOCHS = 2 " in codes["nn_core"]
    keys = {b.key for b in at.get("download_button") if b.key.startswith("pg_code")}
    assert keys == {f"pg_code_{f}_{kind}" for f in ("torch", "nn_core") for kind in ("py", "ipynb")}
    assert run_shown(codes["nn_core"])["train_loss"] == trainer.history["train_loss"]


def test_cnn_panel_repeats_the_pages_run():
    at = page("cnn", cnn_tab="2 · Train a CNN")
    at.slider(key="cnn_filters").set_value(2).run()
    at.button(key="cnn_train_step").click().run()
    trainer = at.session_state["cnn_run"]["trainer"]
    assert trainer.epoch == 1
    codes = open_panel(at, "cnn_code")
    assert "nn.Conv2d(1, 2, 3, stride=1, padding=1)" in codes["PyTorch"] and "cut here" in codes["PyTorch"]
    assert run_shown(codes["nn_core"])["train_loss"] == trainer.history["train_loss"]   # nothing cut in it


def test_rnn_panel_before_training_and_after():
    at = page("rnn")
    at.select_slider(key="rnn_hidden").set_value(4).run()      # small enough to be shown whole
    codes = open_panel(at, "rnn_code")
    assert "BATCHES = 50 " in codes["nn_core"]                    # nothing trained yet: a default length
    assert any("Nothing trained yet: it trains 50 batches" in c.value for c in at.caption)
    at.button(key="rnn_step").click().run()
    trainer = at.session_state["rnn_trainer"]
    codes = shown_code(at)
    assert "BATCHES = 1 " in codes["nn_core"] and "nn.RNN(" in codes["PyTorch"]
    assert run_shown(codes["nn_core"])["loss"] == trainer.history["loss"]


def test_the_notebook_download_is_a_notebook():
    nbformat = pytest.importorskip("nbformat")
    at = page("rnn")
    open_panel(at, "rnn_code")
    assert {"rnn_code_torch_ipynb", "rnn_code_nn_core_ipynb"} <= {b.key for b in at.get("download_button")}
    from lessons import export                  # what the button's deferred callable returns
    notebook = export.rnn_code(at.session_state["rnn_trainer"], "nn_core", batches=3).notebook()
    nbformat.validate(nbformat.reads(notebook, as_version=4))
    assert json.loads(notebook)["cells"][0]["cell_type"] == "markdown"

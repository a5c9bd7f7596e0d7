"""Share links with random, malformed and out-of-range query parameters, on every page: never an exception,
and where the page owns a parameter (it reads it itself), a notice on the page names the one it ignored.

A page's parameters are found without a list to maintain: the names the page writes into its own URL (its
share link) after a few random widget changes, the names in its source (``st.query_params["name"]`` /
``.get("name")``), and widgets bound with ``bind="query-params"`` (those
Streamlit itself validates and silently drops, so for them only "no exception" is asked).
"""
import random
import re
import pathlib
import sys

import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import APP, PAGES  # noqa: E402
from test_fuzz import _install_forged_states, interactive_widgets, perturb  # noqa: E402

# values no parameter of any kind can accept (each must produce a notice for a parameter the page owns)
SURELY_BAD = ["not-a-value✓", "nan", "1e999", "-1e999", "9" * 40, "%00<script>"]
# values that may or may not be valid: only "no exception" is asked
MAYBE_BAD = ["", " ", "0", "-1", "-0", "1.5", "1e-300", "none", "all", "true", "1,2,,3", ",", "x" * 3000,
             "💥", "\x00", "0x10", "[1, 2]", "{}", "../../etc/passwd"]


def source_names(path):
    text = pathlib.Path(path).read_text()
    names = set(re.findall(r"query_params\[\s*[\"'](\w+)[\"']\s*\]", text))
    names |= set(re.findall(r"query_params\.get\(\s*[\"'](\w+)[\"']", text))
    return names


def bound_names(at):
    names = set()
    for _, w in interactive_widgets(at):
        key = getattr(w.proto, "query_param_key", "")
        if key:
            names.add(key)
    return names


def discover(path, seed=7, runs=8):
    """(names the page owns, names bound to widgets), found by running it."""
    _install_forged_states()
    rng = random.Random(seed)
    at = AppTest.from_file(path, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    written, bound = set(at.query_params), bound_names(at)
    for _ in range(runs):
        widgets = [(k, w) for k, w in interactive_widgets(at) if k != "button"]
        for kind, w in rng.sample(widgets, min(4, len(widgets))):
            try:
                perturb(rng, kind, w)
            except Exception:
                pass
        at.run()
        written |= set(at.query_params)
        bound |= bound_names(at)
    owned = (written | source_names(path)) - bound
    return owned, bound


def notices(at):
    return " ".join(str(x.value) for kind in ("info", "warning", "error", "caption", "markdown", "text")
                    for x in getattr(at, kind))


def run_with(path, params):
    at = AppTest.from_file(path, default_timeout=60)
    at.query_params.update(params)
    at.run()
    assert not at.exception, (params, [str(e.value)[:300] for e in at.exception])
    return at


@pytest.mark.parametrize("path", PAGES + [APP], ids=lambda p: p.rsplit("/", 1)[-1])
def test_share_links_with_bad_parameters(path):
    owned, bound = discover(path) if path != APP else (set(), set())
    rng = random.Random(path.rsplit("/", 1)[-1])
    # 1. every owned parameter at once with a surely bad value: each one named in a notice, no exception
    for bad in SURELY_BAD:
        at = run_with(path, {n: bad for n in owned | bound})
        shown = notices(at)
        missing = [n for n in owned if not re.search(rf"\b{re.escape(n)}\b", shown)]
        assert not missing, f"{path}: no notice names the ignored parameter(s) {missing} (value {bad!r}); shown: {shown[:500]}"
    # 2. random mixes: owned, bound and unknown names, maybe-bad values, repeated keys
    names = sorted(owned | bound) + ["zz_unknown", "page", "embed", "", "x" * 200]
    for _ in range(6):
        params = {}
        for n in rng.sample(names, min(len(names), rng.randint(1, 6))):
            v = rng.choice(MAYBE_BAD + SURELY_BAD)
            params[n] = [v, rng.choice(MAYBE_BAD)] if rng.random() < 0.2 else v
        run_with(path, params)


def test_playground_owns_its_share_link_parameters():
    """The discovery is not vacuous: the playground binds its settings to the URL and writes (owns) the one
    list the binding cannot express, its hidden layers."""
    owned, bound = discover(next(p for p in PAGES if "playground" in p))
    assert {"pg_layers", "pg_acts"} <= owned, owned
    assert {"pg_lr", "pg_ds", "pg_seed", "pg_noise", "pg_f_x1"} <= bound, bound


def test_a_page_that_ignores_a_bad_link_silently_fails(tmp_path):
    """The check must be able to fail: a page reading ``n`` that falls back silently is reported."""
    page = tmp_path / "silent.py"
    page.write_text("import streamlit as st\n"
                    "try:\n    n = int(st.query_params.get('n', 3))\nexcept ValueError:\n    n = 3\n"
                    "st.write(n)\n")
    with pytest.raises(AssertionError, match="no notice"):
        test_share_links_with_bad_parameters(str(page))

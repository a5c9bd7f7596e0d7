"""Fuzz every page: random widgets set to random valid values (extremes included), run after run, and no
exception ever. Generic over widgets, so it keeps working as the pages change.

Each page gets one AppTest that is driven for many runs (state accumulates, as in a real session); every
``.run()`` counts as one run. Pages are fuzzed in parallel worker processes (one per core, at most 2) so the
≥ 1,000 runs fit in CI. ``FUZZ_RUNS`` (total, default 1050) and ``FUZZ_SEED`` change the budget and the seed.
A failing run is reported with the page, the seed, the run number and the exact actions that led to it.
"""
import concurrent.futures as cf
import multiprocessing
import os
import pathlib
import random
import sys
import time
import traceback

import pytest

TESTS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
from conftest import APP, PAGES, ROOT  # noqa: E402

TOTAL_RUNS = int(os.environ.get("FUZZ_RUNS", "1050"))
SEED = int(os.environ.get("FUZZ_SEED", "20261124"))
TEXTS = ["", " ", "0", "-1", "1e309", "nan", "abc", "x" * 600, "héllo ✓ 🙂", "<script>alert(1)</script>",
         "1,2,3", "\n\n", "'; DROP TABLE", "$\\frac{1}{0}$"]


# ------------------------------------------------------------------ forging widget states like a browser
def _install_forged_states():
    """Option widgets (selectbox, radio, select_slider, multiselect, pills/segmented control) are sent by the
    browser as their *formatted* option strings; AppTest only accepts the underlying values, which a generic
    fuzzer cannot know. A widget carrying ``_fuzz_ws`` sends that WidgetState instead (exactly what the
    frontend would send)."""
    import streamlit.testing.v1.element_tree as et
    if getattr(et.get_widget_state, "_fuzz", False):
        return
    original = et.get_widget_state

    def get_widget_state(node):
        forged = getattr(node, "_fuzz_ws", None)
        if forged is not None:
            return forged
        try:
            return original(node)
        except AttributeError:       # an element AppTest lists as a widget but cannot model (a components-v2
            return None              # element, e.g. the copy-link button): it has no state to send


    get_widget_state._fuzz = True
    et.get_widget_state = get_widget_state


def _forge(w, **fields):
    from streamlit.proto.WidgetStates_pb2 import WidgetState
    ws = WidgetState()
    ws.id = w.id
    for name, value in fields.items():
        if name == "string_array_value":
            ws.string_array_value.data[:] = value
        else:
            setattr(ws, name, value)
    w._fuzz_ws = ws


def _pick_number(rng, lo, hi, step, is_int):
    """min, max or a random point on the step grid between them."""
    r = rng.random()
    if r < 0.2:
        return lo
    if r < 0.4:
        return hi
    if step and step > 0 and (hi - lo) / step < 1e7:
        v = lo + step * rng.randint(0, int((hi - lo) / step + 1e-9))
    else:
        v = rng.uniform(lo, hi)
    v = min(max(v, lo), hi)
    return int(round(v)) if is_int else round(v, 10)


def interactive_widgets(at):
    """Every widget a learner could touch now (enabled, not an uploader — see test_uploads.py)."""
    kinds = ["slider", "number_input", "selectbox", "radio", "checkbox", "toggle", "multiselect", "select_slider",
             "text_input", "text_area", "button", "button_group", "color_picker"]
    found = []
    for kind in kinds:
        try:
            found += [(kind, w) for w in getattr(at, kind)]
        except AttributeError:
            continue
    return [(k, w) for k, w in found if not getattr(w.proto, "disabled", False)]


def perturb(rng, kind, w):
    """Give widget ``w`` a random valid value (as the browser could send it); returns a short description."""
    p = w.proto
    label = (getattr(w, "label", "") or getattr(w, "key", "") or kind)[:40]
    if kind == "button":
        w.click()
        return f"click {label!r}"
    if kind in ("checkbox", "toggle"):
        v = rng.random() < 0.5
        w.set_value(v)
        return f"{label!r}={v}"
    if kind == "slider":
        from streamlit.proto.Slider_pb2 import Slider
        if p.data_type not in (Slider.INT, Slider.FLOAT):
            return None
        is_int = p.data_type == Slider.INT
        a = _pick_number(rng, p.min, p.max, p.step, is_int)
        if len(p.default) == 2:                       # a range slider
            b = _pick_number(rng, p.min, p.max, p.step, is_int)
            v = (min(a, b), max(a, b))
        else:
            v = a
        w.set_value(v)
        return f"{label!r}={v}"
    if kind == "number_input":
        from streamlit.proto.NumberInput_pb2 import NumberInput
        is_int = p.data_type == NumberInput.INT
        step = p.step or 1
        lo = p.min if p.has_min else (w.value or 0) - 1000 * step
        hi = p.max if p.has_max else (w.value or 0) + 1000 * step
        v = _pick_number(rng, lo, hi, step, is_int)
        w.set_value(v)
        return f"{label!r}={v}"
    if kind in ("selectbox", "radio"):
        if not w.options:
            return None
        v = rng.choice(w.options)
        _forge(w, string_value=v)
        return f"{label!r}={v!r}"
    if kind == "select_slider":
        if not w.options:
            return None
        if len(p.default) == 2:
            i, j = sorted(rng.randrange(len(w.options)) for _ in range(2))
            v = [w.options[i], w.options[j]]
        else:
            v = [w.options[rng.choice([0, len(w.options) - 1, rng.randrange(len(w.options))])]]
        _forge(w, string_array_value=v)
        return f"{label!r}={v!r}"
    if kind == "multiselect":
        limit = p.max_selections or len(w.options)
        v = rng.sample(list(w.options), rng.randint(0, min(limit, len(w.options))))
        _forge(w, string_array_value=v)
        return f"{label!r}={v!r}"
    if kind == "button_group":
        opts = list(w.options)
        if not opts:
            return None
        single = w._is_single_select
        v = [rng.choice(opts)] if single else rng.sample(opts, rng.randint(0, len(opts)))
        _forge(w, string_array_value=v)
        return f"{label!r}={v!r}"
    if kind in ("text_input", "text_area"):
        v = rng.choice(TEXTS)
        if p.max_chars:
            v = v[:p.max_chars]
        w.set_value(v)
        return f"{label!r}={v[:20]!r}"
    if kind == "color_picker":
        v = "#%06x" % rng.randrange(1 << 24)
        w.set_value(v)
        return f"{label!r}={v}"
    return None


# ------------------------------------------------------------------ one page's fuzzing session
def fuzz_page(path, runs, seed, timeout=180):
    """Drive ``path`` for ``runs`` runs; returns (name, runs done, failures, wall seconds, CPU seconds)."""
    import logging
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from streamlit.testing.v1 import AppTest
    _install_forged_states()
    rng = random.Random(f"{seed}:{pathlib.Path(path).name}")
    failures, done, t0, c0 = [], 0, time.perf_counter(), time.process_time()
    at, actions = None, []
    targets = [None]
    if path == APP:                               # the app: visit every lesson through the navigation too
        targets += PAGES
    while done < runs and len(failures) < 5:
        if at is None or rng.random() < 0.02:     # now and then a fresh session
            at, actions = AppTest.from_file(path, default_timeout=timeout), ["fresh session"]
            step = "first run"
        else:
            step_parts = []
            if path == APP:
                target = rng.choice(targets)
                if target:
                    at.switch_page(target)
                    step_parts.append(f"switch to {pathlib.Path(target).name}")
            widgets = interactive_widgets(at)
            for _ in range(rng.choice([1, 1, 2, 3])):
                if widgets:
                    kind, w = rng.choice(widgets)
                    try:
                        desc = perturb(rng, kind, w)
                    except Exception as e:                 # AppTest refused a value: a fuzzer bug, not the page's
                        desc = f"(could not set {kind}: {e})"
                    if desc:
                        step_parts.append(desc)
            step = "; ".join(step_parts) or "plain rerun"
        actions.append(step)
        try:
            at.run()
        except Exception as e:                             # a timeout or a crash of the runner itself
            failures.append({"run": done, "error": f"{type(e).__name__}: {e}", "actions": actions[-6:]})
            at = None
        else:
            if at.exception:
                failures.append({"run": done, "error": " | ".join(str(x.value)[:300] for x in at.exception),
                                 "trace": "\n".join(list(at.exception[0].stack_trace)[-6:]),
                                 "actions": actions[-6:]})
                at = None                                  # the session is broken: go on with a fresh one
        done += 1
    return pathlib.Path(path).name, done, failures, time.perf_counter() - t0, time.process_time() - c0


def plan(total):
    """Runs per target: the lesson pages share the budget; the app (home + navigation) gets a small share."""
    app_runs = max(30, total // 20)
    per_page = -(-(total - app_runs) // len(PAGES))
    return [(p, per_page) for p in PAGES] + [(APP, app_runs)]


def test_fuzz_every_page_without_exceptions():
    jobs = plan(TOTAL_RUNS)
    workers = max(1, min(2, os.cpu_count() or 1))
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        # slowest pages first so the two workers finish together
        order = sorted(jobs, key=lambda j: ["6_", "5_", "2_", "4_", "3_", "1_", "7_", "app"].index(
            next(k for k in ["6_", "5_", "2_", "4_", "3_", "1_", "7_", "app"] if k in pathlib.Path(j[0]).name)))
        results = list(pool.map(fuzz_page, [p for p, _ in order], [n for _, n in order], [SEED] * len(order)))
    wall = time.perf_counter() - t0
    total = sum(r[1] for r in results)
    lines = [f"fuzz (seed {SEED}): {total} runs in {wall:.0f} s wall on {workers} workers, "
             f"{sum(r[4] for r in results):.0f} s CPU; load average {os.getloadavg()[0]:.1f}"]
    lines += [f"  {name:18s} {runs:5d} runs {secs:6.1f} s wall {cpu:6.1f} s CPU  {len(f)} failures"
              for name, runs, f, secs, cpu in results]
    summary = "\n".join(lines)
    print(summary)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "fuzz-summary.txt").write_text(summary + "\n")
    problems = [f"{name} run {f['run']}: {f['error']}\n    after: {f['actions']}\n{f.get('trace', '')}"
                for name, _, fs, _, _ in results for f in fs]
    assert not problems, "exceptions under fuzzing (seed %d):\n" % SEED + "\n".join(problems)
    assert total >= min(TOTAL_RUNS, 1000), summary


def test_fuzzer_finds_a_planted_exception(tmp_path):
    """The fuzzer must be able to fail: a page that raises only at an extreme of a slider is caught."""
    page = tmp_path / "planted.py"
    page.write_text("import streamlit as st\n"
                    "v = st.slider('v', 0, 10, 5)\n"
                    "c = st.selectbox('c', ['a', 'b', 'c'], format_func=str.upper)\n"
                    "if v == 10 and c == 'c':\n"
                    "    raise ZeroDivisionError('planted')\n")
    _, done, failures, _, _ = fuzz_page(str(page), 80, SEED)
    assert failures and "planted" in failures[0]["error"], (done, failures)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_round_trip_through_another_lesson(path):
    """A learner changes a few settings, visits another lesson and comes back (Streamlit drops the widget
    values of a page that is not shown): no exception, and the page's own state survives."""
    from streamlit.testing.v1 import AppTest
    _install_forged_states()
    rng = random.Random(f"trip:{pathlib.Path(path).name}")
    other = next(p for p in PAGES if p != path)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(path).run()
    for _ in range(3):
        widgets = [(k, w) for k, w in interactive_widgets(at) if k != "button"]
        for kind, w in rng.sample(widgets, min(2, len(widgets))):
            perturb(rng, kind, w)
        at.run()
        assert not at.exception, [str(e.value)[:300] for e in at.exception]
    for target in (other, path, other, path):
        at.switch_page(target).run()
        assert not at.exception, (f"after switching to {pathlib.Path(target).name}",
                                  [str(e.value)[:300] for e in at.exception])

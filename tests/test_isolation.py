"""Two learners at once never see each other's models, data or history.

1. Two playground sessions in one process, different data sets and seeds, steps interleaved: each keeps its
   own epoch, data and weights — exactly those of the same session run alone.
2. Every page: two sessions driven by different random actions, interleaved, end in exactly the state
   (every array reachable from the session state) that the first reaches when run alone; and no module of
   the app (nn_core, lessons, ui, viz) changes its module-level data while the pages run.
3. Static: no function in nn_core/, lessons/, ui/ or viz/ writes module-level state (``global``,
   mutating a module-level container or object), no page script mutates what it imports, no
   ``st.cache_resource`` (shared, mutable) and every ``functools`` cache is an allow-listed immutable one.
Each check is shown to fail on a scratch copy with a planted module-level cache (the ``*_can_fail`` tests).
"""
import ast
import hashlib
import pathlib
import pickle
import random
import re
import sys
import types

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import PAGES, ROOT  # noqa: E402
from test_fuzz import _install_forged_states, interactive_widgets, perturb  # noqa: E402
from test_uploads import fingerprints  # noqa: E402

PLAYGROUND = next(p for p in PAGES if "playground" in p)
SHARED_MODULES = sorted([*ROOT.glob("nn_core/*.py"), *ROOT.glob("lessons/*.py"), *ROOT.glob("ui/*.py"),
                         *ROOT.glob("viz/*.py")])
# functools caches allowed in shared modules: (file name, function) -> why it is safe
ALLOWED_CACHES = {("cnn.py", "_font"): "a Pillow font object, never mutated (drawing only reads it)",
                  ("playground.py", "_diagram_labels"): "bytes (immutable): the diagram's text layer",
                  ("playground.py", "_curves_frame"): "bytes (immutable): the curves' titles and legends",
                  ("rnn.py", "_loss_frame"): "bytes (immutable): the RNN loss image's titles and legend",
                  ("rnn.py", "_forecast_frame"): "bytes (immutable): the RNN forecast image but its curves",
                  ("rnn.py", "_echo_accuracy_frame"): "bytes (immutable): the echo accuracy image but its bars"}
TIME_BUDGETED = re.compile(r"play|pause|resume|train|run|sweep|stop", re.I)   # results depend on the clock


# ------------------------------------------------------------------ 1. the playground, interleaved
def playground(params, path=PLAYGROUND):
    at = AppTest.from_file(path, default_timeout=90)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [str(e.value)[:300] for e in at.exception]
    return at


def step(at, times=1):
    for _ in range(times):
        next(b for b in at.button if b.key == "pg_step").click().run()
        assert not at.exception, [str(e.value)[:300] for e in at.exception]


def weights(at):
    return at.session_state["pg_trainer"].model.get_weights()


def same_weights(a, b):
    """Weights as the engine gives them: a list of {name: array} (one per layer)."""
    return len(a) == len(b) and all(x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
                                    for x, y in zip(a, b))


def check_playground_isolation(path=PLAYGROUND):
    import lessons.playground as pg
    setup_a, setup_b = {"data": "circle", "seed": "1"}, {"data": "xor", "seed": "2", "noise": "20"}
    a, b = playground(setup_a, path), playground(setup_b, path)
    for n_a, n_b in [(1, 2), (2, 1), (0, 2)]:                  # interleaved: A 3 epochs, B 5
        step(a, n_a)
        step(b, n_b)
    ta, tb = a.session_state["pg_trainer"], b.session_state["pg_trainer"]
    assert (ta.epoch, tb.epoch) == (3, 5), f"epochs leaked between sessions: A {ta.epoch}, B {tb.epoch}"
    assert len(ta.history["epoch"]) == 3 and len(tb.history["epoch"]) == 5, "histories mixed"
    for at, setup in ((a, setup_a), (b, setup_b)):
        data = at.session_state["pg_data"]
        expected = pg.make_data({**pg.DEFAULT_SETUP, **{k: (v if k == "data" else int(v)) for k, v in setup.items()}},
                                None, None)
        assert np.array_equal(data["X_train"], expected["X_train"]), f"{setup}: the data set is not its own"
    assert not np.array_equal(a.session_state["pg_data"]["X_train"], b.session_state["pg_data"]["X_train"])
    solo_a, solo_b = playground(setup_a, path), playground(setup_b, path)
    step(solo_a, 3)
    step(solo_b, 5)
    assert same_weights(weights(a), weights(solo_a)), "A's weights differ from A trained alone: state leaked"
    assert same_weights(weights(b), weights(solo_b)), "B's weights differ from B trained alone: state leaked"


def test_two_playground_sessions_interleaved_keep_their_own_state():
    check_playground_isolation()


def test_playground_isolation_check_can_fail(monkeypatch):
    """A playground whose trainer is kept in a module-level cache (lessons.playground._LEAK) — the bug this
    test exists for — is caught: every learner's new network comes from the one shared trainer."""
    import lessons.playground as pg
    real = pg.make_trainer

    def leaky(setup, data, model=None):
        return pg.__dict__.setdefault("_LEAK", real(setup, data, model))

    monkeypatch.setattr(pg, "make_trainer", leaky)
    try:
        with pytest.raises(AssertionError, match="leaked|not its own|mixed"):
            check_playground_isolation()
    finally:
        pg.__dict__.pop("_LEAK", None)


# ------------------------------------------------------------------ 2. every page, interleaved vs alone
def module_state():
    """A hash of every module-level value of the app's shared modules that is data (not code)."""
    out = {}
    for name, mod in list(sys.modules.items()):
        if not name.split(".")[0] in ("nn_core", "lessons", "ui", "viz", "pages") or not isinstance(mod, types.ModuleType):
            continue
        for attr, v in vars(mod).items():
            if attr.startswith("__") or isinstance(v, (types.ModuleType, types.FunctionType, type,
                                                        types.BuiltinFunctionType)) or callable(v):
                continue
            try:
                out[f"{name}.{attr}"] = hashlib.sha1(pickle.dumps(v)).hexdigest()
            except Exception:
                out[f"{name}.{attr}"] = repr(v)[:2000]
    return out


def act(at, rng):
    widgets = [(k, w) for k, w in interactive_widgets(at)
               if not (k == "button" and TIME_BUDGETED.search(w.label or ""))]
    for _ in range(rng.choice([1, 2])):
        if widgets:
            kind, w = rng.choice(widgets)
            try:
                perturb(rng, kind, w)
            except Exception:
                pass
    at.run()
    assert not at.exception, [str(e.value)[:300] for e in at.exception]


def check_page_isolation(path, n=5):
    _install_forged_states()
    name = pathlib.Path(path).name
    rng_a, rng_b = random.Random(f"A{name}"), random.Random(f"B{name}")
    a = AppTest.from_file(path, default_timeout=90).run()
    b = AppTest.from_file(path, default_timeout=90).run()
    for _ in range(n):
        act(a, rng_a)
        act(b, rng_b)
        act(b, rng_b)
    solo, rng_solo = AppTest.from_file(path, default_timeout=90).run(), random.Random(f"A{name}")
    for _ in range(n):
        act(solo, rng_solo)
    fa, fs = fingerprints(a), fingerprints(solo)
    assert fa == fs, (f"{name}: a session interleaved with another ends differently from the same session alone "
                      f"({len(fa ^ fs)} arrays differ): state leaked between sessions")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_page_interleaved_equals_alone_and_module_data_is_untouched(path):
    AppTest.from_file(path, default_timeout=90).run()           # import what the page imports
    before = module_state()
    check_page_isolation(path)
    after = module_state()
    changed = sorted(k for k in before if after.get(k) != before[k]) + sorted(set(after) - set(before))
    assert not changed, f"module-level data written while {path} ran (shared by every learner): {changed}"


def test_page_isolation_check_can_fail(tmp_path):
    """A page whose history lives in a module-level list of a helper module is caught."""
    (tmp_path / "leaky_helper.py").write_text("HISTORY = []\n")
    page = tmp_path / "leaky_page.py"
    page.write_text(f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport numpy as np, streamlit as st\n"
                    "import leaky_helper\n"
                    "v = st.slider('v', 0, 10, 5)\n"
                    "if st.button('Step'):\n    leaky_helper.HISTORY.append(v)\n"
                    "st.session_state.h = np.array(leaky_helper.HISTORY + [0.5])\n")
    with pytest.raises(AssertionError, match="state leaked"):
        check_page_isolation(str(page), n=6)


# ------------------------------------------------------------------ 3. static checks
MUTATORS = {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "add", "remove",
            "discard", "sort", "reverse", "fill", "resize", "put", "itemset"}


def module_level_names(tree):
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AnnAssign, ast.AugAssign)) else []
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    names.add(n.id)
    return names


def root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def shared_module_writes(path):
    """Places where a function in a shared module writes module-level state."""
    tree = ast.parse(pathlib.Path(path).read_text())
    top, problems = module_level_names(tree), []
    for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        local = {a.arg for a in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs}
        local |= {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for n in ast.walk(fn):
            where = f"{pathlib.Path(path).name}:{getattr(n, 'lineno', '?')} in {fn.name}()"
            if isinstance(n, (ast.Global, ast.Nonlocal)):
                problems.append(f"{where}: `{type(n).__name__.lower()} {', '.join(n.names)}`")
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATORS:
                r = root_name(n.func.value)
                if r in top and r not in local:
                    problems.append(f"{where}: `{r}...{n.func.attr}(...)` mutates module-level {r}")
            elif isinstance(n, (ast.Assign, ast.AugAssign, ast.Delete)):
                for t in (n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target]):
                    if isinstance(t, (ast.Subscript, ast.Attribute)):
                        r = root_name(t)
                        if r in top and r not in local:
                            problems.append(f"{where}: assignment into module-level {r}")
        for d in fn.decorator_list:
            text = ast.unparse(d)
            if re.search(r"lru_cache|functools\.cache\b|^cache$|cache_resource", text):
                if (pathlib.Path(path).name, fn.name) not in ALLOWED_CACHES:
                    problems.append(f"{pathlib.Path(path).name}:{fn.lineno} {fn.name}() is cached with `{text}`: "
                                    "a shared object every learner gets — make it immutable and allow-list it")
    return problems


def page_script_problems(path):
    """A page script mutating what it imported from the app (module data shared by every session), or using
    st.cache_resource."""
    tree = ast.parse(pathlib.Path(path).read_text())
    imported = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] in ("nn_core", "lessons", "ui", "viz", "pages"):
            imported |= {a.asname or a.name for a in n.names}
        elif isinstance(n, ast.Import):
            imported |= {a.asname or a.name.split(".")[0] for a in n.names
                         if a.name.split(".")[0] in ("nn_core", "lessons", "ui", "viz", "pages")}
    problems = []
    for n in ast.walk(tree):
        where = f"{pathlib.Path(path).name}:{getattr(n, 'lineno', '?')}"
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATORS:
            if root_name(n.func.value) in imported:
                problems.append(f"{where}: `{ast.unparse(n.func)}(...)` mutates imported shared data")
        elif isinstance(n, (ast.Assign, ast.AugAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                if isinstance(t, (ast.Subscript, ast.Attribute)) and root_name(t) in imported:
                    problems.append(f"{where}: assignment into imported {ast.unparse(t)}")
        elif isinstance(n, ast.Attribute) and n.attr == "cache_resource":
            problems.append(f"{where}: st.cache_resource shares one object between all learners")
    return problems


def test_no_shared_module_writes_module_level_state():
    problems = [p for path in SHARED_MODULES for p in shared_module_writes(path)]
    assert not problems, "module-level state written at runtime (shared by every learner):\n" + "\n".join(problems)


def test_no_page_mutates_shared_data_or_uses_cache_resource():
    problems = [p for path in PAGES for p in page_script_problems(path)]
    assert not problems, "\n".join(problems)


def test_static_checks_can_fail(tmp_path):
    mod = tmp_path / "leaky.py"
    mod.write_text("import functools\n_CACHE = {}\nHISTORY = []\nN = 0\n"
                   "def remember(k, v):\n    _CACHE[k] = v\n"
                   "def log(x):\n    HISTORY.append(x)\n"
                   "def count():\n    global N\n    N += 1\n"
                   "@functools.lru_cache\ndef data():\n    return [1, 2]\n"
                   "def fine(x):\n    HISTORY2 = []\n    HISTORY2.append(x)\n    return HISTORY2\n")
    problems = shared_module_writes(mod)
    assert len(problems) == 4 and not any("HISTORY2" in p for p in problems), problems
    page = tmp_path / "9_page.py"
    page.write_text("import streamlit as st\nfrom lessons.playground import LEARNING_RATES\nimport nn_core.data as d\n"
                    "LEARNING_RATES.append(100)\nd.DATASETS_2D['x'] = 1\n@st.cache_resource\ndef f():\n    return []\n")
    assert len(page_script_problems(page)) == 3, page_script_problems(page)


# ------------------------------------------------------------------ 4. frame pacing keeps per-session state
def _paced_app(mode, frames=4, interval=0.0):
    import time as _t
    import streamlit as st
    from ui import live as robust

    def spin(seconds):                                       # CPU work, as drawing a frame is
        end = _t.thread_time() + seconds
        while _t.thread_time() < end:
            pass

    times = []
    for _ in range(frames):
        t0 = _t.perf_counter()
        with robust.live_frame("t", interval=interval):
            spin(0.010)
            if mode == "waiting":                            # the same CPU, but a frame that also waited for
                _t.sleep(0.040)                              # the GIL while other sessions ran: longer wall
        times.append(_t.perf_counter() - t0)
    st.session_state["t_times"] = times
    st.session_state["t_own_thread_counted"] = robust.running_sessions() >= 1
    st.write(st.session_state["t_pace"])


def _pace(monkeypatch, mode, sessions, interval=0.0):
    from ui import live as robust
    monkeypatch.setattr(robust, "running_sessions", lambda: sessions)
    at = AppTest.from_function(_paced_app, args=(mode, 4, interval), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state["t_pace"], at.session_state["t_times"]


def test_frame_pacing_gives_every_session_the_same_period(monkeypatch):
    """15 sessions running at once, frames of 10 ms of CPU: whether a session's frames also waited 40 ms for
    the GIL or not, it gets the same time from frame to frame (a wait that grew with the session's own
    stretch gave unlucky learners half the frames of lucky ones), and the 15 sessions' frames together
    use the pacing's share of the core: 15 × CPU per frame / period."""
    from ui import live as robust
    periods = {}
    for mode in ("busy", "waiting"):
        pace, times = _pace(monkeypatch, mode, 15)
        periods[mode] = float(np.median(times[1:]))          # the first frame has no CPU average yet
        assert pace["sessions"] == 15 and pace["sleep"] > 0, pace
        assert 15 * pace["cpu"] / periods[mode] == pytest.approx(robust.SHARE, rel=0.15), (pace, times)
    assert periods["waiting"] == pytest.approx(periods["busy"], rel=0.1), periods
    assert periods["busy"] > 10 * 0.010                      # paced: far slower than the frames could run


def test_a_view_with_a_slow_timer_of_its_own_is_not_slowed_further(monkeypatch):
    """The kernel slide moves one cell per half second (its fragment's timer): under a class's load its frames
    are not also made to sleep (the pacing's 0.2-0.4 s on top gave 1.6 frames/s instead of its 2)."""
    pace, times = _pace(monkeypatch, "busy", 15, interval=0.5)        # a turn of 15 × 10 ms / 0.55 ≈ 0.27 s
    assert pace["period"] > 0.2 and pace["sleep"] == 0 and max(times) < 0.1, (pace, times)
    pace, times = _pace(monkeypatch, "busy", 15, interval=0.09)      # a 10 frames/s view is paced as before
    assert pace["sleep"] > 0.1, pace


def test_one_learner_never_waits_and_an_overloaded_process_backs_off(monkeypatch):
    pace, times = _pace(monkeypatch, "busy", 1)              # one learner (or two tabs): no wait at all
    assert pace["sleep"] == 0 and max(times) < 0.05, (pace, times)
    pace, times = _pace(monkeypatch, "waiting", 3)           # frames (50 ms) longer than the period (3 × 10 /
    assert pace["period"] < 0.06 and pace["sleep"] == pytest.approx(pace["period"] / 2), pace  # 0.55): half


def test_running_sessions_counts_streamlit_script_threads():
    """The count rests on Streamlit naming each session's script thread: a script sees its own thread."""
    at = AppTest.from_function(_paced_app, args=("busy", 1), default_timeout=60).run()
    assert not at.exception and at.session_state["t_own_thread_counted"]


def _budget_app(stretch):
    import streamlit as st
    from ui import live as robust
    st.session_state["b_pace"] = {"stretch": stretch, "k": 0.0, "sleep": 0.0}
    st.markdown(repr(robust.budget("b", 0.030)))


@pytest.mark.parametrize("stretch, expected", [(1.0, 0.030), (1.4, 0.030), (2.5, 0.0075), (100.0, 0.002)])
def test_training_budget_shrinks_only_under_a_class_load(stretch, expected):
    """A learner's own browser stretches frames a little (≈ 1.2–1.4 here) and must not cost training; a busy
    server (stretch 2.5: 30 ms / 2²) gives a quarter of the time; the floor is 2 ms."""
    at = AppTest.from_function(_budget_app, args=(stretch,)).run()
    assert not at.exception
    assert float(at.markdown[0].value) == pytest.approx(expected)

"""The layering of DESIGN.md, checked on the source: nn_core imports NumPy and the standard library only,
lessons import NumPy and nn_core only, viz never imports streamlit, ui is the only place that touches
Streamlit's internals (in one adapter), pages/ holds only the lesson scripts app.py registers, and the
engine stays small enough to read (a size budget, as teenygrad keeps)."""
import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)


def imported_roots(path):
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted((ROOT / "nn_core").glob("*.py")), ids=lambda p: p.name)
def test_engine_imports_numpy_only(path):
    outside = imported_roots(path) - STDLIB - {"numpy", "nn_core"}
    assert not outside, f"{path.name} imports {outside}: nn_core must stay pure NumPy"


@pytest.mark.parametrize("path", sorted((ROOT / "viz").glob("*.py")), ids=lambda p: p.name)
def test_figures_do_not_import_streamlit(path):
    assert "streamlit" not in imported_roots(path)


def test_engine_size_budget():
    sizes = {p.name: len(p.read_text().splitlines()) for p in (ROOT / "nn_core").glob("*.py")}
    too_long = {name: n for name, n in sizes.items() if n > 300}
    assert not too_long, f"files over 300 lines — split them by concept: {too_long}"
    assert sum(sizes.values()) <= 2600, f"nn_core has {sum(sizes.values())} lines; the budget is 2600"


@pytest.mark.parametrize("path", sorted((ROOT / "lessons").glob("*.py")), ids=lambda p: p.name)
def test_lessons_import_numpy_and_the_engine_only(path):
    outside = imported_roots(path) - STDLIB - {"numpy", "nn_core", "lessons"}
    assert not outside, f"lessons/{path.name} imports {outside}: lessons compute without a screen (numpy, nn_core)"


UI_MAY_IMPORT = {"streamlit", "lessons", "nn_core", "viz", "ui", "numpy", "pandas", "threadpoolctl", "PIL"}
LESSON_SCRIPT_LINES = 350
PAGES_MAY_IMPORT = {"streamlit", "ui", "lessons", "viz", "nn_core", "numpy", "pandas", "PIL"}


@pytest.mark.parametrize("path", sorted((ROOT / "ui").glob("*.py")), ids=lambda p: p.name)
def test_the_shell_imports_down_only(path):
    outside = imported_roots(path) - STDLIB - UI_MAY_IMPORT
    assert not outside, f"ui/{path.name} imports {outside}"


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_lesson_scripts_import_down_only_and_stay_short(path):
    outside = imported_roots(path) - STDLIB - PAGES_MAY_IMPORT
    assert not outside, f"pages/{path.name} imports {outside}"
    lines = len(path.read_text().splitlines())
    assert lines <= LESSON_SCRIPT_LINES, f"pages/{path.name} has {lines} lines (at most {LESSON_SCRIPT_LINES}): move what it repeats to ui/, maths to lessons/"


def _private_streamlit_imports(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    public = {"streamlit", "streamlit.errors", "streamlit.testing.v1", "streamlit.components.v2",
              "streamlit.components.v1"}
    return {n for n in names if n.startswith("streamlit.") and n not in public}


@pytest.mark.parametrize("folder", ["pages", "ui", "lessons", "viz", "nn_core"])
def test_only_the_adapter_touches_streamlit_internals(folder):
    offenders = {p.name: sorted(_private_streamlit_imports(p)) for p in (ROOT / folder).glob("*.py")
                 if p.name != "streamlit_internals.py" and _private_streamlit_imports(p)}
    assert not offenders, f"{folder}/ imports Streamlit internals outside ui/streamlit_internals.py: {offenders}"


def test_every_plotly_chart_is_drawn_by_the_layout_helper():
    """Presenter mode draws figures on its own template with labels ≥ 16 px (ui.layout.chart): a chart drawn by
    ``plotly_chart`` anywhere else would keep Streamlit's 12 px theme on a projector."""
    offenders = sorted(str(p.relative_to(ROOT)) for folder in ("pages", "ui") for p in (ROOT / folder).glob("*.py")
                       if ".plotly_chart(" in p.read_text() and p != ROOT / "ui" / "layout.py")
    offenders += ["app.py"] if ".plotly_chart(" in (ROOT / "app.py").read_text() else []
    assert not offenders, f"st.plotly_chart called outside ui/layout.chart: {offenders}"


def test_pages_holds_only_the_lesson_scripts_app_registers():
    """Streamlit lists every file of pages/ as a page in folder mode, and DESIGN.md keeps pages/ for the
    lesson scripts alone: every .py there is one that app.py registers, and every registered one exists."""
    registered = set()
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("pages/"):
            registered.add(node.value)
    present = {f"pages/{p.name}" for p in (ROOT / "pages").iterdir() if p.name != "__pycache__"}
    assert present == registered, (sorted(present - registered), sorted(registered - present))
    assert len(registered) == 7


def test_the_app_multiplies_on_one_blas_thread():
    """The engine's matrices are small: BLAS threads would compete with the browser and the other learners.
    The lessons set one thread when they load, whatever the environment says — checked in a fresh
    interpreter without the test suite's own setting."""
    import json
    import os
    import subprocess
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    code = ("import json, numpy, threadpoolctl, ui.common; print(json.dumps([i['num_threads'] for i in "
            "threadpoolctl.threadpool_info() if i['user_api'] == 'blas']))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    threads = json.loads(out.stdout.strip().splitlines()[-1])
    assert threads and set(threads) == {1}, threads

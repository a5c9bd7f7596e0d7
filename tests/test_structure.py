"""The layering of DESIGN.md, checked on the source: nn_core imports NumPy and the standard library only,
viz never imports streamlit, and the engine stays small enough to read (a size budget, as teenygrad keeps)."""
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
    too_long = {name: n for name, n in sizes.items() if n > 500}
    assert not too_long, f"files over 500 lines — split them by concept: {too_long}"
    assert sum(sizes.values()) <= 5000, f"nn_core has {sum(sizes.values())} lines; the budget is 5000"


def test_the_app_multiplies_on_one_blas_thread():
    """The engine's matrices are small: BLAS threads would compete with the browser and the other learners.
    The lessons set one thread when they load, whatever the environment says — checked in a fresh
    interpreter without the test suite's own setting."""
    import json
    import os
    import subprocess
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    code = ("import json, numpy, threadpoolctl, pages.common; print(json.dumps([i['num_threads'] for i in "
            "threadpoolctl.threadpool_info() if i['user_api'] == 'blas']))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    threads = json.loads(out.stdout.strip().splitlines()[-1])
    assert threads and set(threads) == {1}, threads

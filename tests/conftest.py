"""Shared test fixtures: the project root on sys.path, a live `streamlit run app.py` server and a
Playwright page in Debian's Chromium (never a downloaded browser)."""
import base64
import contextlib
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

# The engine's matrices are small: one BLAS thread is faster than several fighting over two cores
# (set before NumPy loads; the app server started by the browser tests inherits it).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCREENSHOTS = pathlib.Path(os.environ.get("SCREENSHOT_DIR", ROOT / "artifacts" / "screenshots"))
PAGES = sorted(str(p) for p in (ROOT / "pages").glob("[0-9]_*.py"))   # absolute: AppTest resolves relative paths oddly
APP = str(ROOT / "app.py")


def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        msg = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@contextlib.contextmanager
def serve_app(log_name="server.log", command=None, cwd=ROOT, env=None):
    """Run `streamlit run app.py` on a free local port; yield its URL; stop it afterwards. ``command(port)``
    gives another command line that serves the app on that port (run in ``cwd`` with ``env``)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / log_name, "w")
    cmd = command(port) if command else [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    srv = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"the Streamlit server did not become healthy within 60 s; see artifacts/{log_name}")
        yield url
    finally:
        srv.terminate()
        srv.wait(10)
        log.close()


@pytest.fixture(scope="session")
def app_url():
    with serve_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def wait_ready(page, settle=1.0):
    """Wait until Streamlit has rendered the app and the script has finished running."""
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=30000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90000)
    time.sleep(settle)


def page_errors(page):
    """Texts of every exception box and error alert on the page."""
    errs = page.eval_on_selector_all("[data-testid='stException']", "els => els.map(e => e.innerText.slice(0, 400))")
    errs += page.eval_on_selector_all("[data-testid='stAlertContentError']",
                                      "els => els.map(e => 'error box: ' + e.innerText.slice(0, 400))")
    return errs


def screenshot(page, name, max_height=6000):
    """Save a screenshot of the whole page. Streamlit scrolls inside its own container, not the body, so
    `full_page` alone would stop at the window: the viewport is stretched to the content for the shot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        "[data-testid='stMain'], [data-testid='stAppViewContainer'], section.main")].map(e => e.scrollHeight), 0)""")
    if size and height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, max_height)})
        page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    if size:
        page.set_viewport_size(size)
    return path


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots saved in {SCREENSHOTS}")


def plotly_arrays(obj):
    """Plotly's JSON writes NumPy arrays as {"dtype", "bdata" (base64), "shape"}: turn them back into
    arrays, recursively, so tests can compare a figure's data with the engine's numbers."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            shape = obj.get("shape")
            return arr.reshape([int(n) for n in str(shape).split(",")]) if shape else arr
        return {k: plotly_arrays(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plotly_arrays(v) for v in obj]
    return obj

"""Every live view of the lab, one learner, in headless Debian Chromium (Playwright): frames/s, the lesson's
own pace (epochs, steps, updates, runs or positions per second) and how long Pause (or Stop) takes.

Each view runs on the lab's one live loop (ui/live.py), which writes "Live: F frames/s · U unit/s · …"
under the view while playing (the server's count over the last 20 frames). Pause is timed inside the page,
on the page's own clock: the click is dispatched there and a MutationObserver notes when the bar shows Play
again ("button") and when the live line under the view says "Paused", i.e. the paused page is drawn and the
frames have stopped ("stopped").

    python bench/live.py                       # every view
    python bench/live.py --only playground rnn-chars --pauses 5

Targets (issue #17), one learner on a quiet machine: ≥ 10 frames/s (the kernel slide and the race have a
designed pace instead: 3 cells a second; 15 steps/s); Pause ≤ 150 ms median, ≤ 300 ms p95; long jobs
(sweep, grid, k sweep) stop within 300 ms. On a shared machine the figures drop: the load average is printed.
"""
import argparse
import os
import pathlib
import re
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.playground import start_server  # noqa: E402

READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


def tab(name):
    return lambda page: page.get_by_role("tab", name=name).click()


def radio(label):
    return lambda page: page.get_by_role("radiogroup", name="Task").get_by_text(label, exact=True).click()


def both(*steps):
    def run(page):
        for s in steps:
            s(page)
            page.wait_for_selector(READY, timeout=90000)
            time.sleep(1.0)
    return run


# name: (path, prefix, setup, seconds of play before each pause, target frames/s or None for a designed pace[,
#        the key of a button clicked before each Play])
VIEWS = {
    "playground": ("playground", "pg", None, 2.5, 10),
    "optimizer race": ("optimizers", "op", None, 1.5, 10),
    # 60 epochs a run, cleared before each Run: at the default 20 the 13 runs were over within a second
    "lr sweep": ("optimizers?op_sw_epochs=60", "op_sweep", tab("Learning rate"), 1.0, 10, "op_sweep_reset"),
    "hp grid": ("optimizers", "op_grid", tab("Hyperparameter explorer"), 1.5, 10, "op_grid_reset"),
    "kernel slide": ("cnn", "cnn", None, 2.0, None),
    # 40 epochs, from fresh weights before each Play (Reset): the default 10 epochs were done within the first
    # window (4–8 epochs/s), and no Pause was timed
    "cnn training": ("cnn?cnn_epochs=40", "cnn_train", tab("2 · Train a CNN"), 2.5, 10, "cnn_train_reset"),
    "rnn forecast": ("rnn", "rnn", None, 2.5, 10),
    "rnn echo": ("rnn", "rnn", radio("Echo k steps back"), 2.5, 10),
    "rnn chars": ("rnn", "rnn", radio("Next character"), 2.5, 10),
    "rnn k sweep": ("rnn", "rnn_sweep", radio("Echo k steps back"), 1.5, 10),
}

WATCH = """(prefix) => {
  window.__live = [];
  const note = () => {
    const play = !!document.querySelector(`.st-key-${prefix}_play button`);
    const s = document.querySelector(`.st-key-${prefix}_stats`);
    const blank = !s || !s.innerText.startsWith("Live:");
    const last = window.__live[window.__live.length - 1];
    if (!last || last[1] !== play || last[2] !== blank) window.__live.push([performance.now(), play, blank]);
  };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""
CLICK = """(sel) => { const b = document.querySelector(sel); if (!b) return null; const t = performance.now();
  b.click(); return t; }"""


def pct(values, q):
    v = [x for x in values if x == x]
    return float(np.percentile(v, q)) if v else float("nan")


def measure(page, url, prefix, setup, play_s, pauses, again=None):
    page.goto(url)
    page.wait_for_selector(READY, timeout=90000)
    time.sleep(1.0)
    if setup:
        setup(page)
        page.wait_for_selector(READY, timeout=90000)
        time.sleep(1.0)
    page.wait_for_selector(f".st-key-{prefix}_play button", timeout=90000)   # a first load may still be drawing
    page.evaluate(WATCH, prefix)
    rates, button, stopped = [], [], []
    for _ in range(pauses):
        if again:
            page.evaluate(CLICK, f".st-key-{again} button")
            page.wait_for_selector(READY, timeout=90000)
            time.sleep(0.5)
        if page.evaluate(CLICK, f".st-key-{prefix}_play button") is None:
            break                                              # nothing left to play (finished)
        time.sleep(play_s)
        end, m = time.perf_counter() + 15, None
        while m is None and time.perf_counter() < end:          # the line needs 3 frames (slow when loaded)
            text = page.evaluate(f"() => document.querySelector('.st-key-{prefix}_stats')?.innerText || ''")
            m = re.search(r"([\d.]+) frames/s · ([\d.]+) (\w+)/s", text)
            if m is None:
                time.sleep(0.2)
        if m:
            rates.append((float(m.group(1)), float(m.group(2)), m.group(3)))
        page.evaluate("() => { window.__live = []; }")
        t = page.evaluate(CLICK, f".st-key-{prefix}_pause button")
        if t is None:
            break                                              # it finished by itself meanwhile
        time.sleep(1.5)
        log = page.evaluate("() => window.__live")
        button.append(next((x - t for x, play, _ in log if play and x >= t), float("nan")))
        stopped.append(next((x - t for x, _, blank in log if blank and x >= t), float("nan")))
        time.sleep(0.3)
    return rates, button, stopped


ARM = """(label) => {
  const app = document.querySelector("[data-testid='stApp']");
  const thumb = [...document.querySelectorAll("[data-testid='stSlider']")]
    .find((e) => e.innerText.startsWith(label))?.querySelector("input");
  if (!thumb) return false;
  window.__slider = new Promise((done) => {
    let t = null, ran = false;
    thumb.addEventListener("keydown", () => { t = performance.now(); }, {once: true, capture: true});
    new MutationObserver((_, obs) => {
      const state = app.getAttribute("data-test-script-state");
      if (t !== null && state === "running") ran = true;
      if (ran && state === "notRunning") { obs.disconnect(); done(performance.now() - t); }
    }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  });
  thumb.focus();
  return true;
}"""


def measure_slider(page, url, prefix, tries=5):
    """Playground only: ms from a learning-rate change while playing to the end of the run it starts — the run
    that applies the rate and trains the next frame with it (tests/test_playground_live.py checks that it
    does). The issue asks for 'within one frame'."""
    page.goto(url)
    page.wait_for_selector(f".st-key-{prefix}_play button", timeout=90000)
    time.sleep(1.0)
    page.evaluate(CLICK, f".st-key-{prefix}_play button")
    out = []
    for i in range(tries):
        time.sleep(1.5)
        if page.evaluate(ARM, "Learning rate"):
            page.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")     # 0.03 → 0.01 → 0.03 …
            out.append(page.evaluate("() => Promise.race([window.__slider, "
                                     "new Promise((r) => setTimeout(() => r(NaN), 10000))])"))
    page.evaluate(CLICK, f".st-key-{prefix}_pause button")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", default=list(VIEWS), help=f"views: {', '.join(VIEWS)}")
    ap.add_argument("--pauses", type=int, default=3)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright
    (ROOT / "artifacts").mkdir(exist_ok=True)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run "
          "(other work on the machine lowers every figure)")
    srv, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url)
            page.wait_for_selector(READY, timeout=90000)
            print(f"{'view':<16} {'frames/s':>9} {'pace':>16} {'Pause: button ms':>22} {'stopped ms':>18}  verdict")
            for name in a.only:
                path, prefix, setup, play_s, target, *again = VIEWS[name]
                rates, button, stopped = measure(page, f"{url}/{path}", prefix, setup, play_s, a.pauses, *again)
                fps = pct([r[0] for r in rates], 50)
                pace = f"{pct([r[1] for r in rates], 50):.0f} {rates[0][2]}/s" if rates else "?"
                limit = 300 if "sweep" in name or "grid" in name else 150
                ok = (target is None or fps >= target) and pct(button, 50) <= limit and pct(button, 95) <= 300
                print(f"{name:<16} {fps:9.1f} {pace:>16} {pct(button, 50):8.0f} med {pct(button, 95):6.0f} p95 "
                      f"{pct(stopped, 50):8.0f} med  {'meets' if ok else 'MISSES'} "
                      f"(≥{target or '-'} frames/s, Pause ≤{limit} ms median, ≤300 p95; n={len(button)})",
                      flush=True)
                if name == "playground":
                    ms = measure_slider(page, f"{url}/{path}", prefix)
                    print(f"{'':<16} learning rate changed while playing: its run (applies it, trains and draws "
                          f"the next frame) ends {pct(ms, 50):.0f} ms median, {pct(ms, 95):.0f} p95 after the "
                          f"change (n={len(ms)})", flush=True)
            browser.close()
    finally:
        srv.terminate()
        srv.wait(10)
    print(f"load average {os.getloadavg()[0]:.1f} after the run")


if __name__ == "__main__":
    main()

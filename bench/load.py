"""A classroom at once: many learners pressing Play on the playground, measured.

Each learner is a client that speaks the app's websocket protocol like the browser does
(ws://host:port/_stcore/stream, subprotocol "streamlit"; BackMsg rerun_script with a ClientState; ForwardMsg
new_session / navigation / delta / auto_rerun / script_finished). It opens the playground, presses Play
(the button's widget id with a trigger value), and then, like the browser's ``setInterval`` for ``run_every``
(streamlit/static .../index.js handleAutoRerun), asks for the live fragment again every ``interval`` seconds
(ForwardMsg auto_rerun), whether or not the previous frame has finished (``--polite`` waits instead). A frame = one fragment run finished. A few real headless Chromium pages can join the same server
(``--browsers``) to show the light clients cause the same server work per frame.

    python bench/load.py --learners 1 30 --processes 1 2 --seconds 20 [--gc-variant] [--browsers 2]
    python bench/load.py --learners 30 --processes 2 --mix     # learners spread over every live view

With ``--mix`` the learners are dealt round robin over MIX (page, link, Play button's key): the playground, the
optimizer race, the lr sweep, the hp grid, the kernel slide, CNN training and the RNN. Every live view runs
on the lab's one live loop (ui/live.py), whose live line under the view ("Live: … frames/s" or "Paused: …") is
drawn once per frame: a frame = that line arriving from the live fragment.

Prints, for each configuration: frames/s per learner (mean, min), p50/p95 of the time between frames,
stalls (a gap > 2 s), disconnects, the server's RSS and RSS per session, and the epochs reached.
Starts its own ``streamlit run`` servers on free local ports (one per process; learners are spread round
robin over them — what the balancer's affinity does) and stops them afterwards.
"""
import argparse
import asyncio
import json
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POLITE = False                # True: ask for the next frame only once the last one finished (not the browser)
PAGE = "playground"          # the url path of the page the learners open ("" with --script: the script itself)
# (page, query string, Play button's key): a view on a lesson's other tab is opened by its link (only the open tab
# is drawn). The kernel slide plays once over its cells and stops: padded by 2 it has 100 (33 s at 3 a second), so
# that it is still playing at the window's end (its default 36 ended inside a 15 s window, and its frames with it)
MIX = [("playground", "", "pg_play"), ("optimizers", "", "op_play"),
       ("cnn", "cnn_tab=2+%C2%B7+Train+a+CNN", "cnn_train_play"), ("rnn", "", "rnn_play"),
       ("optimizers", "op_tab=Learning+rate", "op_sweep_play"), ("cnn", "cnn_pad=2", "cnn_play"),
       ("optimizers", "op_tab=Hyperparameter+explorer", "op_grid_play")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    for p in [pid] + children(pid):
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def children(pid):
    try:
        return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, gc=None, logdir=None, script="app.py"):
        self.port = free_port()
        args = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                "--server.port", str(self.port), "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        if gc is not None:                     # None: the app's .streamlit/config.toml (postScriptGC = false)
            args += ["--runner.postScriptGC", "true" if gc else "false"]
        logdir = pathlib.Path(logdir or ROOT / "artifacts" / "load")
        logdir.mkdir(parents=True, exist_ok=True)
        self.log = open(logdir / f"server-{self.port}.log", "w")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(self.url + "/_stcore/health", timeout=1).read() == b"ok":
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"server on {self.port} did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# ---------------------------------------------------------------------------------- the light client
class Learner:
    """One learner on the playground, speaking the websocket protocol."""

    def __init__(self, port, page=None, query="", key=None):
        page = PAGE if page is None else page
        self.port, self.page, self.query, self.key = port, page, query, key   # key: the Play button's own key
        self.page_hash = ""
        self.buttons = {}            # label -> (widget id, id of the fragment it is drawn in or "")
        self.frames = []             # times at which a fragment run finished (script_finished)
        self.deliveries = []         # times at which the live view's Epoch counter arrived (what the learner sees)
        self.full_runs = 0
        self.auto = {}               # fragment id -> interval (s)
        self.t_play = None
        self.ended = None            # when the view stopped playing by itself (a race, a sweep, a slide at its end)
        self.running = False
        self.disconnected = None
        self.epoch = None
        self.errors = []
        self.bytes_in = 0

    def has_play(self):
        return bool(self.buttons) if self.key else any("Play" in b for b in self.buttons)

    async def send_rerun(self, ws, widget_states=None, fragment_id="", auto=False):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        cs.page_name = "" if self.page_hash else self.page
        if widget_states is not None:
            cs.widget_states.CopyFrom(widget_states)
        if fragment_id:
            cs.fragment_id, cs.is_auto_rerun = fragment_id, auto
        self.running = True
        await ws.send(msg.SerializeToString())

    def handle(self, data):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        self.bytes_in += len(data)
        fm = ForwardMsg()
        fm.ParseFromString(data)
        kind = fm.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = fm.new_session.page_script_hash or self.page_hash
            if not fm.metadata.run.fragment_ids:
                self.auto.clear()     # as the browser does (cleanupAutoReruns): a full run says anew what ticks
        elif kind == "navigation":
            self.page_hash = fm.navigation.page_script_hash or self.page_hash
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            which = el.WhichOneof("type")
            if which == "button":                                 # a button in a fragment reruns that fragment
                if self.key is None or el.button.id.endswith(self.key):
                    self.buttons[el.button.label] = (el.button.id, fm.delta.fragment_id)
            elif (which == "markdown" and self.key is not None and fm.delta.fragment_id in self.auto
                  and (el.markdown.body.startswith("Live:") or el.markdown.body.startswith("Paused:"))):
                self.deliveries.append(time.perf_counter())     # the live loop's line: one per frame
            elif which == "metric" and el.metric.label.lower().startswith("epoch"):
                try:
                    self.epoch = int(el.metric.body.replace(",", ""))
                except ValueError:
                    pass
                self.deliveries.append(time.perf_counter())     # a frame as the learner sees it
            elif which == "exception":
                self.errors.append(el.exception.message[:200])
        elif kind == "auto_rerun":
            self.auto[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            self.auto.clear()
        elif kind == "script_finished":
            from streamlit.proto.ForwardMsg_pb2 import ForwardMsg as F
            self.running = False
            if fm.script_finished == F.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.frames.append(time.perf_counter())
            else:
                self.full_runs += 1
                if (fm.script_finished == F.FINISHED_SUCCESSFULLY and self.t_play is not None and not self.auto
                        and self.ended is None):
                    self.ended = time.perf_counter()          # a full run after Play that left no timer: it ended

    async def run(self, seconds, start_event=None, window=None):
        """Open the page, press Play (after ``start_event``), keep the live view running until
        ``window["end"]`` (a shared measuring window) or for ``seconds``."""
        import websockets
        uri = f"ws://127.0.0.1:{self.port}/_stcore/stream"
        try:
            async with websockets.connect(uri, subprotocols=["streamlit"], max_size=2**27,
                                          ping_interval=None, open_timeout=60) as ws:
                self.closing = False
                reader = asyncio.ensure_future(self._read(ws))
                try:
                    await self._session(ws, seconds, start_event, window)
                finally:
                    self.closing = True                          # our own close is not a disconnect
                    reader.cancel()
        except Exception as e:                                   # connection refused / closed under load
            self.disconnected = f"{type(e).__name__}: {e}"[:200]

    async def _session(self, ws, seconds, start_event, window):
        from streamlit.proto.WidgetStates_pb2 import WidgetStates
        await self.send_rerun(ws)                        # open the page
        t0 = time.perf_counter()
        while (self.running or not self.has_play()) and time.perf_counter() - t0 < 240:
            await asyncio.sleep(0.05)
        if start_event is not None:
            await start_event.wait()
        play = next((i for label, i in self.buttons.items() if self.key or re.search(r"\bPlay\b", label)), None)
        if play is None:
            raise RuntimeError(f"no Play button within 240 s (buttons seen: {list(self.buttons)[:5]})")
        states = WidgetStates()
        w = states.widgets.add()
        w.id, w.trigger_value = play[0], True
        self.frames.clear()
        self.deliveries.clear()
        self.t_play = time.perf_counter()
        await self.send_rerun(ws, states, fragment_id=play[1])   # press Play
        next_due = {}
        window = window or {"end": self.t_play + seconds}
        while self.disconnected is None and (window.get("end") is None or time.perf_counter() < window["end"]):
            now = time.perf_counter()
            for fid, interval in list(self.auto.items()):
                due = next_due.setdefault(fid, now + interval)
                if now >= due and (not POLITE or not self.running):
                    # the browser's timer is a setInterval: it asks again every interval whether or not the
                    # last frame has finished (the server folds requests into one pending rerun)
                    next_due[fid] = max(due + interval, now)
                    await self.send_rerun(ws, WidgetStates(), fragment_id=fid, auto=True)
            await asyncio.sleep(0.01)

    async def _read(self, ws):
        try:
            async for data in ws:
                self.handle(data)
        except Exception as e:
            if not getattr(self, "closing", False):
                self.disconnected = f"{type(e).__name__}: {e}"[:200]
        if not getattr(self, "closing", False) and self.disconnected is None:
            self.disconnected = "closed by the server"

    def stats(self, seconds, start=None, end=None):
        # a frame = the live view's Epoch counter arriving (a fragment run that ends while another request is
        # pending reports "finished early for rerun", so script_finished alone undercounts under load). A view that
        # ended by itself inside the window (the race's last step, the sweep's last run) is measured while it played.
        if self.ended is not None and end is not None and start is not None and start < self.ended < end:
            seconds, end = self.ended - start, self.ended
        frames = [t for t in self.deliveries if (start is None or t >= start) and (end is None or t <= end)]
        gaps = [b - a for a, b in zip(frames, frames[1:])]
        tail = (end - frames[-1]) if (end is not None and frames) else 0.0   # a stall at the end counts too
        return {"frames": len(frames), "fps": len(frames) / seconds, "gaps": gaps, "ended": self.ended is not None,
                "max_gap": max(gaps + [tail]) if frames else float("inf"),
                "epoch": self.epoch, "disconnected": self.disconnected, "errors": self.errors}


# ---------------------------------------------------------------------------------- real browsers
def browser_learners(urls, seconds, n, sync=None):
    """n headless Chromium pages pressing Play; returns per-page epochs before/after and frames counted in
    the page (the Epoch metric's changes, read every 20 ms). With ``sync`` (a dict of threading.Events
    "ready" and "go", and the light clients' measuring window), the pages load first, press Play with the
    light clients and count frames in the same window."""
    chromium = shutil.which("chromium")
    if not chromium or n == 0:
        if sync is not None:
            sync["ready"].set()
        return []
    from playwright.sync_api import sync_playwright
    out = []
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
        pages = []
        for i in range(n):
            page = b.new_context(viewport={"width": 1440, "height": 900}).new_page()
            page.goto(urls[i % len(urls)])                       # the app's home first (registers the pages)
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120000)
            page.goto(urls[i % len(urls)] + "/playground")
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120000)
            pages.append(page)
        if sync is not None:
            sync["ready"].set()
            sync["go"].wait(300)
        for page in pages:
            page.get_by_role("button", name=re.compile(r"Play")).first.click()
        t0 = time.perf_counter()
        if sync is not None:                                      # the light clients' window, once it opens
            while sync["window"].get("end") is None and time.perf_counter() - t0 < 120:
                time.sleep(0.05)
            t0, seconds = sync["window"]["start"], sync["window"]["end"] - sync["window"]["start"]
        seen = [[] for _ in pages]
        last = [None] * len(pages)
        while time.perf_counter() - t0 < seconds:
            for i, page in enumerate(pages):
                try:
                    txt = page.locator("[data-testid='stMetricValue']").first.inner_text(timeout=2000)
                except Exception:
                    continue
                if txt != last[i]:
                    last[i] = txt
                    seen[i].append((time.perf_counter(), txt))
            time.sleep(0.02)
        for i, page in enumerate(pages):
            errs = page.eval_on_selector_all("[data-testid='stException']", "els => els.map(e => e.innerText)")
            out.append({"changes": len(seen[i]), "fps_seen": len(seen[i]) / seconds,
                        "epoch_first": seen[i][0][1] if seen[i] else None,
                        "epoch_last": seen[i][-1][1] if seen[i] else None, "errors": errs})
        b.close()
    return out


# ---------------------------------------------------------------------------------- one configuration
def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def measure(learners, processes, seconds, gc=None, browsers=0, script="app.py", mix=False):
    servers = [Server(gc=gc, script=script) for _ in range(processes)]
    try:
        for s in servers:
            s.wait()
        # warm each server (imports, caches) with one short session
        asyncio.run(asyncio.wait_for(Learner(servers[0].port).run(1.0), 180))
        for s in servers[1:]:
            asyncio.run(asyncio.wait_for(Learner(s.port).run(1.0), 180))
        time.sleep(1.0)
        rss0 = [rss_mb(s.proc.pid) for s in servers]
        clients = [Learner(servers[i % processes].port, *(MIX[i % len(MIX)] if mix else ()))
                   for i in range(learners)]

        window = {"end": None}
        sync = {"ready": threading.Event(), "go": threading.Event(), "window": window} if browsers else None

        async def all_of_them():
            go = asyncio.Event()
            tasks = [asyncio.ensure_future(c.run(seconds, go, window)) for c in clients]
            # wait until every learner has its page (or 120 s), then all press Play together
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 240 and not all(
                    c.has_play() and not c.running or c.disconnected for c in clients):
                await asyncio.sleep(0.1)
            while sync is not None and not sync["ready"].is_set() and time.perf_counter() - t0 < 300:
                await asyncio.sleep(0.1)                           # the Chromium pages are loaded too
            go.set()
            if sync is not None:
                sync["go"].set()
            # the measuring window opens once every learner's live view has delivered a frame (or after 60 s):
            # page loads and the Play reruns are not part of the steady state
            t1 = time.perf_counter()
            while time.perf_counter() - t1 < 60 and not all(c.deliveries or c.disconnected for c in clients):
                await asyncio.sleep(0.05)
            window["start"], window["cpu0"] = time.perf_counter(), [cpu_seconds(s.proc.pid) for s in servers]
            window["end"] = window["start"] + seconds
            await asyncio.gather(*tasks)

        t_start = time.perf_counter()
        if browsers:
            result = {}
            th = threading.Thread(target=lambda: result.update(
                b=browser_learners([s.url for s in servers], seconds, browsers, sync)))
            th.start()
            asyncio.run(all_of_them())
            th.join()
            browser_res = result.get("b", [])
        else:
            asyncio.run(all_of_them())
            browser_res = []
        wall = time.perf_counter() - t_start
        rss1 = [rss_mb(s.proc.pid) for s in servers]
        cpu1 = [cpu_seconds(s.proc.pid) for s in servers]
        cpu0 = window["cpu0"]
        stats = [c.stats(seconds, window["start"], window["end"]) for c in clients]
        gaps = [g for s in stats for g in s["gaps"]]
        per_session_p50 = [pct(s["gaps"], 0.5) for s in stats]
        per_session_p95 = [pct(s["gaps"], 0.95) for s in stats]
        return {
            "script": str(script), "learners": learners, "processes": processes, "gc": gc, "seconds": seconds,
            "fps_mean": statistics.mean(s["fps"] for s in stats), "fps_min": min(s["fps"] for s in stats),
            "fps_each": [round(s["fps"], 2) for s in stats], "total_fps": sum(s["fps"] for s in stats),
            "max_gap_each": [round(s["max_gap"], 2) for s in stats],
            "gap_p50": pct(gaps, 0.5), "gap_p95": pct(gaps, 0.95),
            "worst_session_p50": max(per_session_p50), "worst_session_p95": max(per_session_p95),
            "stalls": sum(1 for s in stats if s["max_gap"] > 2.0),
            "ended": sum(1 for s in stats if s["ended"]),
            "disconnects": sum(1 for s in stats if s["disconnected"]),
            "errors": sorted({e for s in stats for e in s["errors"]})[:3],
            "rss_before": sum(rss0), "rss_after": sum(rss1),
            "rss_per_session": (sum(rss1) - sum(rss0)) / learners,
            "server_cpu_s": sum(cpu1) - sum(cpu0), "cpu_per_frame_ms": 1000 * (sum(cpu1) - sum(cpu0)) / max(
                1, sum(s["frames"] for s in stats)),
            "epochs": [s["epoch"] for s in stats][:5],
            "by_view": {f"{c.page}/{c.key}": round(statistics.mean(s["fps"] for d, s in zip(clients, stats)
                                                                  if (d.page, d.key) == (c.page, c.key)), 2)
                        for c in clients} if mix else {},
            "browsers": browser_res, "wall": wall, "load_avg": os.getloadavg()[0],
        }
    finally:
        for s in servers:
            s.stop()


def row(r):
    return (f"| {r['learners']:3d} | {r['processes']} | {'off' if not r['gc'] else 'on '} | {r['fps_mean']:5.1f} | "
            f"{r['fps_min']:5.1f} | {r['total_fps']:5.1f} | {1000 * r['gap_p50']:6.0f} | {1000 * r['gap_p95']:6.0f} | "
            f"{1000 * r['worst_session_p95']:6.0f} | {r['stalls']:2d} | {r['disconnects']:2d} | "
            f"{r['rss_before']:5.0f} → {r['rss_after']:5.0f} | {r['rss_per_session']:5.1f} | "
            f"{r['cpu_per_frame_ms']:5.1f} | {r['load_avg']:4.1f} |")


HEADER = ("| learners | proc | post-script GC | frames/s each (mean) | min | total frames/s | p50 gap ms | "
          "p95 gap ms | worst session p95 ms | stalls >2 s | disconnects | RSS MB before → after | MB/session | "
          "server CPU ms/frame | load avg |\n|" + "---|" * 15)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--learners", type=int, nargs="+", default=[1, 30])
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--gc-variant", action="store_true",
                    help="also run with --runner.postScriptGC true (the app's config has it off)")
    ap.add_argument("--browsers", type=int, default=0, help="real Chromium pages joining the largest run")
    ap.add_argument("--json", default=str(ROOT / "artifacts" / "load" / "results.json"))
    ap.add_argument("--script", default="app.py", help="serve this page file alone instead of the app "
                    "(e.g. a scratch copy of the playground with a change to measure)")
    ap.add_argument("--mix", action="store_true", help="learners spread over every live view (MIX)")
    ap.add_argument("--polite", action="store_true", help="clients wait for a frame to finish before asking for "
                    "the next (the browser does not: its timer is a setInterval)")
    args = ap.parse_args()
    global PAGE, POLITE
    POLITE = args.polite
    if args.script != "app.py":
        PAGE = ""
    results = []
    print(HEADER, flush=True)
    for gc in [None, True] if args.gc_variant else [None]:
        for n in args.learners:
            for p in args.processes:
                if n == 1 and p > 1:
                    continue
                r = measure(n, p, args.seconds, gc=gc, browsers=args.browsers if n == max(args.learners) else 0,
                            script=args.script, mix=args.mix)
                results.append(r)
                print(row(r), flush=True)
                if r["by_view"]:
                    print("   frames/s each, by view:", r["by_view"])
                if r["ended"]:
                    print(f"   {r['ended']} views ended by themselves inside the window: measured while they played")
                if r["errors"]:
                    print("   errors on the page:", r["errors"])
                if r["browsers"]:
                    print("   Chromium pages in the same run:", r["browsers"])
    pathlib.Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()

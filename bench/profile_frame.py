"""Where a live playground frame spends the server's time: a ``streamlit run`` server whose script runs are
profiled (cProfile around every script/fragment run), driven by one light client pressing Play.

    python bench/profile_frame.py [--seconds 15] [--top 25]
"""
import argparse
import asyncio
import cProfile
import io
import pathlib
import pstats
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def serve(port, out):
    """Run the app in this process with every script run profiled; write the stats on SIGTERM."""
    import streamlit.runtime.scriptrunner.script_runner as sr
    prof = cProfile.Profile()
    original = sr.exec_func_with_error_handling

    def profiled(func, ctx):
        prof.enable()
        try:
            return original(func, ctx)
        finally:
            prof.disable()

    sr.exec_func_with_error_handling = profiled

    import threading

    def dump_every_second():          # streamlit owns the signal handlers: write the stats as we go
        while True:
            time.sleep(1.0)
            try:
                stats = pstats.Stats(prof)
                stats.dump_stats(out + ".tmp")
                pathlib.Path(out + ".tmp").replace(out)
            except (TypeError, ValueError, OSError):
                pass                      # nothing profiled yet / profiler busy

    threading.Thread(target=dump_every_second, daemon=True).start()
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true", "--server.port", str(port),
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none"]
    cli.main()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--serve", nargs=2)
    args = ap.parse_args()
    if args.serve:
        return serve(int(args.serve[0]), args.serve[1])
    from load import Learner, free_port, cpu_seconds
    port, out = free_port(), str(ROOT / "artifacts" / "load" / "frame.prof")
    (ROOT / "artifacts" / "load").mkdir(parents=True, exist_ok=True)
    srv = subprocess.Popen([sys.executable, __file__, "--serve", str(port), out], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        import urllib.request
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        c0 = cpu_seconds(srv.pid)
        learner = Learner(port)
        asyncio.run(learner.run(args.seconds))
        cpu = cpu_seconds(srv.pid) - c0
        time.sleep(2.5)
    finally:
        srv.send_signal(signal.SIGTERM)
        srv.wait(30)
    n = len(learner.deliveries)
    print(f"{n} frames in {args.seconds:g} s ({n / args.seconds:.1f}/s), epoch {learner.epoch}; server CPU "
          f"{1000 * cpu / max(n, 1):.0f} ms per frame (whole process, incl. page load and websocket sending)")
    buf = io.StringIO()
    st = pstats.Stats(out, stream=buf)
    st.sort_stats("cumulative").print_stats(args.top)
    print(buf.getvalue())


if __name__ == "__main__":
    main()

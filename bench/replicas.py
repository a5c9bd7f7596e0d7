"""Two app processes behind a local nginx with session affinity (deploy/nginx.conf), and real browsers
through it: each browser must stay on one replica, the replicas must share the class, and a learner
must be able to train on the playground through the proxy without an error.

    python bench/replicas.py [--browsers 4] [--seconds 4]

Needs Debian's nginx and chromium; says so and exits 0 ("skipped") where either is missing.
"""
import argparse
import collections
import contextlib
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return True
        except OSError:
            time.sleep(0.3)
    return False


def start_app(port, logdir):
    log = open(logdir / f"app-{port}.log", "w")
    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def nginx_config(shipped, listen, backends, workdir):
    """The shipped deploy/nginx.conf with its listen port and server lines replaced, wrapped in a
    minimal main config that logs which replica served each request."""
    site = re.sub(r"listen \d+;", f"listen 127.0.0.1:{listen};", shipped)
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in backends)
    site = re.sub(r"(    server 127\.0\.0\.1:\d+[^\n]*\n)+", servers, site)
    return f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 1024; }}
http {{
    log_format upstreamlog '$upstream_addr $cookie_nnlab_replica $request_uri';
    access_log {workdir}/access.log upstreamlog;
    client_body_temp_path {workdir}/body; proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi; uwsgi_temp_path {workdir}/uwsgi; scgi_temp_path {workdir}/scgi;
{site}
}}
"""


def run(browsers=4, seconds=4.0, out=None, browser=None):
    """Returns a dict of results; raises AssertionError on a failure; {"skipped": reason} without nginx/chromium."""
    nginx, chromium = shutil.which("nginx") or "/usr/sbin/nginx", shutil.which("chromium")
    if not pathlib.Path(nginx).exists():
        return {"skipped": "Debian's nginx is not installed (apt-get install nginx)"}
    if chromium is None:
        return {"skipped": "Debian's chromium is not installed (apt-get install chromium)"}
    work = pathlib.Path(tempfile.mkdtemp(prefix="nnlab-replicas-"))
    out = pathlib.Path(out) if out else work
    out.mkdir(parents=True, exist_ok=True)
    backends, proxy_port = [free_port(), free_port()], free_port()
    apps = [start_app(p, work) for p in backends]
    conf = work / "nginx.conf"
    conf.write_text(nginx_config((ROOT / "deploy" / "nginx.conf").read_text(), proxy_port, backends, work))
    proxy = None
    try:
        for p in backends:
            assert wait_healthy(f"http://127.0.0.1:{p}"), f"replica on port {p} did not start; see {work}"
        check = subprocess.run([nginx, "-t", "-p", str(work), "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proxy = subprocess.Popen([nginx, "-p", str(work), "-c", str(conf), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{proxy_port}"
        assert wait_healthy(url), "nginx did not answer /_stcore/health"

        from playwright.sync_api import sync_playwright
        results = []
        with contextlib.ExitStack() as stack:
            b = browser
            if b is None:                     # a browser of our own (a test passes the one it already runs)
                pw = stack.enter_context(sync_playwright())
                b = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
                stack.callback(b.close)
            for i in range(browsers):
                ctx = b.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                page.goto(url + "/playground")
                page.wait_for_selector(".st-key-pg_playpause button", timeout=90000)    # the playground is drawn
                page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90000)
                cookie = next((c["value"] for c in ctx.cookies() if c["name"] == "nnlab_replica"), None)
                epoch_before = epoch_shown(page)
                page.locator(".st-key-pg_playpause button").first.click()
                time.sleep(seconds)
                epoch_after = epoch_shown(page)
                errors = page.eval_on_selector_all("[data-testid='stException']", "els => els.map(e => e.innerText)")
                page.screenshot(path=str(out / f"replica-browser-{i}.png"), full_page=True)
                results.append({"cookie": cookie, "epoch_before": epoch_before, "epoch_after": epoch_after,
                                "errors": errors, "context": ctx})
            served = collections.defaultdict(set)
            for line in (work / "access.log").read_text().splitlines():
                addr, cookie, _ = (line.split(" ", 2) + ["", ""])[:3]
                if cookie and cookie != "-":
                    served[cookie].add(addr)
            for r in results:
                r["replicas"] = sorted(served.get(r["cookie"], ()))
                r["context"].close()
        for i, r in enumerate(results):
            assert r["cookie"], f"browser {i} got no affinity cookie"
            assert len(r["replicas"]) == 1, f"browser {i} was served by {r['replicas']}: affinity broken"
            assert not r["errors"], f"browser {i} saw exceptions: {r['errors']}"
            assert r["epoch_after"] is not None and r["epoch_after"] > (r["epoch_before"] or 0), \
                f"browser {i}: training did not advance through the proxy ({r['epoch_before']} -> {r['epoch_after']})"
        used = sorted({r["replicas"][0] for r in results})
        return {"browsers": len(results), "replicas_used": used, "screenshots": str(out),
                "epochs": [(r["epoch_before"], r["epoch_after"]) for r in results]}
    finally:
        if proxy:
            proxy.terminate()
            proxy.wait(10)
        for a in apps:
            a.terminate()
            a.wait(10)


def epoch_shown(page):
    """The playground's live epoch counter, or None."""
    live = page.locator(".st-key-pg_live")
    m = re.search(r"Epoch\s*([\d,]+)", live.inner_text()) if live.count() else None
    return int(m.group(1).replace(",", "")) if m else None


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--browsers", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--out", default=str(ROOT / "artifacts" / "replicas"))
    args = ap.parse_args()
    res = run(args.browsers, args.seconds, args.out)
    if "skipped" in res:
        print("skipped:", res["skipped"])
    else:
        print(f"{res['browsers']} browsers through nginx, each kept on one replica; replicas used: "
              f"{', '.join(res['replicas_used'])}; epochs before -> after Play: {res['epochs']}; "
              f"screenshots in {res['screenshots']}")

"""Memory over a long session: 1,000 reruns of the busiest page (the playground while training live).

A real ``streamlit run`` server; one learner (the websocket client of bench/load.py) opens the playground,
presses Play and lets the live fragment rerun ``--reruns`` times (each one trains a chunk and redraws the map,
the diagram and the curves); the server's RSS is sampled every ``--every`` reruns. Then the same with
``--runner.postScriptGC false``. Prints the RSS at start and end, the growth per 100 reruns (least-squares
slope over the second half, after the warm-up) and writes the samples to artifacts/load/memory.json.

    python bench/memory.py [--reruns 1000] [--every 50]
"""
import argparse
import asyncio
import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from load import ROOT, Learner, Server, rss_mb  # noqa: E402


async def drive(learner, server, reruns, every, samples, timeout):
    """Run the learner until it has seen ``reruns`` frames, sampling the server's RSS."""
    task = asyncio.ensure_future(learner.run(timeout))
    next_sample, t0 = 0, time.perf_counter()
    while not task.done():
        n = len(learner.deliveries)
        if n >= next_sample:
            samples.append((n, rss_mb(server.proc.pid), time.perf_counter() - t0))
            next_sample += every
        if n >= reruns:
            task.cancel()
            break
        await asyncio.sleep(0.05)
    try:
        await task
    except asyncio.CancelledError:
        learner.closing = True


def slope_per_100(samples):
    half = samples[len(samples) // 2:]
    if len(half) < 3:
        return float("nan")
    xs, ys = [s[0] for s in half], [s[1] for s in half]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs) or 1
    return 100 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den


def run(reruns, every, gc):
    server = Server(gc=gc).wait()
    try:
        idle = rss_mb(server.proc.pid)
        learner, samples = Learner(server.port), []
        asyncio.run(drive(learner, server, reruns, every, samples, timeout=reruns * 2.0 + 60))
        time.sleep(1.0)
        samples.append((len(learner.deliveries), rss_mb(server.proc.pid), None))
        return {"gc": gc, "idle_rss": idle, "frames": len(learner.deliveries), "epoch": learner.epoch,
                "disconnected": learner.disconnected, "errors": learner.errors, "samples": samples,
                "start": samples[1][1] if len(samples) > 1 else None, "end": samples[-1][1],
                "peak": max(s[1] for s in samples), "slope_per_100": slope_per_100(samples[:-1])}
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reruns", type=int, default=1000)
    ap.add_argument("--every", type=int, default=50)
    ap.add_argument("--gc", choices=["on", "off", "both"], default="both")
    args = ap.parse_args()
    results = []
    print("| post-script GC | reruns | epoch reached | RSS idle MB | RSS after 1st frames | RSS end | peak | "
          "growth MB / 100 reruns (2nd half) | disconnects | errors |\n|---|---|---|---|---|---|---|---|---|---|")
    for gc in {"on": [True], "off": [False], "both": [True, False]}[args.gc]:
        r = run(args.reruns, args.every, gc)
        results.append(r)
        print(f"| {'on' if gc else 'off'} | {r['frames']} | {r['epoch']} | {r['idle_rss']:.0f} | {r['start']:.0f} | "
              f"{r['end']:.0f} | {r['peak']:.0f} | {r['slope_per_100']:+.2f} | {1 if r['disconnected'] else 0} | "
              f"{len(r['errors'])} |", flush=True)
        print("   RSS trend (reruns: MB):", ", ".join(f"{n}: {m:.0f}" for n, m, _ in r["samples"][::2]))
    out = ROOT / "artifacts" / "load" / "memory.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()

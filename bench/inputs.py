"""The cost of the worst inputs each uploader and text box ACCEPTS, and of the hostile ones it refuses (issue 16):
each case in its own fresh interpreter under a memory cap (tests/hostile_cases.py), so the peak is that of
the lab's code alone. Prints, per case: what happened, peak resident memory above the baseline, CPU time,
against the budget of one request (about 300 MB and 2 s of CPU).

    python bench/inputs.py            # every case (about a minute)
    python bench/inputs.py accepted   # only the worst accepted inputs

Figures are CPU time, so they hold on a busy machine; wall time is longer when other engineers' jobs compete.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]
import hostile_cases  # noqa: E402

BUDGET_MB, BUDGET_CPU_S = 300, 2.0


def main(only=None):
    names = [n for n in hostile_cases.cases() if not n.startswith("control") and (only is None or only in n)]
    print(f"{'outcome':<10}{'peak MB':>8}{'CPU s':>8}  {'file':>10}  case — message")
    worst = {}
    for name in names:
        r = hostile_cases.run_capped([name])[name]
        ok = r["peak_mb"] is not None and r["peak_mb"] <= BUDGET_MB and r["cpu_s"] <= BUDGET_CPU_S
        print(f"{r['outcome']:<10}{r['peak_mb'] if r['peak_mb'] is not None else '—':>8}{r['cpu_s'] if r['cpu_s'] is not None else '—':>8}"
              f"  {r.get('bytes', 0):>10,d}  {name} — {r['message'][:110]}{'' if ok else '   <-- OVER BUDGET'}")
        kind = name.split()[0]
        if r["outcome"] == "accepted" and (kind not in worst or r["peak_mb"] > worst[kind][1]):
            worst[kind] = (name, r["peak_mb"], r["cpu_s"])
    print("\nworst accepted input per uploader (budget: 300 MB, 2 s CPU):")
    for kind, (name, mb, cpu) in worst.items():
        print(f"  {kind:<5} {name}: {mb} MB, {cpu} s CPU")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)

"""The heavy hostile inputs, each run in a child process with a memory cap (see ``run_capped``): a regression
that allocates what a file declares fails the test with a MemoryError instead of exhausting the machine,
which the whole class shares.

    python tests/hostile_cases.py CASE    → one JSON line: outcome, message, peak MB above the baseline, CPU s

The baseline is taken after the input is built (the high-water mark of resident memory is reset then,
through /proc/self/clear_refs), so the figures are those of the lab's own code handling the input.
Also used by bench/inputs.py for the worst accepted inputs.
"""
import json
import os
import pathlib
import resource
import subprocess
import sys
import time
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
HEADROOM_MB = 600          # address space a case may add above what the interpreter had mapped before it


def _image(data):
    from lessons import cnn as cl
    from ui.uploads import decode_image
    prepared = cl.prepare_image(decode_image(data))
    return f"image {prepared['image'].shape}, preview {prepared['preview'].shape}, grey {prepared['grey'].shape}"


def _csv(data):
    from lessons.playground import read_points_csv
    X, y, task = read_points_csv(data)
    return f"{len(X)} points, {task}"


def _model(data):
    import lessons.playground as pg
    from nn_core.models import Sequential
    model = Sequential.load(data, max_bytes=pg.MODEL_BYTES)               # as the playground reads it
    pg.setup_from_model(model, pg.default_setup(), "binary", 2)
    return f"model with {model.num_params()} parameters"


def _text(text, update=True):
    from lessons.rnn import SeqTrainer, make_model, make_task
    task = make_task("chars", text=text, seed=0)
    if update:                                  # the costliest setting of the page: H = 128, T = 64
        trainer = SeqTrainer(task, make_model(task, 128, seed=0), optimizer="adam", lr=0.01, seq_len=64, seed=0)
        trainer.run_for(0.0, max_updates=1)
    return f"vocabulary of {task.vocab.size}"


def _playground_model(layers):
    import lessons.playground as pg
    setup = {**pg.default_setup(), "layers": layers, "acts": ["tanh"] * len(layers)}
    return pg.make_model(setup, "binary", 2).to_bytes()


def cases():
    """name → (build the input, hand it to the lab). Builders run before the baseline is taken."""
    import numpy as np

    import hostile_files as H
    from nn_core.data import MAX_POINTS
    from lessons.rnn import MAX_TEXT, MAX_VOCAB
    rng = np.random.default_rng(0)
    points = "".join(f"{-5 + 10 * a:.15f},{-5 + 10 * b:.15f},{int(a > b)}\n" for a, b in rng.random((MAX_POINTS, 2)))
    vocab = [chr(0x4E00 + i) for i in range(MAX_VOCAB)]
    return {
        # pictures
        "png 1x25M": (lambda: H.png_declaring(1, 25_000_000), _image),
        "png 1x100k line": (lambda: H.png_declaring(1, 100_000, ink_row=50_000), _image),
        "png 5000x5000 rgba": (lambda: H.png_declaring(5000, 5000, colour_type=6), _image),
        "png 100000x100000 header": (lambda: H.png_header_only(100_000, 100_000), _image),
        "png 2000x2000 header, no data": (lambda: H.png_header_only(2000, 2000), _image),
        "png 2000x2000 rgba (largest accepted)": (lambda: H.png_declaring(2000, 2000, colour_type=6, ink_row=900), _image),
        "png 1100x1100 noise (heaviest accepted under 5 MB)": (lambda: H.noisy_png(1100, 1100, "RGBA"), _image),
        "jpeg 8000x6000 (largest accepted)": (lambda: H.flat_jpeg(8000, 6000), _image),
        "jpeg 1000x1000 noise (heaviest accepted under 5 MB)": (lambda: H.noisy_png(1000, 1000, "RGB", fmt="JPEG"), _image),
        # points
        "csv labels 0 and 1e9": (lambda: H.csv_labels(0, 1e9), _csv),
        "csv labels 0 and 1e7": (lambda: H.csv_labels(0, 10_000_000), _csv),
        "csv labels 0 and 1e6": (lambda: H.csv_labels(0, 1_000_000), _csv),
        "csv labels 0 and 999": (lambda: H.csv_labels(0, 999), _csv),
        "csv label 1e300": (lambda: H.csv_labels(0, 1, "1e300"), _csv),
        "csv label -1": (lambda: H.csv_labels(0, 1, -1), _csv),
        "csv 4.9 MB of rows": (lambda: b"1,2,0\n3,4,1\n" * 400_000, _csv),
        "csv one line of 1M cells": (lambda: b"1," * 1_000_000 + b"0\n", _csv),
        "csv 2000 long rows (largest accepted)": (lambda: points.encode(), _csv),
        # texts
        "text 60000 distinct characters": (lambda: H.many_distinct_characters(60_000, 416_000), _text),
        "text 3000 distinct characters": (lambda: H.many_distinct_characters(3_000, 19_000), _text),
        "text beyond the length limit": (lambda: "ab" * MAX_TEXT, _text),
        "text at both limits (largest accepted)": (lambda: "".join(vocab[i % MAX_VOCAB] for i in range(MAX_TEXT)), _text),
        # model files
        "npz deflate bomb 200 MB": (lambda: H.zip_bomb(200), _model),
        "npz deflate bomb within the size limit": (lambda: H.zip_bomb(0.9), _model),
        "npz bzip2 member": (lambda: H.npz({"__architecture__.npy": H.arch([])}, zipfile.ZIP_BZIP2), _model),
        "npz array header declaring 80 GB": (lambda: H.npz({"__architecture__.npy": H.arch(
            [{"type": "Dense", "config": {"in_features": 100_000, "out_features": 100_000}}]),
            "p0.W.npy": H.lying_npy(), "p0.b.npy": np.zeros(3)}), _model),
        "npz Dense(8192, 8192)": (H.huge_architecture, _model),
        "npz RNN(1, 1000000)": (lambda: H.model_file([{"type": "RNN", "config": {"input_size": 1, "hidden_size": 10**6}}],
                                                     {"p0.Wx": np.zeros((1, 2)), "p0.Wh": np.zeros((2, 2)), "p0.b": np.zeros(2)}), _model),
        "npz 6x8 playground network (largest accepted)": (lambda: _playground_model([8] * 6), _model),
        "npz 1 MB of weights (read, then refused by the playground)": (
            lambda: H.model_file([{"type": "Dense", "config": {"in_features": 2, "out_features": 41_000}}],
                                 {"p0.W": np.random.default_rng(0).random((2, 41_000)),
                                  "p0.b": np.random.default_rng(1).random(41_000)}), _model),
        "npz only Tanh": (lambda: H.layerless("tanh"), _model),
        "npz only Flatten": (lambda: H.layerless("flatten"), _model),
        "npz no layers": (lambda: H.layerless("empty"), _model),
        # the cap itself: a regression that allocates what a file declares fails here, not on the machine
        "control: allocates 2 GB": (lambda: b"", lambda _: str(np.ones(250_000_000).sum())),
    }


def _status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024                        # kB → MB
    return 0


def child(names):
    sys.path[:0] = [str(HERE), str(ROOT)]
    import ui.uploads  # noqa: F401  (streamlit, Pillow and the lab imported before any baseline)
    import lessons.playground, lessons.rnn, nn_core.models  # noqa: E401,F401
    table = cases()
    for name in names:
        build, handle = table[name]
        data = build()
        resource.setrlimit(resource.RLIMIT_AS, ((_status("VmSize") + HEADROOM_MB) << 20, resource.RLIM_INFINITY))
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")                                               # reset the peak resident memory
        base = _status("VmHWM")
        t0 = time.process_time()
        try:
            outcome, message = "accepted", handle(data)
        except ValueError as e:                                        # ModelFileError is a ValueError
            outcome, message = "refused", str(e)
        except MemoryError:
            outcome, message = "MemoryError", f"asked for more than {HEADROOM_MB} MB"
        cpu = time.process_time() - t0
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        print(json.dumps({"case": name, "outcome": outcome, "message": message[:2000], "bytes": len(data),
                          "peak_mb": _status("VmHWM") - base, "cpu_s": round(cpu, 3)}), flush=True)
        del data


def run_capped(names, timeout=300):
    """Run the cases in one fresh interpreter, each under its own memory cap; returns name → JSON report
    (a case missing from the output is reported as crashed, with the child's stderr)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, str(HERE / "hostile_cases.py"), *names], capture_output=True, text=True,
                         timeout=timeout, cwd=ROOT, env=env,
                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CPU, (timeout, timeout)))
    reports = {r["case"]: r for r in map(json.loads, (x for x in out.stdout.splitlines() if x.startswith("{")))}
    for name in names:
        reports.setdefault(name, {"case": name, "outcome": f"crashed (exit {out.returncode})",
                                  "message": out.stderr[-1500:], "peak_mb": None, "cpu_s": None})
    return reports


if __name__ == "__main__":
    child(sys.argv[1:])

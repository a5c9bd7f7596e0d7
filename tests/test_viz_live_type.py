"""The type of every live image (issue 21): drawn at its normal width and at the width presenter mode draws it
(``ui.layout.picture_width``: its column at 1280×720, where it shows at its own size × 1.35), no label is smaller
than ``viz.raster.SMALLEST`` px (12 px × 1.35 reads 16 px), none runs out of its image and no two overlap.

Every text an image draws is recorded as Pillow draws it (``ImageDraw.text``: its box, its font's size); the
cached layers (a frame's titles, the diagram's labels) are emptied first so that their text is drawn here too.
That the images are shown at their own size is the browser's part (tests/test_browser_layout.py)."""
import itertools

import numpy as np
import pytest
from PIL import ImageDraw

import lessons.playground as pg
import ui.layout as layout
from lessons import surfaces as S
from ui import optimizer_views as OV
from ui import playground_view as PV
from ui import rnn_live
from viz import cnn as vc
from viz import optimizers as V
from viz import playground as vp
from viz import raster
from viz import rnn as vz



CACHED = (vp._diagram_labels, vp._curves_frame, vc._font, vz._loss_frame, vz._forecast_frame,
          vz._echo_accuracy_frame)


@pytest.fixture
def texts(monkeypatch):
    """[(text, font px, (x0, y0, x1, y1), image size, image id)] of every text drawn while the test runs."""
    drawn, original, serials = [], ImageDraw.ImageDraw.text, itertools.count()

    def text(self, xy, words, *args, **kwargs):
        if not hasattr(self, "_picture"):       # one number per drawing (ids of freed images are used again)
            self._picture = next(serials)
        font = kwargs.get("font", args[1] if len(args) > 1 else None)
        anchor = kwargs.get("anchor", args[2] if len(args) > 2 else None)
        drawn.append((words, getattr(font, "size", None), self.textbbox(xy, words, font=font, anchor=anchor),
                      self.im.size, self._picture))
        return original(self, xy, words, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    for cached in CACHED:
        cached.cache_clear()
    yield drawn
    for cached in CACHED:
        cached.cache_clear()


def problems(drawn, by="size"):
    """The labels too small, out of their image, or overlapping another of the same image: of the same size
    (``by="size"``: a cached layer of titles and the frame drawn on a copy of it are one picture), or the same
    image (``by="image"``: pictures of one size side by side)."""
    out = [f"{t!r} at {px} px" for t, px, *_ in drawn if px is not None and px < raster.SMALLEST]
    for t, _, (x0, y0, x1, y1), (w, h), _ in drawn:
        if t.strip() and (x0 < -1 or y0 < -1 or x1 > w + 1 or y1 > h + 1):
            out.append(f"{t!r} runs out of its {w}×{h} image: {(x0, y0, x1, y1)}")
    boxes = [(t, b, size if by == "size" else image) for t, _, b, size, image in drawn if t.strip()]
    for i, (a, p, sa) in enumerate(boxes):
        for b, q, sb in boxes[i + 1:]:
            w = min(p[2], q[2]) - max(p[0], q[0])
            h = min(p[3], q[3]) - max(p[1], q[1])
            if sa == sb and w > 1 and h > 1:
                out.append(f"{a!r} overlaps {b!r}")
    return out


def check(drawn, by="size"):
    """Assert no problem in what was drawn since the last check, and forget it."""
    found = problems(drawn, by)
    drawn.clear()
    assert not found


def widths(widest, *path, normal_path=None):
    """The widths a live image is drawn at: its widest (the function's default), and as ui.layout.picture_width draws
    it at 1280×720 in normal and in presenter mode (``normal_path``: its columns in normal mode, if not ``path``)."""
    found = [widest]
    for present, columns in ((False, normal_path or path), (True, path)):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(layout, "presenting", lambda: present)
            found.append(layout.picture_width(widest, *columns))
    return sorted(set(found), reverse=True)


RACE, RACE_NORMAL = (OV.RACE_VIEW[True], 1, "medium"), (OV.RACE_VIEW[False], 1, "medium")
RNN_HISTORY = {"batch_step": list(range(1, 301)), "batch_loss": list(np.geomspace(4.2, 0.9, 300)),
               "eval_step": list(range(0, 301, 25)), "val_loss": list(np.geomspace(4.3, 1.1, 13)),
               "val_acc": list(np.linspace(0.05, 0.62, 13))}


def race_cases():
    for key in S.SURFACES:
        surface = S.make_surface(key)
        trajs = S.race(surface, surface.start, {"sgd": 0.01, "momentum": 0.01, "rmsprop": 0.01, "adam": 0.05}, 150)
        yield key, surface, trajs


@pytest.mark.parametrize("width", widths(560, (2, 0)))
@pytest.mark.parametrize("ref", [(None, ""), (np.log(40), "uniform guess: ln(vocabulary size)"),
                                 (np.log(8), "guessing: ln(K)")])
def test_rnn_loss(texts, width, ref):
    vz.loss_image(RNN_HISTORY, *ref, width=width)
    check(texts)


@pytest.mark.parametrize("width", widths(560, (2, 1)))
def test_rnn_forecast_and_echo_accuracy(texts, width):
    t = np.linspace(0, 12, 64)
    vz.forecast_image(np.sin(t), np.sin(t) * 0.9, np.cos(t), 16, width=width)
    check(texts)
    results = {k: 1.0 / (1 + k / 8) for k in rnn_live.SWEEP_KS}
    vz.echo_accuracy_image(results, 0.125, (24, 0.13), width=width)
    check(texts)


@pytest.mark.parametrize("width", widths(1100))
def test_rnn_sequences(texts, width):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 8, 32)
    vz.echo_sequence_image(x, np.roll(x, 3), rng.integers(0, 8, 32), 3, width=width)
    check(texts)
    chars = list("\n !',.:;?abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    probs = rng.dirichlet(np.full(len(chars), 0.3), 40)
    text = "".join(chars[i] for i in probs.argmax(1))
    vz.char_probs_image("The quick brown fox jumps", text, probs, chars, top=vz.CHAR_ROWS, width=width)
    check(texts)


@pytest.mark.parametrize("width", widths(OV.RACE_W, RACE, (OV.RACE_SPLIT, 0), normal_path=(RACE_NORMAL, (OV.RACE_SPLIT, 0))))
@pytest.mark.parametrize("key, surface, trajs", list(race_cases()), ids=list(S.SURFACES))
def test_race(texts, width, key, surface, trajs):
    V.race_image(surface, V.surface_rgb(surface, width=width), trajs, 150, surface.start)
    check(texts)


@pytest.mark.parametrize("width", widths(OV.LOSS_W, RACE, (OV.RACE_SPLIT, 1), normal_path=(RACE_NORMAL, (OV.RACE_SPLIT, 1))))
@pytest.mark.parametrize("key, surface, trajs", list(race_cases()), ids=list(S.SURFACES))
def test_loss_per_step(texts, width, key, surface, trajs):
    V.loss_steps_image(trajs, 150, surface.floor(), width=width)
    check(texts)


@pytest.mark.parametrize("width", widths(900))
def test_sweep(texts, width):
    lrs = list(np.geomspace(1e-3, 10, 13))
    losses = [0.69 / (1 + lr) if lr < 3 else float("nan") for lr in lrs]    # NaN: diverged (lessons.sweeps)
    V.sweep_image(lrs, losses, width=width)
    check(texts)


GRID_CASES = [([1, 2, 3], [2, 4, 8, 16], "hidden layers", "neurons per layer"),
              ([4, 16, 64, 150], [0.003, 0.03, 0.3], "batch size", "learning rate")]


@pytest.mark.parametrize("width", widths(520, (2, 0)))
@pytest.mark.parametrize("rows, cols, row_label, col_label", GRID_CASES)
def test_grid(texts, width, rows, cols, row_label, col_label):
    acc = np.linspace(0.33, 0.99, len(rows) * len(cols)).reshape(len(rows), len(cols))
    V.grid_heatmap_image(rows, cols, acc, row_label, col_label, 1 / 3, width=width)
    check(texts)
    results = [{"history": {"epoch": list(range(1, 41)), "train_loss": list(np.geomspace(1.1, 0.05, 40)),
                            "test_loss": list(np.geomspace(1.2, 0.1, 40))}} for _ in range(len(rows) * len(cols))]
    V.grid_curves_image(rows, cols, results, row_label, col_label, width=width)
    check(texts)


def test_cnn_history(texts):
    h = {"epoch": list(range(1, 31)), "train_loss": list(np.geomspace(2.3, 0.05, 30)),
         "test_loss": list(np.geomspace(2.3, 0.12, 30)), "train_acc": list(np.linspace(0.1, 0.99, 30)),
         "test_acc": list(np.linspace(0.1, 0.97, 30))}
    for width in (900, 882):
        vc.history_image(h, 30, width=width)
        check(texts)


PLAYGROUND_HISTORY = {"epoch": list(range(1, 1001)), "train_loss": list(np.geomspace(0.7, 0.006, 1000)),
                      "test_loss": list(np.geomspace(0.71, 0.15, 1000)), "train_acc": list(np.linspace(0.5, 1, 1000)),
                      "test_acc": list(np.linspace(0.5, 0.97, 1000))}


@pytest.mark.parametrize("classifier", [True, False])
def test_playground_curves_and_sparkline(texts, classifier):
    for width in widths(900, *[(PV.CURVES_COLS, 0)] * classifier):
        vp.curves_image(PLAYGROUND_HISTORY, classifier, width=width, marks=(400,))
        check(texts)
    for width in widths(PV.SPARK_W, (PV.MAIN_COLS, 2)):
        vp.loss_sparkline(PLAYGROUND_HISTORY, width, PV.SPARK_H)
        check(texts)


@pytest.mark.parametrize("layers", [[4, 2], [pg.MAX_NEURONS] * pg.MAX_LAYERS])
def test_playground_diagram(texts, monkeypatch, layers):
    setup = {**pg.default_setup(), "layers": layers, "acts": ["tanh"] * len(layers),
             "features": list(pg.default_setup()["features"])}
    data = pg.make_data(setup)
    model = pg.make_trainer(setup, data).model
    outs = pg.neuron_outputs(model, setup, pg.plane_grid(40)[2])
    labels = [PV.feature_label(f) for f in setup["features"]]
    vp.network_diagram(pg.dense_layers(model), labels, outs, 40, hover=False)       # its default size
    check(texts)
    for present in (False, True):
        monkeypatch.setattr(layout, "presenting", lambda: present)
        vp.network_diagram(pg.dense_layers(model), labels, outs, 40, hover=False, **PV.diagram_size())
        check(texts)


SLIDE_IMAGE = np.random.default_rng(0).random((8, 8)).round(2)     # an 8×8 picture in [0, 1], as the lesson's


@pytest.mark.parametrize("k, padding", [(3, 0), (3, 1), (3, 2), (5, 0), (5, 2)])
def test_kernel_slide_and_pooling_in_presenter_mode(texts, monkeypatch, k, padding):
    """The slide's input (numbers in the window), its output, the window × kernel equation and the pooling's three
    maps, at presenter mode's cell sizes: every number at least SMALLEST px, each picture no wider than its
    column at 1280×720 (so shown at its own size)."""
    from lessons import cnn as cl
    from ui import cnn_slide
    monkeypatch.setattr(layout, "presenting", lambda: True)
    K = np.random.default_rng(1).normal(size=(k, k)).round(2)
    rec = cl.slide(SLIDE_IMAGE, K, 1, padding)
    n_out = rec["output"].shape[0]
    in_cell, out_cell = cnn_slide.slide_cells(rec["padded"].shape[0], n_out)
    half, whole = layout.column_width((2, 0)), layout.column_width()
    window = np.zeros_like(rec["padded"], bool)
    window[:k, :k] = True
    relu = cl.relu(rec["output"])
    pooled = cl.pool(relu, "max")
    cell = cnn_slide.pool_cell(n_out)
    marks = [tuple(w) for w in pooled["winners"].reshape(-1, 2)]
    pictures = [
        (lambda: vc.grid_rgb(rec["padded"], 1.0, in_cell, numbers=window, highlight=[(0, 0, k, k)], padding=padding), half),
        (lambda: vc.grid_rgb(rec["output"], vc.symmetric_range(rec["output"]), out_cell), half),
        (lambda: vc.window_equation_rgb(rec["windows"][0, 0], K, rec["products"][0, 0], 1.0, vc.symmetric_range(K),
                                        cell=cnn_slide.EQUATION_CELL), whole),
        (lambda: vc.grid_rgb(relu, 1.0, cell, block=2, marks=marks), half),
        (lambda: vc.grid_rgb(pooled["output"], 1.0, 2 * cell), half),
        (lambda: vc.grid_rgb(pooled["grad"], 1.0, cell), half)]
    for draw, column in pictures:
        rgb = draw()
        assert rgb.shape[1] <= column, f"a {rgb.shape[1]} px picture in a {column} px column is shrunk"
        check(texts, by="image")            # the equation's three grids are images of one size, side by side

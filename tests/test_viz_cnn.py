"""viz.cnn: the grids are coloured with the lab's palette on the range they are given, with the window,
marks, padding and hatching where asked; the Plotly figures carry the engine's numbers."""
import io

import numpy as np
import pytest
from PIL import Image

from viz import cnn as vc
from viz.palette import BLUE, CLASS_COLORS, GREY, ORANGE, diverging_rgb

CELL = 40


def centre(rgb, r, c, cell=CELL):
    return tuple(int(v) for v in rgb[r * cell + cell // 5, c * cell + cell // 5])   # off the number in the middle


def hex_rgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def test_grid_colours_follow_the_fixed_range_not_the_data():
    v = np.array([[-2.0, 0.0], [1.0, 2.0]])
    rgb = vc.grid_rgb(v, 2.0, CELL, numbers=False)
    assert rgb.shape == (2 * CELL + 1, 2 * CELL + 1, 3)
    assert centre(rgb, 0, 0) == hex_rgb(ORANGE) and centre(rgb, 1, 1) == hex_rgb(BLUE)
    assert centre(rgb, 0, 1) == hex_rgb(GREY)
    assert centre(rgb, 1, 0) == tuple(diverging_rgb(0.5, 1.0))       # 1 on a ±2 range: halfway to blue
    rgb4 = vc.grid_rgb(v, 4.0, CELL, numbers=False)                   # a wider range: paler, never rescaled
    assert centre(rgb4, 1, 1) == tuple(diverging_rgb(0.5, 1.0))


def test_nan_cells_are_blank_and_padding_is_pale():
    v = np.array([[0.5, np.nan], [0.0, 0.0]])
    rgb = vc.grid_rgb(v, 1.0, CELL, numbers=False)
    assert centre(rgb, 0, 1) == (255, 255, 255)
    pad = vc.grid_rgb(np.zeros((3, 3)), 1.0, CELL, numbers=False, padding=1)
    assert centre(pad, 0, 0) == vc.PAD_FILL and centre(pad, 1, 1) == hex_rgb(GREY)


def test_highlight_marks_and_hatch_draw_dark_pixels_where_asked():
    v = np.zeros((4, 4))
    plain = vc.grid_rgb(v, 1.0, CELL, numbers=False)
    boxed = vc.grid_rgb(v, 1.0, CELL, numbers=False, highlight=[(1, 1, 2, 2)])
    changed = np.any(plain != boxed, axis=-1)
    rows, cols = np.nonzero(changed)
    assert rows.min() >= CELL - 3 and rows.max() <= 3 * CELL + 3 and cols.min() >= CELL - 3
    assert not changed[2 * CELL, 2 * CELL]                            # inside the box: untouched
    marked = vc.grid_rgb(v, 1.0, CELL, numbers=False, marks=[(3, 0)])
    rows, cols = np.nonzero(np.any(plain != marked, axis=-1))
    assert rows.min() >= 3 * CELL and cols.max() <= CELL
    hatch = np.zeros((4, 4), bool)
    hatch[:, 3] = True
    hatched = vc.grid_rgb(v, 1.0, CELL, numbers=False, hatch=hatch)
    cols = np.nonzero(np.any(plain != hatched, axis=-1))[1]
    assert cols.min() >= 3 * CELL - 1


def test_a_marks_ring_stays_clear_of_the_number_it_marks():
    # A pooling winner is marked on a grid of numbers; the ring and the digits must not touch, or "1.50" reads
    # as "L.50" (the old circle crossed the widest numbers).
    v = np.array([[-8.88, 0.5], [1.5, 2.19]])
    bare = vc.grid_rgb(v, 10.0, 48, numbers=False)
    ring = np.any(vc.grid_rgb(v, 10.0, 48, numbers=False, marks=[(0, 0)]) != bare, axis=-1)
    digits = np.any(vc.grid_rgb(v, 10.0, 48, marks=[(0, 0)]) != vc.grid_rgb(v, 10.0, 48, numbers=False,
                                                                            marks=[(0, 0)]), axis=-1)
    assert ring[:48, :48].sum() > 100 and digits[:48, :48].sum() > 50      # both are drawn in the cell
    grown = ring.copy()                                                     # one pixel of air between them
    grown[1:] |= ring[:-1]; grown[:-1] |= ring[1:]; grown[:, 1:] |= ring[:, :-1]; grown[:, :-1] |= ring[:, 1:]
    assert not np.any(grown & digits)


def test_numbers_are_written_only_in_the_masked_cells():
    v = np.full((2, 2), 0.25)
    blank = vc.grid_rgb(v, 1.0, CELL, numbers=False)
    mask = np.array([[True, False], [False, False]])
    some = vc.grid_rgb(v, 1.0, CELL, numbers=mask)
    diff = np.any(blank != some, axis=-1)
    assert diff[:CELL, :CELL].any() and not diff[CELL + 1:, :].any() and not diff[:, CELL + 1:].any()


def test_fmt_uses_a_real_minus_and_no_negative_zero():
    assert vc.fmt(-0.001) == "0.00" and vc.fmt(-1.5) == "−1.50" and vc.fmt(2, 0) == "2"


def test_window_equation_and_montage_shapes():
    eq = vc.window_equation_rgb(np.zeros((3, 3)), np.ones((3, 3)), np.zeros((3, 3)), 1.0, 1.0, cell=CELL)
    assert eq.shape[0] == 3 * CELL + 1 and eq.shape[1] > 3 * (3 * CELL + 1)
    m = vc.montage_rgb(np.ones((5, 3, 3)), 1.0, cell=10, ncols=2, gap=4)
    assert m.shape == (3 * 31 + 2 * 4, 2 * 31 + 4, 3)
    assert tuple(m[5, 5]) == hex_rgb(BLUE) and tuple(m[-5, -5]) == (255, 255, 255)   # 6th tile is empty


def test_png_round_trip_and_grey_png():
    rgb = vc.grid_rgb(np.eye(2), 1.0, 8, numbers=False)
    back = np.asarray(Image.open(io.BytesIO(vc.png(rgb))))
    np.testing.assert_array_equal(back, rgb)
    g = np.asarray(Image.open(io.BytesIO(vc.grey_png(np.array([[0.0, 1.0]]), 4))))
    assert g.shape == (4, 8, 3) and tuple(g[0, 0]) == hex_rgb(GREY) and tuple(g[0, 7]) == hex_rgb(BLUE)


def test_symmetric_range():
    assert vc.symmetric_range(np.array([-3.0, 1.0]), np.array([2.0])) == 3.0
    assert vc.symmetric_range(np.zeros(3)) > 0


def test_history_figure_carries_the_history():
    hist = {"epoch": [1, 2], "train_loss": [0.9, 0.5], "test_loss": [1.0, 0.6], "train_acc": [0.7, 0.8],
            "test_acc": [0.6, 0.75]}
    fig = vc.history_figure(hist, 10)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["test loss"].y) == [1.0, 0.6] and list(by_name["training accuracy"].y) == [0.7, 0.8]
    assert by_name["test accuracy"].line.dash == "dash"
    assert fig.layout.xaxis.range[1] >= 10


def test_probability_figure():
    fig = vc.probability_figure(np.array([0.1, 0.7, 0.2]), ["a", "b", "c"], true=2)
    bar = fig.data[0]
    assert list(bar.y) == [0.1, 0.7, 0.2] and list(bar.x) == ["a", "b", "c ✓"]
    assert bar.marker.color[1] == BLUE and bar.marker.color[0] != BLUE
    assert list(bar.text) == ["10%", "70%", "20%"]


def test_confusion_figure_signs_and_text():
    cm = np.array([[5, 1], [0, 3]])
    fig = vc.confusion_figure(cm, ["x", "y"])
    hm = fig.data[0]
    np.testing.assert_array_equal(np.array(hm.z), [[5, -1], [0, 3]])    # mistakes negative → orange
    assert hm.zmin == -5 and hm.zmax == 5
    assert np.array(hm.text).tolist() == [["5", "1"], ["", "3"]]
    assert "true x, answered y: 1 image(s)" in np.array(hm.hovertext).ravel().tolist()


def test_class_colours_are_the_palette():
    assert CLASS_COLORS[0] == ORANGE and CLASS_COLORS[1] == BLUE


@pytest.mark.parametrize("cell", [30, 60])
def test_text_fits_its_cell(cell):
    rgb = vc.grid_rgb(np.array([[-0.4444, 12.5]]), 20.0, cell, decimals=2)
    fill = tuple(diverging_rgb(-0.4444, 20.0))
    inner = rgb[2:cell - 1, 2:cell - 1]
    assert (np.abs(inner.astype(int) - fill).sum(-1) > 60).any()                       # a number was drawn
    for edge in (rgb[2:cell - 1, 1:3], rgb[2:cell - 1, cell - 2:cell]):                 # ...but not over the edges
        assert (edge == fill).all()

"""Data sets: digits, shapes, upload helpers, sine windows, echo, characters."""
import numpy as np
import pytest

from nn_core.images import SHAPE_CLASSES, load_digits, make_shapes, resize_image, to_grey_unit
from nn_core.sequences import CharVocab, char_batches, echo_task, load_text, sine_windows


# --- digits -------------------------------------------------------------------------------------
def test_load_digits_shapes_values_and_first_image(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                                     # assets are found from any directory
    X, y = load_digits()
    assert X.shape == (1797, 8, 8) and X.dtype == np.float64
    assert y.shape == (1797,) and np.issubdtype(y.dtype, np.integer)
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(y.tolist()) == set(range(10))
    # The first row of the UCI file: a zero whose top row of pixel counts is 0 0 5 13 9 1 0 0.
    assert y[0] == 0
    np.testing.assert_array_equal(X[0, 0] * 16, [0, 0, 5, 13, 9, 1, 0, 0])
    assert np.all((X * 16) == np.round(X * 16))                     # counts 0..16 exactly
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_load_digits_returns_fresh_arrays():
    X, _ = load_digits()
    X[...] = 0
    assert load_digits()[0].max() == 1.0


# --- shapes -------------------------------------------------------------------------------------
def test_make_shapes_shapes_range_balance():
    X, y = make_shapes(101, size=8, seed=0)
    assert SHAPE_CLASSES == ["line", "cross", "square", "circle"]
    assert X.shape == (101, 8, 8) and y.shape == (101,)
    assert X.min() >= 0.0 and X.max() <= 1.0
    counts = np.bincount(y, minlength=4)
    assert counts.sum() == 101 and counts.max() - counts.min() <= 1
    assert np.all(X.reshape(101, -1).max(axis=1) > 0.5)            # every image has a drawn stroke
    assert make_shapes(12, size=16, seed=0)[0].shape == (12, 16, 16)


def test_make_shapes_deterministic_and_varied():
    X1, y1 = make_shapes(40, seed=3)
    X2, y2 = make_shapes(40, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make_shapes(40, seed=4)
    assert not np.array_equal(X1, X3)
    for c in range(4):                                              # position/size/rotation vary within a class
        imgs = X1[y1 == c]
        assert len(imgs) >= 2 and np.abs(imgs[0] - imgs[1]).max() > 0.1


def test_make_shapes_noise():
    clean, y = make_shapes(20, seed=1)
    noisy, y2 = make_shapes(20, noise=0.2, seed=1)
    np.testing.assert_array_equal(y, y2)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    assert np.abs(noisy - clean).mean() > 0.02


def test_shape_classes_are_separable_by_nearest_centroid():
    X, y = make_shapes(800, size=8, seed=0)
    Xt, yt = make_shapes(200, size=8, seed=1)
    centroids = np.stack([X[y == c].mean(axis=0).ravel() for c in range(4)])
    pred = ((Xt.reshape(200, 1, -1) - centroids) ** 2).sum(axis=2).argmin(axis=1)
    assert np.mean(pred == yt) > 0.4                                # chance is 0.25


# --- upload helpers -----------------------------------------------------------------------------
def test_resize_image_shrink_is_block_mean_and_keeps_constants():
    img = np.random.default_rng(0).uniform(size=(8, 12))
    np.testing.assert_allclose(resize_image(img, (4, 3)), img.reshape(4, 2, 3, 4).mean(axis=(1, 3)), rtol=1e-12)
    np.testing.assert_allclose(resize_image(np.full((10, 7), 0.3), 8), np.full((8, 8), 0.3), rtol=1e-12)
    odd = np.random.default_rng(1).uniform(size=(10, 10))
    assert resize_image(odd, 3).mean() == pytest.approx(odd.mean(), rel=1e-12)   # area keeps total ink
    big = resize_image(np.array([[0.0, 1.0], [1.0, 0.0]]), 5)
    assert big.shape == (5, 5) and big.min() >= 0.0 and big.max() <= 1.0
    with pytest.raises(ValueError):
        resize_image(np.zeros((2, 2, 3)), 4)


def test_to_grey_unit():
    np.testing.assert_allclose(to_grey_unit(np.array([[0, 255]], dtype=np.uint8)), [[0.0, 1.0]])
    rgb = np.zeros((1, 2, 3), dtype=np.uint8)
    rgb[0, 0] = [255, 0, 0]
    rgb[0, 1] = [255, 255, 255]
    np.testing.assert_allclose(to_grey_unit(rgb), [[0.299, 1.0]])
    rgba = np.zeros((1, 2, 4), dtype=np.uint8)
    rgba[0, 1, 3] = 255                                              # opaque black, transparent black
    np.testing.assert_allclose(to_grey_unit(rgba), [[1.0, 0.0]])
    np.testing.assert_allclose(to_grey_unit(np.full((2, 2, 1), 0.5)), np.full((2, 2), 0.5))
    with pytest.raises(ValueError):
        to_grey_unit(np.zeros((2, 2, 5)))


# --- sequences ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sine", "sum"])
def test_sine_windows(kind):
    X, Y = sine_windows(6, 20, kind=kind, seed=2)
    assert X.shape == (6, 20, 1) and Y.shape == (6, 20, 1)
    np.testing.assert_array_equal(Y[:, :-1], X[:, 1:])              # Y[t] is the value after X[t]
    assert np.abs(X).max() <= 1.0 and X.std() > 0.1
    np.testing.assert_array_equal(sine_windows(6, 20, kind=kind, seed=2)[0], X)
    assert not np.array_equal(sine_windows(6, 20, kind=kind, seed=3)[0], X)
    if kind == "sine":                                              # a pure sine obeys s_{t+1} + s_{t-1} = 2 cos(ω) s_t
        s = np.concatenate([X[:, :, 0], Y[:, -1:, 0]], axis=1)
        outer, mid = s[:, 2:] + s[:, :-2], s[:, 1:-1]
        c = (outer * mid).sum(axis=1, keepdims=True) / (mid * mid).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(outer, c * mid, atol=1e-12)
        assert np.ptp(c) > 0.01                                     # frequencies differ between windows
    with pytest.raises(ValueError):
        sine_windows(2, 5, kind="square")


@pytest.mark.parametrize("k", [0, 1, 3, 8])
def test_echo_task_targets(k):
    T, n_symbols = 8, 5
    X, y = echo_task(10, T, k, n_symbols=n_symbols, seed=1)
    assert X.shape == (10, T, n_symbols) and y.shape == (10, T)
    np.testing.assert_array_equal(X.sum(axis=2), 1.0)               # one-hot
    symbols = X.argmax(axis=2)
    for n in range(10):
        for t in range(T):
            assert y[n, t] == (symbols[n, t - k] if t >= k else 0)
    X2, y2 = echo_task(10, T, k, n_symbols=n_symbols, seed=1)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_text_and_vocab_round_trip():
    text = load_text()
    assert 2000 <= len(text.encode("utf-8")) <= 4096
    assert "Shall I compare thee to a summer's day?" in text
    vocab = CharVocab(text)
    assert vocab.chars == sorted(set(text)) and vocab.size == len(set(text))
    ids = vocab.encode(text)
    assert ids.min() >= 0 and ids.max() < vocab.size
    assert vocab.decode(ids) == text
    oh = vocab.one_hot(ids[:7].reshape(1, 7))
    assert oh.shape == (1, 7, vocab.size)
    np.testing.assert_array_equal(oh.argmax(axis=-1)[0], ids[:7])
    np.testing.assert_array_equal(oh.sum(axis=-1), 1.0)
    with pytest.raises(ValueError):
        vocab.encode("€")


def test_char_batches_are_windows_with_next_characters():
    text = load_text()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    X, Y = char_batches(ids, 16, 25, np.random.default_rng(0))
    assert X.shape == (16, 25) and Y.shape == (16, 25)
    np.testing.assert_array_equal(X[:, 1:], Y[:, :-1])
    for row_x, row_y in zip(X, Y):
        assert vocab.decode(row_x) + vocab.decode(row_y[-1:]) in text   # a real window, then its next char
    X2, Y2 = char_batches(ids, 16, 25, np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    with pytest.raises(ValueError):
        char_batches(ids[:10], 2, 10, np.random.default_rng(0))

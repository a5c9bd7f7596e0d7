"""The 2-D data sets, features, split, grid, and the checks on a learner's own CSV points."""
import numpy as np
import pytest

from nn_core.data import (DATASETS_2D, FEATURE_LATEX, FEATURES, MAX_POINTS, dataset_info, feature_matrix, grid,
                          make_2d, parse_points_csv, train_test_split, validate_points)

NAMES = list(DATASETS_2D)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_and_different_seed_different_data(name):
    X1, y1 = make_2d(name, n=200, noise=0.2, seed=3)
    X2, y2 = make_2d(name, n=200, noise=0.2, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make_2d(name, n=200, noise=0.2, seed=4)
    assert not np.array_equal(X1, X3)


def test_global_random_state_is_neither_used_nor_touched():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    a = make_2d("gauss", n=50, seed=1)[0]
    np.random.seed(123)
    b = make_2d("gauss", n=50, seed=1)[0]
    np.testing.assert_array_equal(a, b)
    np.random.seed(0)
    make_2d("gauss", n=50, seed=1)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [1, 7, 501])
def test_shapes_and_dtypes(name, n):
    X, y = make_2d(name, n=n, noise=0.1, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,)
    if DATASETS_2D[name]["task"] == "regression":
        assert y.dtype.kind == "f"
    else:
        assert y.dtype.kind == "i"


@pytest.mark.parametrize("name", NAMES)
def test_label_sets_and_domain(name):
    info = DATASETS_2D[name]
    assert info["task"] in ("binary", "multiclass", "regression") and info["label"]
    X, y = make_2d(name, n=400, noise=0.0, seed=0)
    assert np.abs(X).max() <= 7.5          # "about" [−6, 6]²: Gaussian tails may poke out a little
    if info["task"] == "regression":
        assert info["classes"] == 0
        assert -1.3 <= y.min() and y.max() <= 1.3 and np.ptp(y) > 0.5
    else:
        assert set(np.unique(y)) == set(range(info["classes"]))
        counts = np.bincount(y)
        assert counts.max() - counts.min() <= 200 * 0.5   # no class starved (circle/xor need not be equal)


def test_spiral_arms_make_classes():
    for arms in (2, 3, 5):
        X, y = make_2d("spiral", n=300, seed=0, arms=arms)
        assert set(np.unique(y)) == set(range(arms))
        assert np.bincount(y).tolist() == [300 // arms + (i < 300 % arms) for i in range(arms)]
    assert dataset_info("spiral", arms=3) == {"task": "multiclass", "classes": 3, "label": "Spiral"}
    assert dataset_info("spiral")["task"] == "binary"
    with pytest.raises(ValueError, match="at least 2"):
        make_2d("spiral", arms=1)


def test_playground_labelling_rules_without_noise():
    X, y = make_2d("circle", n=300, seed=1)
    np.testing.assert_array_equal(y, (np.hypot(X[:, 0], X[:, 1]) < 2.5).astype(int))
    X, y = make_2d("xor", n=300, seed=1)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))
    assert np.abs(X).min() >= 0.3          # the gap along the axes
    X, y = make_2d("plane", n=300, seed=1)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10)
    X, y = make_2d("gauss", n=300, seed=1)
    assert (X[y == 1].mean(axis=0) > 1).all() and (X[y == 0].mean(axis=0) < -1).all()


def test_points_come_shuffled():
    _, y = make_2d("gauss", n=200, seed=0)
    assert 0 < y[:100].sum() < 100


def test_noise_moves_labels_or_points():
    X0, y0 = make_2d("circle", n=500, noise=0.0, seed=0)
    X5, y5 = make_2d("circle", n=500, noise=0.5, seed=0)
    inside = np.hypot(X5[:, 0], X5[:, 1]) < 2.5
    assert (y5 != inside).sum() > 20       # noise blurs the border: some labels disagree with the radius
    Xa, _ = make_2d("gauss", n=2000, noise=0.0, seed=0)
    Xb, _ = make_2d("gauss", n=2000, noise=0.5, seed=0)
    assert Xb.std() > Xa.std() * 1.2


@pytest.mark.parametrize("noise", [-0.01, 0.51, 1.0, 50])
def test_noise_out_of_range_is_refused(noise):
    with pytest.raises(ValueError, match="noise must be between 0 and 0.5"):
        make_2d("circle", noise=noise)


def test_noise_edges_and_unknown_name():
    make_2d("circle", noise=0.0)
    make_2d("circle", noise=0.5)
    with pytest.raises(ValueError, match="unknown data set 'donut'"):
        make_2d("donut")


def test_features_against_hand_computed_values():
    assert list(FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    assert set(FEATURE_LATEX) == set(FEATURES)
    X = np.array([[1.5, -2.0], [0.0, 3.0], [-4.0, 0.5]])
    expected = np.array([[1.5, -2.0, 2.25, 4.0, -3.0, np.sin(1.5), np.sin(-2.0)],
                         [0.0, 3.0, 0.0, 9.0, 0.0, 0.0, np.sin(3.0)],
                         [-4.0, 0.5, 16.0, 0.25, -2.0, np.sin(-4.0), np.sin(0.5)]])
    np.testing.assert_allclose(feature_matrix(X, list(FEATURES)), expected)
    np.testing.assert_allclose(feature_matrix(X, ["x1*x2", "x1"]), expected[:, [4, 0]])
    with pytest.raises(ValueError, match="unknown feature"):
        feature_matrix(X, ["x3"])
    with pytest.raises(ValueError, match="at least one"):
        feature_matrix(X, [])


def test_split_sizes_disjoint_and_paired():
    X = np.column_stack([np.arange(101.0), -np.arange(101.0)])
    y = np.arange(101)
    Xtr, ytr, Xte, yte = train_test_split(X, y, train_frac=0.7, seed=5)
    assert len(Xtr) == len(ytr) == 71 and len(Xte) == len(yte) == 30
    assert set(ytr).isdisjoint(yte) and set(ytr) | set(yte) == set(range(101))
    np.testing.assert_array_equal(Xtr[:, 0], ytr)      # rows stay with their labels
    np.testing.assert_array_equal(Xte[:, 0], yte)
    again = train_test_split(X, y, train_frac=0.7, seed=5)
    np.testing.assert_array_equal(again[1], ytr)
    assert not np.array_equal(train_test_split(X, y, 0.7, seed=6)[1], ytr)
    _, ytr2, _, yte2 = train_test_split(X[:3], y[:3], train_frac=0.01)
    assert len(ytr2) == 1 and len(yte2) == 2
    with pytest.raises(ValueError):
        train_test_split(X, y, train_frac=1.0)


def test_grid_layout():
    xs, ys, XY = grid(n=5, lim=2.0)
    np.testing.assert_allclose(xs, [-2, -1, 0, 1, 2])
    assert XY.shape == (25, 2)
    G = XY.reshape(5, 5, 2)
    assert tuple(G[1, 3]) == (xs[3], ys[1])
    assert grid()[2].shape == (10000, 2) and grid()[0][-1] == 6.0


# --- a learner's own points -------------------------------------------------------------------------
def test_csv_with_and_without_header():
    X, y = parse_points_csv("x1,x2,label\n1,2,0\n-3.5,4e-1,1\n", "binary")
    np.testing.assert_array_equal(X, [[1, 2], [-3.5, 0.4]])
    np.testing.assert_array_equal(y, [0, 1])
    assert y.dtype.kind == "i"
    X2, y2 = parse_points_csv("1,2,0\n\n-3.5,0.4,1", "binary")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    X3, y3 = parse_points_csv(b"\xef\xbb\xbfx1;x2;label\r\n1;2;0\r\n-3.5;0.4;1\r\n", "binary")
    np.testing.assert_array_equal(X3, X)


def test_csv_multiclass_and_regression():
    _, y = parse_points_csv("0,0,0\n1,1,2\n2,2,1\n", "multiclass")
    np.testing.assert_array_equal(y, [0, 2, 1])
    _, y = parse_points_csv("x1,x2,y\n0,0,0.25\n1,1,-1.5\n", "regression")
    np.testing.assert_array_equal(y, [0.25, -1.5])
    assert y.dtype.kind == "f"


@pytest.mark.parametrize("text, task, message", [
    ("", "binary", "The file is empty"),
    ("x1,x2,label\n", "binary", "header but no data rows"),
    ("x1,x2,label\n1,2,0\n3,4\n", "binary", r"Line 3 has 2 columns; each row needs exactly 3"),
    ("1,2,0,7\n", "binary", r"Line 1 has 4 columns"),
    ("x1,x2,label\n1,2,0\n3,abc,1\n", "binary", r"Line 3, column 2 is not a number"),
    ("1,2,0\n3,,1\n", "binary", r"Line 2, column 2 is empty"),
    ("x1,x2,label\n1,2,0\n3,nan,1\n", "binary", r"Row 3 has a missing, NaN or infinite value"),
    ("1,2,0\n3,4,0.5\n", "binary", r"Row 2 has the label 0.5; class labels must be whole numbers"),
    ("1,2,0\n3,4,-1\n", "binary", r"Row 2 has the label -1"),
    ("1,2,0\n3,4,2\n", "binary", r"Labels for two classes must be 0 and 1; this data has 0, 2"),
    ("1,2,0\n3,4,2\n", "multiclass", r"none skipped; no point has the label 1"),
    ("1,2,1\n3,4,1\n", "binary", r"at least two classes"),
    (b"\xff\xfe\x00", "binary", "not text"),
])
def test_csv_bad_inputs_have_plain_messages(text, task, message):
    with pytest.raises(ValueError, match=message):
        parse_points_csv(text, task)


def test_csv_too_many_rows():
    text = "\n".join(f"{i % 5},{i % 7},{i % 2}" for i in range(MAX_POINTS + 1))
    with pytest.raises(ValueError, match=f"{MAX_POINTS + 1} rows; the limit is {MAX_POINTS}"):
        parse_points_csv(text, "binary")
    parse_points_csv("\n".join(text.splitlines()[:MAX_POINTS]), "binary")


def test_validate_points_on_arrays():
    X, y = validate_points([[0, 0, 0], [1, 1, 1]])
    assert X.shape == (2, 2) and y.tolist() == [0, 1]
    with pytest.raises(ValueError, match="The data is empty"):
        validate_points(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="exactly 3 columns .* has 2"):
        validate_points(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="not numbers"):
        validate_points([["a", "1", "0"]])
    with pytest.raises(ValueError, match="Row 2 has a missing, NaN or infinite"):
        validate_points([[0, 0, 0], [np.inf, 0, 1]])
    with pytest.raises(ValueError, match=f"the limit is {MAX_POINTS}"):
        validate_points(np.zeros((MAX_POINTS + 1, 3)), "regression")
    with pytest.raises(ValueError, match="task must be"):
        validate_points([[0, 0, 0]], "clustering")

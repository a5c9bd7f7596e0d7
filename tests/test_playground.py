"""nn_core.playground: building the experiment from a setup, the flat optimizer, neuron outputs, share
links, CSV points, challenges, the generated code — and a seeded default run that solves the spiral."""
import numpy as np
import pytest

import lessons.playground as pg
from nn_core import Sequential
from nn_core.activations import Sigmoid
from nn_core.optimizers import make_optimizer
from nn_core.training import Trainer


@pytest.fixture(autouse=True)
def one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def setup_with(**changes):
    return {**pg.default_setup(), **changes}


@pytest.mark.parametrize("opt", list(pg.OPTIMIZERS))
@pytest.mark.parametrize("extra", ["none", "l2", "clip"])
def test_flat_optimizer_follows_the_per_array_optimizer_exactly(opt, extra):
    """Same data, seeds and batches: the flat update must give the very weights of the engine's own loop —
    with gradients left in place by backward, and with gradients replaced by a penalty or by clipping."""
    reg = "l2" if extra == "l2" else "none"
    setup = setup_with(opt=opt, lr=0.03, batch=10, layers=[5, 3], acts=["relu", "tanh"], reg=reg, rate=0.01)
    data = pg.make_data(setup)
    flat = pg.make_trainer(setup, data)
    plain_model = pg.make_model(setup, data["task"], data["classes"])
    plain = Trainer(plain_model, pg.make_loss(setup, "binary"), make_optimizer(opt, 0.03), flat.X_train,
                    data["y_train"], flat.X_test, data["y_test"], batch_size=10, seed=setup["seed"],
                    l2=0.01 if reg == "l2" else 0.0)
    if extra == "clip":
        flat.clip = plain.clip = 0.05                 # small enough to rescale most steps
    for _ in range(3):
        flat.run_epoch()
        plain.run_epoch()
    for a, b in zip(flat.model.get_weights(), plain.model.get_weights()):
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=0, atol=1e-12)
    assert flat.history["train_loss"] == pytest.approx(plain.history["train_loss"], abs=1e-12)


def test_flat_optimizer_parameters_stay_live_views():
    setup = pg.default_setup()
    data = pg.make_data(setup)
    tr = pg.make_trainer(setup, data)
    W = tr.model.layers[0].params["W"]
    assert np.shares_memory(W, tr.optimizer.theta)
    tr.model.set_weights(pg.make_model(setup, "binary", 2).get_weights())   # in place: still views
    assert np.shares_memory(tr.model.layers[0].params["W"], tr.optimizer.theta)
    before = tr.optimizer.theta.copy()
    tr.run_epoch()
    assert not np.allclose(before, tr.optimizer.theta)


def test_changing_hyperparameters_keeps_the_weights():
    setup = pg.default_setup()
    data = pg.make_data(setup)
    tr = pg.make_trainer(setup, data)
    tr.run_epoch()
    weights = tr.model.get_weights()
    pg.apply_hyper(tr, setup_with(opt="sgd", lr=0.3, reg="l1", rate=0.003, batch=0))
    assert pg.optimizer_kind(tr.optimizer) == "sgd" and tr.optimizer.lr == 0.3
    assert tr.l1 == 0.003 and tr.l2 == 0.0 and tr.batch_size is None
    for a, b in zip(weights, tr.model.get_weights()):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


@pytest.mark.parametrize("name", list(pg.DATASETS_2D))
def test_every_data_set_builds_a_model_with_the_right_output(name):
    setup = setup_with(data=name)
    data = pg.make_data(setup)
    tr = pg.make_trainer(setup, data)
    dense = pg.dense_layers(tr.model)
    info = pg.DATASETS_2D[name]
    assert dense[-1].out_features == (info["classes"] if info["task"] == "multiclass" else 1)
    assert isinstance(tr.model.layers[-1], Sigmoid) == (info["task"] == "binary")
    assert tr.classifier == (info["task"] != "regression")
    assert len(data["X_train"]) == 250 and len(data["X_test"]) == 250
    assert tr.run_epoch() is not None


def test_neuron_outputs_are_the_layers_activations():
    setup = setup_with(features=["x1", "x2", "x1*x2"], layers=[3, 2], acts=["tanh", "relu"])
    model = pg.make_model(setup, "binary", 2)
    XY = np.array([[1.0, 2.0], [-3.0, 0.5]])
    outs = pg.neuron_outputs(model, setup, XY)
    F = np.column_stack([XY[:, 0], XY[:, 1], XY[:, 0] * XY[:, 1]])
    d = pg.dense_layers(model)
    a1 = np.tanh(F @ d[0].params["W"] + d[0].params["b"])
    a2 = np.maximum(a1 @ d[1].params["W"] + d[1].params["b"], 0)
    p = 1 / (1 + np.exp(-(a2 @ d[2].params["W"] + d[2].params["b"])))
    assert len(outs) == 4
    for got, want in zip(outs, [F, a1, a2, p]):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_output_map_conventions():
    p = np.array([[0.0], [0.5], [1.0]])
    np.testing.assert_allclose(pg.output_map(p, "binary"), [-1, 0, 1])
    cls, conf = pg.output_map(np.array([[0.0, np.log(3.0)]]), "multiclass")
    assert cls[0] == 1 and conf[0] == pytest.approx(0.75)


def test_hidden_layers_link_round_trip():
    """The one part of the playground's link the binding cannot express: the list of hidden layers."""
    for layers, acts in (([2, 5], ["relu", "sigmoid"]), ([], []), ([8] * pg.MAX_LAYERS, ["linear"] * pg.MAX_LAYERS)):
        assert pg.parse_layers(*pg.layers_text(layers, acts)) == (layers, acts)
    assert pg.layers_text([], []) == ("none", "none")
    assert pg.parse_layers("3,1") == ([3, 1], ["tanh", "tanh"])          # activations left out: tanh


@pytest.mark.parametrize("layers,acts,why", [("9,2", None, "is not one of"), ("1,2,3,4,5,6,7", None, "needs 0–6"),
                                             ("3", "tanh,relu", "one activation per hidden layer"),
                                             ("3", "swish", "is not one of"), ("1e999", None, "is not one of"),
                                             ("2,,3", None, "is not one of")])
def test_hidden_layers_link_rejects_bad_values_in_words(layers, acts, why):
    with pytest.raises(ValueError, match=why):
        pg.parse_layers(layers, acts)


def test_csv_points_good_and_bad():
    X, y, task = pg.read_points_csv("x1,x2,label\n0,1,0\n1,1,1\n2,-1,1\n")
    assert task == "binary" and X.shape == (3, 2) and list(y) == [0, 1, 1]
    assert pg.read_points_csv("0,0,0\n1,1,2\n2,2,1\n")[2] == "multiclass"
    assert pg.read_points_csv("0,0,0.5\n1,1,-0.25\n")[2] == "regression"
    with pytest.raises(ValueError, match="3 columns|columns"):
        pg.read_points_csv("x1,x2\n1,2\n")
    with pytest.raises(ValueError, match="not a number"):
        pg.read_points_csv("1,2,0\n1,abc,1\n")
    with pytest.raises(ValueError, match="limit"):
        pg.read_points_csv("\n".join("1,2,0" for _ in range(2001)))


def test_uploaded_and_added_points_join_the_data():
    upload = pg.read_points_csv("\n".join(f"{i % 7 - 3},{i % 5 - 2},{i % 2}" for i in range(40)))
    data = pg.make_data(setup_with(data="upload"), upload=upload,
                        added=(np.array([[1.0, 1.0]]), np.array([1])))
    assert len(data["X_train"]) + len(data["X_test"]) == 41
    assert data["task"] == "binary" and data["X_train"][-1].tolist() == [1.0, 1.0]


def test_seeded_defaults_learn_the_spiral_and_stay_learned():
    """At the defaults the spiral reaches 95 % test accuracy and stays at 93 % or more for 1,000 epochs."""
    setup = pg.default_setup()
    assert setup["data"] == "spiral"
    tr = pg.make_trainer(setup, pg.make_data(setup))
    while tr.epoch < 1000 and not (tr.history["test_acc"] and tr.history["test_acc"][-1] >= 0.95):
        tr.run_epoch()
    reached = tr.epoch
    assert tr.history["test_acc"][-1] >= 0.95, max(tr.history["test_acc"])
    for _ in range(1000):
        tr.run_epoch()
    low = min(tr.history["test_acc"][reached:])
    assert low >= 0.93 and not tr.stopped, (reached, low)


def test_large_learning_rate_diverges_and_says_why():
    setup = setup_with(opt="sgd", lr=10.0, loss="mse", data="plane", batch=1)
    tr = pg.make_trainer(setup, pg.make_data(setup))
    for _ in range(50):
        if tr.run_epoch() is None:
            break
    assert tr.diverged and "learning rate 10" in tr.stopped
    assert pg.check_challenge("diverge", setup, tr)[0]


def test_stop_rule():
    setup = setup_with(stop_epoch=3)
    tr = pg.make_trainer(setup, pg.make_data(setup))
    tr.run_epoch()
    assert pg.stop_reason(tr, setup) is None
    tr.run_epoch()
    tr.run_epoch()
    assert "3 epochs" in pg.stop_reason(tr, setup)
    assert "reached the target" in pg.stop_reason(tr, setup_with(stop_loss=5.0))


def test_stop_rule_stops_exactly_at_the_epoch_budget_whatever_the_chunk():
    """A live frame trains a chunk of epochs: the budget must still end training at its very epoch."""
    for budget in (50, 7):
        setup = setup_with(stop_epoch=budget)
        tr = pg.make_trainer(setup, pg.make_data(setup))
        reason = None
        for _ in range(100):
            reason = pg.train_chunk(tr, setup, 10.0)        # a chunk far longer than the budget
            if reason:
                break
        assert tr.epoch == budget and f"epoch {budget}" in reason, (tr.epoch, reason)
        assert pg.train_chunk(tr, setup, 10.0) and tr.epoch == budget        # Play again: no epoch more
    setup = setup_with(stop_epoch=5)
    tr = pg.make_trainer(setup, pg.make_data(setup))
    for _ in range(8):
        tr.run_epoch()
    assert "past the epoch budget of 5" in pg.stop_reason(tr, setup)       # not "used up" at epoch 8


def test_stop_rule_stops_at_the_first_epoch_that_reaches_the_target_loss():
    setup = pg.default_setup()
    tr = pg.make_trainer(setup, pg.make_data(setup))
    for _ in range(30):
        tr.run_epoch()
    target = round(tr.history["test_loss"][-1] + 0.002, 3)  # reached within a few more epochs, not at once
    setup = setup_with(stop_loss=target)
    tr = pg.make_trainer(setup, pg.make_data(setup))
    reason = pg.train_chunk(tr, setup, 60.0)
    losses = tr.history["test_loss"]
    assert losses[-1] <= target and all(v > target for v in losses[:-1]), (target, losses[-3:])
    assert f"epoch {tr.epoch}" in reason and "reached the target" in reason


def test_classification_blow_up_is_detected_explained_and_counts_as_diverging():
    """SGD at a huge rate on the spiral saturates (loss ≫ a blind guess) without any NaN: the playground
    must stop and say why; the "Try next" tip's settings must do exactly that."""
    setup = setup_with(**pg.DIVERGE_TIP)
    tr = pg.make_trainer(setup, pg.make_data(setup))
    for _ in range(200):
        if pg.train_chunk(tr, setup, 0.05):
            break
    assert tr.stopped and tr.diverged, tr.history["train_loss"][-5:]
    assert f"learning rate {pg.DIVERGE_TIP['lr']:g}" in tr.stopped and "blind guess" in tr.stopped
    assert "clipping" not in tr.stopped                               # the playground offers no clipping
    assert pg.check_challenge("diverge", setup, tr)[0]
    assert pg.train_chunk(tr, setup, 1.0) and tr.epoch == len(tr.history["epoch"])   # stays stopped
    ok = pg.make_trainer(pg.default_setup(), pg.make_data(pg.default_setup()))
    for _ in range(30):
        ok.run_epoch()
    assert pg.blowup(ok) is None                                      # a working run is not flagged


def test_a_point_added_to_a_trained_network_is_not_taken_for_a_blow_up():
    """Seen in the browser: a point added while playing, inside the other class's region of a trained spiral, made
    Adam's next steps jump (its running averages had grown small): the training loss spiked to 5.7 (8 × ln 2) for
    a few epochs, then came back down by itself, but the page stopped training as 'diverged'."""
    from nn_core.data import feature_matrix
    setup = pg.default_setup()
    data = pg.make_data(setup)
    tr = pg.make_trainer(setup, data)
    for _ in range(1300):
        tr.run_epoch()
    added = pg.make_data(setup, None, (np.array([[0.36, 0.24]]), np.array([0])))
    tr.set_training_data(feature_matrix(added["X_train"], setup["features"]), added["y_train"])
    for _ in range(300):
        assert not pg.train_chunk(tr, setup, 0.0), tr.stopped
    spike = max(tr.history["train_loss"][1300:])
    assert spike > pg.BLOWUP_FACTOR * np.log(2)                     # the case itself: one epoch's loss did spike
    assert tr.history["train_loss"][-1] < np.log(2) / 3             # and the network found its way back


def test_regression_blow_up_message_neither_prints_300_digits_nor_advises_absent_clipping():
    setup = setup_with(opt="sgd", lr=10.0, loss="mse", data="plane", batch=1)
    tr = pg.make_trainer(setup, pg.make_data(setup))
    for _ in range(50):
        if tr.run_epoch() is None:
            break
    assert tr.diverged and "clipping" not in tr.stopped
    assert pg.fmt_loss(1.234e300) == "1.234e+300" and pg.fmt_loss(0.12345) == "0.1235"
    assert max(len(pg.fmt_loss(v)) for v in (1e-9, 3.3, 9999.0, 1e4, -1e300)) <= 11


def test_confusion_matrix_by_hand():
    cm = pg.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


def test_challenges():
    setup = setup_with(data="circle", layers=[], acts=[], features=["x1^2", "x2^2"])
    tr = pg.make_trainer(setup, pg.make_data(setup))
    done, text = pg.check_challenge("circle_linear", setup, tr)
    assert not done and "95 %" in text
    tr.history["test_acc"].append(0.97)
    assert pg.check_challenge("circle_linear", setup, tr)[0]
    assert not pg.check_challenge("spiral2", setup, tr)[0]
    assert not pg.check_challenge("spiral2", setup_with(layers=[8, 8, 8]), tr)[0]


def test_save_load_and_setup_from_model():
    setup = setup_with(layers=[4, 3], acts=["relu", "linear"])
    model = pg.make_model(setup, "binary", 2)
    loaded = Sequential.load(model.to_bytes())
    back = pg.setup_from_model(loaded, pg.default_setup(), "binary", 2)
    assert back["layers"] == [4, 3] and back["acts"] == ["relu", "linear"]
    with pytest.raises(ValueError, match="input features"):
        pg.setup_from_model(loaded, setup_with(features=["x1"]), "binary", 2)
    with pytest.raises(ValueError, match="output"):
        pg.setup_from_model(loaded, setup, "multiclass", 3)


def test_a_live_frame_trains_for_what_its_drawing_leaves_of_the_frame():
    """The issue's budget is 50 ms of server time a frame: training fills what the drawing leaves of it."""
    assert pg.FRAME_TIME <= 0.050
    for drawing in (0.0, 0.005, 0.015, 0.022, 0.030, 0.2):
        t = pg.frame_training(drawing)
        assert pg.FRAME_TRAINING_MIN <= t <= pg.FRAME_TRAINING
        if pg.FRAME_TRAINING_MIN < t < pg.FRAME_TRAINING:
            assert t + drawing == pytest.approx(pg.FRAME_TIME)
    assert pg.frame_training(0.022) < pg.frame_training(0.015)          # a bigger network's costlier drawing
    assert pg.frame_training(1.0) == pg.FRAME_TRAINING_MIN               # still trains a little

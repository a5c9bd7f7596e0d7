"""The playground page under AppTest: defaults, every control, and that what it shows is the engine's."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import lessons.playground as pg
from conftest import ROOT
from nn_core import Sequential
from nn_core.data import DATASETS_2D
from test_playground import one_blas_thread  # noqa: F401  (autouse: one BLAS thread for these tiny products)

PAGE = str(ROOT / "pages" / "4_playground.py")


def app(params=None):
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return ok(at.run())


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def texts(at, kind):
    return " ".join(e.value for e in getattr(at, kind))


def weights(at):
    return [{k: v.copy() for k, v in layer.items()} for layer in at.session_state["pg_trainer"].model.get_weights()]


def same(w1, w2):
    return all(np.array_equal(a[k], b[k]) for a, b in zip(w1, w2) for k in a)


def test_defaults_show_the_engines_experiment():
    at = app()
    assert at.title[0].value == "MLP playground"
    s, tr = at.session_state["pg_setup"], at.session_state["pg_trainer"]
    assert s == pg.default_setup()
    assert metric(at, "Epoch") == "0" and tr.epoch == 0
    assert [d.out_features for d in pg.dense_layers(tr.model)] == [8, 8, 8, 1]
    assert len(at.get("plotly_chart")) >= 2                     # diagram (hover layer) and curves
    assert "Show the code" in {e.label for e in at.expander}     # the code: tests/test_export_pages.py
    assert "Challenges" in [h.value for h in at.subheader]                # the lesson's challenge panel
    assert sum(i.value.startswith("Not yet") for i in at.info) == 3       # three challenges, none solved


def test_step_advances_the_epoch_and_shows_the_engines_numbers():
    at = app()
    ok(at.button(key="pg_step").click().run())
    ok(at.button(key="pg_step").click().run())
    tr = at.session_state["pg_trainer"]
    assert tr.epoch == 2 and metric(at, "Epoch") == "2"
    assert metric(at, "Test accuracy") == f"{tr.history['test_acc'][-1]:.1%}"
    assert f"test loss {tr.history['test_loss'][-1]:.4f}" in texts(at, "caption")
    # rewind to epoch 0: the shown epoch changes, the trainer does not
    ok(at.select_slider(key="pg_rewind").set_value(0).run())
    assert metric(at, "Epoch") == "0" and at.session_state["pg_trainer"].epoch == 2
    # reset: epoch 0 and the first weights again
    first = at.session_state["pg_initial"]
    ok(at.button(key="pg_reset").click().run())
    assert at.session_state["pg_trainer"].epoch == 0 and same(weights(at), first)
    assert "Reset" in texts(at, "info")


def test_play_trains_a_time_budgeted_chunk_and_pause_stops():
    at = app()
    ok(at.button(key="pg_play").click().run())                  # AppTest runs the fragment once, no timer
    assert at.session_state["pg_playing"] and at.session_state["pg_trainer"].epoch >= 1
    ok(at.button(key="pg_pause").click().run())
    epoch = at.session_state["pg_trainer"].epoch
    assert not at.session_state["pg_playing"]
    ok(at.run())
    assert at.session_state["pg_trainer"].epoch == epoch


@pytest.mark.parametrize("name", list(DATASETS_2D))
def test_every_data_set(name):
    at = app()
    if name != "spiral":
        ok(at.selectbox(key="pg_ds").set_value(name).run())
        assert "New data" in texts(at, "info")
    ok(at.button(key="pg_step").click().run())
    tr, data = at.session_state["pg_trainer"], at.session_state["pg_data"]
    assert data["task"] == DATASETS_2D[name]["task"] and tr.epoch == 1
    if data["task"] == "regression":
        assert metric(at, "Test loss") == f"{tr.history['test_loss'][-1]:.4f}"
    else:
        assert metric(at, "Test accuracy") == f"{tr.history['test_acc'][-1]:.1%}"


@pytest.mark.parametrize("act", list(pg.ACTIVATIONS))
def test_every_activation_rebuilds_the_network(act):
    at = app()
    ok(at.selectbox(key="pg_act_1").set_value(act).run())
    if act != "tanh":
        assert "network changed" in texts(at, "info")
    layer = at.session_state["pg_trainer"].model.layers[3]        # Dense, act, Dense, (act of layer 2)
    assert type(layer).__name__ == {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Identity"}[act]
    ok(at.button(key="pg_step").click().run())


def test_training_settings_keep_the_weights():
    at = app()
    ok(at.button(key="pg_step").click().run())
    before = weights(at)
    for opt in pg.OPTIMIZERS:
        ok(at.selectbox(key="pg_opt").set_value(opt).run())
        assert pg.optimizer_kind(at.session_state["pg_trainer"].optimizer) == opt
    ok(at.select_slider(key="pg_lr").set_value(0.3).run())
    ok(at.select_slider(key="pg_batch").set_value(0).run())
    ok(at.selectbox(key="pg_reg").set_value("l2").run())
    ok(at.select_slider(key="pg_rate").set_value(0.01).run())
    tr = at.session_state["pg_trainer"]
    assert tr.optimizer.lr == 0.3 and tr.batch_size is None and tr.l2 == 0.01 and tr.l1 == 0
    assert same(before, weights(at)) and tr.epoch == 1
    ok(at.selectbox(key="pg_reg").set_value("l1").run())
    assert at.session_state["pg_trainer"].l1 == 0.01
    ok(at.button(key="pg_step").click().run())
    assert at.session_state["pg_trainer"].epoch == 2


@pytest.mark.parametrize("loss,expected", [("auto", "BinaryCrossEntropy"), ("mse", "MSE")])
def test_loss_choice(loss, expected):
    at = app()
    ok(at.selectbox(key="pg_loss").set_value(loss).run())
    assert type(at.session_state["pg_trainer"].loss).__name__ == expected
    ok(at.button(key="pg_step").click().run())
    ok(at.selectbox(key="pg_ds").set_value("blobs3").run())
    assert type(at.session_state["pg_trainer"].loss).__name__ == ("MSE" if loss == "mse" else "CrossEntropy")
    ok(at.button(key="pg_step").click().run())


def test_largest_network_and_every_feature():
    at = app()
    for _ in range(3):
        ok(at.button(key="pg_layer_add").click().run())
    assert at.button(key="pg_layer_add").disabled
    for f in pg.FEATURE_CODES:
        ok(at.checkbox(key=f"pg_f_{pg.FEATURE_CODES[f]}").check().run())
    ok(at.button(key="pg_step").click().run())
    s, tr = at.session_state["pg_setup"], at.session_state["pg_trainer"]
    assert s["layers"] == [8] * 6 and len(s["features"]) == 7
    assert [d.out_features for d in pg.dense_layers(tr.model)] == [8] * 6 + [1] and tr.epoch == 1
    ok(at.number_input(key="pg_n_5").set_value(2).run())
    assert at.session_state["pg_setup"]["layers"][-1] == 2
    for _ in range(6):
        ok(at.button(key="pg_layer_del").click().run())
    assert at.session_state["pg_setup"]["layers"] == []
    ok(at.button(key="pg_step").click().run())


def test_no_feature_keeps_the_previous_network_with_a_message():
    at = app()
    ok(at.checkbox(key="pg_f_x1").uncheck().run())
    ok(at.checkbox(key="pg_f_x2").uncheck().run())
    assert "at least one input feature" in texts(at, "warning")
    assert at.session_state["pg_setup"]["features"] == ["x2"]


def test_data_controls_and_view_toggles():
    at = app()
    ok(at.slider(key="pg_noise").set_value(30).run())
    ok(at.slider(key="pg_split").set_value(80).run())
    assert len(at.session_state["pg_data"]["X_train"]) == 400
    ok(at.button(key="pg_regen").click().run())
    assert at.session_state["pg_setup"]["seed"] == 1 and at.session_state["pg_setup"]["noise"] == 30
    ok(at.toggle(key="pg_show_test").set_value(True).run())
    ok(at.toggle(key="pg_discrete").set_value(True).run())
    assert at.session_state["pg_overlay_key"][1] is True


LINK_SETUP = {**pg.default_setup(), "data": "xor", "noise": 20, "features": ["x1", "x1*x2"], "layers": [3],
              "acts": ["relu"], "opt": "sgd", "lr": 0.1, "batch": 30, "reg": "l1", "rate": 0.001, "stop_epoch": 300}


def test_share_link_by_streamlits_binding_and_classroom():
    """The setup travels as the bound widgets' own parameters (plus the hidden layers); a classroom link shows
    the hidden groups' controls locked, and they keep the link's values."""
    link = {"pg_ds": "Exclusive or (XOR)", "pg_noise": "20", "pg_f_x2": "false", "pg_f_x1x2": "true",
            "pg_layers": "3", "pg_acts": "relu", "pg_opt": "SGD", "pg_lr": "0.1", "pg_batch": "30", "pg_reg": "L1",
            "pg_rate": "0.001", "pg_budget": "300", "classroom": "lr,optimizer"}
    at = app(link)
    assert at.session_state["pg_setup"] == LINK_SETUP
    assert at.select_slider(key="pg_lr").disabled and at.selectbox(key="pg_opt").disabled     # locked for the class
    assert not at.selectbox(key="pg_ds").disabled
    assert not at.warning and "rebuilt" not in texts(at, "info")   # nothing ignored, nothing rebuilt to announce
    assert dict(at.query_params) == link                       # the page keeps the link as it came
    ok(at.button(key="pg_step").click().run())                 # locked controls keep their values
    assert at.session_state["pg_trainer"].optimizer.lr == 0.1 and at.session_state["pg_trainer"].epoch == 1


def test_changed_layers_go_into_the_link_and_back_to_none():
    at = app()
    assert "pg_layers" not in at.query_params                  # the defaults: no parameter
    ok(at.button(key="pg_layer_del").click().run())
    ok(at.selectbox(key="pg_act_0").set_value("relu").run())
    assert (at.query_params["pg_layers"], at.query_params["pg_acts"]) in (("8,8", "relu,tanh"), (["8,8"], ["relu,tanh"]))
    ok(at.button(key="pg_layer_add").click().run())
    ok(at.selectbox(key="pg_act_0").set_value("tanh").run())
    assert "pg_layers" not in at.query_params and "pg_acts" not in at.query_params


def test_an_old_link_is_renamed_once_into_the_bound_parameters():
    """Links written before the binding (?data=xor&lr=0.1&layers=3…) still open the same experiment."""
    at = app({"data": "xor", "noise": "20", "features": "x1,x1x2", "layers": "3", "acts": "relu", "opt": "sgd",
              "lr": "0.1", "batch": "30", "reg": "l1", "rate": "0.001", "stop_epoch": "300", "classroom": "lr,optimizer"})
    assert at.session_state["pg_setup"] == LINK_SETUP
    assert at.select_slider(key="pg_lr").disabled
    assert "lr" not in at.query_params and at.query_params["pg_lr"] in ("0.1", ["0.1"])
    assert not at.warning
    at = app({"lr": "1000", "layers": "3,99", "seed": "-4"})   # refused: named as the old link wrote them
    notice = texts(at, "text")
    assert "• lr (pg_lr) " in notice and "• layers (pg_layers) " in notice and "• seed (pg_seed) " in notice, notice


def test_bad_share_link_values_are_ignored_with_a_notice():
    at = app({"pg_lr": "1000", "pg_layers": "3,99", "pg_ds": "nothing", "pg_seed": "1e999", "pg_noise": "-5",
              "data": "mystery"})
    assert "ignored" in texts(at, "warning")
    notice = texts(at, "text")                          # named as text, never as Markdown
    for name in ("pg_lr", "pg_layers", "pg_ds", "pg_seed", "pg_noise"):
        assert f"• {name} " in notice, (name, notice)
    assert at.session_state["pg_setup"] == {**pg.default_setup(), "noise": 0}
    ok(at.button(key="pg_step").click().run())          # and the page works on


def test_points_added_by_clicking_travel_in_the_link():
    """A link's clicked-in points land on the link's data and first weights, as clicking them would: the
    same training set and, after a Step, the same weights as a session that clicked them by hand."""
    import lessons.playground_session as ps
    pts = [((1.5, -2.0), 1), ((-0.5, 3.25), 0)]
    at = app({"pg_ds": "Circle", "pg_pts": "1.5_-2_1~-0.5_3.25_0"})
    assert at.session_state["pg_added"] == ([(1.5, -2.0), (-0.5, 3.25)], [1, 0]) and not at.warning
    hand = app({"pg_ds": "Circle"})
    for xy, v in pts:
        ps.add_point(hand.session_state, xy, v)
    ok(hand.run())
    for a in (at, hand):
        ok(a.button(key="pg_step").click().run())
    assert np.array_equal(at.session_state["pg_data"]["X_train"], hand.session_state["pg_data"]["X_train"])
    assert same(weights(at), weights(hand))
    assert hand.query_params["pg_pts"] in ("1.5_-2_1~-0.5_3.25_0", ["1.5_-2_1~-0.5_3.25_0"])   # written by the page
    ok(hand.button(key="pg_clear_added").click().run())
    assert "pg_pts" not in hand.query_params
    bad = app({"pg_ds": "Circle", "pg_pts": "1_1_5"})                    # class 5 on a two-class set
    assert "• pg_pts needs classes 0 to 1" in texts(bad, "text") and bad.session_state["pg_added"] == ([], [])


def test_good_and_bad_csv():
    at = app()
    bad = b"x1,x2,label\n1,2,0\n3,four,1\n"
    ok(at.file_uploader(key="pg_csv").set_value(("bad.csv", bad, "text/csv")).run())
    assert at.error and "not a number" in texts(at, "text") and at.session_state["pg_setup"]["data"] == "spiral"
    rows = "\n".join(f"{np.cos(i):.3f},{np.sin(i):.3f},{i % 3}" for i in range(60))
    ok(at.file_uploader(key="pg_csv").set_value(("good.csv", rows.encode(), "text/csv")).run())
    ok(at.run())
    data = at.session_state["pg_data"]
    assert at.session_state["pg_setup"]["data"] == "upload" and data["task"] == "multiclass"
    assert len(data["X_train"]) + len(data["X_test"]) == 60
    ok(at.button(key="pg_step").click().run())


def test_forced_divergence_pauses_explains_and_resets_at_a_lower_rate():
    at = app({"pg_ds": "Plane (regression)", "pg_opt": "SGD", "pg_lr": "10", "pg_batch": "1"})
    for _ in range(10):
        ok(at.button(key="pg_step").click().run())
        if at.session_state["pg_trainer"].stopped:
            break
    assert "diverged" in texts(at, "warning") and "learning rate 10" in texts(at, "warning")
    assert at.button(key="pg_play").disabled
    ok(at.button(key="pg_lower_lr").click().run())
    tr = at.session_state["pg_trainer"]
    assert tr.stopped is None and tr.optimizer.lr == 3.0 and at.session_state["pg_setup"]["lr"] == 3.0
    assert at.session_state["pg_setup"]["data"] == "plane"


def test_under_a_class_load_the_diagram_and_curves_are_redrawn_every_other_frame():
    """Alone, every live frame sends a new diagram and new curves; when the pacing makes the session wait
    (a class shares the process), every other frame re-sends the last ones, while training goes on."""
    for paced, expected in ((False, [True, True, True]), (True, None)):
        at = app()
        ok(at.button(key="pg_play").click().run())
        sent, epochs = [], []
        for _ in range(4):
            if paced:
                at.session_state["pg_pace"] = {**at.session_state["pg_pace"], "sleep": 0.3}
            ok(at.run())
            sent.append(at.session_state["pg_live_uris"])
            epochs.append(at.session_state["pg_trainer"].epoch)
        new = [a != b for a, b in zip(sent[1:], sent[:-1])]
        assert all(u is not None for pair in sent for u in pair)
        assert epochs == sorted(set(epochs)), epochs                   # every frame trained
        if expected:
            assert new == expected, new
        else:
            assert new in ([True, False, True], [False, True, False]), new


def test_stop_rule_pauses_after_the_epoch_budget():
    at = app()
    ok(at.number_input(key="pg_budget").set_value(1).run())
    ok(at.button(key="pg_play").click().run())
    ok(at.run())
    assert not at.session_state["pg_playing"]
    assert "epoch budget" in texts(at, "info")


def test_save_and_load_a_model():
    at = app()
    ok(at.button(key="pg_step").click().run())
    model = pg.make_model({**pg.default_setup(), "layers": [5, 4], "acts": ["relu", "relu"]}, "binary", 2)
    ok(at.file_uploader(key="pg_npz").set_value(("m.npz", model.to_bytes(), "application/octet-stream")).run())
    ok(at.run())
    assert at.session_state["pg_setup"]["layers"] == [5, 4] and "Loaded" in texts(at, "info")
    assert same(weights(at), model.get_weights())
    ok(at.file_uploader(key="pg_npz").set_value(("bad.npz", b"not a model", "application/octet-stream")).run())
    assert "not loaded" in texts(at, "error") and at.session_state["pg_setup"]["layers"] == [5, 4]
    assert Sequential.load(at.session_state["pg_trainer"].model.to_bytes()).num_params() == model.num_params()


def test_changing_the_network_while_playing_pauses_and_says_so():
    at = app()
    ok(at.button(key="pg_play").click().run())
    assert at.session_state["pg_playing"]
    ok(at.selectbox(key="pg_act_0").set_value("relu").run())
    assert not at.session_state["pg_playing"] and at.button(key="pg_play").label == "Play"
    assert "network changed" in texts(at, "info") and at.session_state["pg_trainer"].epoch == 0
    version = at.session_state["pg_data_version"]
    ok(at.slider(key="pg_noise").set_value(10).run())
    assert at.session_state["pg_data_version"] == version + 1 and at.session_state["pg_overlay_key"][0] == version + 1


def test_a_classifier_that_blows_up_is_stopped_and_explained_and_the_tip_says_so():
    """SGD at η = 10 on the spiral saturates without NaN: the page stops playing and explains it."""
    at = app({"pg_opt": pg.OPTIMIZERS[pg.DIVERGE_TIP["opt"]], "pg_lr": f"{pg.DIVERGE_TIP['lr']:g}"})
    ok(at.button(key="pg_play").click().run())
    for _ in range(20):
        if not at.session_state["pg_playing"]:
            break
        ok(at.run())
    tr = at.session_state["pg_trainer"]
    assert tr.stopped and not at.session_state["pg_playing"]
    warning = texts(at, "warning")
    assert "diverged" in warning and "blind guess" in warning and "clipping" not in warning
    assert at.button(key="pg_play").proto.disabled
    tip = texts(at, "markdown")
    assert f"learning rate of {pg.DIVERGE_TIP['lr']:g} with SGD (watch it blow up)" in tip


def test_a_second_csv_upload_is_applied_on_the_page():
    at = app()
    at.session_state["pg_upload"] = None
    import lessons.playground_session as ps
    assert ps.on_upload(at.session_state, b"0,0,0\n1,1,1\n2,2,0\n3,3,1\n") is None
    ok(at.run())
    assert at.session_state["pg_setup"]["data"] == "upload"
    rows = "".join(f"{i % 5},{i // 5},{i % 2}\n" for i in range(30)).encode()
    assert ps.on_upload(at.session_state, rows) is None
    ok(at.run())
    d = at.session_state["pg_data"]
    assert len(d["X_train"]) + len(d["X_test"]) == 30 and "30 new points" in texts(at, "info")


def test_closed_maths_is_not_drawn():
    """The maths behind it is drawn only once opened: closed, its formulas (about 2,400 DOM nodes of KaTeX, two thirds
    of the page) would be re-rendered by the browser on every live frame and delay Pause (opened: the browser test)."""
    at = app()
    assert any(e.label == "The maths behind it" for e in at.expander)
    assert len(at.latex) == 0, [e.value[:40] for e in at.latex]

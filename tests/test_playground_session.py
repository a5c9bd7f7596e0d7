"""The playground's state machine (lessons/playground_session.py) on a plain dict, without Streamlit."""
import numpy as np
import pytest

import lessons.playground as pg
import lessons.playground_session as ps


def same(a, b):
    """Two lists of per-layer weight dicts (``Sequential.get_weights``) are equal."""
    return len(a) == len(b) and all(x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
                                    for x, y in zip(a, b))


@pytest.fixture
def S():
    """A first visit from a link (circle, one layer of 4, seed 3): the page starts from the defaults, the bound
    widgets take the link's values, the first run applies them without a message."""
    state = {}
    ps.start(state)
    for name, key in ps.KEYS.items():
        state[key] = pg.DEFAULT_SETUP[name]
    for f in pg.FEATURE_CODES:
        state[ps.feature_key(f)] = f in pg.DEFAULT_SETUP["features"]
    state.update({ps.KEYS["data"]: "circle", ps.KEYS["seed"]: 3})
    ps.set_layers(state, *pg.parse_layers("4", "tanh"))
    ps.apply_controls(state, quiet=True)
    return state


def test_first_load_follows_the_link_quietly(S):
    assert S["pg_setup"]["data"] == "circle" and S["pg_setup"]["layers"] == [4] and S["pg_setup"]["seed"] == 3
    assert S["pg_nlayers"] == 1 and S["pg_n_0"] == 4 and S["pg_message"] is None
    assert ps.gather(S) == S["pg_setup"]
    assert S["pg_trainer"].epoch == 0 and not S["pg_playing"]
    assert [d.out_features for d in pg.dense_layers(S["pg_trainer"].model)] == [4, 1]


def test_a_new_rate_keeps_the_weights_new_data_rebuilds(S):
    ps.on_step(S)
    weights = S["pg_trainer"].model.get_weights()
    S["pg_lr"] = 0.3
    ps.apply_controls(S)
    assert S["pg_trainer"].optimizer.lr == 0.3 and S["pg_trainer"].epoch == 1
    assert same(weights, S["pg_trainer"].model.get_weights())
    S["pg_noise"] = 20
    ps.apply_controls(S)
    assert S["pg_trainer"].epoch == 0 and "New data" in S["pg_message"]


def test_an_impossible_setup_changes_nothing(S):
    trainer, setup = S["pg_trainer"], S["pg_setup"]
    for f in list(pg.FEATURE_CODES):
        S[ps.feature_key(f)] = False                      # no input feature at all
    with pytest.raises(ValueError):
        ps.apply_controls(S)
    assert S["pg_trainer"] is trainer and S["pg_setup"] == setup


def test_layer_buttons_are_idempotent(S):
    ps.on_layers(S, 2)
    ps.on_layers(S, 2)                                   # a replayed callback adds nothing
    assert S["pg_nlayers"] == 2 and S["pg_n_1"] == 4
    ps.on_layers(S, 1)
    ps.on_layers(S, 1)
    assert S["pg_nlayers"] == 1


def test_reset_and_play_state_their_intent(S):
    for _ in range(3):
        ps.on_step(S)
    assert S["pg_trainer"].epoch == 3
    ps.on_reset(S)
    assert S["pg_trainer"].epoch == 0
    assert same(S["pg_initial"], S["pg_trainer"].model.get_weights())
    ps.on_play(S, True)
    ps.on_play(S, True)
    assert S["pg_playing"]
    ps.on_play(S, False)
    assert not S["pg_playing"]


def test_rewind_shows_the_weights_of_the_chosen_epoch(S):
    for _ in range(5):
        ps.on_step(S)
    shown, epochs, model = ps.rewind(S)
    assert shown == 5 and epochs[-1] == 5 and model is S["pg_trainer"].model
    S["pg_rewind"] = epochs[1]
    shown, _, model = ps.rewind(S)
    saved = dict(S["pg_trainer"].snapshots)[epochs[1]]
    assert shown == epochs[1] and model is not S["pg_trainer"].model
    assert same(saved, model.get_weights()) and not same(saved, S["pg_trainer"].model.get_weights())


def test_an_added_point_joins_the_training_set_and_keeps_the_weights(S):
    n = len(S["pg_data"]["X_train"])
    weights = S["pg_trainer"].model.get_weights()
    ps.add_point(S, (1.5, -2.0), 1)
    assert len(S["pg_data"]["X_train"]) == n + 1
    assert any(np.allclose(row, [1.5, -2.0]) for row in S["pg_data"]["X_train"])
    assert same(weights, S["pg_trainer"].model.get_weights())
    ps.on_clear_added(S)
    assert len(S["pg_data"]["X_train"]) == n


def test_a_point_added_while_training_keeps_the_epochs_and_curves_and_is_trained_on(S):
    """Adding a point (also while playing) used to start a new trainer: the epoch counter went back to 0 and the
    curves vanished. Now the run goes on, and the next epoch trains on the point."""
    for _ in range(3):
        ps.on_step(S)
    tr, history = S["pg_trainer"], {k: list(v) for k, v in S["pg_trainer"].history.items()}
    ps.add_point(S, (0.37, -4.21), 1)
    assert S["pg_trainer"] is tr and tr.epoch == 3 and tr.history == history
    assert any(np.allclose(row, [0.37, -4.21]) for row in tr.X_train)
    ps.on_step(S)
    assert tr.epoch == 4 and len(tr.last_order) == len(S["pg_data"]["X_train"])   # the new row was in the epoch


def test_step_and_play_go_on_from_the_rewound_epoch_not_from_the_newest(S):
    for _ in range(6):
        ps.on_step(S)
    tr = S["pg_trainer"]
    shown, epochs, model = ps.rewind(S)
    S["pg_rewind"] = epochs[2]                      # the learner scrubs back
    back = epochs[2]
    shown, _, model = ps.rewind(S)
    assert shown == back and tr.epoch > back
    ps.on_step(S)                                   # one epoch on from what is shown
    assert tr.epoch == back + 1 and len(tr.history["epoch"]) == back + 1
    assert tr.history["epoch"][-1] == back + 1 and "dropped" in S["pg_message"]
    assert S["pg_rewound"] == [back]                # marked on the curves
    shown, epochs, _ = ps.rewind(S)
    assert shown == back + 1 and epochs[-1] == back + 1            # the slider follows the new newest epoch
    S["pg_rewind"] = 0
    assert ps.on_play(S, True) and S["pg_trainer"].epoch == 0 and S["pg_rewound"] == [0]


def test_a_second_csv_upload_replaces_the_first(S):
    assert ps.on_upload(S, b"0,0,0\n1,1,1\n2,2,0\n3,3,1\n") is None
    S.update(S.pop("pg_pending"))                    # the page applies the pending widget value
    ps.apply_controls(S)
    assert S["pg_setup"]["data"] == "upload" and len(S["pg_trainer"].X_train) + len(S["pg_trainer"].X_test) == 4
    rows = "".join(f"{i % 5},{i // 5},{i % 2}\n" for i in range(30))
    assert ps.on_upload(S, rows.encode()) is None
    ps.apply_controls(S)
    assert len(S["pg_data"]["X_train"]) + len(S["pg_data"]["X_test"]) == 30
    assert "30 new points" in S["pg_message"]
    assert "not" in ps.on_upload(S, b"a,b\n") or ps.on_upload(S, b"a,b\n")   # a bad file: a message…
    assert len(S["pg_data"]["X_train"]) + len(S["pg_data"]["X_test"]) == 30   # … and the data unchanged

"""The playground's per-learner state and what each control does to it, on a plain mapping — the page passes
``st.session_state``, the tests a dict. No screen here: the page draws from this state, its buttons call
these functions (each states its intent, so a callback run twice does no harm).

Keys (all prefixed ``pg_``): ``pg_setup`` (the setup in force), ``pg_data``, ``pg_trainer``, ``pg_initial``
(the first weights, for Reset), ``pg_playing``, ``pg_message`` (said on the page), ``pg_added`` (points added
by hand: xs, labels), ``pg_upload`` (uploaded CSV points), ``pg_nlayers`` and the widgets' own keys (``KEYS``, ``pg_f_<feature>``,
``pg_n_<layer>``, ``pg_act_<layer>``).
"""
import copy

import numpy as np

import lessons.playground as pg
from nn_core.data import FEATURES, feature_matrix


# the widgets' keys, which are also their share-link parameters (Streamlit's binding: the key is the name)
KEYS = {"data": "pg_ds", "noise": "pg_noise", "seed": "pg_seed", "train": "pg_split", "loss": "pg_loss",
        "opt": "pg_opt", "lr": "pg_lr", "batch": "pg_batch", "reg": "pg_reg", "rate": "pg_rate",
        "stop_loss": "pg_target", "stop_epoch": "pg_budget"}


def feature_key(f):
    return f"pg_f_{pg.FEATURE_CODES[f]}"


def start(S):
    """A learner's first visit: the default experiment, built before the widgets are drawn (the page then
    applies what the widgets — and so the link — say)."""
    S["pg_playing"], S["pg_added"], S["pg_upload"], S["pg_message"] = False, ([], []), None, None
    S["pg_show_test"], S["pg_discrete"] = False, False
    set_layers(S, pg.DEFAULT_SETUP["layers"], pg.DEFAULT_SETUP["acts"])
    build(S, pg.default_setup(), None)


def set_layers(S, layers, acts):
    """Put a list of hidden layers into the layer widgets' keys (drawn on the next run)."""
    S["pg_nlayers"] = len(layers)
    for i, (n, a) in enumerate(zip(layers, acts)):
        S[f"pg_n_{i}"], S[f"pg_act_{i}"] = n, a


def added_points(S):
    xs, ys = S["pg_added"]
    return (np.array(xs, dtype=float).reshape(-1, 2), np.array(ys)) if xs else None


def build(S, setup, why, model=None):
    """New data and a new network (or ``model``) for ``setup``; ``why`` is said on the page."""
    data = pg.make_data(setup, S["pg_upload"], added_points(S))
    S["pg_trainer"] = pg.make_trainer(setup, data, model)
    S["pg_data"], S["pg_setup"], S["pg_initial"] = data, setup, S["pg_trainer"].model.get_weights()
    S["pg_data_version"] = S.get("pg_data_version", 0) + 1      # the map's points layer is redrawn
    S["pg_playing"] = False
    S["pg_message"] = why


def gather(S):
    """The setup the widgets show now."""
    layers = [int(S[f"pg_n_{i}"]) for i in range(S["pg_nlayers"])]
    setup = {name: S.get(key, pg.DEFAULT_SETUP[name]) for name, key in KEYS.items()}   # the stop rule: drawn later
    setup.update(seed=int(setup["seed"]), stop_loss=float(setup["stop_loss"]), stop_epoch=int(setup["stop_epoch"]),
                 features=[f for f in FEATURES if S[feature_key(f)]], layers=layers,
                 acts=[S.get(f"pg_act_{i}", "tanh") for i in range(len(layers))])
    return setup


def apply_controls(S, quiet=False):
    """Bring the model in line with the widgets: new data or a new network when those changed (fresh
    weights), otherwise the new hyperparameters on the same weights. A ``ValueError`` (an impossible setup)
    leaves everything as it was. ``quiet``: the first run, from a link — nothing to tell the learner."""
    setup, old = gather(S), S["pg_setup"]
    if setup["data"] == "upload" and S["pg_upload"] is None:
        raise ValueError("No uploaded points yet.")
    pg.check_setup(setup)
    if any(setup[k] != old[k] for k in pg.DATA_KEYS):
        S["pg_added"] = ([], [])
        build(S, setup, None if quiet else "New data: the network was rebuilt with fresh weights.")
    elif any(setup[k] != old[k] for k in pg.NET_KEYS):
        build(S, setup, None if quiet else "The network changed: it was rebuilt with fresh weights.")
    else:
        pg.apply_hyper(S["pg_trainer"], setup)
        S["pg_setup"] = setup


def apply_stop_rule(S):
    """The stop rule's widgets are drawn below the live view: their values join the setup then."""
    S["pg_setup"] = {**S["pg_setup"], "stop_loss": float(S[KEYS["stop_loss"]]), "stop_epoch": int(S[KEYS["stop_epoch"]])}


# ---------------------------------------------------------------- what the controls do
def go_on_from_shown(S):
    """Step and Play go on from the epoch the learner rewound to (the later epochs are dropped, said in
    ``pg_message``; ``pg_rewound`` lists the epochs gone back to, marked on the curves)."""
    tr, shown = S["pg_trainer"], S.get("pg_rewind")
    if shown is None or shown == tr.epoch or shown not in dict(tr.snapshots):
        return None
    dropped = tr.epoch - shown
    tr.rewind(shown)
    S["pg_rewound"] = [e for e in S.get("pg_rewound", []) if e < shown] + [shown]
    S["pg_rewind_latest"] = shown
    S["pg_message"] = (f"Went on from epoch {shown:,}, as shown: the {dropped:,} later epochs were dropped "
                       "(and the optimizer's running averages start afresh).")
    return shown


def on_play(S, play):
    if play:
        S["pg_message"] = None
        go_on_from_shown(S)
    S["pg_playing"] = play and not S["pg_trainer"].stopped
    return S["pg_playing"]


def on_step(S):
    S["pg_playing"] = False
    S["pg_message"] = None
    go_on_from_shown(S)
    pg.train_chunk(S["pg_trainer"], {**S["pg_setup"], "stop_epoch": 0, "stop_loss": 0.0}, 0.0)   # one epoch


def on_reset(S):
    S["pg_playing"] = False
    S["pg_trainer"].reset(S["pg_initial"])
    S["pg_rewound"] = []
    S["pg_message"] = "Reset: the weights are back to their starting values and the epoch counter to 0."


def on_upload(S, raw):
    """A CSV file's bytes: the points become the data set (rebuilt at once when uploaded points are already
    the data set — a second upload replaces the first). Returns an error message, or None."""
    try:
        S["pg_upload"] = pg.read_points_csv(raw)
    except ValueError as e:
        return str(e)
    if S["pg_setup"]["data"] == "upload":
        build(S, S["pg_setup"], f"Loaded {len(S['pg_upload'][0])} new points: the network was rebuilt with "
                                "fresh weights.")
    else:
        S["pg_pending"] = {KEYS["data"]: "upload"}
    return None


def on_lower_lr(S):
    lower = [r for r in pg.LEARNING_RATES if r < S["pg_trainer"].optimizer.lr / 3] or [pg.LEARNING_RATES[0]]
    S[KEYS["lr"]] = S["pg_trainer"].optimizer.lr = lower[-1]
    S["pg_setup"] = {**S["pg_setup"], "lr": lower[-1]}
    S["pg_trainer"].reset(S["pg_initial"])
    S["pg_message"] = f"Reset with the learning rate lowered to {lower[-1]:g}; the data and the network are unchanged."


def on_layers(S, count):
    """Set the number of hidden layers to ``count`` (idempotent: a repeated callback adds nothing)."""
    k = S["pg_nlayers"]
    if count == k + 1 and k < pg.MAX_LAYERS:
        S[f"pg_n_{k}"] = S[f"pg_n_{k - 1}"] if k else 4
        S[f"pg_act_{k}"] = S[f"pg_act_{k - 1}"] if k else "tanh"
        S["pg_nlayers"] = k + 1
    elif count == k - 1 and k:
        S["pg_nlayers"] = k - 1


def on_new_seed(S, seed):
    S[KEYS["seed"]] = seed


def on_clear_added(S):
    S["pg_added"] = ([], [])
    build(S, S["pg_setup"], "The added points were removed: the network was rebuilt with fresh weights.")


def add_point(S, xy, value):
    """A point added by hand to the training set; the network keeps its weights."""
    S["pg_added"][0].append(xy)
    S["pg_added"][1].append(value)
    S["pg_data"] = pg.make_data(S["pg_setup"], S["pg_upload"], added_points(S))
    S["pg_data_version"] += 1
    S["pg_trainer"].set_training_data(feature_matrix(S["pg_data"]["X_train"], S["pg_setup"]["features"]),
                                      S["pg_data"]["y_train"])
    S["pg_message"] = (f"Added a point at {xy} to the training set; the network keeps its weights, the epochs and "
                       "the curves go on.")


def add_points(S, points):
    """Several points added at once (a link's): [((x1, x2), label)]; the network keeps its weights."""
    for xy, value in points:
        S["pg_added"][0].append(xy)
        S["pg_added"][1].append(value)
    S["pg_data"] = pg.make_data(S["pg_setup"], S["pg_upload"], added_points(S))
    S["pg_data_version"] += 1
    S["pg_trainer"] = pg.make_trainer(S["pg_setup"], S["pg_data"], model=S["pg_trainer"].model)


def load_model(S, model):
    """A model loaded from a file replaces the network (its layers set the widgets on the next run);
    a ``ValueError`` if it does not fit this data."""
    data = S["pg_data"]
    new_setup = pg.setup_from_model(model, S["pg_setup"], data["task"], data["classes"])
    S["pg_trainer"] = pg.make_trainer(new_setup, data, model)
    S["pg_setup"], S["pg_initial"], S["pg_playing"] = new_setup, model.get_weights(), False
    S["pg_nlayers"] = len(new_setup["layers"])
    S["pg_pending"] = {f"pg_{kind}_{i}": v for i, (n, a) in enumerate(zip(new_setup["layers"], new_setup["acts"]))
                       for kind, v in (("n", n), ("act", a))}
    S["pg_message"] = "Loaded your model file: the network shows its weights (epoch 0 of a new run)."


def rewind(S):
    """What a paused playground shows: (epoch shown, the epochs the rewind slider offers or None, the model as
    it was then). The slider (key ``pg_rewind``) follows the newest epoch unless the learner rewound."""
    tr = S["pg_trainer"]
    if len(tr.snapshots) <= 1:
        return tr.epoch, None, tr.model
    epochs = [e for e, _ in tr.snapshots]
    if epochs[-1] != tr.epoch:
        epochs.append(tr.epoch)
    if S.get("pg_rewind") not in epochs or S.get("pg_rewind") == S.get("pg_rewind_latest"):
        S["pg_rewind"] = epochs[-1]
    S["pg_rewind_latest"] = epochs[-1]
    shown = S["pg_rewind"]
    if shown == tr.epoch:
        return shown, epochs, tr.model
    model = copy.deepcopy(tr.model)
    model.set_weights(dict(tr.snapshots)[shown])
    return shown, epochs, model

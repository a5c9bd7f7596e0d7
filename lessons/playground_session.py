"""The playground's per-learner state and what each control does to it, on a plain mapping — the page passes
``st.session_state``, the tests a dict. No screen here: the page draws from this state, its buttons call
these functions (each states its intent, so a callback run twice does no harm).

Keys (all prefixed ``pg_``): ``pg_setup`` (the setup in force), ``pg_data``, ``pg_trainer``, ``pg_initial``
(the first weights, for Reset), ``pg_playing``, ``pg_message`` (said on the page), ``pg_added`` (points added
by hand: xs, labels), ``pg_upload`` (uploaded CSV points), ``pg_classroom`` (hidden control groups),
``pg_link_notices``, and the widgets' own keys ``pg_w_*``.
"""
import copy

import numpy as np

import lessons.playground as pg
from nn_core.data import FEATURES


def widget_defaults(S, setup):
    """Put a setup into the widgets' keys (on first load, from a share link, after a model is loaded)."""
    S["pg_w_data"], S["pg_w_noise"], S["pg_w_train"], S["pg_w_seed"] = (setup["data"], setup["noise"],
                                                                        setup["train"], setup["seed"])
    S["pg_w_lr"], S["pg_w_opt"], S["pg_w_batch"] = setup["lr"], setup["opt"], setup["batch"]
    S["pg_w_reg"], S["pg_w_rate"], S["pg_w_loss"] = setup["reg"], setup["rate"], setup["loss"]
    S["pg_w_stop_loss"], S["pg_w_stop_epoch"] = setup["stop_loss"], setup["stop_epoch"]
    for f in FEATURES:
        S[f"pg_w_feat_{f}"] = f in setup["features"]
    S["pg_nlayers"] = len(setup["layers"])
    for i, (n, a) in enumerate(zip(setup["layers"], setup["acts"])):
        S[f"pg_w_n_{i}"], S[f"pg_w_act_{i}"] = n, a


def first_load(S, params):
    """A learner's first visit, from the link's query ``params`` (a dict of strings)."""
    setup, classroom, notices = pg.decode_setup(params)
    S["pg_classroom"], S["pg_link_notices"] = classroom, notices
    S["pg_playing"], S["pg_added"], S["pg_upload"], S["pg_message"] = False, ([], []), None, None
    S["pg_show_test"], S["pg_discrete"] = False, False
    widget_defaults(S, setup)
    build(S, setup, None)


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
    layers = [int(S[f"pg_w_n_{i}"]) for i in range(S["pg_nlayers"])]
    return {"data": S["pg_w_data"], "noise": S["pg_w_noise"], "seed": int(S["pg_w_seed"]), "train": S["pg_w_train"],
            "features": [f for f in FEATURES if S[f"pg_w_feat_{f}"]], "layers": layers,
            "acts": [S.get(f"pg_w_act_{i}", "tanh") for i in range(len(layers))],
            "loss": S["pg_w_loss"], "opt": S["pg_w_opt"], "lr": S["pg_w_lr"], "batch": S["pg_w_batch"],
            "reg": S["pg_w_reg"], "rate": S["pg_w_rate"], "stop_loss": float(S["pg_w_stop_loss"]),
            "stop_epoch": int(S["pg_w_stop_epoch"])}


def apply_controls(S):
    """Bring the model in line with the widgets: new data or a new network when those changed (fresh
    weights), otherwise the new hyperparameters on the same weights. A ``ValueError`` (an impossible setup)
    leaves everything as it was."""
    setup, old = gather(S), S["pg_setup"]
    if setup["data"] == "upload" and S["pg_upload"] is None:
        raise ValueError("No uploaded points yet.")
    pg.check_setup(setup)
    if any(setup[k] != old[k] for k in pg.DATA_KEYS):
        S["pg_added"] = ([], [])
        build(S, setup, "New data: the network was rebuilt with fresh weights.")
    elif any(setup[k] != old[k] for k in pg.NET_KEYS):
        build(S, setup, "The network changed: it was rebuilt with fresh weights.")
    else:
        pg.apply_hyper(S["pg_trainer"], setup)
        S["pg_setup"] = setup


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
    S["pg_redraw"] = S["pg_playing"]      # Pause needs no redraw: the next live tick stops the timer
    return S["pg_playing"]


def on_step(S):
    S["pg_playing"], S["pg_redraw"] = False, True
    S["pg_message"] = None
    go_on_from_shown(S)
    pg.train_chunk(S["pg_trainer"], {**S["pg_setup"], "stop_epoch": 0, "stop_loss": 0.0}, 0.0)   # one epoch


def on_reset(S):
    S["pg_playing"], S["pg_redraw"] = False, True
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
        S["pg_pending"] = {"pg_w_data": "upload"}
    return None


def on_lower_lr(S):
    lower = [r for r in pg.LEARNING_RATES if r < S["pg_trainer"].optimizer.lr / 3] or [pg.LEARNING_RATES[0]]
    S["pg_w_lr"] = S["pg_trainer"].optimizer.lr = lower[-1]
    S["pg_setup"] = {**S["pg_setup"], "lr": lower[-1]}
    S["pg_trainer"].reset(S["pg_initial"])
    S["pg_message"] = f"Reset with the learning rate lowered to {lower[-1]:g}; the data and the network are unchanged."


def on_layers(S, count):
    """Set the number of hidden layers to ``count`` (idempotent: a repeated callback adds nothing)."""
    k = S["pg_nlayers"]
    if count == k + 1 and k < pg.MAX_LAYERS:
        S[f"pg_w_n_{k}"] = S[f"pg_w_n_{k - 1}"] if k else 4
        S[f"pg_w_act_{k}"] = S[f"pg_w_act_{k - 1}"] if k else "tanh"
        S["pg_nlayers"] = k + 1
    elif count == k - 1 and k:
        S["pg_nlayers"] = k - 1


def on_new_seed(S, seed):
    S["pg_w_seed"] = seed


def on_clear_added(S):
    S["pg_added"] = ([], [])
    build(S, S["pg_setup"], "The added points were removed: the network was rebuilt with fresh weights.")


def add_point(S, xy, value):
    """A point added by hand to the training set; the network keeps its weights."""
    S["pg_added"][0].append(xy)
    S["pg_added"][1].append(value)
    S["pg_data"] = pg.make_data(S["pg_setup"], S["pg_upload"], added_points(S))
    S["pg_data_version"] += 1
    S["pg_trainer"] = pg.make_trainer(S["pg_setup"], S["pg_data"], model=S["pg_trainer"].model)
    S["pg_message"] = f"Added a point at {xy} to the training set; the network keeps its weights."


def load_model(S, model):
    """A model loaded from a file replaces the network (its layers set the widgets on the next run);
    a ``ValueError`` if it does not fit this data."""
    data = S["pg_data"]
    new_setup = pg.setup_from_model(model, S["pg_setup"], data["task"], data["classes"])
    S["pg_trainer"] = pg.make_trainer(new_setup, data, model)
    S["pg_setup"], S["pg_initial"], S["pg_playing"] = new_setup, model.get_weights(), False
    S["pg_nlayers"] = len(new_setup["layers"])
    S["pg_pending"] = {f"pg_w_{kind}_{i}": v for i, (n, a) in enumerate(zip(new_setup["layers"], new_setup["acts"]))
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

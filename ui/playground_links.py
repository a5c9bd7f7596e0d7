"""The playground's share link: what Streamlit's widget binding cannot express.

Every setting of the playground is a widget bound to the URL (its key is the parameter: ``pg_lr``, ``pg_ds``,
``pg_f_x1sq`` …, see lessons/playground_session.KEYS). Left here: the hidden layers, a list whose length varies
(``pg_layers=4,2&pg_acts=relu,tanh``), and links written before the binding (``?lr=0.1&data=xor&layers=3``),
whose parameters are renamed once, on the first run, into the bound ones.
"""
import streamlit as st

import lessons.playground as pg
import lessons.playground_session as ps
from nn_core.data import DATASETS_2D
from ui import link_state, links

LAYERS, ACTS = "pg_layers", "pg_acts"
OPT_LABELS = {"sgd": "SGD", "momentum": "Momentum", "rmsprop": "RMSprop", "adam": "Adam"}   # short: they go in the URL
LOSS_LABELS = {"auto": "auto", "mse": "MSE"}      # "by the problem" was cut off at 1280 px
# labels of the data sets in the URL (the selectbox shows them): short, and the same in every lesson
DATA_LABELS = {k: v["label"] for k, v in DATASETS_2D.items()} | {"multigauss": "Bumps (regression)",
                                                                  "upload": "Your uploaded points"}
LEGACY = {"data": "pg_ds", "noise": "pg_noise", "seed": "pg_seed", "train": "pg_split", "loss": "pg_loss",
          "opt": "pg_opt", "lr": "pg_lr", "batch": "pg_batch", "reg": "pg_reg", "rate": "pg_rate",
          "stop_loss": "pg_target", "stop_epoch": "pg_budget", "layers": LAYERS, "acts": ACTS}


def _legacy_value(name, raw):
    """An old link's value, written as the bound widget writes it (unknown values pass unchanged: the binding
    then drops them and the notice names them)."""
    if name == "data":
        return DATA_LABELS.get(raw, raw)
    if name == "opt":
        return OPT_LABELS.get(raw, raw)
    if name == "loss":
        return LOSS_LABELS.get(raw, raw)
    if name == "reg":
        return pg.REGULARIZATION.get(raw, raw)
    if name == "batch":
        return "all" if raw == "0" else raw
    return raw


def translate_old_link(S):
    """Rename an old link's parameters into the bound ones, once per session (then rerun: the widgets read
    the new names). Returns nothing; unknown feature codes are remembered for the notice."""
    if S.get("pg_link_translated") or not any(name in st.query_params for name in (*LEGACY, "features")):
        return
    S["pg_link_translated"] = True
    old = {name: st.query_params[name] for name in (*LEGACY, "features") if name in st.query_params}
    new, notes = {}, []
    for name, raw in old.items():
        del st.query_params[name]
        if name == "features":
            codes = [c.strip() for c in raw.split(",") if c.strip()]
            bad = [c for c in codes if c not in pg.FEATURE_CODES.values()]
            if bad or not codes:
                notes.append(("features", f"“{(bad or [raw])[0][:20]}” is not a feature of this lesson; "
                                          "the default features are used"))
                continue
            for f, code in pg.FEATURE_CODES.items():
                if (f in pg.DEFAULT_SETUP["features"]) != (code in codes):
                    new[ps.feature_key(f)] = "true" if code in codes else "false"
        else:
            new[LEGACY[name]] = _legacy_value(name, raw)
    S["pg_link_notes"], S["pg_link_renamed"] = notes, {LEGACY[n]: n for n in old if n in LEGACY}
    st.query_params.update(new)
    st.rerun()


def read_layers(S):
    """On the lesson's first run, the link's hidden layers go into the layer widgets; a bad value is named in
    the notice and the default layers stay."""
    links.own(LAYERS, ACTS)
    links.alias(S.pop("pg_link_renamed", {}))
    for name, why in S.pop("pg_link_notes", []):
        links.reject(name, why)
    raw = links.raw(LAYERS)
    acts = links.raw(ACTS)
    if raw is None:
        if acts is not None:
            links.reject(ACTS, f"needs {LAYERS} beside it; the default layers are used")
        return
    try:
        layers, acts = pg.parse_layers(raw, acts)
    except ValueError as e:
        links.reject(LAYERS, f"{e}; the default layers are used")
        if acts is not None:
            links.reject(ACTS, f"belongs to {LAYERS}, which was ignored")
        return
    ps.set_layers(S, layers, acts)


def write_layers(setup):
    """Keep the URL's hidden layers in step with the setup (absent when they are the default ones)."""
    want = pg.layers_text(setup["layers"], setup["acts"])
    if want == pg.layers_text(pg.DEFAULT_SETUP["layers"], pg.DEFAULT_SETUP["acts"]):
        for name in (LAYERS, ACTS):
            if name in st.query_params:
                del st.query_params[name]
    elif (st.query_params.get(LAYERS), st.query_params.get(ACTS)) != want:
        st.query_params.update({LAYERS: want[0], ACTS: want[1]})


POINTS, MAX_LINK_POINTS = "pg_pts", 100     # points added by clicking: x1_x2_label~… (a link carries up to 100)


def points(S):
    """The points added by clicking: from the link on the lesson's first run (onto the link's data and first
    weights, as a learner clicking them would), into the link while there are any (up to MAX_LINK_POINTS)."""
    data = S["pg_data"]

    def parse(raw):
        pts = [link_state.parse_numbers(p, 3, -6.0, 6.0) for p in raw.split("~")] if raw else []
        if len(pts) > MAX_LINK_POINTS:
            raise ValueError(f"holds {len(pts)} points; at most {MAX_LINK_POINTS}")
        if data["task"] == "regression":
            if not all(-1.0 <= v <= 1.0 for _, _, v in pts):
                raise ValueError("needs values between −1 and 1 for this data set")
            return [((x, y), v) for x, y, v in pts]
        if not all(v in range(data["classes"]) for _, _, v in pts):
            raise ValueError(f"needs classes 0 to {data['classes'] - 1} for this data set")
        return [((x, y), int(v)) for x, y, v in pts]

    got = link_state.read_param(POINTS, parse)
    if got:
        ps.add_points(S, got)
    xs, ys = S["pg_added"]
    link_state.write_param(POINTS, "~".join(link_state.numbers_text((*xy, v)) for xy, v in zip(xs, ys))
                           if 0 < len(xs) <= MAX_LINK_POINTS else None)


def not_in_link(S):
    """What the share link does not carry, said in the share box (None when it carries everything)."""
    gone = (["your uploaded points"] if S.get("pg_upload") is not None else []) + (
        [f"more than {MAX_LINK_POINTS} points added by clicking"] if len(S["pg_added"][0]) > MAX_LINK_POINTS else [])
    return (f"The link does not carry {' or '.join(gone)}: whoever opens it gets the data set's own points."
            if gone else None)

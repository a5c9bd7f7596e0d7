"""Settings that define what the learner sees but are not a bound widget: a perceptron's own points, a CNN's
kernel edited cell by cell, an RNN's own text, the backprop network's edited numbers. Each travels in the link
as one parameter the page owns (``links.own``), written while it differs from what the other settings give,
read on the lesson's first run, and validated like every link parameter: a value it cannot take is named in
the notice (as text) and the learner's state stays as the other settings make it.

Numbers are written compactly, ``_`` between numbers and ``~`` between points: both pass through a URL as they are.
"""
import math

import numpy as np
import streamlit as st

from ui import links
from ui.drawing import number_grid

TEXT_IN_LINK = 1_000     # characters of a learner's own text a link carries; a longer text stays on this computer


def numbers_text(values):
    return "_".join(f"{float(v):.6g}" for v in values)


def parse_numbers(raw, count=None, lo=-math.inf, hi=math.inf):
    """``raw`` ("0.5_-1_2") → floats; a ValueError in plain words when it is not ``count`` finite numbers in
    [lo, hi]."""
    parts = raw.split("_") if raw else []
    if count is not None and len(parts) != count:
        raise ValueError(f"needs {count} numbers, not {len(parts)}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError("holds something that is not a number") from None
    if not all(math.isfinite(v) and lo <= v <= hi for v in values):
        raise ValueError(f"needs numbers between {lo:g} and {hi:g}")
    return values


def write_param(name, text):
    """Keep the URL's ``name`` at ``text`` (None: absent). On the lesson's first run the link's own value stays."""
    if links.raw(name) is not None:
        return
    if text is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != text:
        st.query_params[name] = text


def read_param(name, parse):
    """The link's value of ``name`` parsed (first run only), or None; a bad one is named in the notice."""
    links.own(name)
    raw = links.raw(name)
    if raw is None:
        return None
    try:
        return parse(raw)
    except ValueError as e:
        links.reject(name, f"{e}; it was not used")
        del st.query_params[name]          # refused: out of the address too (the notice names it)
        return None


# --- lesson 1: the learner's own points -----------------------------------------------------------------------
def read_points(S, key, lims, max_points):
    """The perceptron's own points (x1, x2, class) from the link's ``pc_pts=x1_x2_c~…`` into ``S[key]``."""
    def parse(raw):
        points = [parse_numbers(p, 3) for p in raw.split("~")] if raw else []
        if len(points) > max_points:
            raise ValueError(f"holds {len(points)} points; at most {max_points}")
        if not all(lims[0] <= x <= lims[1] and lims[0] <= y <= lims[1] and c in (0, 1) for x, y, c in points):
            raise ValueError(f"needs points within {lims[0]:g} … {lims[1]:g} of class 0 or 1")
        return [(x, y, int(c)) for x, y, c in points]

    got = read_param("pc_pts", parse)
    if got is not None:
        S[key] = got


def write_points(points, active):
    write_param("pc_pts", "~".join(numbers_text(p) for p in points) if active and points else None)


# --- lesson 6: a kernel edited cell by cell ---------------------------------------------------------------------
def kernel(K, key, editing, limit=10.0):
    """The kernel shown: the preset ``K`` or, when ``editing``, the grid of numbers the learner edits (key
    ``key``), whose cells go in the link as ``cnn_kcells`` while they differ from the preset."""
    k = K.shape[0]
    got = read_param("cnn_kcells", lambda raw: parse_numbers(raw, k * k, -limit, limit))
    if got is not None and editing:
        st.session_state[f"{key}_base"] = np.array(got).reshape(k, k)
    elif got is not None:
        links.reject("cnn_kcells", "is used only with cnn_edit=true (editing the kernel cell by cell)")
        del st.query_params["cnn_kcells"]
    if not editing:
        write_param("cnn_kcells", None)
        return K
    edited = number_grid(st.session_state.get(f"{key}_base", K), key)
    write_param("cnn_kcells", None if np.allclose(edited, K) else numbers_text(edited.ravel()))
    return edited


# --- lesson 7: the learner's own text ---------------------------------------------------------------------------
def own_text(S, key, active, max_chars):
    """The RNN's own text in ``S[key]``: in the link as ``rnn_own`` when at most TEXT_IN_LINK characters long;
    a longer one stays on this computer, and the share box says so."""
    def parse(raw):
        if len(raw) > max_chars:
            raise ValueError(f"is {len(raw):,} characters long; at most {max_chars:,}")
        return raw

    got = read_param("rnn_own", parse)
    if got is not None:
        S[key] = got
    text = S.get(key) or ""
    if active and len(text) > TEXT_IN_LINK:
        links.note(f"Your text ({len(text):,} characters) is too long for a link (at most {TEXT_IN_LINK:,}): "
                   "whoever opens the link gets an empty text box to fill in.")
    write_param("rnn_own", text if active and text and len(text) <= TEXT_IN_LINK else None)


# --- lesson 3: the network's numbers, edited ---------------------------------------------------------------------
def net_numbers(spec):
    return [*spec["x"], *spec["target"], *(v for W in spec["W"] for row in W for v in row),
            *(v for b in spec["b"] for v in b)]


def read_net(spec, validate, limit=100.0):
    """The link's edited numbers (``bp_net``: sample, target, every weight by layer, every bias) put into
    ``spec`` (the network the other settings give); None when the link has none or they do not fit."""
    def parse(raw):
        values = iter(parse_numbers(raw, len(net_numbers(spec)), -limit, limit))
        take = lambda n: [next(values) for _ in range(n)]     # noqa: E731  (the numbers in the link's order)
        out = dict(spec, x=take(len(spec["x"])), target=take(len(spec["target"])))
        out["W"] = [[take(len(row)) for row in W] for W in spec["W"]]
        out["b"] = [take(len(b)) for b in spec["b"]]
        validate(out)
        return out
    return read_param("bp_net", parse)


def write_net(spec, base):
    """``bp_net`` in the link while the network's numbers differ from ``base`` (what preset and seed give)."""
    write_param("bp_net", numbers_text(net_numbers(spec)) if net_numbers(spec) != net_numbers(base) else None)

"""A learner's progress across the lessons, kept in their own browser (localStorage), never on the server.

One small components-v2 component: it receives the challenge ids this session has solved (and, after
"Start over", a token to clear), merges them into the browser's store and reports the whole solved list back.
So a reload, or a new session in the same browser, finds the learner's progress again.
"""
import uuid

import streamlit as st

STORE = "nnlab-progress-v1"
_JS = """
export default function(component) {
  const { data, setStateValue, parentElement } = component;
  const KEY = "%s";
  let solved = {};
  try { solved = JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; } catch (e) { solved = {}; }
  if (data && data.clear && window.localStorage.getItem(KEY + "-cleared") !== data.clear) {
    solved = {};
    window.localStorage.setItem(KEY + "-cleared", data.clear);
  }
  for (const id of (data && data.solved) || []) { if (/^[a-z0-9_]{1,40}$/.test(id)) solved[id] = true; }
  window.localStorage.setItem(KEY, JSON.stringify(solved));
  const list = Object.keys(solved).sort();
  const text = JSON.stringify(list);
  if (parentElement.nnlabSent !== text) { parentElement.nnlabSent = text; setStateValue("solved", list); }
}
""" % STORE
_component = st.components.v2.component("nnlab_progress", js=_JS)


def _session():
    return st.session_state.setdefault("progress", {"solved": set(), "clear": ""})


def mark(ids):
    """Record challenge ids solved in this session (they reach the browser's store on ``sync``)."""
    _session()["solved"].update(ids)


def sync(key):
    """Mount the store; returns (the set of solved ids known to this browser and this session, whether the
    browser has answered yet — it does a moment after the first run)."""
    mine = _session()
    result = _component(data={"solved": sorted(mine["solved"]), "clear": mine["clear"]}, key=key,
                        on_solved_change=_ignore, height=0)
    stored = getattr(result, "solved", None)
    known = isinstance(stored, list)
    return set(mine["solved"]) | {s for s in (stored or []) if isinstance(s, str)}, known


def _ignore():
    """A state the component reports reruns the page; nothing else to do."""


def start_over():
    """Forget every solved challenge, here and in the browser's store."""
    mine = _session()
    mine["solved"].clear()
    mine["clear"] = uuid.uuid4().hex

"""Helpers shared by the lesson pages (glue only: no maths, no figure construction)."""
import math

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from nn_core.docmath import latex_blocks


def _run_through_app():
    """A lesson opened by its link (e.g. a shared /playground?...) on a server where app.py has not run
    yet is started by Streamlit's old folder-based navigation: it runs this page alone, without app.py's
    navigation, page config and theme, and lists every file in pages/ as a page. Leave that mode and
    rerun, so that app.py runs and shows the page the link asked for. (Streamlit itself leaves the mode
    the first time app.py calls st.navigation; this runs on the first import of this module, which every
    lesson does before it draws anything — at the end of the module, so that another session importing it
    meanwhile finds every helper defined.)"""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def show_equations(obj):
    """Render every $$…$$ block of ``obj``'s docstring: the lesson shows the maths the engine documents."""
    for block in latex_blocks(obj):
        st.latex(block)


def state(key, default):
    """``st.session_state[key]``, created from ``default()`` (a callable) on first use."""
    if key not in st.session_state:
        st.session_state[key] = default()
    return st.session_state[key]


def read_query_params(spec):
    """Validate share-link parameters against ``spec``: name -> ("float"|"int", lo, hi) or ("choice", options)
    or ("bool",). Returns {name: value} for the valid ones; invalid or unknown ones are ignored and listed in a
    notice on the page (never an exception)."""
    values, ignored = {}, []
    for name, raw in st.query_params.to_dict().items():
        rule = spec.get(name)
        if rule is None:
            continue   # parameters of other widgets (e.g. bound ones) are not ours to judge
        try:
            kind = rule[0]
            if kind in ("float", "int"):
                v = float(raw) if kind == "float" else int(raw)
                if not (math.isfinite(v) and rule[1] <= v <= rule[2]):
                    raise ValueError(f"must lie between {rule[1]} and {rule[2]}")
            elif kind == "choice":
                if raw not in rule[1]:
                    raise ValueError(f"must be one of {', '.join(map(str, rule[1]))}")
                v = raw
            elif kind == "bool":
                if raw not in ("0", "1", "true", "false"):
                    raise ValueError("must be 0 or 1")
                v = raw in ("1", "true")
            else:
                raise ValueError("unknown parameter kind")
            values[name] = v
        except ValueError as e:
            ignored.append(f"`{name}={raw[:40]}` ({e})")
    if ignored:
        st.info("Some settings in this link were ignored: " + "; ".join(ignored) + ". The defaults are used instead.")
    return values


_run_through_app()

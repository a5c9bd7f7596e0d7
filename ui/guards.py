"""How every lesson refuses an upload, a paste or a link parameter it cannot use, safely.

Three rules, for every lesson (issue 16):
* measure before decoding or allocating: a file's size before it is read and a picture's pixels from its
  header (``ui.uploads``), then the lessons' and engine's own validators (``lessons.cnn.check_image_size``,
  ``nn_core.data.parse_points_csv``, ``Sequential.load``, ``lessons.rnn.CharTask``);
* never render what a learner typed, uploaded or put in a link as Markdown: our sentence goes in the alert,
  anything that may echo the learner's input (a validator's message, a link's value) in a text element;
* a refusal keeps the learner's state: a file is processed once (``ui.uploads.once``), and only a good one
  replaces anything.
"""
import html
import re

import streamlit as st

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$>])")


def escaped(text):
    """``text`` (short: a character, a word) made literal inside Markdown we write around it: HTML escaped,
    then every character Markdown could read as syntax backslash-escaped. Longer echoes go in st.text."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(str(text), quote=False))


def refusal(headline, detail=None, kind="error"):
    """An alert with our own ``headline`` (Markdown we wrote) and, under it as plain text, ``detail`` —
    a validator's message, which may quote a file name, a value or a character the learner gave."""
    icon = {"error": ":material/block:", "warning": ":material/warning:"}.get(kind, ":material/info:")
    getattr(st, kind)(headline, icon=icon)
    if detail:
        st.text(detail)

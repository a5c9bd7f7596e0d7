"""The challenge panel every lesson ends with: each challenge's task, "Solved" or "Not yet: why", a hint.

``panel(lesson, view)`` judges every challenge of ``lessons.challenges.CHALLENGES[lesson]`` on ``view`` (what
the learner sees) and draws them. It holds no widget except a challenge's own question, so a live fragment may
call it on every frame to judge the values while training plays.
"""
import streamlit as st

from lessons.challenges import CHALLENGES, backprop_view, cnn_view, rnn_view  # noqa: F401  (views the pages build)
from ui import links, progress


def answer(challenge):
    """The learner's answer to a challenge's question (None until given)."""
    return st.session_state.get(f"ch_{challenge.id}")


def panel(lesson, view, title="Challenges", key_suffix=""):
    """Draw the lesson's challenges judged on ``view``; returns {challenge id: solved}."""
    results = {}
    st.subheader(title, anchor="challenges")
    for ch in CHALLENGES[lesson]:
        with st.container(border=True, key=f"challenge_{ch.id}{key_suffix}"):
            st.markdown(f"**{ch.title}** — {ch.task}")
            if ch.ask:
                st.radio("Your prediction", ch.ask, index=None, horizontal=True, key=f"ch_{ch.id}")
            solved, why = ch.check(dict(view, answer=answer(ch)))
            results[ch.id] = solved
            if solved:
                st.success(f"Solved: {why}", icon=":material/check_circle:")
            else:
                st.info(f"Not yet: {why}", icon=":material/radio_button_unchecked:")
                with st.expander("Hint"):
                    st.caption(ch.hint)
    progress.mark(cid for cid, ok in results.items() if ok)
    progress.sync(key=f"progress_{lesson}{key_suffix}")
    return results


def close(lesson, view):
    """The end of a lesson: its challenge panel, then the share box and the link's report (``links.finish``)."""
    results = panel(lesson, view)
    links.finish()
    return results

"""The lab's one live loop (ui/live.py), its shared behaviour under AppTest: the bar first — the run that follows a
click on Play or Pause waits a moment once the bar is sent, so that the browser shows the bar before whatever the
page draws next (a paused view's Plotly figures took the button 100–300 ms to show); no other run waits."""
import time
import types

import pytest
from streamlit.testing.v1 import AppTest


class Waited(Exception):
    """Raised by the test's clock instead of the bar's wait: the run stops there, showing what it had sent."""


def bar_page():
    import streamlit as st

    from ui import live
    live.control_bar("x", step=lambda: None, reset=lambda: None)
    st.markdown("after the bar")


@pytest.fixture
def clock(monkeypatch):
    from ui import live
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if seconds == live.BAR_FIRST:
            raise Waited("the bar's wait")
        time.sleep(seconds)

    names = {n: getattr(time, n) for n in dir(time) if not n.startswith("_")}
    monkeypatch.setattr(live, "time", types.SimpleNamespace(**dict(names, sleep=sleep)))
    return waits


def state(at):
    """(the bar's buttons by key, whether the page got past the bar, the exception shown if any)."""
    waited = [e.value for e in at.exception]
    return ({b.key for b in at.button}, any(m.value == "after the bar" for m in at.markdown),
            waited == ["the bar's wait"])


def test_the_run_after_play_or_pause_waits_once_the_bar_is_sent(clock):
    at = AppTest.from_function(bar_page).run()
    assert state(at) == ({"x_play", "x_step", "x_reset"}, True, False)      # a first run: no wait
    at.button(key="x_play").click().run()
    assert state(at) == ({"x_pause", "x_step", "x_reset"}, False, True)     # the bar (Pause) sent, then the wait
    at.run()
    assert state(at) == ({"x_pause", "x_step", "x_reset"}, True, False)     # a run while playing: no wait
    at.button(key="x_pause").click().run()
    assert state(at) == ({"x_play", "x_step", "x_reset"}, False, True)      # Pause: the bar (Play), then the wait
    at.button(key="x_step").click().run()
    assert state(at) == ({"x_play", "x_step", "x_reset"}, True, False)      # Step: the page as usual
    from ui import live
    assert clock.count(live.BAR_FIRST) == 2

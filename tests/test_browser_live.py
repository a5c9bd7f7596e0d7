"""The lab's one live loop in a real browser: a timer tick that the browser sent before the Pause's run reached the
server (it stops its timer only when that run begins) arrives after the run. It must neither draw the paused view
again (its Plotly figures cost the browser another 100–300 ms after Play shows) nor leave the view without its
elements. The tick is captured on the websocket while playing and sent again once the paused page is drawn, so
the case is made to happen instead of waited for."""
import base64
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from conftest import page_errors, wait_ready

SOCKET = """
window.__sent = []; window.__got = [];
const b64 = (buf) => { const u = new Uint8Array(buf); let s = '';
  for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
  return btoa(s); };
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (d) { window.__ws = this; window.__sent.push(b64(d)); return send.call(this, d); };
const listen = WebSocket.prototype.addEventListener;
WebSocket.prototype.addEventListener = function (type, f, o) {
  if (type === 'message') { const g = f; f = (e) => { if (e.data instanceof ArrayBuffer) window.__got.push(b64(e.data));
    return g(e); }; }
  return listen.call(this, type, f, o); };
"""


def decode(cls, text):
    msg = cls()
    msg.ParseFromString(base64.b64decode(text))
    return msg


def figures(page, box):
    return page.locator(f".st-key-{box} [data-testid='stPlotlyChart']").count()


def test_a_stale_timer_tick_after_pause_neither_redraws_nor_clears_the_paused_view(app_url, page):
    page.add_init_script(SOCKET)
    page.goto(app_url + "/rnn")
    wait_ready(page, settle=1.0)
    page.locator(".st-key-rnn_play button").click()
    page.locator(".st-key-rnn_pause button").wait_for(timeout=15000)
    time.sleep(2.0)                                    # the timer ticks meanwhile
    page.locator(".st-key-rnn_pause button").click()
    page.locator(".st-key-rnn_play button").wait_for(timeout=15000)
    wait_ready(page, settle=1.5)
    ticks = [m for m in page.evaluate("() => window.__sent") if decode(BackMsg, m).rerun_script.fragment_id]
    assert ticks, "no timer tick was sent while playing"
    assert figures(page, "rnn_loss_box") == 1 and figures(page, "rnn_forecast_box") == 1   # the paused figures
    seen = page.evaluate("() => window.__got.length")

    page.evaluate("(t) => window.__ws.send(Uint8Array.from(atob(t), (c) => c.charCodeAt(0)))", ticks[-1])
    # Streamlit drops a rerun of a fragment the page no longer has (or, if the tick comes during the paused run,
    # runs nothing for it): there may be no answer at all. A tick that does run the view is answered within a
    # second or so, and ends with script_finished.
    end, got = time.time() + 5, []
    while time.time() < end and not any(m.WhichOneof("type") == "script_finished" for m in got):
        time.sleep(0.2)
        got = [decode(ForwardMsg, m) for m in page.evaluate(f"() => window.__got.slice({seen})")]
    drawn = [m.delta.new_element.WhichOneof("type") or m.delta.WhichOneof("type")
             for m in got if m.WhichOneof("type") == "delta"]
    assert drawn == [], f"the stale tick drew {drawn}"
    wait_ready(page, settle=1.0)
    assert figures(page, "rnn_loss_box") == 1 and figures(page, "rnn_forecast_box") == 1
    assert page.locator(".st-key-rnn_stats").inner_text().startswith("Paused")
    assert not page_errors(page), page_errors(page)

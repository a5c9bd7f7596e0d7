"""Draw a digit with a mouse or a finger: a small Streamlit components-v2 canvas (inline HTML/JS, no build).
The strokes go to Python after every stroke and every 0.4 s while drawing; lessons/drawing.py turns them into
the 8×8 input exactly as the training digits were made. Keyboard users clear it with its button (or the page's)
and can draw on the tick grid instead (ui/drawing.py)."""
import streamlit as st

from lessons.drawing import EXAMPLE_SEVEN, MAX_POINTS, MAX_STROKES, check_strokes
from ui.common import state

PEN = 0.11                 # the pen's width on the canvas, as a share of its side (the network sees its own)

HTML = """
<div class="pad">
  <canvas width="280" height="280" role="img" tabindex="0"
          aria-label="Drawing area: draw one digit with the mouse or a finger. Keyboard: use Clear, or the tick grid."></canvas>
  <button type="button" class="clear">Clear the canvas</button>
</div>
"""

CSS = """
.pad { width: 100%; display: flex; flex-direction: column; gap: 8px; align-items: flex-start; }
canvas { width: 100%; max-width: 280px; height: auto; aspect-ratio: 1; box-sizing: border-box; border: 2px solid #9aa0a6; border-radius: 6px; background: #fff;
         touch-action: none; cursor: crosshair; }
canvas:focus-visible, button:focus-visible { outline: 3px solid #0877bd; outline-offset: 2px; }
button { font: inherit; font-size: 1rem; padding: 6px 14px; border-radius: 6px; border: 1px solid #9aa0a6;
         background: #fff; cursor: pointer; }
"""

JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const canvas = parentElement.querySelector("canvas");
  const clear = parentElement.querySelector("button.clear");
  const ctx = canvas.getContext("2d");
  const side = canvas.width;
  // The drawing lives on the canvas element, so a rerun (new data) never drops a stroke in progress;
  // only a new generation (Clear, Example from the page) replaces it.
  let s = canvas.__digit;
  const fresh = !s || s.gen !== data.gen;
  if (fresh) {
    s = canvas.__digit = { gen: data.gen, strokes: JSON.parse(JSON.stringify(data.strokes || [])), current: null, sent: 0 };
  }
  const all = () => (s.current ? s.strokes.concat([s.current]) : s.strokes);
  function draw() {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, side, side);
    ctx.strokeStyle = "#111111";
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.lineWidth = data.pen * side;
    for (const stroke of all()) {
      ctx.beginPath();
      ctx.moveTo(stroke[0][0] * side, stroke[0][1] * side);
      for (const [x, y] of stroke.slice(1)) ctx.lineTo(x * side, y * side);
      if (stroke.length === 1) ctx.lineTo(stroke[0][0] * side + 0.1, stroke[0][1] * side);
      ctx.stroke();
    }
  }
  function send() {
    s.sent = performance.now();
    setStateValue("drawing", { gen: s.gen, strokes: all() });
  }
  function at(e) {
    const r = canvas.getBoundingClientRect();
    const c = (v) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
    return [c((e.clientX - r.left) / r.width), c((e.clientY - r.top) / r.height)];
  }
  function down(e) {
    e.preventDefault();
    if (s.strokes.length >= data.max_strokes) return;
    try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* a synthetic or ended pointer */ }
    s.current = [at(e)];
    draw();
  }
  function move(e) {
    if (!s.current) return;
    e.preventDefault();
    const p = at(e), q = s.current[s.current.length - 1];
    if (Math.hypot(p[0] - q[0], p[1] - q[1]) < 0.012) return;
    if (all().reduce((n, stroke) => n + stroke.length, 0) >= data.max_points) return;   // the ink runs out
    s.current.push(p);
    draw();
    if (performance.now() - s.sent > 400) send();       // the answer follows the pen while it draws
  }
  function up() {
    if (!s.current) return;
    s.strokes.push(s.current);
    s.current = null;
    draw();
    send();
  }
  function wipe() {
    s.strokes = [];
    s.current = null;
    draw();
    send();
  }
  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  clear.addEventListener("click", wipe);
  draw();
  if (fresh && data.announce) send();                   // tell Python the new generation's drawing
  return () => {
    canvas.removeEventListener("pointerdown", down);
    canvas.removeEventListener("pointermove", move);
    canvas.removeEventListener("pointerup", up);
    canvas.removeEventListener("pointercancel", up);
    clear.removeEventListener("click", wipe);
  };
}
"""

_canvas = st.components.v2.component("nnlab.digit_canvas", html=HTML, css=CSS, js=JS)


def _restart(key, strokes):
    st.session_state[f"{key}_gen"] = st.session_state.get(f"{key}_gen", 0) + 1
    st.session_state[f"{key}_start"] = strokes


def digit_canvas(key):
    """The canvas and two keyboard-operable buttons (Clear, the example 7). Returns (strokes, problem): the
    drawing as lists of (x, y) in [0, 1], and a plain-words reason when what arrived was not a drawing (then
    the strokes are the generation's start)."""
    gen = state(f"{key}_gen", lambda: 0)
    start = state(f"{key}_start", lambda: EXAMPLE_SEVEN)
    result = _canvas(key=key, data={"gen": gen, "strokes": start, "pen": PEN, "announce": gen > 0,
                           "max_points": MAX_POINTS, "max_strokes": MAX_STROKES},
                     default={"drawing": {"gen": gen, "strokes": start}}, on_drawing_change=lambda: None,
                     width="stretch", height=340)
    b1, b2 = st.columns(2)
    b1.button("Clear", key=f"{key}_clear", on_click=_restart, args=(key, []), icon=":material/ink_eraser:",
              width="stretch")
    b2.button("Example 7", key=f"{key}_example", on_click=_restart, args=(key, EXAMPLE_SEVEN),
              icon=":material/draw:", width="stretch")
    drawing = getattr(result, "drawing", None)
    if not isinstance(drawing, dict) or drawing.get("gen") != gen:
        return start, None                                  # the canvas has not reported this generation yet
    try:
        return [list(map(list, s)) for s in check_strokes(drawing.get("strokes"))], None
    except (ValueError, TypeError) as e:
        return start, f"That drawing could not be read ({e})."

"""The playground's decision map as a small components-v2 canvas (inline HTML/JS, no build), live and paused:
it paints the map (the viz colours, 100 × 100) and the points, tells under the pointer the engine's output at the
nearest grid point ("x1 = 1.20, x2 = −0.60 → output 0.83: class 1 (blue)"), and — when adding points is on — sends
a click (or Enter on the keyboard cursor) as the exact clicked place. Keyboard: focus the map (Tab), the arrow
keys move a cursor one grid step (with Shift five), Enter or Space adds a point there. Its aria-label describes
the map from the engine's numbers (lessons.playground_map.describe)."""
import streamlit as st

import lessons.playground_map as pm
from viz.playground import POINT_EDGE, TEST_RING, TRAIN_RING, hex_colours

HTML = """
<div class="map">
  <canvas width="400" height="400" tabindex="0" role="img"></canvas>
  <div class="readout" aria-live="polite"></div>
</div>
"""

CSS = """
.map { width: 100%; display: flex; flex-direction: column; gap: 2px; }
canvas { width: 100%; height: auto; aspect-ratio: 1; display: block; image-rendering: pixelated; cursor: crosshair;
         border-radius: 2px; touch-action: manipulation; }
canvas:focus-visible { outline: 3px solid #0877bd; outline-offset: 2px; }
.readout { font-family: "Source Sans Pro", "Source Sans 3", sans-serif; font-size: 0.875rem; line-height: 1.25;
           color: #31333f; min-height: 2.5em; font-variant-numeric: tabular-nums; }
"""

JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const canvas = parentElement.querySelector("canvas");
  // One state per canvas, listeners registered once: each frame only hands over new data (Streamlit calls this
  // function on every update without always calling the cleanup in between, so listeners added per call pile up).
  let s = canvas.__map;
  if (!s) {
    s = canvas.__map = { hover: null, cursor: null, img: null, src: null };
    s.readout = parentElement.querySelector(".readout");
    s.ctx = canvas.getContext("2d");
    const W = canvas.width;
    const geo = () => { const d = s.data; return { n: d.n, lim: d.lim, step: 2 * d.lim / (d.n - 1) }; };
    const fmt = (v) => (v < 0 ? "\\u2212" : "") + Math.abs(v).toFixed(2);
    const toPx = (x1, x2) => { const { lim } = geo(); return [(x1 + lim) / (2 * lim) * W, (lim - x2) / (2 * lim) * W]; };
    function cell(x1, x2) {
      const { n, lim, step } = geo();
      const j = Math.min(n - 1, Math.max(0, Math.round((x1 + lim) / step)));
      const i = Math.min(n - 1, Math.max(0, Math.round((x2 + lim) / step)));
      return { k: i * n + j, x1: -lim + j * step, x2: -lim + i * step };
    }
    function words(p) {
      const d = s.data, c = cell(p[0], p[1]), v = s.values[c.k];
      let what;
      if (d.task === "regression") what = "predicted value " + fmt(v);
      else if (d.task === "binary") {
        const k = s.classes[c.k];
        what = "output " + v.toFixed(2) + ": class " + k + " (" + d.class_names[k] + ")";
      } else {
        const k = s.classes[c.k];
        what = "class " + k + " (" + d.class_names[k] + ") with probability " + v.toFixed(2);
      }
      return "x1 = " + fmt(c.x1) + ", x2 = " + fmt(c.x2) + " \\u2192 " + what;
    }
    s.draw = function () {
      const d = s.data, ctx = s.ctx;
      if (s.img) { ctx.imageSmoothingEnabled = false; ctx.drawImage(s.img, 0, 0, W, W); }
      const r = d.radius;
      for (const [pts, ring] of [[d.train, d.rings[0]], [d.test, d.rings[1]]]) {
        for (const [x1, x2, c] of pts) {
          const [px, py] = toPx(x1, x2);
          ctx.beginPath(); ctx.arc(px, py, r + 1, 0, 2 * Math.PI); ctx.fillStyle = d.edge; ctx.fill();
          ctx.beginPath(); ctx.arc(px, py, r, 0, 2 * Math.PI); ctx.fillStyle = d.palette[c]; ctx.fill();
          ctx.lineWidth = 1; ctx.strokeStyle = ring; ctx.stroke();
        }
      }
      const p = s.cursor || s.hover;
      if (p) {
        const [px, py] = toPx(p[0], p[1]);
        ctx.lineWidth = 2; ctx.strokeStyle = "#111111";
        ctx.beginPath(); ctx.arc(px, py, 7, 0, 2 * Math.PI); ctx.stroke();
        ctx.lineWidth = 1; ctx.strokeStyle = "#ffffff";
        ctx.beginPath(); ctx.arc(px, py, 8.5, 0, 2 * Math.PI); ctx.stroke();
      }
      const q = s.hover || s.cursor;
      s.readout.textContent = q ? words(q) : d.hint;
    };
    function at(e) {
      const b = canvas.getBoundingClientRect(), { lim } = geo();
      const fx = Math.min(1, Math.max(0, (e.clientX - b.left) / b.width));
      const fy = Math.min(1, Math.max(0, (e.clientY - b.top) / b.height));
      return [-lim + fx * 2 * lim, lim - fy * 2 * lim];
    }
    function add(p) {
      if (!s.data.add) return;
      // the id tells one click from the same click delivered again (a trigger outlives an interrupted run)
      s.setTriggerValue("click", { x1: Math.round(p[0] * 100) / 100, x2: Math.round(p[1] * 100) / 100,
                                   id: Date.now() + "-" + Math.random().toString(36).slice(2, 8) });
    }
    canvas.addEventListener("pointermove", (e) => { s.hover = at(e); s.draw(); });
    canvas.addEventListener("pointerleave", () => { s.hover = null; s.draw(); });
    canvas.addEventListener("click", (e) => { const p = at(e); s.hover = p; s.draw(); add(p); });
    canvas.addEventListener("blur", () => { s.cursor = null; s.draw(); });
    canvas.addEventListener("keydown", (e) => {
      const { lim, step } = geo(), dd = e.shiftKey ? 5 * step : step, c = s.cursor || [0, 0];
      const moves = { ArrowLeft: [-dd, 0], ArrowRight: [dd, 0], ArrowUp: [0, dd], ArrowDown: [0, -dd] };
      if (moves[e.key]) {
        e.preventDefault();
        const m = moves[e.key];
        s.cursor = [Math.min(lim, Math.max(-lim, c[0] + m[0])), Math.min(lim, Math.max(-lim, c[1] + m[1]))];
        s.hover = null;
        s.draw();
      } else if ((e.key === "Enter" || e.key === " ") && s.cursor) {
        e.preventDefault();
        add(s.cursor);
      }
    });
  }
  s.data = data;
  s.setTriggerValue = setTriggerValue;
  if (s.valuesText !== data.values) {
    const raw = atob(data.values), bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    s.values = new Float32Array(bytes.buffer);
    s.valuesText = data.values;
    s.classes = null;
    if (data.classes) {
      const c = atob(data.classes);
      s.classes = new Uint8Array(c.length);
      for (let i = 0; i < c.length; i++) s.classes[i] = c.charCodeAt(i);
    }
  }
  canvas.setAttribute("aria-label", data.label);
  if (s.src !== data.png) {                       // a new picture of the map: paint it once it is decoded
    const img = new Image();
    img.onload = () => { if (s.src === img.src) { s.img = img; s.draw(); } };
    img.src = data.png;
    s.src = img.src;
  }
  s.draw();
}
"""

EDGE, TRAIN_HEX, TEST_HEX = hex_colours([POINT_EDGE, TRAIN_RING, TEST_RING])   # the points' outline, as viz draws it
_map = st.components.v2.component("nnlab.decision_map", html=HTML, css=CSS, js=JS)


def map_canvas(key, numbers, png_uri, train, test, palette, class_names, label, add, hint, radius=3.5):
    """Draw the map canvas. ``numbers``: ``lessons.playground_map.payload``; ``png_uri``: the map's colours
    (n × n PNG); ``train``/``test``: ``lessons.playground_map.points`` rows; ``palette``: their colours;
    ``label``: the picture in words; ``add``: whether a click adds a point. Returns the clicked (x1, x2), checked
    and rounded (``lessons.playground_map.clicked_point``), or None; each click once, though Streamlit may hand
    the same trigger to several runs (it stays until a run completes, and adding a point reruns the page)."""
    result = _map(key=key, data={**numbers, "png": png_uri, "train": train, "test": test or [], "palette": palette,
                                 "class_names": class_names, "label": label, "add": bool(add), "hint": hint,
                                 "radius": radius, "edge": EDGE, "rings": [TRAIN_HEX, TEST_HEX]},
                  on_click_change=lambda: None, width="stretch")
    raw = getattr(result, "click", None)
    cid = str(raw.get("id"))[:40] if isinstance(raw, dict) and raw.get("id") is not None else None
    if cid is None or st.session_state.get(f"{key}_click_id") == cid:
        return None
    st.session_state[f"{key}_click_id"] = cid
    return pm.clicked_point(raw, numbers["lim"])

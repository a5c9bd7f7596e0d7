"""Projector-ready and accessible, in a real browser (issue 21), at 1280×720, 1366×768 and 1440×900 with the sidebar
open:
- each lesson's main interaction — its controls and the picture they change — fits on one screen: scrolled to
  it, the bounding boxes of both lie inside the viewport, below Streamlit's header;
- no control label wraps or is cut off, no formula scrolls sideways, the page never scrolls sideways;
- Play and Pause do not move a live view's picture;
- axe-core (the npm package, injected into the page) finds no critical or serious violation;
- presenter mode (?present=true) folds the sidebar and the explanations and enlarges the type.
One server and one browser for the module (conftest's fixtures); one page load per lesson and size."""
import os
import pathlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import ROOT, page_errors, screenshot, wait_ready
from test_browser_lessons12 import choose

HEADER = 60     # Streamlit's header bar covers the top 60 px of the window
SIZES = [(1280, 720), (1366, 768), (1440, 900)]
AXE_PATHS = [pathlib.Path(os.environ["AXE_JS"])] if os.environ.get("AXE_JS") else []
AXE_PATHS.append(ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js")

# the RNN's bar and the settings a learner changes while watching its training (each task adds its own)
RNN_BAR = ["rnn_playpause", "rnn_step", "rnn_reset", "rnn_task", "rnn_hidden", "rnn_T", "rnn_opt", "rnn_lr",
           "rnn_clip_on", "rnn_clip"]
# lesson url -> interactions: (name, control keys, picture keys, live: (play key, pause key) or None)
LESSONS = {
    "perceptron": [("anatomy", ["pc_x1", "pc_w1", "pc_x2", "pc_w2", "pc_b"], ["pc_anatomy"], None),
                   ("learning rule", ["pc_step", "pc_epoch", "pc_run", "pc_reset"], ["pc_plane", "pc_last"], None)],
    "neuron": [("activation gallery", ["nr_z", "nr_focus"], ["nr_gallery", "nr_readout"], None),
               ("neuron map", ["nr_map_act", "nr_w1", "nr_w2", "nr_b"], ["nr_map"], None)],
    "backprop": [("stepper", ["bp_prev", "bp_next"], ["bp_diagram", "bp_formula"], None),
                 ("update table", ["bp_prev", "bp_next"], ["bp_upd_box"], None)],        # shown in the update phase
    "playground": [("live training", ["pg_playpause", "pg_step", "pg_reset"], ["pg_spark", "pg_map"],
                    ("pg_play", "pg_pause")),
                   ("network builder", ["pg_builder_head", "pg_builder_0"], ["pg_diagram_box"], None)],
    "cnn": [("kernel slide", ["cnn_playpause", "cnn_step", "cnn_back", "cnn_last"],
             ["cnn_slide_in", "cnn_slide_out", "cnn_slide_eq"], ("cnn_play", "cnn_pause")),   # eq: window × kernel
            ("training", ["cnn_train_playpause", "cnn_train_step", "cnn_train_reset"], ["cnn_hist_box"],
             ("cnn_train_play", "cnn_train_pause"))],
    "optimizers": [("race", ["op_playpause", "op_step", "op_reset"], ["op_race_box", "op_loss_box"],
                    ("op_play", "op_pause"))],
    "rnn": [("live training", RNN_BAR + ["rnn_warm"], ["rnn_loss_box", "rnn_forecast_box"], ("rnn_play", "rnn_pause")),
            ("echo training", RNN_BAR + ["rnn_k", "rnn_sweep_playpause"], ["rnn_loss_box", "rnn_echo_acc_box"],
             ("rnn_play", "rnn_pause")),
            ("character training", RNN_BAR + ["rnn_temp"], ["rnn_loss_box", "rnn_sample_box"], ("rnn_play", "rnn_pause"))],
}

# Buttons, labels, selects and tabs whose text takes two lines or is cut off by an ellipsis (as look.py does),
# formulas that scroll sideways, and a page wider than the window.
CLIPPED_JS = """() => {
    const out = new Set(), main = document.querySelector('[data-testid="stMain"]');
    const lines = el => {
        const tops = new Set();
        for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) {
            const r = document.createRange(); r.selectNodeContents(n);
            for (const q of r.getClientRects()) tops.add(Math.round(q.top));
        }
        return tops.size;
    };
    for (const el of main.querySelectorAll('button *, label *, label, [data-baseweb="select"] *, [data-baseweb="tab"] *')) {
        const t = (el.innerText || '').trim().replace(/\\s+/g, ' ');
        if (!t || / icon$/.test(t) || el.offsetWidth === 0 || el.closest('[data-testid="stIconMaterial"], [data-testid^="stIcon"], span[translate="no"], .katex, [data-testid="stMarkdownContainer"] p > *')) continue;
        if (lines(el) > 1 && (t.length < 25 || el.closest('[data-testid="stWidgetLabel"]'))) out.add('wrapped: ' + t.slice(0, 30));
        const cs = getComputedStyle(el);
        if ((cs.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + (el.querySelector('.katex') ? 2 : 0)) ||   // 1 px: "Re…" when zoomed
            (cs.overflow === 'hidden' && el.scrollWidth > el.clientWidth + 2))
            out.add('cut off: ' + t.slice(0, 30));
    }
    // a select's value (an <input>) wider than its box: Streamlit shows it cut ("by the prol…")
    const ctx = document.createElement('canvas').getContext('2d');
    for (const el of main.querySelectorAll('[data-testid="stSelectbox"] input')) {
        if (!el.offsetWidth || !el.value) continue;
        const cs = getComputedStyle(el); ctx.font = cs.font;
        if (ctx.measureText(el.value).width > el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) + 1)
            out.add('cut off: ' + el.value.slice(0, 30));
    }
    for (const el of main.querySelectorAll('.katex-display'))
        if (el.offsetWidth && el.scrollWidth > el.clientWidth + 3)   // KaTeX overhangs a px or two
            out.add(`formula scrolls by ${el.scrollWidth - el.clientWidth} px: ` + el.textContent.slice(0, 40));
    if (main.scrollWidth > main.clientWidth + 1 || document.documentElement.scrollWidth > innerWidth + 1)
        out.add('the page scrolls sideways');
    return [...out];
}"""

# Scroll so that the union of the elements starts just below the header; return their boxes (viewport px).
BOXES_JS = """([keys, header]) => {
    const els = keys.map(k => [k, document.querySelector('.st-key-' + k)]);
    const missing = els.filter(([, e]) => !e).map(([k]) => k);
    if (missing.length) return {missing};
    const main = document.querySelector('[data-testid="stMain"]');
    const top = Math.min(...els.map(([, e]) => e.getBoundingClientRect().top));
    main.scrollTop += top - header - 4;
    return {boxes: Object.fromEntries(els.map(([k, e]) => { const r = e.getBoundingClientRect();
        return [k, [r.left, r.top, r.right, r.bottom]]; }))};
}"""

# Where each element sits in the page (document px, whatever the scroll).
PLACES_JS = """keys => { const main = document.querySelector('[data-testid="stMain"]');
    return keys.map(k => { const r = document.querySelector('.st-key-' + k).getBoundingClientRect();
        return [Math.round(r.left), Math.round(r.top + main.scrollTop), Math.round(r.width), Math.round(r.height)]; }); }"""

# axe measures the page at rest: running CSS transitions (a slider's min/max labels fading in after a rerun,
# #e2e2e2 on white mid-fade) are waited for first
AXE_RUN_JS = r"""async () => {
    await Promise.race([new Promise(r => setTimeout(r, 2000)),      // an idle animation's promise never settles
        Promise.all(document.getAnimations().filter(a => a.playState === 'running'
                    && isFinite(a.effect?.getComputedTiming().endTime)).map(a => a.finished.catch(() => null)))]);
    return (await axe.run(document, {resultTypes: ['violations']})).violations
    .filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.html.slice(0, 80) + ' — ' + n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)).join(' | ')); }"""


def axe_source():
    for path in AXE_PATHS:
        if path.exists():
            return path.read_text()
    msg = ("axe-core is not installed: npm install --prefix .cache/axe axe-core@4.14.1 (as .ci/run does), "
           "or set AXE_JS to axe.min.js")
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def axe_violations(page):
    """Critical and serious axe-core violations on the whole page (Streamlit's chrome included: none excluded)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe_source())
    # the pointer away from the content: a slider under it (after the scroll below) fades its min/max labels in,
    # and axe would measure them mid-fade (#fdfdfd on white)
    page.mouse.move(2, 2)
    # at the top: text scrolled under Streamlit's translucent header would be measured against the header
    page.evaluate("() => { document.querySelector('[data-testid=\"stMain\"]').scrollTop = 0; }")
    page.wait_for_timeout(300)
    return page.evaluate(AXE_RUN_JS)


def load(page, app_url, path, query=""):
    page.goto(f"{app_url}/{path}{query}")
    wait_ready(page, settle=1.5)


def click(page, key):
    page.locator(f".st-key-{key} button").first.click()
    wait_ready(page, settle=0.8)


def one_screen(page, name, controls, picture):
    """Scroll to the interaction; every control and every picture must lie inside the viewport."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    res = page.evaluate(BOXES_JS, [controls + picture, HEADER])
    assert not res.get("missing"), f"{name}: no element with key {res.get('missing')}"
    page.wait_for_timeout(200)
    res = page.evaluate(BOXES_JS, [controls + picture, HEADER])     # after the scroll has settled
    outside = {k: [round(v) for v in box] for k, box in res["boxes"].items()
               if box[0] < -1 or box[1] < HEADER - 1 or box[2] > width + 1 or box[3] > height + 1}
    assert not outside, f"{name}: not on one {width}×{height} screen with its controls (left, top, right, bottom): {outside}"


VISIBLE_JS = """keys => keys.every(k => { const e = document.querySelector('.st-key-' + k);
    return e && e.getClientRects().length > 0 && e.getBoundingClientRect().width > 0; })"""


def check_lesson(page, path, label, seen):
    """No clipped text; each interaction shown now (a lesson's tabs show one at a time) on one screen. ``seen``
    collects the interactions checked, so that the test can tell that each was checked in some state."""
    clipped = page.evaluate(CLIPPED_JS)
    assert not clipped, f"{path} {label}: {clipped}"
    for name, controls, picture, _ in LESSONS[path]:
        if page.evaluate(VISIBLE_JS, controls + picture):
            one_screen(page, f"{path} {label} / {name}", controls, picture)
            seen.add(name)


def check_state(page, path, label, seen):
    check_lesson(page, path, label, seen)
    found = axe_violations(page)
    assert not found, f"{path}: axe-core {label}: {found}"


@pytest.fixture(scope="module")
def axe_js():
    return axe_source()


# Known defects of a lesson (xfail, not strict: passes once fixed). None now: the race's speed caption, which axe at
# times measured while a rerun faded it (contrast 3.88), no longer fades (ui/optimizer_views.race_bar); the stale
# Play under the new Pause (56 px jumps of the race and the RNN's curves) is hidden (ui/live.control_bar).
KNOWN = {}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN[p], strict=False))
                                  if p in KNOWN else p for p in LESSONS])
def test_lesson_fits_one_screen_and_passes_axe(browser, app_url, axe_js, path, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    seen, played = set(), set()

    def play_and_pause(label):
        """Play then Pause each live view shown now and not played yet; then check the page as it is left."""
        for name, controls, picture, live in LESSONS[path]:
            if live and name not in played and page.evaluate(VISIBLE_JS, controls + picture):
                play_pause_keeps_the_picture(page, f"{path} / {name}", picture, *live)
                played.add(name)
                check_state(page, path, f"{label}, after Play and Pause of the {name}", seen)

    try:
        load(page, app_url, path)
        assert page.locator("[data-testid='stSidebar'][data-collapsed='false']").count() == 1, "the sidebar is open"
        check_state(page, path, "at its defaults", seen)
        screenshot(page, f"layout-{path}-{size[0]}x{size[1]}")
        play_and_pause("at its defaults")
        for label in STATES.get(path, {}):
            STATES[path][label](page)
            check_state(page, path, label, seen)
            play_and_pause(label)
        assert seen == {name for name, *_ in LESSONS[path]}, f"{path}: interactions never shown: {seen}"
        assert played == {name for name, *_, live in LESSONS[path] if live}, f"{path}: never played: {played}"
    finally:
        ctx.close()


def test_play_bar_keeps_one_buttons_height(browser, app_url):
    """For up to a second after Play or Pause, Streamlit shows the new button above the stale one (measured: 96 px
    instead of 40 for 0.3–0.9 s): the Play/Pause box must keep one button's height, so the picture below does not
    move (it moved by 56 px, intermittently). Here the second button is made by copying the first."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    try:
        load(page, app_url, "optimizers")
        res = page.evaluate("""() => { const box = document.querySelector('.st-key-op_playpause');
            const fig = () => document.querySelector('.st-key-op_race_box').getBoundingClientRect().top;
            const h0 = box.offsetHeight, top0 = fig();
            box.appendChild(box.firstElementChild.cloneNode(true));
            return {h0, h1: box.offsetHeight, moved: fig() - top0, button: box.querySelector('button').offsetHeight}; }""")
        assert res["h1"] == res["h0"] <= res["button"] + 1 and res["moved"] == 0, res
    finally:
        ctx.close()


def play_pause_keeps_the_picture(page, name, picture, play, pause):
    before = page.evaluate(PLACES_JS, picture)
    page.locator(f".st-key-{play} button").first.click()
    page.wait_for_timeout(1500)
    playing = page.evaluate(PLACES_JS, picture)
    # For a moment after Play, Streamlit keeps the stale Play over the new Pause (it intercepts a pointer click)
    # and a short job may finish by itself: send the click to Pause itself, then wait for Play to be back.
    try:
        page.wait_for_selector(f".st-key-{pause} button", timeout=10000)
    except PlaywrightTimeout:
        pass                                  # the job ended by itself before Pause showed
    page.evaluate(f"() => document.querySelector('.st-key-{pause} button')?.click()")
    page.wait_for_selector(f".st-key-{play} button", timeout=30000)
    wait_ready(page, settle=0.8)
    paused = page.evaluate(PLACES_JS, picture)
    for label, now in (("Play", playing), ("Pause", paused)):
        moved = {k: (a, b) for k, a, b in zip(picture, before, now) if max(abs(x - y) for x, y in zip(a, b)) > 2}
        assert not moved, f"{name}: {label} moved the picture (left, top, width, height before → after): {moved}"


# Main states of each lesson, driven by their controls (each also checked for the one-screen rule and axe).
def _perceptron_states():
    def xor_cycling(page):
        choose(page, "Data", "XOR")
        click(page, "pc_step")
        click(page, "pc_run")
    return {"after a step and a run on XOR": xor_cycling}


def _backprop_states():
    def phase(label):
        def go(page):
            page.locator(".st-key-bp_phase").get_by_text(label, exact=True).click()
            wait_ready(page, settle=0.8)
        return go
    def next_step(page):
        click(page, "bp_next")
    return {"in the backward phase": phase("Backward"), "in the update phase": phase("Update"),
            "a step into the update phase (its table)": next_step, "two steps into it": next_step}


def _cnn_states():
    def training_tab(page):
        page.get_by_role("tab", name="2 · Train a CNN").click()
        wait_ready(page, settle=1.0)
    def trained(page):
        click(page, "cnn_train_step")
    return {"on the training tab": training_tab, "after an epoch of training": trained}


def _rnn_states():
    def task(label):
        def go(page):
            page.get_by_role("radiogroup", name="Task").get_by_text(label, exact=True).click()
            wait_ready(page, settle=1.0)
        return go
    return {"on the echo task": task("Echo k steps back"), "on the character task": task("Next character")}


def _optimizers_states():
    def race_finished(page):
        """A race played to its end (where a Play leaves the lesson): 20 steps, at 15 a second."""
        page.locator(".st-key-op_steps input").first.focus()
        page.keyboard.press("Home")                              # the fewest steps: 20
        wait_ready(page, settle=0.5)
        page.locator(".st-key-op_play button").first.click()
        page.wait_for_selector(".st-key-op_pause button", timeout=15000)
        page.wait_for_selector(".st-key-op_play button", timeout=30000)      # back by itself at the end
        wait_ready(page, settle=0.8)
        assert page.locator("h2", has_text="Step 20 of 20").count() == 1
    return {"after the race has run to its end": race_finished}


STATES = {"perceptron": _perceptron_states(), "backprop": _backprop_states(), "cnn": _cnn_states(),
          "rnn": _rnn_states(), "optimizers": _optimizers_states()}


# Presenter mode's floors (issue 21), as seen on the screen (computed size × every zoom above): the lesson's text —
# paragraphs, captions, labels, buttons, slider values, inputs, table cells, metrics — at least 20 px; a Plotly
# figure's text (ticks, titles, legends, and the sub- and superscripts inside them) at least 16 px; a formula's
# type at least 20 px (its scripts are 70 % and 50 % of it, as typesetting has them). A canvas table (st.dataframe,
# st.data_editor) draws its cells at the size named in its --gdg-base-font-style. A metric's value stands out:
# at least 1.5 × the body text. Text drawn inside images is not measured here (the screenshots are looked at).
TEXT_FLOOR, FIGURE_FLOOR = 20, 16
FONTS_JS = r"""() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const zoom = el => { let z = 1; for (let e = el; e && e.nodeType === 1; e = e.parentElement) z *= parseFloat(getComputedStyle(e).zoom) || 1; return z; };
    const px = el => parseFloat(getComputedStyle(el).fontSize) * zoom(el);
    const shown = el => { const r = el.getBoundingClientRect();    // false in a folded expander (content-visibility)
        return r.width > 0 && r.height > 0 && el.checkVisibility({visibilityProperty: true}); };
    const found = [];       // [kind, text, px, floor]
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let n; (n = walker.nextNode());) {
        const text = n.textContent.replace(/[\s\u200b]+/g, ' ').trim(), el = n.parentElement;
        if (!text || !shown(el) || el.closest('.katex, [data-testid="stIconMaterial"], span[translate="no"], style, script')) continue;
        const figure = el.closest('.js-plotly-plot');
        const kind = figure ? 'figure label' : el.closest('[data-testid="stMetricValue"]') ? 'metric value'
            : el.closest('td, th') ? 'table cell' : el.closest('[data-testid="stCaptionContainer"]') ? 'caption' : 'text';
        found.push([kind, text.slice(0, 30), px(el), figure ? %(figure)s : %(text)s]);
    }
    for (const el of main.querySelectorAll('.katex'))
        if (shown(el)) found.push(['formula', el.textContent.slice(0, 30), px(el), %(text)s]);
    for (const el of main.querySelectorAll('input:not([type=checkbox]):not([type=radio]):not([type=range]):not([type=file]), textarea'))
        if (shown(el)) found.push(['input', (el.value || el.placeholder || '').slice(0, 30), px(el), %(text)s]);
    for (const grid of main.querySelectorAll('[data-testid="stDataFrame"]')) {
        if (!shown(grid)) continue;
        const style = [grid, ...grid.querySelectorAll('*')].map(e => getComputedStyle(e).getPropertyValue('--gdg-base-font-style')).find(v => v);
        const size = style && style.match(/([\d.]+)px/);
        if (size) found.push(['canvas table cell', grid.innerText.slice(0, 30), parseFloat(size[1]) * zoom(grid), %(text)s]);
    }
    const body = Math.min(...found.filter(f => f[0] === 'text').map(f => f[2]));
    for (const f of found) if (f[0] === 'metric value') f[3] = 1.5 * body;
    return found;
}""" % {"text": TEXT_FLOOR, "figure": FIGURE_FLOOR}


def _open_tab(label):
    def go(page):
        page.get_by_role("tab", name=label).click()
        wait_ready(page, settle=1.0)
    return go


def _click_text(text):
    def go(page):
        page.get_by_text(text, exact=True).first.click()
        wait_ready(page, settle=1.0)
    return go


# A lesson's tables, metrics, figures and editors that show only after some clicks, reached in presenter mode at
# 1280×720 (the editors: a data editor's canvas stays at 14 px; presenter mode shows a grid of inputs instead)
PRESENT_STATES = {"perceptron": [_perceptron_states()["after a step and a run on XOR"]],
                  "backprop": [_click_text("Edit the network: sample, target, every weight and bias — or draw them at random"),
                               _backprop_states()["in the update phase"],
                               _backprop_states()["a step into the update phase (its table)"],
                               _backprop_states()["two steps into it"]],
                  "optimizers": [_open_tab("Learning rate"), _open_tab("Loss functions")],
                  "cnn": [_click_text("your drawing"), _click_text("Edit the kernel cell by cell"),
                          _cnn_states()["on the training tab"], _cnn_states()["after an epoch of training"]],
                  "rnn": [_rnn_states()["on the echo task"], _rnn_states()["on the character task"]]}


def too_small(page):
    """Every piece of text on the lesson now under its floor, as (kind, text, px)."""
    return [(kind, text, round(px, 1)) for kind, text, px, floor in page.evaluate(FONTS_JS) if px < floor - 0.1]


# A Plotly figure's labels as drawn (ticks, axis titles, legend entries, annotations, titles, text on the data): two
# that overlap by more than a quarter of the smaller one's height and 2 px across, or one that runs out of its figure,
# is unreadable. Plotly spaces what it lays out for the size it is told; type enlarged after the layout collides.
FIGURE_CLASH_JS = r"""() => {
    const out = [];
    for (const fig of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
        const box = fig.getBoundingClientRect();
        if (!box.width || !fig.checkVisibility({visibilityProperty: true})) continue;
        const name = (fig.closest('[class*="st-key-"]')?.className.match(/st-key-([\w-]+)/) || [, '?'])[1];
        const texts = [...fig.querySelectorAll('.main-svg text')].filter(t => !t.closest('.hoverlayer')
            && t.textContent.trim() && t.checkVisibility({opacityProperty: true, visibilityProperty: true}))
            .map(t => [t.textContent.trim().slice(0, 24), t.getBoundingClientRect()]).filter(([, r]) => r.width && r.height);
        for (const [text, r] of texts)
            if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
                out.push(`${name}: "${text}" runs out of its figure`);
        for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
            const [a, p] = texts[i], [b, q] = texts[j];
            const w = Math.min(p.right, q.right) - Math.max(p.left, q.left), h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
            if (w > 2 && h > 0.25 * Math.min(p.height, q.height)) out.push(`${name}: "${a}" overlaps "${b}"`);
        }
    }
    return out;
}"""


@pytest.mark.parametrize("path", list(LESSONS))
def test_presenter_mode(browser, app_url, path):
    """?present=true: the sidebar folded, the explanations folded, the lesson's text at least 20 px as seen on the
    screen and Plotly's labels at least 16 px (FONTS_JS: every text, caption, table cell, metric, input, formula on
    the page), no Plotly figure running off the screen (they keep their normal size: zoomed, Plotly drew them wider
    than their column), no control label wrapped or cut, axe-core clean; screenshots at each size."""
    for width, height in SIZES:
        ctx = browser.new_context(viewport={"width": width, "height": height})
        page = ctx.new_page()
        try:
            load(page, app_url, path, "?present=true")
            page.wait_for_function("() => getComputedStyle(document.querySelector('[data-testid=\"stMain\"]')).zoom > 1",
                                   timeout=15000)      # the first load after the server starts can lag
            assert page.locator("[data-testid='stSidebar'][data-collapsed='false']").count() == 0, path
            assert page.get_by_text("no such setting").count() + page.get_by_text("not a setting of").count() == 0, \
                f"{path}: ?present=true refused as a lesson setting"
            small = too_small(page)
            assert not small, f"{path} in presenter mode: text under its floor (kind, text, px): {small[:8]}"
            cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
                .filter(f => f.offsetWidth && f.getBoundingClientRect().right > innerWidth + 1).length""")
            assert cut == 0, f"{path}: {cut} figures run off the screen in presenter mode"
            clashes = page.evaluate(FIGURE_CLASH_JS)
            assert not clashes, f"{path} in presenter mode at {width}×{height}: figure labels collide: {clashes[:8]}"
            clipped = page.evaluate(CLIPPED_JS)
            assert not clipped, f"{path} in presenter mode at {width}×{height}: {clipped}"
            found = axe_violations(page)
            assert not found, f"{path}: axe-core in presenter mode: {found}"
            assert page.locator("[data-testid='stExpander'] summary", has_text="Explanation").count() >= 1, \
                f"{path}: the lesson's explanation is not folded in presenter mode"
            screenshot(page, f"present-{path}-{width}x{height}")
            if (width, height) == SIZES[0]:
                for i, state in enumerate(PRESENT_STATES.get(path, [])):
                    state(page)
                    small = too_small(page)
                    assert not small, f"{path} in presenter mode, state {i + 1}: text under its floor: {small[:8]}"
                    clashes = page.evaluate(FIGURE_CLASH_JS)
                    assert not clashes, f"{path} in presenter mode, state {i + 1}: figure labels collide: {clashes[:8]}"
                    clipped = page.evaluate(CLIPPED_JS)
                    assert not clipped, f"{path} in presenter mode, state {i + 1}: {clipped}"
        finally:
            ctx.close()


# The live views' images while playing (issue 21), at 1280×720: each drawn as wide as its column (ui.layout
# .picture_width), so that the browser shows it at its own size: its smallest label, viz.raster.SMALLEST px
# (tests/test_viz_live_type.py), reads 12 px with the sidebar open, and 16 px in presenter mode (× its zoom). Shrunk
# into a narrower column, it would not (the RNN's loss image, drawn 560 px wide in a 442 px column, showed its 13 px
# labels at 10 px, and in presenter mode at 12.8 px; the playground's diagram its 12 px labels at 8.4 px).
def _tab(label):
    return lambda page: page.get_by_role("tab", name=label).click()


def _task(label):
    return lambda page: page.get_by_role("radiogroup", name="Task").get_by_text(label, exact=True).click()


PRESENT_LIVE = {   # view: (path, link query, setup, the Play button's prefix, the boxes of its live images)
    "playground": ("playground", "", None, "pg", ["pg_diagram_box", "pg_spark", "pg_curves_box"]),
    "optimizer race": ("optimizers", "", None, "op", ["op_race_box", "op_loss_box"]),
    "lr sweep": ("optimizers", "&op_sw_epochs=60", _tab("Learning rate"), "op_sweep", ["op_sweep_box"]),
    "hp grid": ("optimizers", "", _tab("Hyperparameter explorer"), "op_grid", ["op_grid_box0", "op_grid_box1"]),
    "kernel slide": ("cnn", "&cnn_pad=2", None, "cnn", ["cnn_slide_in", "cnn_slide_out", "cnn_slide_eq"]),
    "cnn training": ("cnn", "&cnn_epochs=40", _tab("2 · Train a CNN"), "cnn_train", ["cnn_hist_box"]),
    "rnn forecast": ("rnn", "", None, "rnn", ["rnn_loss_box", "rnn_forecast_box"]),
    "rnn echo": ("rnn", "", _task("Echo k steps back"), "rnn", ["rnn_loss_box", "rnn_echo_acc_box", "rnn_echo_seq_box"]),
    "rnn chars": ("rnn", "", _task("Next character"), "rnn", ["rnn_loss_box", "rnn_char_probs_box"]),
}
LIVE_IMAGES_JS = """keys => keys.map(k => { const img = document.querySelector(`.st-key-${k} img`);
    return img && img.complete && img.naturalWidth ? [k, img.getBoundingClientRect().width / img.naturalWidth] : [k, null]; })"""
# Paused, the playground's diagram is its image inside a Plotly figure (hover on every weight and bias): its labels are
# pixels too, shown at the scale the figure gives the image (ui/playground_view: the figure as high as its box).
PAUSED_DIAGRAM_JS = """async () => { const el = document.querySelector('.st-key-pg_diagram_box .js-plotly-plot image');
    if (!el) return null;
    const img = new Image(); img.src = el.getAttribute('href'); await img.decode();
    return el.getBoundingClientRect().width / img.naturalWidth; }"""


@pytest.mark.parametrize("present", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("name", list(PRESENT_LIVE))
def test_live_images_show_at_their_own_size(browser, app_url, name, present):
    from viz.raster import SMALLEST
    path, query, setup, prefix, boxes = PRESENT_LIVE[name]
    floor = 16 if present else SMALLEST
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    try:
        load(page, app_url, path, "?present=true" + query if present else query.replace("&", "?", 1))
        if present:
            page.wait_for_function("() => getComputedStyle(document.querySelector('[data-testid=\"stMain\"]')).zoom > 1",
                                   timeout=15000)
        if setup:
            setup(page)
            wait_ready(page, settle=1.0)
        page.locator(f".st-key-{prefix}_play button").first.click()
        page.wait_for_function(f"() => ({LIVE_IMAGES_JS})({boxes!r}).every(([k, s]) => s)", timeout=30000)
        shown = dict(page.evaluate(LIVE_IMAGES_JS, boxes))
        screenshot(page, f"{'present-' * present}live-{name.replace(' ', '-')}")
        page.locator(f".st-key-{prefix}_pause button").first.click()
        wait_ready(page, settle=0.5)
        if name == "playground":
            page.wait_for_selector(".st-key-pg_diagram_box .js-plotly-plot image", timeout=15000)
            shown["pg_diagram_box, paused"] = page.evaluate(PAUSED_DIAGRAM_JS)
        small = {k: round(SMALLEST * s, 1) for k, s in shown.items() if SMALLEST * s < floor - 0.1}
        assert not small, f"{name}, presenter mode {present}: the smallest label of these live images reads (px): {small}"
        assert not page_errors(page), page_errors(page)
    finally:
        ctx.close()

"""Draw your own digit in a real browser: the components-v2 canvas takes mouse and touch (pointer) strokes,
the network's answer follows, and the canvas's Clear button works from the keyboard."""
from conftest import SCREENSHOTS, page_errors, wait_ready

CANVAS = "canvas[aria-label^='Drawing area']"


def answer(page):
    body = page.inner_text("body")
    return body.split("The network says: ")[-1].split("\n")[0] if "The network says: " in body else None


def wait_answer(page, old, timeout=15000):
    page.wait_for_function("old => { const t = document.body.innerText; const i = t.lastIndexOf('The network says: ');"
                           " return i >= 0 && t.slice(i).split('\\n')[0] !== 'The network says: ' + old; }",
                           arg=old or "", timeout=timeout)


def test_drawing_with_mouse_and_touch_updates_the_answer(app_url, page):
    page.goto(app_url + "/cnn")
    wait_ready(page)
    page.get_by_role("tab", name="2 · Train a CNN").click()
    for _ in range(4):
        page.locator(".st-key-cnn_train_step button").first.click()     # the training bar's Step: one epoch
        wait_ready(page, settle=0.2)
    canvas = page.locator(CANVAS)
    canvas.scroll_into_view_if_needed()
    wait_ready(page, settle=0.5)
    assert answer(page) is not None and answer(page).startswith("7")       # the shipped example, read as a 7
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "cnn-canvas-example.png"))

    clear = page.locator("button.clear")
    clear.focus()
    page.keyboard.press("Enter")                                            # keyboard: the canvas's own Clear
    page.get_by_text("Draw a digit on the canvas").wait_for(timeout=15000)

    box = canvas.bounding_box()
    x0, y0, w = box["x"], box["y"], box["width"]
    page.mouse.move(x0 + 0.5 * w, y0 + 0.12 * w)                             # a 1, with the mouse
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(x0 + (0.5 - 0.01 * k) * w, y0 + (0.12 + 0.075 * k) * w)
    page.mouse.up()
    wait_answer(page, None)
    first = answer(page)
    srcs = lambda: page.eval_on_selector_all("img", "els => els.map(e => e.src).filter(s => s.startsWith('data:'))")
    before = srcs()
    # a second stroke by touch (pointer events of type "touch"): a bar across the foot
    canvas.evaluate("""(c) => {
        const r = c.getBoundingClientRect();
        const ev = (type, fx, fy) => c.dispatchEvent(new PointerEvent(type, {pointerId: 7, pointerType: 'touch',
            isPrimary: true, bubbles: true, clientX: r.left + fx * r.width, clientY: r.top + fy * r.height}));
        ev('pointerdown', 0.3, 0.88);
        for (let k = 1; k <= 8; k++) ev('pointermove', 0.3 + 0.05 * k, 0.88);
        ev('pointerup', 0.7, 0.88);
    }""")
    for _ in range(30):                                    # the bitmap and the 8×8 input change with the stroke
        page.wait_for_timeout(500)
        if srcs() != before:
            break
    assert srcs() != before and answer(page) is not None
    page.screenshot(path=str(SCREENSHOTS / "cnn-canvas-drawn.png"))
    assert first is not None
    assert not page_errors(page), page_errors(page)

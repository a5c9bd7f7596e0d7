"""Lesson 6 in a real browser: step and play the kernel's slide, switch to a kernel that does not fit,
then train the CNN for a few seconds, pause, and look inside; any exception or error box fails.
Screenshots of the explorer mid-slide and of the trained network's filters and maps are saved."""
import re
import time

from conftest import SCREENSHOTS, page_errors, wait_ready


def view(page, text, name):
    """Scroll ``text`` to the top of the window and save what a learner sees there (1440×900)."""
    page.get_by_text(text).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_cnn_page_slides_and_trains_in_the_browser(app_url, page):
    page.goto(app_url + "/cnn")
    wait_ready(page)
    assert page.locator("h1").first.inner_text() == "Convolutional networks"
    body = page.inner_text("body")
    assert "Output map" in body and "1 of 36" in body

    for _ in range(3):                              # step by step …
        page.get_by_role("button", name="Step", exact=True).click()
        wait_ready(page, settle=0.3)
    assert "4 of 36" in page.inner_text("body")
    page.get_by_role("button", name="Play", exact=True).click()   # … then played by the fragment's timer
    time.sleep(2.5)
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_ready(page, settle=0.5)
    shown = int(page.inner_text("body").split(" of 36")[0].rsplit(" ", 1)[-1])
    assert 6 <= shown < 36, shown
    view(page, "Slide it", "cnn-1-explorer-mid-slide")
    assert not page_errors(page), page_errors(page)

    page.get_by_role("slider", name="Stride s").focus()           # stride 2 does not fit: a warning, no error
    page.keyboard.press("ArrowRight")
    wait_ready(page, settle=0.5)
    assert "not a whole number" in page.inner_text("body")

    page.get_by_role("tab", name="2 · Train a CNN").click()
    page.locator(".st-key-cnn_train_play button").click()
    page.get_by_text(re.compile(r"^epoch ([1-9]|10) of 10")).first.wait_for(timeout=30000)   # an epoch done
    pause = page.locator(".st-key-cnn_train_pause button")
    if pause.count():                              # on a fast machine the 10 epochs may already be done
        pause.click()
        wait_ready(page, settle=1.0)
        assert page.locator(".st-key-cnn_train_play button").inner_text().strip().endswith("Play")
    else:
        wait_ready(page, settle=1.0)
        assert "Done" in page.inner_text("body")
    body = page.inner_text("body")
    assert "test accuracy" in body and "Inside the network after" in body
    view(page, "Inside the network", "cnn-2-trained-filters")
    view(page, "Feature maps of every layer", "cnn-3-trained-feature-maps")
    assert not page_errors(page), page_errors(page)

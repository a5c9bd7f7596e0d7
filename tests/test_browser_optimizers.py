"""Lesson 5 in a real browser: the race plays and pauses, the learning-rate sweep runs with a progress
bar and stops; no exception or error box anywhere. Screenshots of the race and the sweep are saved."""
import re
import time

from conftest import page_errors, screenshot, wait_ready


def step_counter(page):
    text = page.locator("h2:has-text('Step ')").first.inner_text()
    return int(re.search(r"Step (\d+) of", text).group(1))


def test_race_plays_and_sweep_runs_and_stops(app_url, page):
    page.goto(app_url)                       # the app first, so that its navigation (and wide layout) is set up
    wait_ready(page)
    page.goto(app_url + "/optimizers")
    wait_ready(page, settle=2.0)
    assert page.locator("h1").count() >= 1
    assert not page_errors(page)
    assert step_counter(page) == 150
    # a click on the contour plot at θ = (2, −3) of the [−5, 5]² window moves the start there
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + 0.7 * box["width"], box["y"] + 0.8 * box["height"])
    page.mouse.click(box["x"] + 0.7 * box["width"], box["y"] + 0.8 * box["height"])
    page.wait_for_function("() => [...document.querySelectorAll('h2')].some(e => e.innerText.startsWith('Step 0 of'))",
                           timeout=20000)
    wait_ready(page, settle=0.5)
    thumbs = page.eval_on_selector_all("[data-testid='stSliderThumbValue']", "els => els.map(e => e.innerText)")
    assert thumbs[1:3] == ["2.00", "-3.00"], thumbs
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(   # frames come every 0.2 s; a loaded CI machine may need longer
        "() => [...document.querySelectorAll('h2')].some(e => /Step ([4-9]|\\d\\d+) of/.test(e.innerText))",
        timeout=30000)
    page.get_by_role("button", name="Pause").click()
    wait_ready(page, settle=0.5)
    paused = step_counter(page)
    time.sleep(1.0)
    assert step_counter(page) == paused
    screenshot(page, "optimizers-race")
    assert not page_errors(page)

    page.get_by_role("tab", name="Learning rate").click()
    panel = page.locator("[data-testid='stTabPanel']:visible")
    panel.get_by_role("button", name="Run").click()
    page.wait_for_selector("[data-testid='stTabPanel']:visible [data-testid='stProgress']", timeout=20000)
    stop = panel.get_by_role("button", name="Stop")
    if stop.is_enabled():                  # on a fast machine the 13 short runs may be over already
        stop.click()                       # (stopping part-way is also tested with AppTest)
    time.sleep(1.0)
    wait_ready(page, settle=0.5)
    text = panel.locator("[data-testid='stProgress']").inner_text()
    assert "trained" in text or "13 of 13" in text, text
    panel.get_by_role("button", name="Run").click()                 # and once more, to the end
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stProgress]')].some(e => e.innerText.includes('13 of 13'))",
        timeout=60000)
    wait_ready(page, settle=1.0)
    screenshot(page, "optimizers-sweep")
    assert not page_errors(page)

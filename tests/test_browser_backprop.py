"""Lesson 3 in a real browser: open the page, step forward, jump to a phase, train a few steps, open the
side panels; any exception or error box fails. Screenshots of each phase are saved."""
from conftest import page_errors, screenshot, wait_ready


def test_backprop_page_steps_and_trains_in_the_browser(app_url, page):
    page.goto(app_url)
    wait_ready(page)
    page.goto(app_url + "/backprop")
    wait_ready(page)
    assert page.locator("h1").first.inner_text().startswith("Forward & backward pass")
    assert "step 1 of 12" in page.inner_text("body")
    screenshot(page, "backprop-1-forward")
    for _ in range(4):
        page.get_by_role("button", name="Next ▶").click()
        wait_ready(page, settle=0.3)
    body = page.inner_text("body")
    assert "step 5 of 12" in body and "0.298371109" in body     # the textbook's total error, on the loss step
    screenshot(page, "backprop-2-loss")
    page.get_by_text("Backward", exact=True).click()
    wait_ready(page, settle=0.5)
    assert "step 6 of 12" in page.inner_text("body")
    screenshot(page, "backprop-3-backward")
    page.get_by_text("Update", exact=True).click()
    wait_ready(page, settle=0.5)
    assert "0.35891648" in page.inner_text("body")               # new w5, as in the article
    screenshot(page, "backprop-4-update")
    page.get_by_role("tab", name="Train N more steps").click()
    page.get_by_role("button", name="Train N more steps").click()
    wait_ready(page, settle=1.0)
    page.get_by_role("tab", name="Train N more steps").click()
    assert "after 100 steps" in page.inner_text("body")
    page.get_by_role("tab", name="Computation graph of one neuron").click()
    page.wait_for_timeout(500)
    assert page.locator(".js-plotly-plot").count() >= 2
    assert not page_errors(page), page_errors(page)

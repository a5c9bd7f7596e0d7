"""Lesson 7 in a real browser: open the page, train live for a few seconds (Play, then Pause), switch to
the character task and take one Step; any exception or error box fails the test."""
import re
import time

from conftest import page_errors, screenshot, wait_ready


def metric(page, label):
    text = page.locator("[data-testid='stMetric']", has_text=label).first.inner_text()
    return float(re.findall(r"[-\d.]+", text.split("\n")[-1])[0])


def test_rnn_page_trains_live_without_errors(app_url, page):
    page.goto(app_url + "/rnn")
    wait_ready(page, settle=2.0)
    assert page.locator("h1").first.inner_text().startswith("Recurrent networks")
    assert metric(page, "Updates") == 0
    page.get_by_role("button", name=re.compile("Play")).click()
    page.get_by_role("button", name=re.compile("Pause")).wait_for(timeout=15000)
    time.sleep(3)
    page.get_by_role("button", name=re.compile("Pause")).click()
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=15000)
    wait_ready(page, settle=1.0)
    assert metric(page, "Updates") > 0
    screenshot(page, "rnn-forecast-trained")
    assert not page_errors(page), page_errors(page)

    page.get_by_role("radiogroup", name="Task").get_by_text("Next character", exact=True).click()
    wait_ready(page, settle=1.0)
    page.get_by_role("button", name="Step", exact=True).click()
    wait_ready(page, settle=1.5)
    assert metric(page, "Updates") > 0
    assert page.locator("[data-testid='stCode']").first.inner_text().startswith("Shall ")
    screenshot(page, "rnn-chars-step")
    assert not page_errors(page), page_errors(page)

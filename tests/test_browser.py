"""A real browser (Debian's Chromium through Playwright) loads every page of the running app; any
exception or error box fails the test. A screenshot of each page is saved (see the summary line)."""
import pytest

from conftest import page_errors, screenshot, wait_ready


def sidebar_links(page, url):
    page.goto(url)
    wait_ready(page)
    return page.eval_on_selector_all("[data-testid='stSidebarNav'] a", "els => els.map(e => [e.innerText, e.href])")


def test_every_page_loads_without_errors(app_url, page):
    links = sidebar_links(page, app_url)
    assert len(links) == 8, links   # home + seven lessons
    failures = {}
    for i, (name, href) in enumerate(links):
        page.goto(href)
        wait_ready(page, settle=2.0)
        screenshot(page, f"{i:02d}-{href.rsplit('/', 1)[-1] or 'home'}")
        if errs := page_errors(page):
            failures[name] = errs
        assert page.locator("h1").count() >= 1, f"{name}: no title rendered"
    assert not failures, failures

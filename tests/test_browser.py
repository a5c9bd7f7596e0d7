"""A real browser (Debian's Chromium through Playwright) loads every page of the running app; any
exception or error box fails the test. A screenshot of each page is saved (see the summary line)."""
import pytest

from conftest import page_errors, screenshot, serve_app, wait_ready


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


def test_a_shared_link_opened_first_on_a_fresh_server_runs_through_the_app(browser):
    """Streamlit starts in its old folder-based mode while a pages/ folder exists and app.py has not run:
    a lesson's link opened first would run that page alone, without the app's navigation and layout."""
    with serve_app("server-fresh.log") as url:
        ctx = browser.new_context(viewport={"width": 1440, "height": 900})
        page = ctx.new_page()
        page.goto(url + "/rnn")
        wait_ready(page)
        nav = page.eval_on_selector_all("[data-testid='stSidebarNav'] a", "els => els.map(e => e.href)")
        assert [h.rsplit("/", 1)[-1] for h in nav] == ["", "perceptron", "neuron", "backprop", "playground",
                                                      "optimizers", "cnn", "rnn"]
        assert page.url.endswith("/rnn")
        assert "Recurrent" in page.locator("h1").first.inner_text()
        assert not page_errors(page)
        ctx.close()

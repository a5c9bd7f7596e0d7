"""Share links, session-persisted settings and the learner's progress in a real browser, on a fresh server.

- A link with non-default settings, opened on a server that has never seen it, shows those settings.
- A setting changed on a page is written into the address bar; that address, opened in a new browser
  context (a new learner), rebuilds the same settings; the share box's copy-link field holds it too.
- A setting survives a visit to another lesson (persist_state="session").
- A solved challenge shows on the home page, survives a reload (browser storage, not the server), and
  "Start over" clears it — also across a reload.
"""
import pytest

from conftest import page_errors, screenshot, serve_app, wait_ready


@pytest.fixture(scope="module")
def fresh_url():
    with serve_app("server-links.log") as url:
        yield url


def slider_value(page, name):
    return float(page.get_by_role("slider", name=name).first.input_value())


def goto_lesson(page, title):
    page.get_by_role("link", name=title).first.click()
    wait_ready(page, settle=0.5)


def test_link_solves_a_challenge_and_progress_survives_reload(fresh_url, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(fresh_url + "/perceptron?pc_goal=OR&pc_ch_w1=1.0&pc_ch_w2=1.0&pc_ch_b=-0.5&pc_lr=0.5")
    wait_ready(page)
    assert slider_value(page, "learning rate η") == 0.5
    assert slider_value(page, "b") == -0.5
    box = page.locator(".st-key-challenge_pc_or")
    assert "Solved" in box.inner_text(), box.inner_text()
    assert "Not yet" in page.locator(".st-key-challenge_pc_xor").inner_text()
    assert not page_errors(page), page_errors(page)

    goto_lesson(page, "Home")
    card = page.locator(".st-key-home_perceptron")
    page.wait_for_function("() => document.querySelector('.st-key-home_perceptron').innerText.includes('✓ OR by hand')",
                           timeout=15000)
    assert "○ XOR goes round in circles" in card.inner_text()
    assert "Next challenge: XOR goes round in circles" in card.inner_text()

    page.reload()                                   # a new server session: only the browser remembers
    wait_ready(page)
    page.wait_for_function("() => document.querySelector('.st-key-home_perceptron').innerText.includes('✓ OR by hand')",
                           timeout=15000)
    assert "You have solved 1 of" in page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    screenshot(page, "home-progress-after-reload")

    page.get_by_role("button", name="Start over").click()
    page.wait_for_function("() => document.querySelector('.st-key-home_perceptron').innerText.includes('○ OR by hand')",
                           timeout=15000)
    page.reload()
    wait_ready(page, settle=2.0)
    assert "○ OR by hand" in page.locator(".st-key-home_perceptron").inner_text()
    assert "You have solved 0 of" in page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    ctx.close()


def test_changed_setting_goes_into_the_link_and_survives_a_lesson_switch(fresh_url, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(fresh_url + "/neuron")
    wait_ready(page)
    w1 = page.get_by_role("slider", name="weight w1").first
    w1.focus()
    page.keyboard.press("End")
    wait_ready(page, settle=0.5)
    page.wait_for_function("() => location.search.includes('nr_w1=3')", timeout=10000)
    link = page.url

    page.get_by_text("Share this lesson (copy link, classroom)").click()
    field = page.get_by_label("Link to this lesson with its settings")
    field.wait_for(timeout=10000)
    assert "nr_w1=3" in field.input_value(), field.input_value()

    goto_lesson(page, "Perceptron")                 # away and back: the setting is still there
    goto_lesson(page, "Neuron & activations")
    assert slider_value(page, "weight w1") == 3.0
    ctx.close()

    other = browser.new_context(viewport={"width": 1280, "height": 720})   # another learner opens the link
    page = other.new_page()
    page.goto(link)
    wait_ready(page)
    assert slider_value(page, "weight w1") == 3.0
    assert slider_value(page, "weight w2") == -1.0                      # untouched: still the default
    assert not page_errors(page), page_errors(page)
    other.close()

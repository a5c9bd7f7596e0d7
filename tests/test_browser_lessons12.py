"""Lessons 1 and 2 in a real browser: step the perceptron's rule on AND to convergence and on XOR to the cycling
explanation, move the neuron page's controls; any exception or error box fails the test."""
from conftest import page_errors, screenshot, wait_ready


def choose(page, label, option):
    """Pick an option of a selectbox; the list sometimes closes when the page reruns under it, so retry."""
    for attempt in range(4):
        page.get_by_label(label, exact=True).first.click()
        try:
            page.get_by_role("option", name=option, exact=True).first.click(timeout=4000)
            break
        except Exception:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            wait_ready(page, settle=0.5)
    wait_ready(page, settle=0.5)


def click(page, name):
    page.get_by_role("button", name=name).first.click()
    wait_ready(page, settle=0.5)


def test_perceptron_and_neuron_pages(app_url, page):
    page.goto(app_url + "/perceptron")
    wait_ready(page)
    assert page.locator("h1").first.inner_text() == "Perceptron"
    slider = page.get_by_role("slider", name="weight w1").first
    slider.focus()
    page.keyboard.press("End")                 # weight at its limit
    wait_ready(page, settle=0.5)
    assert page.get_by_text("z = 2.50", exact=False).count() >= 1      # 3·1 − 0.5·0 − 0.5 on the diagram
    click(page, "Step (one sample)")
    click(page, "Run until converged")
    assert page.get_by_text("Converged", exact=False).count() >= 1
    screenshot(page, "lesson1-and-converged")
    choose(page, "Data", "XOR")
    click(page, "Run until converged")
    assert page.get_by_text("going round in circles", exact=False).count() == 1
    assert page.get_by_text("Why XOR cannot be learned", exact=False).count() == 1
    screenshot(page, "lesson1-xor-cycling")
    assert not page_errors(page), page_errors(page)

    page.goto(app_url + "/neuron")
    wait_ready(page)
    assert page.locator("h1").first.inner_text() == "Neuron & activations"
    z = page.get_by_role("slider", name="weighted sum z").first
    z.focus()
    page.keyboard.press("Home")
    wait_ready(page, settle=0.5)
    choose(page, "activation", "ReLU")
    page.get_by_text("Multi-class").first.click()
    wait_ready(page, settle=0.5)
    assert page.get_by_text("one neuron per class, then softmax", exact=False).count() == 1
    screenshot(page, "lesson2-neuron")
    assert not page_errors(page), page_errors(page)

"""Every page runs under AppTest at its defaults without an exception, and the home page links every lesson."""
import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP, PAGES


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_page_runs_at_defaults(path):
    at = AppTest.from_file(path, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{path} shows no title"


def test_app_home_lists_every_lesson_in_order():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert "input layer" in text and "hidden layers" in text and "output layer" in text and "loss" in text
    assert "*why*" in at.info[0].value   # the honest caveat about explaining deep networks
    assert len(at.caption) == len(PAGES) == 7

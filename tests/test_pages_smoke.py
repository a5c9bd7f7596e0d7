"""Every page runs under AppTest at its defaults without an exception, and the home page links every lesson."""
import ast
import pathlib

import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP, PAGES


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_page_runs_at_defaults(path):
    at = AppTest.from_file(path, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{path} shows no title"


def lessons_in_app():
    """app.LESSONS, read from the source (importing app.py would run its navigation)."""
    tree = ast.parse(pathlib.Path(APP).read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "LESSONS")
    return ast.literal_eval(node.value)


def test_app_home_lists_every_lesson_in_order():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    for i, (_, title, _, _, sentence) in enumerate(lessons_in_app(), start=1):
        assert f"{i}. {title}" in text and sentence in text
    assert "input layer" in text and "hidden layers" in text and "output layer" in text and "loss" in text
    assert "*why*" in at.info[0].value   # the honest caveat about explaining deep networks
    assert len(PAGES) == 7

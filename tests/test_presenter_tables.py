"""Presenter mode's HTML tables (ui.layout.html_table): the numbers right-aligned whether numbers or text that reads as
one (a '%.4g' format writes text), words left; the formats applied; floats to 4 decimals."""
import re

from ui.layout import html_table

ROWS = [{"optimizer": "SGD", "learning rate η": 0.07, "final loss": 2.805e-09, "steps": 62, "diverged": "no"},
        {"optimizer": "Adam", "learning rate η": 0.3, "final loss": 2.217e-06, "steps": 77, "diverged": 12}]


def cells(html):
    """{cell text: its CSS} of the table's body."""
    css = {}
    for selectors, rule in re.findall(r"([^{}]+)\{([^}]*)\}", html.split("</style>")[0]):
        for cell_id in re.findall(r"_(row\d+_col\d+)", selectors):
            css[cell_id] = css.get(cell_id, "") + rule
    return {text.strip(): css.get(cell_id, "") for cell_id, text in
            re.findall(r'<td id="T_\w+_(row\d+_col\d+)"[^>]*>([^<]*)</td>', html)}


def test_numbers_right_words_left_formats_applied():
    html = html_table(ROWS, {"final loss": {"type_config": {"format": "%.4g"}}}).to_html()
    found = cells(html)
    for number in ("0.0700", "0.3000", "2.805e-09", "2.217e-06", "62", "77"):
        assert "text-align: right" in found[number], (number, found)
    for word in ("SGD", "Adam", "no", "12"):        # 'diverged' mixes words and numbers: left, as text
        assert "text-align: right" not in found[word], (word, found)
    assert "<th" in html and ">0<" not in html        # no index column

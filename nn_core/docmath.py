"""The LaTeX inside a docstring, so that a page renders the maths the code documents (and computes)."""
import inspect
import re


def latex_blocks(obj):
    """Every ``$$ ... $$`` block in ``obj``'s docstring, in order, without the dollar signs."""
    doc = inspect.getdoc(obj) or ""
    return [m.strip() for m in re.findall(r"\$\$(.+?)\$\$", doc, flags=re.S)]

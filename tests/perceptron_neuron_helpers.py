"""AppTest helpers shared by the perceptron and neuron page tests."""
import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def run(path, at=None):
    """Run (or rerun) the page; fail on any exception shown."""
    at = (at or AppTest.from_file(path, default_timeout=60)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart(at, key):
    """The Plotly figure (as a dict) of the chart with this key."""
    [el] = [e for e in at.get("plotly_chart") if e.proto.id.endswith("-" + key)]
    return json.loads(el.proto.spec)


def arr(v):
    """A trace's array as NumPy: Plotly sends NumPy arrays as base64 ``bdata`` (with a "rows,cols" shape)."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(n) for n in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.asarray(v)


def latex(at):
    return [m.value for m in at.latex]


def text(at):
    return " ".join(m.value for m in at.markdown)

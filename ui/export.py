"""'Show the code': a lesson's run as a PyTorch or an nn_core script, shown and downloadable, or as a Jupyter
notebook — one panel shared by the playground, the CNN and the RNN lessons (the code comes from
lessons.export). The panel writes nothing until the learner opens it (the expander reruns the page then)."""
import streamlit as st

from lessons.codegen import FLAVORS


def code_panel(build, key, done, unit="epochs", default=100):
    """An expander that, once open, shows the run as code, one tab per version (PyTorch, nn_core), each with
    buttons to download the script (.py) and a notebook (.ipynb). ``build(flavor, n)`` returns the
    ``lessons.codegen.Code`` of the first n ``unit`` of the run; ``done`` is how many the learner trained
    (when none yet, the code trains ``default``)."""
    box = st.expander("Show the code", icon=":material/code:", key=key, on_change="rerun")
    if not box.open:
        return
    with box:
        n = done or default
        what = (f"It repeats your {n} {unit}" if done else
                f"Nothing trained yet: it trains {n} {unit} from the lab's initial weights")
        st.caption(f"Your run as a program: the same data, the lab's initial weights and the same batches, in "
                   f"float64. {what} and prints the losses and the final accuracy — nn_core bit for bit, PyTorch to "
                   "about 10⁻¹⁵ (its kernels round a last bit differently: on a hard problem its curve can part from "
                   "yours after a hundred or so epochs). Settings you changed while training are not replayed.")
        for tab, flavor in zip(st.tabs(list(FLAVORS.values())), FLAVORS):
            code = build(flavor, n)
            with tab:
                left, right = st.columns(2)
                left.download_button("Script (.py)", code.script(), file_name=f"{code.stem}.py",
                                     mime="text/x-python", icon=":material/download:", on_click="ignore",
                                     key=f"{key}_{flavor}_py", width="stretch")
                right.download_button("Notebook (.ipynb)", code.notebook, file_name=f"{code.stem}.ipynb",
                                      mime="application/x-ipynb+json", icon=":material/download:",
                                      on_click="ignore", key=f"{key}_{flavor}_ipynb", width="stretch")
                st.code(code.shown(), language="python", height=420)

"""The playground's "look inside" panel: knock out hidden neurons or links of the trained network and see the
map and the test score change, and which neurons matter most (the numbers: lessons/knockout.py)."""
import streamlit as st

import lessons.knockout as ko
import lessons.playground as pg
from ui.layout import chart
from viz.playground import class_map_rgb, importance_figure, jpeg_uri, map_image, value_rgb

TOP = 10                   # neurons in the importance chart


def _map_uri(S, model, grid, scale):
    task, classes = S.pg_data["task"], S.pg_data["classes"]
    out = pg.output_map(pg.neuron_outputs(model, S.pg_setup, pg.plane_grid(grid)[2])[-1], task)
    rgb = class_map_rgb(*out, grid, classes) if task == "multiclass" else value_rgb(out, grid)
    overlay = S.get("pg_overlay")
    if overlay is not None and overlay[0].shape[0] != grid * scale:
        overlay = None
    return jpeg_uri(map_image(rgb, overlay, scale))


def _fmt(value, classifier):
    return f"{value:.1%}" if classifier else f"{value:.4f}"


def knockout_panel(S, grid, scale):
    """An expander: pick hidden neurons and links to knock out; the map and test score with and without them;
    every hidden neuron's importance. Only while paused (it reads the weights of the moment)."""
    with st.expander("Look inside the black box: knock out neurons", icon=":material/science:"):
        tr = S.pg_trainer
        units = ko.hidden_units(tr.model)
        if S.pg_playing:
            st.caption("Pause the training to knock neurons out of the network as it is now.")
            return
        if not units or not tr.has_test:
            st.caption("Add a hidden layer (and keep some test data): then you can switch its neurons off here.")
            return
        st.markdown("Switch off a hidden neuron — every link leaving it is set to 0 — or a single link, and watch "
                    "what the network loses. A small network stays explainable this way; with thousands of "
                    "neurons each one matters little on its own and the knowledge is spread over all of them, "
                    "which is why a big network is a black box.")
        c1 = c2 = st.container()          # one above the other: the chosen names stay readable in a half column
        off = c1.multiselect("Neurons to knock out", units, format_func=ko.unit_name, key="pg_ko_units")
        links = ko.all_links(tr.model)
        names = [f"x{i + 1}" for i in range(len(S.pg_setup["features"]))]
        cut = c2.multiselect("Links to cut", links, key="pg_ko_links",
                             format_func=lambda k: f"{'input ' + names[k[1]] if k[0] == 0 else f'layer {k[0]} · neuron {k[1] + 1}'}"
                                                   f" → {'output' if k[0] == len(S.pg_setup['acts']) else f'layer {k[0] + 1}'}"
                                                   f" · {k[2] + 1}")
        X, y, clf = tr.X_test, S.pg_data["y_test"], tr.classifier
        before, knocked = ko.score(tr.model, X, y, clf), ko.knocked_out(tr.model, off, cut)
        after = ko.score(knocked, X, y, clf)
        what = "Test accuracy" if clf else "Test MSE"
        m1, m2 = st.columns(2)
        m1.image(_map_uri(S, tr.model, grid, scale), caption=f"As trained — {what.lower()} {_fmt(before, clf)}")
        m2.image(_map_uri(S, knocked, grid, scale), caption=f"Knocked out — {what.lower()} {_fmt(after, clf)}")
        ranked = ko.importance(tr.model, X, y, clf)
        top, shown = ranked[0], ranked[:TOP]
        chart(importance_figure([ko.unit_name(r["unit"]) for r in shown], [r["harm"] for r in shown], clf),
              key="pg_ko_importance", config={"displayModeBar": False})
        st.caption(f"The {len(shown)} most important of {len(ranked)} hidden neurons. Most important: "
                   f"{ko.unit_name(top['unit'])} — without it alone the {what.lower()} goes from {_fmt(before, clf)} to "
                   f"{_fmt(top['score'], clf)}. {sum(r['harm'] <= 0 for r in ranked)} of {len(ranked)} neurons can go "
                   "without any loss on the test points.")

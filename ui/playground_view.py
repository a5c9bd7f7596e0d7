"""The playground's live view on the lab's one live loop (``ui.live``): what a frame trains (``advance``) and
what it draws (``draw``). Every element keeps its place whether playing or paused (the rewind slider, the
curves, the confusion matrix's corner have fixed sizes), so Play and Pause do not shift the page."""
import time

import numpy as np
import streamlit as st

import lessons.playground as pg
import lessons.playground_map as pm
import lessons.playground_session as ps
from ui import layout, live
from ui.layout import chart
from ui.map_canvas import map_canvas
from viz.palette import CLASS_COLORS, data_uri, png_bytes
from viz.playground import (CLASS_NAMES, class_map_rgb, confusion_figure, curves_figure, curves_image, hex_colours,
                            jpeg_uri, lighten, loss_sparkline, network_diagram, network_figure, point_colours,
                            points_overlay, value_rgb)

GRID = 100                    # the decision map is GRID × GRID
MAP_SCALE = 4                 # … drawn MAP_SCALE pixels per grid point
CURVES_H = 270                # px: the curves' box, live image or Plotly chart alike
SPARK_W, SPARK_H = 300, 118   # px: the small loss curves above the map
DIAGRAM_H = 365               # px: the diagram's height, live image or Plotly chart alike (network_figure)
DIAGRAM_W = DIAGRAM_H * 640 // 430   # … and at most this wide (diagram_size)
MAIN_COLS = [1, 2.75, 1.65]   # the page's columns under the bar: data | network | output (pages/4_playground.py)
CURVES_COLS = [2.4, 1]        # under them: the curves | the confusion matrix (a classifier's)


def feature_label(f):
    return {"x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2"}.get(f, f)


def overlay(S):
    """The points layer of the map, drawn once per data set and test-points choice."""
    data = S["pg_data"]
    key = (S["pg_data_version"], bool(S["pg_show_test"]))
    if S.get("pg_overlay_key") != key:
        test = (data["X_test"], data["y_test"]) if S["pg_show_test"] else None
        S["pg_overlay"] = points_overlay(GRID * MAP_SCALE, (data["X_train"], data["y_train"]), test, data["task"])
        S["pg_overlay_key"] = key
    return S["pg_overlay"]


def map_points(S):
    """The points the map canvas draws (training, and test when shown) and their palette, made once per data set
    and test-points choice."""
    data = S["pg_data"]
    key = (S["pg_data_version"], bool(S["pg_show_test"]))
    if S.get("pg_map_points_key") != key:
        task = data["task"]
        if task == "regression":          # every point its own colour of the diverging palette
            palette = hex_colours(point_colours(np.concatenate([data["y_train"], data["y_test"]]), task))
            idx = np.arange(len(palette))
        else:
            palette = list(CLASS_COLORS)
            idx = np.concatenate([data["y_train"], data["y_test"]]).astype(int)
        n = len(data["X_train"])
        train = pm.points(data["X_train"], data["y_train"], idx[:n])
        test = pm.points(data["X_test"], data["y_test"], idx[n:]) if S["pg_show_test"] else []
        S["pg_map_points"], S["pg_map_points_key"] = (train, test, palette), key
    return S["pg_map_points"]


def add_hint(S, task):
    if not S.get("pg_add_on"):
        return "Point at the map for the network's output there (keyboard: focus the map, then the arrow keys)."
    if task == "regression":
        return f"Click the map (or Enter at the cursor) to add a point of value {S.get('pg_add_value', 0.5):g} there."
    c = int(S.get("pg_add_class", 0))
    return f"Click the map (or Enter at the cursor) to add a point of class {c} ({CLASS_NAMES[c]}) there."


def advance(S, seconds, until):
    """One frame's training, stopped exactly by the stop rule or a blow-up (``pg.train_chunk``); True when
    playing must end (the reason is said on the page)."""
    tr = S["pg_trainer"]
    try:
        reason = pg.train_chunk(tr, S["pg_setup"], seconds, until)
    except (ValueError, FloatingPointError) as e:          # keep the page alive whatever the numbers do
        tr.stopped, tr.diverged = f"The computation failed ({e}).", True
        reason = tr.stopped
    if reason:
        S["pg_playing"] = False
        S["pg_message"] = None if tr.stopped else reason
    return bool(reason)


def training_seconds(S):
    return pg.frame_training(S.get("pg_drawing_s", 0.015))


def diagram_size():
    """The network diagram's drawn size: as large as it is shown (DIAGRAM_H high, less a margin), no wider than its
    column at 1280×720 (``layout.picture_width``), so that its 12 px labels are not shrunk (drawn 640 × 430, they
    read 8.4 px in a 448 px column, and 10 px in presenter mode)."""
    return {"width": layout.picture_width(DIAGRAM_W, (MAIN_COLS, 1)), "height": DIAGRAM_H - 10}


def draw(S, playing, boxes):
    tr, data = S["pg_trainer"], S["pg_data"]
    task, classes = data["task"], data["classes"]
    h, t_drawing = tr.history, time.perf_counter()
    shown, epochs, model = ps.rewind(S) if not playing else (tr.epoch, None, tr.model)   # slider below
    # every picture is made before anything is drawn, so that a frame's elements reach the browser together
    outs = pg.neuron_outputs(model, S["pg_setup"], pg.plane_grid(GRID)[2])
    if task == "multiclass":
        rgb = class_map_rgb(*pg.output_map(outs[-1], task), GRID, classes, S["pg_discrete"])
    else:
        rgb = value_rgb(pg.output_map(outs[-1], task), GRID, S["pg_discrete"])
    map_png = data_uri(png_bytes(lighten(rgb)))              # lightened: every point readable; the canvas scales it
    numbers = pm.payload(outs[-1], task, classes, GRID, pg.plane_grid(GRID)[0][-1], CLASS_NAMES)
    if not playing:
        overlay(S)                                           # the knockout panel's maps draw the points too
    # under a class's load the diagram and the curves, which change slowly, are redrawn every other frame
    size = diagram_size()
    S["pg_frame_no"] = S.get("pg_frame_no", 0) + 1
    marks = S.get("pg_rewound", [])
    if playing and live.loaded("pg") and S["pg_frame_no"] % 2 and S.get("pg_live_uris"):
        diagram_uri, curves_uri = S["pg_live_uris"]
    else:
        diagram = network_diagram(pg.dense_layers(model), [feature_label(f) for f in S["pg_setup"]["features"]],
                                  outs, GRID, act_names=[pg.ACTIVATIONS[a] for a in S["pg_setup"]["acts"]],
                                  hover=not playing, **size)
        diagram_uri = jpeg_uri(diagram["image"]) if playing else None
        curves_w = layout.picture_width(900, *[(CURVES_COLS, 0)] * tr.classifier)
        curves_uri = jpeg_uri(curves_image(h, tr.classifier, width=curves_w, marks=marks)) if playing else None
    S["pg_live_uris"] = (diagram_uri, curves_uri) if playing else None
    with boxes["diagram"]:                 # the middle column, under the network builder (made by the page)
        with st.container(height=DIAGRAM_H, border=False):
            if playing:
                st.image(diagram_uri, width=size["width"], alt=f"The network while training, epoch {tr.epoch:,}: "
                         "each neuron drawn as its own small map, links coloured by the sign of their weight")
            else:
                # as high as the image: shown at its scale while playing (1, × the zoom in presenter mode), not moved
                chart(network_figure(diagram, height=diagram["height"]), key="pg_network", config={"displayModeBar": False})
    # the output column (this fragment's own place): numbers, the loss so far and the map, under the Play bar
    with st.container(key="pg_readout"):
        m1, m2 = st.columns(2)
        m1.metric("Epoch", f"{shown:,}")
        i = h["epoch"].index(shown) if shown in h["epoch"] else None
        if tr.classifier:
            m2.metric("Test accuracy", "—" if i is None else f"{h['test_acc'][i]:.1%}")
        else:
            m2.metric("Test loss", "—" if i is None else pg.fmt_loss(h["test_loss"][i]))
        st.caption("Train loss — · test loss —" if i is None else
                   f"Train loss {pg.fmt_loss(h['train_loss'][i])} · test loss {pg.fmt_loss(h['test_loss'][i])}")
    with st.container(key="pg_spark"):
        st.image(jpeg_uri(loss_sparkline(h, layout.picture_width(SPARK_W, (MAIN_COLS, 2)), SPARK_H), quality=90), width="stretch",
                 alt="Train and test loss so far" + ("" if i is None else f", at epoch {shown:,}: train "
                 f"{pg.fmt_loss(h['train_loss'][i])}, test {pg.fmt_loss(h['test_loss'][i])}"))
    with st.container(key="pg_map"):
        train, test, palette = map_points(S)
        label = (f"Decision map at epoch {shown:,}: the plane from −6 to 6 coloured by the network's output, orange "
                 f"for class 0 (negative), blue for class 1 (positive); {numbers['words']}" + ("" if i is None else
                 f"; train loss {pg.fmt_loss(h['train_loss'][i])}, test " + (f"accuracy {h['test_acc'][i]:.1%}"
                 if tr.classifier else f"loss {pg.fmt_loss(h['test_loss'][i])}")))
        click = map_canvas("pg_map_canvas", numbers, map_png, train, test, palette, CLASS_NAMES, label,
                           add=S.get("pg_add_on", False), hint=add_hint(S, task))
        if click is not None and S.get("pg_add_on"):
            ps.add_point(S, click, S.get("pg_add_value", 0.5) if task == "regression" else int(S.get("pg_add_class", 0)))
            st.rerun()                  # the whole page: the new point is counted below and drawn on the map
    t1 = t2 = st.container(horizontal=True)         # side by side, or one under the other if narrow
    t1.toggle("Test points", key="pg_show_test", persist_state="session",   # kept across a visit to another lesson
              help="Show the test points too (black rings)")
    t2.toggle("Discretize", key="pg_discrete", persist_state="session",
              help="Show only the decided class, not the confidence")
    if epochs is not None:
        st.select_slider("Rewind to epoch", epochs, key="pg_rewind",
                         help="The decision map and the diagram as they were at a saved epoch; Step or Play "
                              "go on from the epoch shown (the later ones are dropped)")
    else:                          # the same slider's place, while playing or before a second snapshot
        st.select_slider("Rewind to epoch", [0, max(tr.epoch, 1)], value=max(tr.epoch, 1), disabled=True,
                         key="pg_rewind_idle", help="Pause to rewind")
    with boxes["below"]:                   # under the three columns: the curves in full, the confusion matrix
        chart_col, cm_col = st.columns(CURVES_COLS) if tr.classifier else (st.container(), None)
        with chart_col.container(height=CURVES_H, border=False, key="pg_curves_box"):
            if playing:
                st.image(curves_uri, width="stretch", alt=f"Train and test loss per epoch, up to epoch {tr.epoch:,}" + (
                    "" if not h["train_loss"] else f": now {pg.fmt_loss(h['train_loss'][-1])} (train), "
                    f"{pg.fmt_loss(h['test_loss'][-1])} (test)"))
            else:
                fig = curves_figure(h, tr.classifier, height=CURVES_H - 10)
                for e in marks:
                    fig.add_vline(x=e, line=dict(color="#888", dash="dash", width=1),
                                  annotation_text=f"went on from {e}", annotation_font_size=10)
                chart(fig, key="pg_curves", config={"displayModeBar": False})
        if cm_col is not None:
            with cm_col.container(height=CURVES_H, border=False):
                if playing or not h["epoch"]:
                    st.caption("The confusion matrix of the test points shows here when paused.")
                else:
                    cm = pg.confusion_matrix(data["y_test"], model.predict(tr.X_test), max(classes, 2))
                    chart(confusion_figure(cm, height=CURVES_H - 10), key="pg_cm",
                          config={"displayModeBar": False})
    if playing:
        # this session's drawing time (smoothed), which the next frame's training budget leaves room for
        S["pg_drawing_s"] = 0.8 * S.get("pg_drawing_s", 0.015) + 0.2 * (time.perf_counter() - t_drawing)


def live_section(S, boxes):
    """The bar's partner: the live fragment of the playground, drawn where it is called (the output column:
    numbers, loss so far, map) and into ``boxes``: "diagram" and "below", containers the page made (the
    fragment rewrites them in place each frame)."""
    # the frames redraw these boxes: no fading; the live caption ('Paused…' or 'Live…') and the loss caption
    # (one line or two) keep one height, so that nothing below moves at Play or Pause
    st.html("<style>.st-key-pg_diagram_box [data-stale='true'], .st-key-pg_below [data-stale='true'] "
            "{opacity: 1 !important; transition: none !important;} "
            "div.st-key-pg_stats {min-height: 4.9rem; max-height: 4.9rem; overflow: hidden;} "
            ".st-key-pg_readout [data-testid='stCaptionContainer'] {min-height: 3.2em;}</style>")
    live.live_view("pg", lambda seconds, until: advance(S, seconds, until), lambda playing: draw(S, playing, boxes),
                   training=lambda: training_seconds(S), count=lambda: S["pg_trainer"].epoch, unit="epochs")

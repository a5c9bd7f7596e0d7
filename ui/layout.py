"""The lab's screen layout, for a classroom projector and for every learner: less padding above each lesson,
readable contrast, and a presenter mode.

``setup()`` runs once per script run from app.py (so every lesson gets it): it injects the lab's CSS once,
and puts the *Presenter mode* toggle in the sidebar, bound to the link parameter ``?present=true`` so that a
teacher can bookmark it. Presenter mode enlarges the lesson's type and its image figures (for the back row of a
classroom at 1280×720: body text ≥ 20 px; Plotly figures keep their size, their labels grow to 16 px: ``chart``),
collapses the sidebar, and folds the lesson's explanations (``explain``) so that the picture leads.
"""
import numbers

import numpy as np
import pandas as pd
import streamlit as st

from viz.projector import for_projector

PRESENT_KEY = "present"       # the toggle's key, and so the link parameter's name (?present=true)
PRESENT_ZOOM = 1.35           # Streamlit's 16 px body text → 21.6 px
# The main block's width at 1280×720, the smallest projector screen, in the page's px: in presenter mode 1280 px less
# up to 24 px of a scroll bar, / PRESENT_ZOOM, less the padding of 1.5 rem each side (PRESENT_CSS); in normal mode
# with the sidebar open (Streamlit's 300 px), less the padding of 2.5 rem each side (BASE_CSS)
PRESENT_MAIN = int((1280 - 24) / PRESENT_ZOOM - 2 * 24)
NORMAL_MAIN = 1280 - 24 - 300 - 2 * 40
COLUMN_GAPS = {"small": 16, "medium": 32, "large": 64}   # px between st.columns (1, 2, 4 rem)

# Streamlit's defaults spend ~6 rem above every title and 5 rem on each side in wide layout. Captions and the
# labels of disabled widgets are drawn in light greys (captions: dark text at 60 % opacity, 3.9:1 on white;
# disabled labels 2.3:1) below WCAG AA's 4.5:1: the greys below are 5.9:1 (#63636b, opaque) and 5.2:1 (#6b6b75).
# The Play bar's Play/Pause box (ui/live.control_bar) shows one button's height: for up to a second after a
# click Streamlit shows the new button above the stale one (two buttons, 96 px), which pushed the picture down.
BASE_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 2.6rem; padding-bottom: 4rem;
                                       padding-left: 2.5rem; padding-right: 2.5rem; }
[data-testid="stCaptionContainer"] { color: #63636b; opacity: 1; }
[data-testid="stWidgetLabel"][disabled] p, [data-testid="stWidgetLabel"] [disabled] p,
label[data-baseweb="checkbox"][disabled] p { color: #6b6b75; }
.katex-display { margin: 0.3em 0; }
.katex-display > .katex { font-size: 1.12em; }
[data-testid="stColumn"] [data-testid="stExpander"] .katex-display > .katex { font-size: 0.96em; }  /* half width */
[data-testid="stColumn"] h2 { font-size: 1.6rem; padding: 0.25rem 0 0.5rem; }
div.stVerticalBlock[class*="_playpause"] { max-height: 2.5rem; overflow: clip; overflow-clip-margin: 0.4rem; }
[class*="st-key-pg_builder_"] [data-testid="stSelectbox"] input { padding-left: 4px; padding-right: 0; font-size: 0.8rem; }
[class*="st-key-pg_builder_"] [data-testid="stSelectbox"] [role="group"] button { padding: 0; min-width: 1.1rem; }
"""

PRESENT_CSS = f"""
[data-testid="stMain"] {{ zoom: {PRESENT_ZOOM}; }}
[data-testid="stPlotlyChart"], [data-testid="stDataFrame"] {{ zoom: {1 / PRESENT_ZOOM:.4f}; }}  /* zoomed, they drew past their column */
[data-testid="stMainBlockContainer"] {{ padding-top: 2.2rem; padding-left: 1.5rem; padding-right: 1.5rem; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, [data-testid="stMarkdownContainer"] p {{ font-size: 1rem; }}
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {{ font-size: inherit; }}  /* the rule above made it 1rem, not 2.25 */
[data-testid="stMetricLabel"] * {{ white-space: normal; overflow: visible; text-overflow: clip; }}  /* long labels wrap, not "…" */
[data-testid="stMain"] :is([data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]) :is(code, sub, sup) {{ font-size: 0.95em; }}
[data-testid="stTable"] :is(td, th), [data-testid="stFileUploaderDropzoneInstructions"] * {{ font-size: 1rem; }}
[data-testid="stMain"] [data-testid="stCode"] code {{ font-size: 0.95rem; }}  /* 14 px → 20.5 px (the RNN's samples) */
[data-testid="stMain"] :is([data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stNumberInput"],
                          [data-testid="stTextInput"], [data-testid="stTextArea"]) :is(input, textarea) {{ font-size: 1rem; }}
"""


def presenting():
    """Whether this learner's screen is in presenter mode (False in a page run on its own, as in AppTest)."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def picture_width(width, *path):
    """The width (px) to draw a live image at whose widest is ``width``: as wide as its column at 1280×720, the
    smallest projector screen (with the sidebar open in normal mode), at most ``width``. An image is shown at most as
    wide as its column: one drawn wider is shrunk, its labels with it (the RNN's 560 px loss image in a 442 px
    column: 13 px labels read 10 px; in presenter mode, zoom included, 12.8 px). Drawn as wide as its column, it
    shows at its own size (in presenter mode × PRESENT_ZOOM): a label of ``viz.raster.SMALLEST`` px reads 12 px (in
    presenter mode 16 px). ``path``: the columns it sits in, from the main block down, each ``(spec, index)`` or
    ``(spec, index, gap)`` as given to ``st.columns`` (spec: a count or the widths)."""
    return min(int(width), column_width(*path))


def column_width(*path):
    """The width (px) of the column at ``path`` (as ``picture_width``'s) at 1280×720, in this learner's mode."""
    room = float(PRESENT_MAIN if presenting() else NORMAL_MAIN)
    for spec, index, *gap in path:
        spec = [1] * spec if isinstance(spec, int) else list(spec)
        # Streamlit gives a column its share of the row less its share of the gaps: share · room − gap · (n − 1) / n
        room = room * spec[index] / sum(spec) - COLUMN_GAPS[gap[0] if gap else "small"] * (len(spec) - 1) / len(spec)
    return int(room)


def setup():
    """Once per run, from app.py before the lesson runs: the presenter toggle, the sidebar's state, the CSS."""
    on = st.sidebar.toggle(
        "Presenter mode", key=PRESENT_KEY, bind="query-params",
        help="For a projector: larger type and figures, the sidebar folded away, explanations folded so the "
             "picture leads. Bookmark the address to come back in this mode (it ends in ?present=true).")
    st.set_page_config(initial_sidebar_state="collapsed" if on else "auto")
    st.html(f"<style>{BASE_CSS}{PRESENT_CSS if on else ''}</style>")
    return on


def explain(text, label="Explanation", **kwargs):
    """A lesson's explanatory paragraph: shown as it is, or folded under ``label`` in presenter mode so that
    the controls and the picture come first. ``kwargs`` go to ``st.markdown``."""
    if presenting():
        with st.expander(label):
            st.markdown(text, **kwargs)
    else:
        st.markdown(text, **kwargs)


def table(data, *, height="auto", column_config=None, key=None, where=None):
    """A read-only table without its index, full width: ``st.dataframe`` (it sorts and scrolls), or in presenter mode
    an HTML table (``st.table``), whose type grows with the page: the dataframe draws its cells on a canvas at 14 px
    whatever the page's zoom (zoomed, it drew past its column). ``column_config``'s number formats (printf, or
    "percent") are applied to the HTML table too; an integer ``height`` scrolls either; ``key`` names the dataframe,
    or the table's box."""
    where = where or st
    if not presenting():
        return where.dataframe(data, hide_index=True, width="stretch", height=height, column_config=column_config,
                               key=key)
    box = where.container(key=key, height=height if isinstance(height, int) else "content")
    return box.table(html_table(data, column_config))


def html_table(data, column_config=None):
    """Presenter mode's table as a pandas Styler for ``st.table``: ``column_config``'s number formats applied, numbers
    right-aligned (as the dataframe has them), also those written as text, floats to 4 decimals (as st.table shows
    a frame's), no index."""
    frame = pd.DataFrame(data)
    numeric = [name for name in frame if len(frame) and all(_number(v) for v in frame[name])]
    for name, config in (column_config or {}).items():
        fmt = (config.get("type_config") or {}).get("format") if isinstance(config, dict) else None
        if fmt and name in frame:
            frame[name] = [(f"{v:.2%}" if fmt == "percent" else fmt % v) if isinstance(v, numbers.Real) else v
                           for v in frame[name]]
    return (frame.style.format(lambda v: f"{v:.4f}" if isinstance(v, float) else v)
            .set_properties(subset=numeric, **{"text-align": "right !important"}).hide(axis="index"))


def _number(v):
    """Whether a table cell is a number, or text that reads as one ("2.805e-09", "−0.5", "93.2%")."""
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, numbers.Real):
        return True
    try:
        float(str(v).replace("−", "-").replace(",", "").rstrip("%").strip())
        return True
    except ValueError:
        return False


def chart(figure, *, where=None, key=None, **kwargs):
    """Every Plotly chart of the lab, drawn here: ``where.plotly_chart(figure, key=key, **kwargs)`` (``where``: a
    column, container or ``st.empty``; ``st`` by default). In presenter mode the figure is drawn without Streamlit's
    chart theme (it sets ticks and legends to 12 px whatever the figure asks), on ``viz.projector``'s template with
    every label at least 16 px, so that Plotly spaces the ticks and sizes the legends and margins for that type."""
    where = where or st
    if presenting():
        return where.plotly_chart(for_projector(figure), key=key, theme=None, **kwargs)
    return where.plotly_chart(figure, key=key, **kwargs)


def grid_editor(frame, *, key, where=None, column_config=None, hide_index=False, **kwargs):
    """A small table to edit cell by cell (numbers, or tick boxes for a boolean column), the edited copy of ``frame``
    returned: ``st.data_editor`` (``kwargs`` go to it), or in presenter mode a grid of number inputs and tick boxes
    whose type grows with the page. The data editor draws its cells on a canvas at the theme's 14 px whatever the
    page's zoom, and has no size of its own to set (Streamlit 1.67: ``row_height`` only); zoomed, such a canvas drew
    past its column. In the grid each cell is labelled by its row and column (for screen readers; the labels show
    as the grid's headers) and keyed ``{key}_{row}_{column}``; a NumberColumn's min, max, step and format apply."""
    where = where or st
    if not presenting():
        return where.data_editor(frame, key=key, column_config=column_config, hide_index=hide_index, **kwargs)
    out, names = frame.copy(), [str(c) for c in frame.columns]
    box, lead = where.container(key=key), 0 if hide_index else 1
    head = box.columns(len(names) + lead, vertical_alignment="bottom")
    for c, name in enumerate(names):
        head[c + lead].markdown(f"**{name}**")
    for r, row_name in enumerate(frame.index):
        cells = box.columns(len(names) + lead, vertical_alignment="center")
        if lead:
            cells[0].markdown(f"**{row_name}**")
        for c, name in enumerate(names):
            value, label = frame.iat[r, c], f"{row_name if lead else f'row {r + 1}'}, {name}"
            cell_key = f"{key}_{r}_{c}"
            if isinstance(value, (bool, np.bool_)):
                out.iat[r, c] = cells[c + lead].checkbox(label, value=bool(value), key=cell_key,
                                                         label_visibility="collapsed")
                continue
            spec = ((column_config or {}).get(name) or {}).get("type_config") or {}
            step = spec.get("step")
            whole = isinstance(value, (numbers.Integral, np.integer)) and (step is None or float(step).is_integer())
            cast = int if whole else float
            out.iat[r, c] = cells[c + lead].number_input(
                label, value=cast(value), key=cell_key, label_visibility="collapsed",
                min_value=None if spec.get("min_value") is None else cast(spec["min_value"]),
                max_value=None if spec.get("max_value") is None else cast(spec["max_value"]),
                step=cast(step) if step is not None else (1 if whole else 0.01),
                format=spec.get("format") or ("%d" if whole else "%g"))
    return out

"""Drawing a small picture by hand: an 8×8 grid of tick boxes (a ticked cell is ink), and a square of numbers to edit
(through ui.layout.grid_editor: a data editor, or in presenter mode a grid of inputs)."""
import numpy as np
import pandas as pd
import streamlit as st

from ui.common import state
from ui.layout import grid_editor


def pixel_editor(key, size=8):
    """An ``size``×``size`` grid of tick boxes, starting from a 7 ("Clear" starts blank); the drawing as a float
    (size, size) array, 1 = ink."""
    generation = state(f"{key}_gen", lambda: 0)
    base = np.zeros((size, size), bool)
    if generation == 0:
        base[1, 1:7], base[np.arange(2, 7), 5 - np.arange(5) // 2] = True, True
    frame = pd.DataFrame(base, columns=[str(c + 1) for c in range(size)])
    config = {c: st.column_config.CheckboxColumn(c, width=40) for c in frame.columns}
    edited = grid_editor(frame, key=f"{key}_{generation}", column_config=config, hide_index=True,
                         num_rows="fixed", width=size * 40 + 2)
    st.button("Clear the grid", key=f"{key}_clear", on_click=lambda: st.session_state.update({f"{key}_gen": generation + 1}))
    return edited.to_numpy(dtype=float)


def number_grid(values, key):
    """A square of numbers to edit cell by cell (e.g. a kernel); the edited values as a float array (a cleared
    cell counts as 0)."""
    frame = pd.DataFrame(values, columns=[str(c + 1) for c in range(values.shape[1])])
    edited = grid_editor(frame, key=key, hide_index=True, num_rows="fixed",
                         column_config={c: st.column_config.NumberColumn(c, format="%.2f", step=0.1)
                                        for c in frame.columns})
    return np.nan_to_num(edited.to_numpy(dtype=float))

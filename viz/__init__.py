"""Figure builders: pure functions from nn_core objects and arrays to Plotly / Matplotlib figures or images.
Never imports streamlit."""

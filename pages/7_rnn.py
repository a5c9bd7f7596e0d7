"""Lesson: Recurrent networks (coming soon)."""
import streamlit as st

st.title('Recurrent networks')
st.info('This lesson is being built: unroll an RNN in time, watch its hidden state, and see how far back its memory reaches.')

"""Lesson: Forward & backward pass (coming soon)."""
import streamlit as st

st.title('Forward & backward pass')
st.info('This lesson is being built: walk through one training step of a small network, number by number, with the chain rule written out.')

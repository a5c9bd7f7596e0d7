"""Lesson: Convolutional networks (coming soon)."""
import streamlit as st

st.title('Convolutional networks')
st.info('This lesson is being built: slide a kernel over an image number by number, then train a small CNN and look inside it.')

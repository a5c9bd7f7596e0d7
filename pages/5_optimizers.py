"""Lesson: Optimizers & losses (coming soon)."""
import streamlit as st

st.title('Optimizers & losses')
st.info('This lesson is being built: race SGD, momentum, RMSprop and Adam on loss surfaces, sweep learning rates and compare losses.')

"""Lesson: Neuron & activations (coming soon)."""
import streamlit as st

st.title('Neuron & activations')
st.info('This lesson is being built: see one neuron compute, compare activation functions and their derivatives, and how layers fit together.')

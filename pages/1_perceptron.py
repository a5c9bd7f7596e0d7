"""Lesson: Perceptron (coming soon)."""
import streamlit as st

st.title('Perceptron')
st.info("This lesson is being built: step through a perceptron's decision and its learning rule, watch the line move, and see it fail on XOR.")

"""Lesson: MLP playground (coming soon)."""
import streamlit as st

st.title('MLP playground')
st.info('This lesson is being built: build a multi-layer perceptron, train it live on 2-D data and watch its decision boundary form.')

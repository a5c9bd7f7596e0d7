"""The loss tab's regression example (beside the sigmoid classifier): a linear neuron fitted to numbers with
MSE, every number from the engine (lessons/losses.py)."""
import streamlit as st

from lessons.losses import HOURS, MARKS, best_line, regression_step
from nn_core import MSE
from nn_core.docmath import latex_blocks
from ui.layout import chart
from viz.optimizers import regression_figure


def regression_example():
    """Sliders for w and b, the fitted line with its errors, the MSE and its gradients from the engine."""
    st.subheader("Regression: predict a number, use MSE")
    st.markdown(
        "The neuron above **classifies** (is the answer class 1?), so its loss is **cross-entropy**: it takes the "
        "log of the probability given to the true class. To **predict a number** — here an exam mark from hours "
        "of revision — there are no classes and no probabilities: the output neuron is linear, ŷ = w·x + b, "
        "and the loss is the **mean squared error**, the mean squared distance between prediction and target.")
    c1, c2 = st.columns([1, 1.6], gap="large")
    w = c1.slider("weight w", -1.0, 3.0, 0.5, 0.05, key="op_rg_w", persist_state="session")
    b = c1.slider("bias b", -2.0, 6.0, 1.0, 0.1, key="op_rg_b", persist_state="session")
    out = regression_step(w, b)
    with c1:
        st.latex(latex_blocks(MSE)[0] + rf" = {out['loss']:.3f}")
        st.latex(rf"\frac{{\partial L}}{{\partial w}} = {out['dL_dw']:.3f}, \qquad "
                 rf"\frac{{\partial L}}{{\partial b}} = {out['dL_db']:.3f}")
        bw, bb = best_line()
        st.caption(f"Gradient descent moves w and b against these gradients. The lowest MSE, "
                   f"{regression_step(bw, bb)['loss']:.3f}, is at w = {bw:.2f}, b = {bb:.2f}.")
    chart(regression_figure(HOURS, MARKS, out["pred"]), key="op_rg_fig", where=c2)
    st.markdown("**Try this:** make the gradients' signs tell you where to go — raise w while ∂L/∂w is negative, "
                "lower it while positive — and watch the MSE fall towards its minimum. Why not cross-entropy "
                "here? A mark of 6.4 is not a class; log of a \"probability\" 6.4 means nothing.")

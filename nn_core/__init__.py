"""nn_core: a small, readable neural-network engine in NumPy (float64), written to be read by learners.

One file per concept: layers (Dense, Flatten), activations, losses, optimizers, init, models
(Sequential), conv (Conv2D, MaxPool2D), rnn (RNN), perceptron, trace (step-through records),
gradcheck (finite differences), data / images / sequences (data sets), training (the loop).
"""
from .activations import ACTIVATIONS, Identity, LeakyReLU, ReLU, Sigmoid, Step, Tanh, softmax
from .layers import Dense, Flatten, Layer
from .losses import LOSSES, MSE, BinaryCrossEntropy, CrossEntropy
from .models import ModelFileError, Sequential, mlp
from .optimizers import SGD, Adam, RMSprop, add_penalty, clip_grad_norm, make_optimizer
from .perceptron import Perceptron
from .trace import trace
from .conv import AvgPool2D, Conv2D, MaxPool2D
from .rnn import RNN

__all__ = ["Dense", "Conv2D", "MaxPool2D", "Flatten", "RNN", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Step",
           "Identity", "MSE", "BinaryCrossEntropy", "CrossEntropy", "SGD", "RMSprop", "Adam", "Sequential",
           "Perceptron", "AvgPool2D", "Layer", "softmax", "mlp", "trace", "add_penalty", "clip_grad_norm", "make_optimizer",
           "ModelFileError", "ACTIVATIONS", "LOSSES"]

"""tinynet — нейросеть с нуля на NumPy, пакет к книге.

Всё, что показывают главы книги, импортируется отсюда.
"""

from .activations import (
    Activation,
    Identity,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
    relu,
    sigmoid,
    sigmoid_derivative,
    softmax,
    tanh,
)
from .conv import Conv2D, col2im, conv_output_size, im2col
from .datasets import Standardizer, digits, moons, spirals, train_val_test_split, xor
from .display import show_source
from .dropout import Dropout
from .gradcheck import gradcheck, numerical_gradient, relative_error
from .initializers import he, normal, xavier
from .layer import Layer
from .losses import (
    MSE,
    BinaryCrossEntropy,
    Loss,
    SoftmaxCrossEntropy,
    bce_loss,
    bce_loss_grad,
    get_loss,
    mse_loss,
    mse_loss_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
    softmax_cross_entropy_grad,
)
from .metrics import accuracy, confusion_matrix, predict
from .network import NeuralNetwork
from .neuron import Neuron, neuron_backward, neuron_forward
from .optimizers import SGD, Adam, AdamW, Momentum, get_optimizer
from .pooling import Flatten, MaxPool2D
from .saving import load, save
from .training import fit, schedule_factors

__all__ = [
    "accuracy",
    "Activation",
    "Adam",
    "AdamW",
    "bce_loss",
    "bce_loss_grad",
    "BinaryCrossEntropy",
    "col2im",
    "confusion_matrix",
    "Conv2D",
    "conv_output_size",
    "digits",
    "Dropout",
    "fit",
    "Flatten",
    "get_activation",
    "get_loss",
    "get_optimizer",
    "gradcheck",
    "he",
    "Identity",
    "im2col",
    "Layer",
    "load",
    "Loss",
    "MaxPool2D",
    "Momentum",
    "moons",
    "MSE",
    "mse_loss",
    "mse_loss_grad",
    "NeuralNetwork",
    "Neuron",
    "neuron_backward",
    "neuron_forward",
    "normal",
    "numerical_gradient",
    "predict",
    "relative_error",
    "ReLU",
    "relu",
    "save",
    "schedule_factors",
    "SGD",
    "show_source",
    "Sigmoid",
    "sigmoid",
    "sigmoid_derivative",
    "Softmax",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_and_grad",
    "softmax_cross_entropy_grad",
    "SoftmaxCrossEntropy",
    "spirals",
    "Standardizer",
    "Tanh",
    "tanh",
    "train_val_test_split",
    "xavier",
    "xor",
]

__version__ = "0.2.0"

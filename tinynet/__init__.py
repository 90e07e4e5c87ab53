"""tinynet — нейросеть с нуля на NumPy, пакет к книге.

Всё, что показывают главы книги, импортируется отсюда.
"""

from .activations import sigmoid, sigmoid_derivative
from .display import show_source
from .gradcheck import numerical_gradient, relative_error
from .layer import Layer
from .losses import mse_loss, mse_loss_grad
from .network import NeuralNetwork
from .neuron import Neuron, neuron_backward, neuron_forward
from .training import fit

__all__ = [
    "Layer",
    "NeuralNetwork",
    "Neuron",
    "fit",
    "mse_loss",
    "mse_loss_grad",
    "neuron_backward",
    "neuron_forward",
    "numerical_gradient",
    "relative_error",
    "show_source",
    "sigmoid",
    "sigmoid_derivative",
]

__version__ = "0.1.0"

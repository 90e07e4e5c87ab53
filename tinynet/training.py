r"""Цикл обучения: градиентный спуск по пакетам с функцией потерь MSE."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_float_array, check_learning_rate, check_positive_int
from ._random import make_rng
from .losses import mse_loss, mse_loss_grad
from .network import NeuralNetwork


def fit(
    network: NeuralNetwork,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int | None = None,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    r"""Обучает ``network`` на ``(X, Y)`` и возвращает среднюю ошибку каждой эпохи.

    За эпоху примеры проходят пакетами по ``batch_size`` строк (``None`` — весь набор
    одним пакетом, ``1`` — по одному примеру, как в стохастическом спуске). Для каждого
    пакета: прямой проход, ошибка :math:`L`, градиент :math:`\partial L/\partial \hat Y`,
    обратный проход и шаг :math:`\theta \leftarrow \theta - \eta\,\partial L/\partial\theta`.

    Ошибка эпохи — среднее ошибок пакетов (взвешенное по их размеру), посчитанных *до*
    шага на каждом пакете. Если передан ``rng``, порядок примеров перемешивается в каждой
    эпохе; без него примеры идут по порядку.
    """
    X = as_float_array(X, "X")
    Y = as_float_array(Y, "Y")
    if X.ndim != 2 or Y.ndim != 2:
        raise ValueError(
            f"X, Y: ожидались матрицы (N, признаки) и (N, выходы), получены {X.shape} и {Y.shape}"
        )
    if len(X) != len(Y) or len(X) == 0:
        raise ValueError(f"Y: ожидалось {len(X)} строк, как в X, получено {len(Y)}")
    epochs = check_positive_int(epochs, "epochs")
    rate = check_learning_rate(learning_rate)
    size = len(X) if batch_size is None else check_positive_int(batch_size, "batch_size")
    shuffle = None if rng is None else make_rng(rng)

    history = np.empty(epochs)
    for epoch in range(epochs):
        order = np.arange(len(X)) if shuffle is None else shuffle.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), size):
            batch = order[start : start + size]
            y_pred = network.forward(X[batch])
            total += mse_loss(y_pred, Y[batch]) * len(batch)
            network.backward(mse_loss_grad(y_pred, Y[batch]))
            network.update_parameters(rate)
        history[epoch] = total / len(X)
    return history

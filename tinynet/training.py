r"""Цикл обучения: мини-пакеты, перемешивание, функция потерь, оптимизатор, история."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_float_array, check_positive_int
from ._random import RandomLike, make_rng
from .losses import Loss, get_loss
from .metrics import accuracy, predict
from .network import NeuralNetwork
from .optimizers import SGD, get_optimizer


def _check_data(X: ArrayLike, y: ArrayLike, loss: Loss, name: str) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X, f"X{name}")
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X{name}: ожидалась непустая матрица (N, признаки), получена {X.shape}")
    y = np.asarray(y) if loss.name == "softmax_cross_entropy" else as_float_array(y, f"y{name}")
    if len(y) != len(X):
        raise ValueError(f"y{name}: ожидалось {len(X)} строк, как в X{name}, получено {len(y)}")
    return X, y


def fit(
    network: NeuralNetwork,
    X: ArrayLike,
    y: ArrayLike,
    *,
    epochs: int,
    learning_rate: float | None = None,
    loss: str | Loss = "mse",
    optimizer: str | SGD = "sgd",
    batch_size: int | None = None,
    rng: RandomLike = None,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
) -> dict[str, np.ndarray]:
    r"""Обучает ``network`` на ``(X, y)`` и возвращает историю по эпохам.

    За эпоху примеры проходят пакетами по ``batch_size`` строк (``None`` — весь набор
    одним пакетом, ``1`` — по одному примеру). Для каждого пакета: прямой проход, потери
    :math:`L`, градиент :math:`\partial L/\partial \hat Y`, обратный проход и шаг
    оптимизатора (``"sgd"``: :math:`\theta \leftarrow \theta - \eta\,\partial L/\partial\theta`;
    ``"momentum"``, ``"adam"`` — см. :mod:`tinynet.optimizers`). ``learning_rate`` —
    :math:`\eta` для оптимизатора, заданного именем (``None`` — его значение по умолчанию).

    Если передан ``rng``, порядок примеров перемешивается в каждой эпохе; без него примеры
    идут по порядку. ``loss`` — ``"mse"`` (цели ``(N, выходы)``), ``"bce"`` (цели
    ``(N, 1)`` из 0 и 1) или ``"softmax_cross_entropy"`` (целые метки ``(N,)``).

    Возвращает словарь массивов длины ``epochs``: ``"loss"`` — среднее потерь пакетов,
    посчитанных *до* шага на каждом пакете; для классификации ещё ``"accuracy"`` на всей
    обучающей выборке после эпохи; с ``validation_data=(X_val, y_val)`` — ``"val_loss"`` и
    (для классификации) ``"val_accuracy"``.
    """
    loss_fn = get_loss(loss)
    step = get_optimizer(optimizer, learning_rate)
    X, y = _check_data(X, y, loss_fn, "")
    validation = None if validation_data is None else _check_data(*validation_data, loss_fn, "_val")
    epochs = check_positive_int(epochs, "epochs")
    size = len(X) if batch_size is None else check_positive_int(batch_size, "batch_size")
    shuffle = None if rng is None else make_rng(rng)

    keys = ["loss"] + (["accuracy"] if loss_fn.classification else [])
    keys += [] if validation is None else ["val_" + key for key in keys]
    history = {key: np.empty(epochs) for key in keys}
    for epoch in range(epochs):
        order = np.arange(len(X)) if shuffle is None else shuffle.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), size):
            batch = order[start : start + size]
            output = network.forward(X[batch])
            total += loss_fn(output, y[batch]) * len(batch)
            network.backward(loss_fn.grad(output, y[batch]))
            step.step(network)
        history["loss"][epoch] = total / len(X)
        if loss_fn.classification:
            history["accuracy"][epoch] = accuracy(y, predict(network, X))
        if validation is not None:
            X_val, y_val = validation
            history["val_loss"][epoch] = loss_fn(network.forward(X_val), y_val)
            if loss_fn.classification:
                history["val_accuracy"][epoch] = accuracy(y_val, predict(network, X_val))
    return history

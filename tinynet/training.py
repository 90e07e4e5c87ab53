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


def _check_data(
    X: ArrayLike, y: ArrayLike, loss: Loss, name: str, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """Проверяет и приводит данные к типу сети один раз, до цикла по пакетам."""
    X = as_float_array(X, f"X{name}")
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X{name}: ожидалась непустая матрица (N, признаки), получена {X.shape}")
    X = X.astype(dtype, copy=False)
    if loss.name == "softmax_cross_entropy":
        y = np.asarray(y)
    else:
        y = as_float_array(y, f"y{name}").astype(dtype, copy=False)
    if len(y) != len(X):
        raise ValueError(f"y{name}: ожидалось {len(X)} строк, как в X{name}, получено {len(y)}")
    return X, y


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(X))
    return X[order], y[order]


def _run_epoch(
    network: NeuralNetwork,
    X: np.ndarray,
    y: np.ndarray,
    loss: Loss,
    optimizer: SGD,
    size: int,
    shuffle: np.random.Generator | None,
) -> float:
    """Одна эпоха по уже проверенным данным; возвращает среднее потерь её пакетов."""
    # Одна перестановка на эпоху: пакеты — срезы (представления, без копий) переставленных
    # копий X и y, а не X[индексы] на каждом шаге.
    X_epoch, y_epoch = (X, y) if shuffle is None else _shuffled(X, y, shuffle)
    total = 0.0
    for start in range(0, len(X), size):
        X_batch, y_batch = X_epoch[start : start + size], y_epoch[start : start + size]
        output = network.forward(X_batch)
        value, grad = loss.value_and_grad(output, y_batch)
        total += value * len(X_batch)
        network.backward(grad, input_grad=False)
        optimizer.step(network)
    return total / len(X)


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
    train_accuracy: bool = True,
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
    обучающей выборке после эпохи (``train_accuracy=False`` её не считает: это лишний
    прямой проход по всем данным); с ``validation_data=(X_val, y_val)`` — ``"val_loss"`` и
    (для классификации) ``"val_accuracy"``.

    Данные приводятся к типу чисел сети (``network.dtype``) один раз: сеть ``float32``
    обучается целиком во ``float32``. Градиент по входу сети не считается
    (``backward(..., input_grad=False)``), потери и их градиент дают один вызов
    ``loss.value_and_grad``.

    Если обучение расходится (шаг слишком велик, и веса растут до переполнения), ``fit``
    останавливается на первой же операции с переполнением или NaN и бросает
    ``FloatingPointError`` с номером эпохи и текущей скоростью обучения.
    """
    loss_fn = get_loss(loss)
    step = get_optimizer(optimizer, learning_rate)
    X, y = _check_data(X, y, loss_fn, "", network.dtype)
    validation = (
        None
        if validation_data is None
        else _check_data(*validation_data, loss_fn, "_val", network.dtype)
    )
    epochs = check_positive_int(epochs, "epochs")
    size = len(X) if batch_size is None else check_positive_int(batch_size, "batch_size")
    shuffle = None if rng is None else make_rng(rng)

    metrics = ["accuracy"] if loss_fn.classification else []
    keys = ["loss"] + (metrics if train_accuracy else [])
    keys += [] if validation is None else ["val_" + key for key in ["loss", *metrics]]
    history = {key: np.empty(epochs) for key in keys}
    # Переполнение или NaN посреди обучения — не данные (они проверены выше), а расходимость.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for epoch in range(epochs):
            try:
                history["loss"][epoch] = _run_epoch(network, X, y, loss_fn, step, size, shuffle)
                if "accuracy" in history:
                    history["accuracy"][epoch] = accuracy(y, predict(network, X))
                if validation is not None:
                    X_val, y_val = validation
                    history["val_loss"][epoch] = loss_fn(network.forward(X_val), y_val)
                    if loss_fn.classification:
                        history["val_accuracy"][epoch] = accuracy(y_val, predict(network, X_val))
            except FloatingPointError as error:
                raise FloatingPointError(
                    f"fit: обучение разошлось на эпохе {epoch + 1} ({error}): веса выросли до "
                    f"переполнения; уменьшите learning_rate (сейчас {step.learning_rate})"
                ) from error
    return history

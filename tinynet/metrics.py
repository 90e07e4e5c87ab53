"""Предсказания классов, доля верных ответов и матрица ошибок."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_labels, check_positive_int


def predict(network, X: ArrayLike) -> np.ndarray:
    """Метки классов ``(N,)`` для пакета ``X`` по выходу сети.

    Несколько выходов — номер наибольшего (для логитов и для вероятностей это одно и
    то же). Один выход — класс 1, если выход выше порога: 0 для логитов
    (``"identity"``), 1/2 для сигмоиды и 0 для tanh.

    Прямой проход идёт без кэша (``cache=False``): ``predict`` между ``forward`` и
    ``backward`` не портит градиенты, которых ждёт обратный проход. Сеть считает в режиме
    оценки (``network.evaluating()``: прореживание выключено), потом режим возвращается.
    """
    if hasattr(network, "evaluating"):
        with network.evaluating():
            output = network.forward(X, cache=False)
    else:
        output = network.forward(X, cache=False)
    if output.ndim != 2:
        raise ValueError(f"X: ожидался пакет (N, признаки), выход сети имеет форму {output.shape}")
    if output.shape[1] > 1:
        return output.argmax(axis=1)
    last = [layer for layer in network.layers if hasattr(layer, "activation")][-1]
    threshold = 0.5 if last.activation.name == "sigmoid" else 0.0
    return (output[:, 0] > threshold).astype(np.int64)


def _label_vector(labels: ArrayLike, name: str) -> np.ndarray:
    array = as_labels(labels, name)  # целые, булевы (False — 0, True — 1) или 1.0, 2.0, ...
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name}: ожидался вектор меток (N,), получена форма {array.shape}")
    return array


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Доля совпавших меток; булевы метки понимаются как классы 0 и 1, как и в потерях."""
    y_true, y_pred = _label_vector(y_true, "y_true"), _label_vector(y_pred, "y_pred")
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(
            f"y_pred: ожидалось {y_true.size} меток (как в y_true), получено {y_pred.size}"
        )
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int) -> np.ndarray:
    """Матрица ``(n_classes, n_classes)``: строка — верный класс, столбец — предсказанный."""
    n = check_positive_int(n_classes, "n_classes")
    y_true, y_pred = _label_vector(y_true, "y_true"), _label_vector(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_pred: ожидалось {y_true.size} меток, получено {y_pred.size}")
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and (labels.min() < 0 or labels.max() >= n):
            raise ValueError(f"{name}: ожидались метки 0..{n - 1}")
    matrix = np.zeros((n, n), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix

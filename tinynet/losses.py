r"""Среднеквадратичная ошибка (MSE) и её градиент."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_float_array


def _pair(y_pred: ArrayLike, y_true: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true")
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"y_true: ожидалась форма предсказаний {y_pred.shape}, получена {y_true.shape} "
            "(разные формы молча «размножились» бы broadcasting'ом)"
        )
    if y_pred.size == 0:
        raise ValueError("y_pred: пустой массив, ошибку усреднять не по чему")
    return y_pred, y_true


def mse_loss(y_pred: ArrayLike, y_true: ArrayLike) -> float:
    r"""MSE: :math:`L = \frac{1}{M} \sum_{k} (\hat y_k - y_k)^2` по всем :math:`M` элементам."""
    y_pred, y_true = _pair(y_pred, y_true)
    return float(np.mean((y_pred - y_true) ** 2))


def mse_loss_grad(y_pred: ArrayLike, y_true: ArrayLike) -> np.ndarray:
    r"""Градиент MSE: :math:`\partial L / \partial \hat y_k = \frac{2}{M} (\hat y_k - y_k)`.

    Множитель :math:`1/M` усреднения живёт здесь; слои суммируют градиенты по пакету и
    сами ничего не усредняют.
    """
    y_pred, y_true = _pair(y_pred, y_true)
    return 2 * (y_pred - y_true) / y_pred.size

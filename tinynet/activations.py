"""Сигмоида и её производная."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_float_array


def sigmoid(z: ArrayLike) -> np.ndarray:
    r"""Сигмоида :math:`\sigma(z) = 1 / (1 + e^{-z})`, устойчивая к переполнению.

    Наивная формула вычисляет :math:`e^{-z}`, и при :math:`z < -709` (float64)
    экспонента переполняется. Поэтому считаем через :math:`t = e^{-|z|} \in (0, 1]`:

    .. math::

        \sigma(z) = \frac{1}{1 + t} \quad (z \ge 0), \qquad
        \sigma(z) = \frac{t}{1 + t} \quad (z < 0).

    Обе ветви — одна и та же функция, но экспонента здесь никогда не больше единицы.
    Тип с плавающей точкой сохраняется (float32 остаётся float32), целые числа
    приводятся к float64. Скаляр на входе даёт скаляр NumPy на выходе.
    """
    z = as_float_array(z, "z")
    t = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + t), t / (1 + t))[()]


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    r"""Производная сигмоиды :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`."""
    s = sigmoid(z)
    return s * (1 - s)

r"""Численная проверка градиентов центральными разностями."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    r"""Градиент :math:`\partial f/\partial x` центральными разностями.

    .. math::

        \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}.

    ``f`` не принимает аргументов и читает ``x`` сам: каждый элемент ``x`` по очереди
    сдвигается **на месте** на :math:`\pm\varepsilon` и возвращается обратно. Так можно
    проверять градиент по параметрам, которые лежат внутри объекта (``layer.W``).
    Ошибка формулы — :math:`O(\varepsilon^2)`.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x: ожидался массив NumPy с плавающей точкой, получено {type(x)}")
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f()
        x[index] = saved - eps
        f_minus = f()
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r"""Относительная ошибка двух градиентов одной формы.

    .. math::

        \frac{\max_i |a_i - b_i|}{\max\left(\max_i |a_i| + \max_i |b_i|,\ 10^{-12}\right)}

    Не зависит от масштаба градиента: :math:`10^{-7}` и меньше означает совпадение
    аналитического и численного градиентов, :math:`10^{-2}` и больше — ошибку в формуле.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b: ожидалась форма {a.shape}, получена {b.shape}")
    scale = max(float(np.max(np.abs(a), initial=0) + np.max(np.abs(b), initial=0)), 1e-12)
    return float(np.max(np.abs(a - b), initial=0) / scale)

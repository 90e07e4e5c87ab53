"""Проверки входных данных на границе публичного API.

Каждая функция либо возвращает проверенный массив, либо бросает исключение с русским
сообщением, в котором названы аргумент, ожидаемое и полученное значение.
"""

from __future__ import annotations

import math

import numpy as np


def as_float_array(value: object, name: str) -> np.ndarray:
    """Превращает ``value`` в массив с плавающей точкой, не теряя float32.

    Целые и булевы массивы (и списки чисел) приводятся к float64; строки и объекты
    отвергаются с ``TypeError``; NaN и бесконечности — с ``ValueError``.
    """
    if type(value) is np.ndarray and value.dtype.kind == "f":  # частый случай: без копий
        if not all_finite(value):
            raise ValueError(f"{name}: в данных есть NaN или бесконечность")
        return value
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # например, «рваный» список списков
        raise TypeError(f"{name}: ожидался числовой массив, получено {value!r}") from error
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise TypeError(f"{name}: ожидался числовой массив, получен массив с dtype={array.dtype}")
    if not all_finite(array):
        raise ValueError(f"{name}: в данных есть NaN или бесконечность")
    return array


def all_finite(array: np.ndarray) -> bool:
    r"""Верно ли, что в массиве чисел с плавающей точкой нет NaN и бесконечностей.

    Быстрый путь — одна сумма квадратов :math:`\sum_k a_k^2` (``np.vdot``, без
    временного массива): NaN и :math:`\pm\infty` при сложении не пропадают, так что
    конечная сумма значит, что конечны все элементы. Бесконечной сумма бывает и у огромных,
    но конечных чисел (переполнение); тогда решает поэлементная проверка ``np.isfinite``.
    """
    return math.isfinite(np.vdot(array, array)) or bool(np.isfinite(array).all())


def check_features(x: object, n_features: int, name: str = "x") -> np.ndarray:
    """Проверяет вход слоя: один пример формы ``(n,)`` или пакет формы ``(N, n)``."""
    array = as_float_array(x, name)
    if array.ndim not in (1, 2) or array.shape[-1] != n_features:
        raise ValueError(
            f"{name}: ожидалась форма ({n_features},) для одного примера "
            f"или (N, {n_features}) для пакета, получена {array.shape}"
        )
    if array.ndim == 2 and array.shape[0] == 0:
        raise ValueError(f"{name}: пустой пакет, форма {array.shape}")
    return array


def check_same_shape(value: object, expected: tuple[int, ...], name: str) -> np.ndarray:
    """Проверяет, что форма ``value`` в точности равна ``expected`` (без broadcasting)."""
    array = as_float_array(value, name)
    if array.shape != expected:
        raise ValueError(f"{name}: ожидалась форма {expected}, получена {array.shape}")
    return array


def check_positive_int(value: object, name: str) -> int:
    """Проверяет, что ``value`` — целое число больше нуля (bool не считается)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: ожидалось целое число, получено {value!r}")
    if value <= 0:
        raise ValueError(f"{name}: ожидалось целое число больше нуля, получено {value}")
    return int(value)


def check_learning_rate(value: object) -> float:
    """Проверяет, что скорость обучения — конечное число больше нуля."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"learning_rate: ожидалось число, получено {value!r}")
    rate = float(value)
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"learning_rate: ожидалось конечное число больше нуля, получено {value}")
    return rate


def check_float_dtype(dtype: object) -> np.dtype:
    """Проверяет тип параметров сети: ``float64`` или ``float32``."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype: ожидался float64 или float32, получено {dtype!r}") from error
    if resolved not in (np.float64, np.float32):
        raise TypeError(f"dtype: ожидался float64 или float32, получено {resolved}")
    return resolved

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


def check_number(value: object, name: str) -> float:
    """Проверяет, что ``value`` — конечное число (bool не считается), и возвращает ``float``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name}: ожидалось число, получено {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: ожидалось конечное число, получено {value}")
    return number


def check_positive(value: object, name: str) -> float:
    """Проверяет, что ``value`` — конечное число больше нуля."""
    number = check_number(value, name)
    if number <= 0:
        raise ValueError(f"{name}: ожидалось конечное число больше нуля, получено {value}")
    return number


def check_fraction(value: object, name: str) -> float:
    r"""Проверяет коэффициент затухания :math:`\beta \in [0, 1)` (при 1 память не забывается)."""
    number = check_number(value, name)
    if not 0 <= number < 1:
        raise ValueError(f"{name}: ожидалось число из [0, 1), получено {value}")
    return number


def check_nonnegative(value: object, name: str) -> float:
    """Проверяет, что ``value`` — конечное число не меньше нуля."""
    number = check_number(value, name)
    if number < 0:
        raise ValueError(f"{name}: ожидалось конечное число не меньше нуля, получено {value}")
    return number


def check_learning_rate(value: object) -> float:
    """Проверяет, что скорость обучения — конечное число больше нуля."""
    return check_positive(value, "learning_rate")


def check_matrix(value: object, name: str) -> np.ndarray:
    """Проверяет набор данных: непустая матрица ``(N, признаки)`` из конечных чисел."""
    array = as_float_array(value, name)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"{name}: ожидалась непустая матрица (N, признаки), получена {array.shape}"
        )
    return array


def as_labels(value: object, name: str) -> np.ndarray:
    """Метки классов как ``int64``.

    Принимаются целые числа, булевы значения (False — класс 0, True — класс 1; так же их
    понимают все функции пакета) и дробные числа без дробной части (``1.0``); остальное —
    ``TypeError``.
    """
    array = np.asarray(value)
    if array.dtype.kind == "f" and all_finite(array) and np.all(np.mod(array, 1) == 0):
        return array.astype(np.int64)
    if array.dtype.kind not in "iub":
        raise TypeError(f"{name}: ожидались целые метки классов, получен dtype={array.dtype}")
    return array.astype(np.int64)


def private_copy(array: np.ndarray, source: object) -> np.ndarray:
    """Копия ``array``, если он может делить память с ``source`` — массивом вызывающего кода.

    Кэш слоя хранит вход до ``backward``; если это массив читателя, его правка на месте
    незаметно испортила бы градиенты. Массив, только что созданный преобразованием
    (список, целые числа, другой тип), и так ничей, и копия ему не нужна.
    """
    return array.copy() if array is source or array.base is not None else array


def check_parameters(owner: object, names: tuple[str, ...]) -> None:
    """Проверяет, что параметры ``owner`` (например, ``W`` и ``b``) конечны."""
    for name in names:
        if not all_finite(np.asarray(getattr(owner, name), dtype=np.float64)):
            raise ValueError(
                f"{name}: в параметрах {owner!r} есть NaN или бесконечность; "
                "обучение разошлось или параметр испорчен вручную"
            )


def check_float_dtype(dtype: object) -> np.dtype:
    """Проверяет тип параметров сети: ``float64`` или ``float32``."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype: ожидался float64 или float32, получено {dtype!r}") from error
    if resolved not in (np.float64, np.float32):
        raise TypeError(f"dtype: ожидался float64 или float32, получено {resolved}")
    return resolved


def check_images(x: object, channels: int | None, name: str = "x") -> np.ndarray:
    """Проверяет пакет изображений формы ``(N, C, H, W)`` (``channels`` — нужное ``C``).

    ``channels=None`` — число каналов любое (слой подвыборки).
    """
    array = as_float_array(x, name)
    c = "C" if channels is None else channels
    if array.ndim != 4 or (channels is not None and array.shape[1] != channels):
        raise ValueError(
            f"{name}: ожидался пакет изображений формы (N, C, H, W) = (N, {c}, H, W), "
            f"получена {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{name}: пустой пакет, форма {array.shape}")
    return array


def check_nonnegative_int(value: object, name: str) -> int:
    """Проверяет, что ``value`` — целое число не меньше нуля (bool не считается)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: ожидалось целое число, получено {value!r}")
    if value < 0:
        raise ValueError(f"{name}: ожидалось целое число не меньше нуля, получено {value}")
    return int(value)


def shape_text(shape: tuple) -> str:
    """Форма примера для сообщения; размер, пока неизвестный (``None``), — ``?``."""
    sizes = ["?" if size is None else str(size) for size in shape]
    return f"({', '.join(sizes)}{',' if len(sizes) == 1 else ''})"

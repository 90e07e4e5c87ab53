"""Единая точка, где пакет получает генератор случайных чисел."""

from __future__ import annotations

import numpy as np

RandomLike = np.random.Generator | int | None


def make_rng(rng: RandomLike) -> np.random.Generator:
    """Возвращает ``np.random.Generator``.

    ``Generator`` возвращается как есть, целое число служит зерном, а ``None`` даёт новый
    генератор со случайным зерном от операционной системы (результат не воспроизводится).
    Глобальное состояние ``np.random`` пакет не трогает никогда.
    """
    if isinstance(rng, (bool, np.bool_)) or (
        rng is not None and not isinstance(rng, (np.random.Generator, int, np.integer))
    ):  # bool — тоже int в Python, но rng=False почти наверняка опечатка, а не зерно 0
        raise TypeError(
            f"rng: ожидался np.random.Generator, целое зерно или None, получено {rng!r}"
        )
    if isinstance(rng, (int, np.integer)) and rng < 0:
        raise ValueError(f"rng: зерно должно быть целым числом не меньше нуля, получено {rng}")
    return np.random.default_rng(rng)

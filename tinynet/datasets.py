"""Небольшие наборы данных для глав: XOR, «луны», спирали и рукописные цифры.

Всё, что случайно, берёт генератор из аргумента ``rng``. Признаки — ``float64`` формы
``(N, признаки)``; метки классов — целые ``int64`` формы ``(N,)``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_matrix, check_number, check_positive_int
from ._random import RandomLike, make_rng


def xor() -> tuple[np.ndarray, np.ndarray]:
    """Четыре точки XOR: ``X`` формы ``(4, 2)`` и цели ``Y`` формы ``(4, 1)`` (0 или 1)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


def moons(
    n_samples: int = 200, noise: float = 0.1, rng: RandomLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """Два сцеплённых полумесяца (классы, не разделимые прямой), по ``n_samples // 2`` точек."""
    n = check_positive_int(n_samples, "n_samples") // 2
    generator = make_rng(rng)
    angle = np.pi * generator.random(n), np.pi * generator.random(n_samples - n)
    upper = np.column_stack([np.cos(angle[0]), np.sin(angle[0])])
    lower = np.column_stack([1 - np.cos(angle[1]), 0.5 - np.sin(angle[1])])
    X = np.vstack([upper, lower]) + noise * generator.standard_normal((n_samples, 2))
    y = np.repeat([0, 1], [n, n_samples - n])
    return X, y


def spirals(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, rng: RandomLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` закрученных рукавов спирали вокруг начала координат."""
    n = check_positive_int(n_per_class, "n_per_class")
    k = check_positive_int(n_classes, "n_classes")
    generator = make_rng(rng)
    radius = np.tile(np.linspace(0.05, 1.0, n), k)
    label = np.repeat(np.arange(k), n)
    angle = 4.0 * radius + 2 * np.pi * label / k + noise * generator.standard_normal(n * k)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return X, label


def digits() -> tuple[np.ndarray, np.ndarray]:
    """Рукописные цифры 8×8 из scikit-learn (1797 картинок, они поставляются с пакетом).

    Возвращает ``X`` формы ``(1797, 64)`` с яркостью 0..16 и метки ``y`` 0..9. Нужен
    установленный ``scikit-learn``; из интернета ничего не загружается.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:  # pragma: no cover - зависит от окружения
        raise ImportError("digits: нужен пакет scikit-learn (pip install scikit-learn)") from error
    data = load_digits()
    return data.data.astype(np.float64), data.target.astype(np.int64)


def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray,
    *,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    rng: RandomLike = None,
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Перемешивает примеры и делит на обучающую, валидационную и тестовую части.

    ``X`` и ``y`` — массивы или списки одной длины; каждая из трёх частей должна получить
    хотя бы один пример, иначе — ``ValueError`` (а не молча пустая часть).
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0:
        raise ValueError(f"X: ожидался массив примеров (N, ...), получено {X!r}")
    if y.shape[:1] != X.shape[:1]:
        raise ValueError(f"y: ожидалось {len(X)} меток, как строк в X, получена форма {y.shape}")
    val = check_number(val_fraction, "val_fraction")
    test = check_number(test_fraction, "test_fraction")
    if not (0 < val < 1 and 0 < test < 1 and val + test < 1):
        raise ValueError(
            "val_fraction, test_fraction: ожидались доли из (0, 1) с суммой меньше 1, "
            f"получено {val_fraction} и {test_fraction}"
        )
    n_test, n_val = round(test * len(X)), round(val * len(X))
    if min(n_test, n_val, len(X) - n_val - n_test) < 1:
        raise ValueError(
            f"X: {len(X)} примеров мало для трёх непустых частей при долях {val} и {test} "
            f"(вышло бы {len(X) - n_val - n_test}, {n_val} и {n_test})"
        )
    order = make_rng(rng).permutation(len(X))
    parts = np.split(order, [len(X) - n_val - n_test, len(X) - n_test])
    return tuple((X[p], y[p]) for p in parts)


class Standardizer:
    r"""Стандартизация признаков: :math:`x' = (x - \mu) / s`.

    :math:`\mu` и :math:`s` оцениваются методом ``fit`` **только по обучающей части**,
    иначе сведения о тестовых данных просочатся в модель. Признак с нулевым разбросом
    (например, всегда чёрный угловой пиксель) делится на 1, а не на 0.
    """

    def fit(self, X: np.ndarray) -> Standardizer:
        """Запоминает среднее и стандартное отклонение каждого признака по матрице ``(N, n)``."""
        X = check_matrix(X, "X")
        self.mean = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale = np.where(scale > 0, scale, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Применяет запомненное преобразование."""
        if not hasattr(self, "mean"):
            raise RuntimeError("transform вызван до fit: среднее и разброс ещё не оценены")
        X = as_float_array(X, "X")
        if X.ndim not in (1, 2) or X.shape[-1] != self.mean.shape[0]:
            raise ValueError(
                f"X: ожидалось {self.mean.shape[0]} признаков: форма ({self.mean.shape[0]},) "
                f"или (N, {self.mean.shape[0]}), получена {X.shape}"
            )
        return (X - self.mean) / self.scale

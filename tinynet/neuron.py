r"""Один сигмоидный нейрон: функции прямого и обратного прохода и класс ``Neuron``.

Нейрон вычисляет :math:`y = \sigma(z)`, :math:`z = x \cdot w + b`. Пример — вектор ``x``
формы ``(n,)``, пакет — матрица ``X`` формы ``(N, n)``, по строке на пример.

Соглашение о пакетах (одно на весь пакет): градиент, приходящий в ``backward``, уже
содержит множитель :math:`1/N` от усреднения в функции потерь, поэтому градиенты
параметров **суммируются** по примерам пакета. Пакет из одного примера и тот же пример
в виде вектора дают одинаковые градиенты.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import (
    as_float_array,
    check_features,
    check_learning_rate,
    check_parameters,
    check_positive,
    check_positive_int,
    check_same_shape,
    private_copy,
)
from ._random import RandomLike, make_rng
from .activations import sigmoid


def _check_weights(w: object, b: object) -> tuple[np.ndarray, np.ndarray]:
    w = as_float_array(w, "w")
    if w.ndim != 1:
        raise ValueError(f"w: ожидался вектор весов формы (n,), получена форма {w.shape}")
    b = as_float_array(b, "b")
    if b.ndim != 0:
        raise ValueError(f"b: ожидалось число (смещение), получена форма {b.shape}")
    return w, b


def neuron_forward(x: ArrayLike, w: ArrayLike, b: float) -> np.ndarray:
    r"""Прямой проход нейрона: :math:`y = \sigma(x \cdot w + b)`.

    ``x`` формы ``(n,)`` даёт число, пакет ``(N, n)`` — вектор ``(N,)``.
    """
    w, b = _check_weights(w, b)
    x = check_features(x, w.shape[0])
    return sigmoid(x @ w + b)


def neuron_backward(
    x: ArrayLike, w: ArrayLike, b: float, dy: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Обратный проход нейрона по цепному правилу; возвращает ``(dw, db, dx)``.

    С :math:`\delta = \frac{\partial L}{\partial y}\,\sigma'(z)`:

    .. math::

        \frac{\partial L}{\partial w} = \delta\, x, \qquad
        \frac{\partial L}{\partial b} = \delta, \qquad
        \frac{\partial L}{\partial x} = \delta\, w.

    Для пакета ``dy`` имеет форму ``(N,)``, ``dw`` и ``db`` — суммы по примерам,
    ``dx`` имеет форму ``(N, n)``. Значение :math:`z` вычисляется заново: у функции нет
    памяти (класс :class:`Neuron` хранит его в кэше).
    """
    w, b = _check_weights(w, b)
    x = check_features(x, w.shape[0])
    y = sigmoid(x @ w + b)
    dy = check_same_shape(dy, np.shape(y), "dy")
    delta = dy * y * (1 - y)
    return np.dot(x.T, delta), np.sum(delta), np.multiply.outer(delta, w)


class Neuron:
    r"""Сигмоидный нейрон с состоянием: параметры, кэш прямого прохода и градиенты.

    Атрибуты: ``w`` (веса, форма ``(n_features,)``), ``b`` (смещение, 0-мерный массив),
    ``cache`` (словарь с ``x`` и ``y`` последнего прямого прохода), после ``backward`` —
    ``dw`` и ``db``. Веса инициализируются как ``weight_scale * N(0, 1)``; ``rng`` —
    ``np.random.Generator`` или целое зерно, по умолчанию (``None``) — случайное зерно.
    """

    def __init__(
        self, n_features: int, *, weight_scale: float = 0.01, rng: RandomLike = None
    ) -> None:
        self.n_features = check_positive_int(n_features, "n_features")
        scale = check_positive(weight_scale, "weight_scale")
        self.w = scale * make_rng(rng).standard_normal(self.n_features)
        self.b = np.zeros(())  # 0-мерный массив: его можно менять на месте
        self.cache: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"Neuron(n_features={self.n_features})"

    def forward(self, x: ArrayLike) -> np.ndarray:
        r"""Вычисляет :math:`y = \sigma(x \cdot w + b)` и запоминает ``x`` и ``y``.

        ``y`` нужен обратному проходу, потому что :math:`\sigma'(z) = y (1 - y)`:
        хранить :math:`z` не требуется. Кэш не делит память с вызывающим кодом (копия
        массива читателя, копия выхода): правка ``x`` или ``y`` на месте не испортит ``dw``.
        """
        checked = check_features(x, self.n_features)
        try:
            y = sigmoid(checked @ self.w + self.b)
        except ValueError:
            check_parameters(self, ("w", "b"))  # NaN пришёл из весов — так и скажем
            raise
        self.cache = {"x": private_copy(checked, x), "y": y}
        return y.copy()

    def backward(self, dy: ArrayLike) -> np.ndarray:
        r"""Получает :math:`\partial L/\partial y`, сохраняет ``dw``, ``db``, возвращает ``dx``.

        Градиенты параметров суммируются по пакету (см. соглашение в описании модуля).
        """
        if not self.cache:
            raise RuntimeError("backward вызван до forward: в кэше нет x и y")
        x, y = self.cache["x"], self.cache["y"]
        dy = check_same_shape(dy, np.shape(y), "dy")
        delta = dy * y * (1 - y)
        self.dw = np.dot(x.T, delta)
        self.db = np.sum(delta)
        return np.multiply.outer(delta, self.w)

    def update_parameters(self, learning_rate: float) -> None:
        r"""Шаг градиентного спуска: :math:`w \leftarrow w - \eta\,\partial L/\partial w`."""
        rate = check_learning_rate(learning_rate)
        if not hasattr(self, "dw"):
            raise RuntimeError("update_parameters вызван до backward: градиентов ещё нет")
        self.w -= rate * self.dw
        self.b -= rate * self.db

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Возвращает копии параметров: ``{'w': ..., 'b': ...}``."""
        return {"w": self.w.copy(), "b": self.b.copy()}

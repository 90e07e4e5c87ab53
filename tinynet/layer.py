r"""Полносвязный сигмоидный слой в матричной форме.

Прямой проход для пакета :math:`X` формы ``(N, n_inputs)``:

.. math::

    Z = X W + b, \qquad Y = \sigma(Z),

где :math:`W` имеет форму ``(n_inputs, n_outputs)``, а :math:`b` — ``(n_outputs,)``
(прибавляется к каждой строке). Один пример — вектор формы ``(n_inputs,)``.

Соглашение о пакетах: входящий градиент ``dy`` уже содержит множитель :math:`1/N`
усреднения в функции потерь, поэтому ``dW`` и ``db`` — **суммы** по примерам пакета.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import check_features, check_learning_rate, check_positive_int, check_same_shape
from ._random import RandomLike, make_rng
from .activations import sigmoid


class Layer:
    r"""Слой из ``n_outputs`` сигмоидных нейронов, у каждого ``n_inputs`` входов.

    Атрибуты: ``W`` формы ``(n_inputs, n_outputs)`` (столбец ``j`` — веса нейрона ``j``),
    ``b`` формы ``(n_outputs,)``, ``cache`` (``x`` и ``y`` последнего прямого прохода),
    после ``backward`` — ``dW`` и ``db`` тех же форм, что ``W`` и ``b``.

    Веса инициализируются как ``weight_scale * N(0, 1)`` (по умолчанию 0.01, как в
    исходных тетрадках), смещения — нулями. ``rng`` — ``np.random.Generator`` или целое
    зерно; ``None`` означает случайное зерно от операционной системы.
    """

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        *,
        weight_scale: float = 0.01,
        rng: RandomLike = None,
    ) -> None:
        self.n_inputs = check_positive_int(n_inputs, "n_inputs")
        self.n_outputs = check_positive_int(n_outputs, "n_outputs")
        self.W = weight_scale * make_rng(rng).standard_normal((self.n_inputs, self.n_outputs))
        self.b = np.zeros(self.n_outputs)
        self.cache: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"Layer(n_inputs={self.n_inputs}, n_outputs={self.n_outputs})"

    def forward(self, x: ArrayLike) -> np.ndarray:
        r"""Вычисляет :math:`Y = \sigma(XW + b)` и запоминает ``x`` и ``y`` для ``backward``."""
        x = check_features(x, self.n_inputs)
        y = sigmoid(x @ self.W + self.b)
        self.cache = {"x": x, "y": y}
        return y

    def backward(self, dy: ArrayLike) -> np.ndarray:
        r"""Обратный проход: сохраняет ``dW``, ``db`` и возвращает :math:`\partial L/\partial X`.

        .. math::

            \Delta = \frac{\partial L}{\partial Y} \odot Y \odot (1 - Y), \qquad
            \frac{\partial L}{\partial W} = X^\top \Delta, \qquad
            \frac{\partial L}{\partial b} = \sum_{i=1}^{N} \Delta_{i,:}, \qquad
            \frac{\partial L}{\partial X} = \Delta\, W^\top.

        Для одного примера (векторы) :math:`X^\top \Delta` — внешнее произведение.
        """
        if not self.cache:
            raise RuntimeError("backward вызван до forward: в кэше нет x и y")
        x, y = self.cache["x"], self.cache["y"]
        dy = check_same_shape(dy, y.shape, "dy")
        delta = dy * y * (1 - y)
        x2, delta2 = np.atleast_2d(x), np.atleast_2d(delta)  # пример — пакет из одной строки
        self.dW = x2.T @ delta2
        self.db = delta2.sum(axis=0)
        return delta @ self.W.T

    def update_parameters(self, learning_rate: float) -> None:
        r"""Шаг градиентного спуска: :math:`W \leftarrow W - \eta\, \partial L/\partial W`."""
        rate = check_learning_rate(learning_rate)
        if not hasattr(self, "dW"):
            raise RuntimeError("update_parameters вызван до backward: градиентов ещё нет")
        self.W -= rate * self.dW
        self.b -= rate * self.db

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Возвращает копии параметров: ``{'W': ..., 'b': ...}``."""
        return {"W": self.W.copy(), "b": self.b.copy()}

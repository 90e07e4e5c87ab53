"""Функции активации: сигмоида, tanh, ReLU, тождественная и softmax, с производными."""

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
    y = np.where(z >= 0, 1.0, t)  # числитель: 1 при z >= 0, t при z < 0
    y /= 1 + t  # знаменатель у обеих ветвей общий
    return y[()]


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    r"""Производная сигмоиды :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z: ArrayLike) -> np.ndarray:
    r"""Гиперболический тангенс: :math:`\tanh z = (e^z - e^{-z}) / (e^z + e^{-z})`."""
    return np.tanh(as_float_array(z, "z"))[()]


def relu(z: ArrayLike) -> np.ndarray:
    r"""ReLU (rectified linear unit): :math:`\max(0, z)`."""
    z = as_float_array(z, "z")
    return np.maximum(z, 0)[()]


def softmax(z: ArrayLike) -> np.ndarray:
    r"""Softmax по последней оси: :math:`p_j = e^{z_j - m} / \sum_k e^{z_k - m}`.

    Здесь :math:`m = \max_k z_k`.

    Вычитание максимума не меняет результат (числитель и знаменатель делятся на
    :math:`e^m`), зато самая большая экспонента равна единице и переполнение невозможно.
    """
    z = as_float_array(z, "z")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class Activation:
    r"""Функция активации вместе с её обратным проходом.

    ``forward(z)`` даёт :math:`y = f(z)`; ``backward(y, dy)`` получает выход :math:`y` и
    :math:`\partial L/\partial y` и возвращает :math:`\partial L/\partial z`. Для всех
    активаций книги производную удобно выразить через :math:`y`, поэтому слою достаточно
    хранить в кэше только выход.
    """

    name = "activation"

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Выход :math:`y = f(z)` той же формы, что ``z``; NaN и бесконечности в ``z`` — ошибка.

        Все активации пакета проверяют вход одинаково (через функции ``sigmoid``, ``tanh``,
        ``relu``, ``softmax``): одна проверка на слой, и NaN не проходит молча ни через одну.
        """
        raise NotImplementedError

    def derivative(self, y: np.ndarray) -> np.ndarray:
        """Поэлементная производная :math:`f'(z)`, выраженная через :math:`y = f(z)`."""
        raise NotImplementedError

    def backward(self, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        r""":math:`\partial L/\partial z = \partial L/\partial y \odot f'(z)` для поэлементных f."""
        return dy * self.derivative(y)


class Sigmoid(Activation):
    r"""Сигмоида; :math:`\sigma'(z) = y(1 - y)`."""

    name = "sigmoid"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z)

    def derivative(self, y: np.ndarray) -> np.ndarray:
        return y * (1 - y)


class Tanh(Activation):
    r"""Гиперболический тангенс; :math:`\tanh'(z) = 1 - y^2`."""

    name = "tanh"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return tanh(z)

    def derivative(self, y: np.ndarray) -> np.ndarray:
        return 1 - y * y


class ReLU(Activation):
    r"""ReLU; производная — 1 там, где :math:`z > 0` (то есть :math:`y > 0`), иначе 0.

    В точке :math:`z = 0` производной нет; берём 0 (субградиент), как и все библиотеки.
    """

    name = "relu"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return relu(z)

    def derivative(self, y: np.ndarray) -> np.ndarray:
        return (y > 0).astype(y.dtype)

    def backward(self, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        return dy * (y > 0)  # маска из True/False: то же, что np.where(y > 0, dy, 0), но быстрее


class Identity(Activation):
    r"""Тождественная функция :math:`y = z` (выход без активации: «логиты»)."""

    name = "identity"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return as_float_array(z, "z")  # сам массив, без копии: проверка на NaN, как у всех

    def derivative(self, y: np.ndarray) -> np.ndarray:
        return np.ones_like(y)

    def backward(self, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        return dy


class Softmax(Activation):
    r"""Softmax по строке: :math:`\partial p_j/\partial z_k = p_j(\delta_{jk} - p_k)`.

    Она не поэлементна, поэтому вместо производной — произведение якобиана на вектор:

    .. math::

        \frac{\partial L}{\partial z_k} = \sum_j \frac{\partial L}{\partial p_j} p_j
        (\delta_{jk} - p_k) = p_k \Big(\frac{\partial L}{\partial p_k} -
        \sum_j \frac{\partial L}{\partial p_j} p_j\Big).

    С перекрёстной энтропией выгоднее не эта формула, а сразу :math:`p - y`
    (см. :class:`~tinynet.losses.SoftmaxCrossEntropy`).
    """

    name = "softmax"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return softmax(z)

    def backward(self, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        return y * (dy - np.sum(dy * y, axis=-1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    cls.name: cls() for cls in (Sigmoid, Tanh, ReLU, Identity, Softmax)
}


def get_activation(activation: str | Activation) -> Activation:
    """Активация по имени (``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"``, ``"softmax"``)."""
    if isinstance(activation, Activation):
        return activation
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation: неизвестная функция активации {activation!r}, "
            f"известны: {sorted(ACTIVATIONS)}"
        )
    return ACTIVATIONS[activation]

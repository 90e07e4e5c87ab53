r"""Подвыборка максимумом (max pooling) и «выпрямление» карт признаков в векторы.

Обозначения — как в главе 14. **MaxPool2D.** Пакет ``(N, C, H, W)`` делится в каждом канале
на окна :math:`Q \times Q` (``pool_size``) с шагом :math:`S` (``stride``, по умолчанию
:math:`S = Q`: окна не перекрываются), и из каждого окна остаётся максимум:

.. math::

    Y_{i k o_1 o_2} = \max_{0 \le h_1, h_2 < Q} X_{i,\, k,\, S o_1 + h_1,\, S o_2 + h_2},
    \qquad O = \left\lfloor \frac{I - Q}{S} \right\rfloor + 1.

Максимум — кусочно-линейная функция: в окрестности точки, где максимум окна один, он
равен одному входу, и производная равна 1 по этому входу и 0 по остальным. Поэтому весь
градиент окна уходит на место его максимума:

.. math::

    \frac{\partial L}{\partial X_{i k \chi_1 \chi_2}} = \sum_{o_1, o_2}
    [\text{максимум окна } (o_1, o_2) \text{ — на месте } (\chi_1, \chi_2)]\,
    \frac{\partial L}{\partial Y_{i k o_1 o_2}}

(сумма — на случай перекрывающихся окон, :math:`S < Q`: вход может быть максимумом
нескольких). **Правило для равных максимумов:** градиент получает *первый* максимум окна
при обходе по строкам (сначала меньшее :math:`h_1`, при равных :math:`h_1` — меньшее
:math:`h_2`), как у ``np.argmax``; остальные равные входы получают ноль. Производной в
такой точке нет, и это правило — выбор субградиента, как :math:`\operatorname{ReLU}'(0) = 0`.

**Flatten.** Пакет ``(N, C, H, W)`` становится матрицей ``(N, C·H·W)`` (порядок C: сначала
канал, потом строка, потом столбец) — вход полносвязного слоя; обратный проход
возвращает градиенту форму входа.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from ._checks import (
    as_float_array,
    check_images,
    check_positive_int,
    check_same_shape,
    shape_text,
)


def _pool_size(size: int, pool: int, stride: int, name: str) -> int:
    out = (size - pool) // stride + 1
    if out < 1:
        prefix = f"{name}: " if name else ""
        raise ValueError(f"{prefix}окно pool_size={pool} больше входа размера {size}")
    return out


class MaxPool2D:
    r"""Подвыборка максимумом: окна ``pool_size × pool_size`` с шагом ``stride``.

    Вход — пакет ``(N, C, H, W)``, выход — ``(N, C, H_o, W_o)``; каналы не смешиваются.
    ``stride=None`` — шаг, равный ``pool_size`` (окна не перекрываются). Параметров нет
    (``parameter_names = ()``); ``cache`` хранит номер максимума в каждом окне.
    Равные максимумы: градиент идёт в первый при обходе окна по строкам (см. описание
    модуля). Когда окна не перекрываются и делят ``H`` и ``W`` нацело (2×2 с шагом 2 на
    8×8), окна получаются простым ``reshape``; иначе — видом ``sliding_window_view``.
    """

    parameter_names: tuple[str, ...] = ()
    decayed_names: tuple[str, ...] = ()
    training: bool = True
    n_inputs: int | None = None
    n_outputs: int | None = None

    def __init__(self, pool_size: int = 2, *, stride: int | None = None) -> None:
        self.pool_size = check_positive_int(pool_size, "pool_size")
        self.stride = self.pool_size if stride is None else check_positive_int(stride, "stride")
        self.cache: dict[str, object] = {}

    def __repr__(self) -> str:
        extra = "" if self.stride == self.pool_size else f", stride={self.stride}"
        return f"MaxPool2D({self.pool_size}{extra})"

    def output_shape(self, shape: tuple) -> tuple:
        """Форма выхода одного примера ``(C, H_o, W_o)`` по форме входа ``(C, H, W)``."""
        if len(shape) != 3:
            raise ValueError(
                f"ждёт изображения (C, H, W), а получает пример формы {shape_text(shape)}"
            )
        channels, *sizes = shape
        return (channels,) + tuple(
            None if size is None else _pool_size(size, self.pool_size, self.stride, "")
            for size in sizes
        )

    def forward(self, x: ArrayLike, *, cache: bool = True) -> np.ndarray:
        """Проверяет ``x`` формы ``(N, C, H, W)`` и возвращает максимумы окон."""
        checked = check_images(x, None)
        for axis, size in (("H", checked.shape[2]), ("W", checked.shape[3])):
            if size < self.pool_size:
                raise ValueError(
                    f"x: окно pool_size={self.pool_size} больше входа: {axis} = {size}, "
                    f"форма x {checked.shape}"
                )
        return self._forward(checked, cache)

    def _fast(self, shape: tuple[int, ...]) -> bool:
        """Окна не перекрываются и делят высоту и ширину нацело: хватит ``reshape``."""
        k = self.pool_size
        return self.stride == k and shape[2] % k == 0 and shape[3] % k == 0

    def _windows(self, x: np.ndarray) -> np.ndarray:
        """Окна формы ``(k·k, N, C, H_o, W_o)``: первая ось — элементы окна по строкам.

        Ось окна идёт первой, чтобы ``max`` и ``argmax`` по ней шли вдоль длинных
        массивов, а не по коротким окнам из :math:`Q^2` чисел.
        """
        n, c, h, w = x.shape
        k, s = self.pool_size, self.stride
        if self._fast(x.shape):
            blocks = x.reshape(n, c, h // k, k, w // k, k).transpose(3, 5, 0, 1, 2, 4)
        else:
            windows = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
            blocks = windows.transpose(4, 5, 0, 1, 2, 3)
        return blocks.reshape(k * k, *blocks.shape[2:])  # единственная копия

    def _forward(self, x: np.ndarray, cache: bool = True) -> np.ndarray:
        """Прямой проход по уже проверенному ``x``."""
        windows = self._windows(x)
        if cache:  # номер первого максимума окна — для backward
            self.cache = {"index": windows.argmax(axis=0), "x_shape": x.shape}
        return windows.max(axis=0)

    def backward(self, dy: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        r"""Возвращает :math:`\partial L/\partial X`: градиент окна — в его (первый) максимум."""
        if not self.cache:
            raise RuntimeError("backward вызван до forward: в кэше нет номеров максимумов")
        index, x_shape = self.cache["index"], self.cache["x_shape"]
        dy = check_same_shape(dy, index.shape, "dy")
        if not input_grad:
            return None
        n, c, h, w = x_shape
        k, s = self.pool_size, self.stride
        h_out, w_out = index.shape[2:]
        # градиент окна — в его первый максимум: (k·k, N, C, H_o, W_o), в окне одно ненулевое
        position = np.arange(k * k).reshape(-1, 1, 1, 1, 1)
        grads = (index == position) * dy
        if self._fast(x_shape):
            blocks = grads.reshape(k, k, n, c, h_out, w_out).transpose(2, 3, 4, 0, 5, 1)
            return blocks.reshape(x_shape)
        dx = np.zeros(x_shape, dtype=dy.dtype)
        for p in range(k):  # k² сложений срезов: перекрывающиеся окна складываются
            for q in range(k):
                dx[:, :, p : p + s * h_out : s, q : q + s * w_out : s] += grads[p * k + q]
        return dx

    def update_parameters(self, learning_rate: float) -> None:
        """Параметров нет — шагать нечем."""

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Параметров нет: пустой словарь."""
        return {}


class Flatten:
    """Выпрямление: пакет ``(N, C, H, W)`` — в матрицу ``(N, C·H·W)`` в порядке C.

    Обычно стоит между последним свёрточным (или подвыборочным) слоем и первым
    полносвязным. Параметров нет; ``backward`` возвращает градиенту форму входа.
    Ширина выхода зависит от ``H`` и ``W`` входа, поэтому совпадение с ``n_inputs``
    следующего :class:`~tinynet.layer.Layer` сеть проверяет по форме данных (см.
    протокол слоя в :mod:`tinynet.layer`).
    """

    parameter_names: tuple[str, ...] = ()
    decayed_names: tuple[str, ...] = ()
    training: bool = True
    n_inputs: int | None = None
    n_outputs: int | None = None

    def __init__(self) -> None:
        self.cache: dict[str, object] = {}

    def __repr__(self) -> str:
        return "Flatten()"

    def output_shape(self, shape: tuple) -> tuple:
        """Форма выхода одного примера: ``(C·H·W,)`` (``None``, если размер ещё неизвестен)."""
        if not shape:
            raise ValueError("ждёт пример хотя бы с одной осью, а получает число")
        if any(size is None for size in shape):
            return (None,)
        return (int(np.prod(shape)),)

    def forward(self, x: ArrayLike, *, cache: bool = True) -> np.ndarray:
        """Проверяет ``x`` (пакет ``(N, ...)``, хотя бы две оси) и выпрямляет его."""
        checked = as_float_array(x, "x")
        if checked.ndim < 2 or checked.shape[0] == 0:
            raise ValueError(
                f"x: ожидался непустой пакет (N, C, H, W) или (N, ...), получена {checked.shape}"
            )
        return self._forward(checked, cache).copy()

    def _forward(self, x: np.ndarray, cache: bool = True) -> np.ndarray:
        """Прямой проход по уже проверенному ``x``: ``reshape`` (вид, без копии, где можно)."""
        if cache:
            self.cache = {"x_shape": x.shape}
        return x.reshape(len(x), -1)

    def backward(self, dy: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        r"""Возвращает :math:`\partial L/\partial X` — ``dy`` в форме входа."""
        if not self.cache:
            raise RuntimeError("backward вызван до forward: в кэше нет формы входа")
        shape = self.cache["x_shape"]
        dy = check_same_shape(dy, (shape[0], int(np.prod(shape[1:]))), "dy")
        return dy.reshape(shape) if input_grad else None

    def update_parameters(self, learning_rate: float) -> None:
        """Параметров нет — шагать нечем."""

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Параметров нет: пустой словарь."""
        return {}

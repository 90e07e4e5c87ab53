r"""Свёрточный слой: свёртка как одно матричное произведение (im2col).

Обозначения — как в главе 14 и в приложении «Обозначения». Данные лежат «пакет первым»:
пакет изображений :math:`X` имеет форму ``(N, C, H, W)`` — :math:`N` примеров,
:math:`D_\text{in}` каналов (``in_channels``), сторона картинки :math:`I` (``H`` и ``W``
в коде; картинки могут быть и не квадратными). Веса слоя — массив ядер :math:`W` формы
``(D_out, D_in, Q, Q)`` (:math:`D_\text{out}` фильтров ``out_channels``, у каждого по
квадратному ядру :math:`Q \times Q`, ``kernel_size``, на каждый входной канал), смещения
:math:`b` — ``(D_out,)``.

В нейросетях «свёрткой» называют взаимную корреляцию (cross-correlation): ядро не
переворачивается. С шагом :math:`S` (``stride``) и дополнением нулями :math:`A`
(``padding``) выход фильтра :math:`j` примера :math:`i` на месте :math:`(o_1, o_2)`:

.. math::

    Z_{i j o_1 o_2} = b_j + \sum_{k=0}^{D_\text{in}-1} \sum_{h_1=0}^{Q-1} \sum_{h_2=0}^{Q-1}
    W_{j k h_1 h_2}\, \bar X_{i,\, k,\, S o_1 + h_1,\, S o_2 + h_2}, \qquad Y = f(Z),

где :math:`\bar X` — вход, дополненный :math:`A` нулями с каждой стороны, а :math:`f` —
активация. Сторона выхода:

.. math::

    O = \left\lfloor \frac{I + 2A - Q}{S} \right\rfloor + 1.

**im2col.** Выпишем каждое окно :math:`Q \times Q` по всем каналам в строку длины
:math:`D_\text{in} Q^2` (порядок столбцов :math:`(k, h_1, h_2)`, как у
``W.reshape(D_out, -1)``); строк столько, сколько окон, :math:`N O^2` (порядок
:math:`(i, o_1, o_2)`). Тогда свёртка — одно произведение матриц, как :math:`XW`
полносвязного слоя:

.. math::

    U = \operatorname{im2col}(\bar X), \qquad Z_\text{мат} = U\, W_\text{мат}^\top + b,
    \qquad W_\text{мат} = W\text{.reshape}(D_\text{out}, D_\text{in} Q^2).

**Обратный проход.** С :math:`\Delta = \partial L/\partial Z` в той же матричной форме
:math:`\Delta_\text{мат}` ``(N O², D_out)``:

.. math::

    \frac{\partial L}{\partial W_\text{мат}} = \Delta_\text{мат}^\top U,
    \qquad
    \frac{\partial L}{\partial b_j} = \sum_{i, o_1, o_2} \Delta_{i j o_1 o_2},
    \qquad
    \frac{\partial L}{\partial X} = \operatorname{col2im}\big(\Delta_\text{мат} W_\text{мат}\big).

``col2im`` — сопряжённое к im2col отображение: каждая строка-окно возвращается на своё
место, и перекрывающиеся окна **складываются** (каждый пиксель входа входит в несколько
окон, и его градиент — сумма по ним). Это то же, что «полная» свёртка :math:`\Delta` с
перевёрнутым ядром.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, DTypeLike

from ._checks import (
    check_float_dtype,
    check_images,
    check_learning_rate,
    check_nonnegative_int,
    check_parameters,
    check_positive_int,
    check_same_shape,
    shape_text,
)
from ._random import RandomLike, make_rng
from .activations import Activation, get_activation
from .initializers import check_init


def _output_size(size: int, kernel_size: int, stride: int, padding: int, name: str) -> int:
    """Размер выхода по одной оси; окно больше (дополненного) входа — ошибка про ``name``."""
    out = (size + 2 * padding - kernel_size) // stride + 1
    if out < 1:
        prefix = f"{name}: " if name else ""
        raise ValueError(
            f"{prefix}окно {kernel_size}×{kernel_size} больше входа: размер {size} с "
            f"дополнением padding={padding} — {size + 2 * padding} < {kernel_size}"
        )
    return out


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    r"""Размер выхода свёртки по одной оси: :math:`O = \lfloor (I + 2A - Q)/S \rfloor + 1`.

    Ядро больше дополненного входа (выход меньше одного пикселя) — ``ValueError``.
    """
    size = check_positive_int(size, "size")
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    stride = check_positive_int(stride, "stride")
    padding = check_nonnegative_int(padding, "padding")
    return _output_size(size, kernel_size, stride, padding, "kernel_size")


def _padded(x: np.ndarray, padding: int) -> np.ndarray:
    """Вход, дополненный ``padding`` нулями по краям высоты и ширины."""
    if padding == 0:
        return x
    n, channels, height, width = x.shape
    result = np.zeros((n, channels, height + 2 * padding, width + 2 * padding), x.dtype)
    result[:, :, padding : padding + height, padding : padding + width] = x
    return result


def im2col(x: np.ndarray, kernel_size: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    r"""Окна :math:`Q \times Q` пакета ``x`` формы ``(N, C, H, W)`` — строками матрицы :math:`U`.

    Возвращает матрицу формы ``(N * H_o * W_o, C * Q * Q)``: строки в порядке
    :math:`(i, o_1, o_2)`, столбцы в порядке :math:`(k, h_1, h_2)` — как у
    ``W.reshape(D_out, -1)``.
    ``sliding_window_view`` даёт все окна как вид (view) на дополненный вход, без
    копирования; срез ``[::S, ::S]`` выбирает окна с шагом :math:`S`, и единственная копия —
    сборка самой матрицы. Матрица хранится по столбцам (это транспонированная C-матрица
    ``(C Q², N H_o W_o)``): так копия идёт вдоль длинной оси окон, а не по тройкам чисел
    одного окна, и вдвое быстрее; для ``@`` и индексов порядок хранения не важен.
    """
    n, channels, height, width = x.shape
    h_out = _output_size(height, kernel_size, stride, padding, "kernel_size")
    w_out = _output_size(width, kernel_size, stride, padding, "kernel_size")
    windows = sliding_window_view(_padded(x, padding), (kernel_size, kernel_size), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride]  # (N, C, H_o, W_o, k, k), вид без копии
    cols = windows.transpose(1, 4, 5, 0, 2, 3)  # (C, k, k, N, H_o, W_o)
    return cols.reshape(channels * kernel_size * kernel_size, n * h_out * w_out).T


def col2im(
    cols: np.ndarray,
    x_shape: tuple[int, int, int, int],
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
) -> np.ndarray:
    r"""Сопряжённое к :func:`im2col`: строки-окна возвращаются на места и складываются.

    ``cols`` формы ``(N * H_o * W_o, C * Q * Q)``; результат — формы ``x_shape``. Для любых
    ``x`` и ``c``:

    .. math::

        \langle \operatorname{im2col}(x), c\rangle = \langle x, \operatorname{col2im}(c)\rangle.

    Вместо цикла по пикселям — :math:`Q^2` сложений срезов с шагом :math:`S`: сдвиг
    :math:`(h_1, h_2)` внутри окна у всех окон сразу.
    """
    n, channels, height, width = x_shape
    k, s = kernel_size, stride
    h_out = _output_size(height, k, s, padding, "kernel_size")
    w_out = _output_size(width, k, s, padding, "kernel_size")
    patches = cols.reshape(n, h_out, w_out, channels, k, k).transpose(0, 3, 4, 5, 1, 2)
    result = np.zeros((n, channels, height + 2 * padding, width + 2 * padding), cols.dtype)
    for p in range(k):
        for q in range(k):
            result[:, :, p : p + s * h_out : s, q : q + s * w_out : s] += patches[:, :, p, q]
    if padding == 0:
        return result
    return result[:, :, padding : padding + height, padding : padding + width]


def conv_weights(
    init: str, shape: tuple[int, int, int, int], rng: np.random.Generator
) -> np.ndarray:
    r"""Начальные ядра формы ``(D_out, D_in, Q, Q)``: ``"he"``, ``"xavier"`` или ``"normal"``.

    У нейрона свёрточного слоя :math:`n_{in} = D_\text{in} Q^2` входов (окно по всем каналам)
    и :math:`n_{out} = D_\text{out} Q^2` выходов, на которые влияет один вход. He:
    :math:`\mathcal{N}(0, 2/n_{in})`; Xavier: :math:`\mathcal{N}(0, 2/(n_{in} + n_{out}))`;
    ``"normal"``: :math:`0.01 \cdot \mathcal{N}(0, 1)`.
    """
    filters, channels, k, _ = shape
    fan_in, fan_out = channels * k * k, filters * k * k
    scale = {
        "he": math.sqrt(2.0 / fan_in),
        "xavier": math.sqrt(2.0 / (fan_in + fan_out)),
        "normal": 0.01,
    }[check_init(init)]
    return rng.standard_normal(shape) * scale


class Conv2D:
    r"""Свёрточный слой: ``out_channels`` фильтров с ядрами ``kernel_size × kernel_size``.

    Вход — пакет ``(N, in_channels, H, W)``, выход — ``(N, out_channels, H_o, W_o)``
    (см. :func:`conv_output_size`). Атрибуты: ``W`` — ядра формы
    ``(out_channels, in_channels, k, k)``, ``b`` — смещения ``(out_channels,)``, после
    ``backward`` — ``dW`` и ``db`` тех же форм; ``cache`` — матрица im2col и выход.

    ``stride`` — шаг окна (целое больше нуля), ``padding`` — сколько нулей дописать с
    каждой стороны (целое не меньше нуля). ``activation`` — как у
    :class:`~tinynet.layer.Layer` (по умолчанию ``"relu"``); ``"softmax"`` — ошибка: она
    нормирует по оси, которой у карты признаков нет. ``init`` — ``"he"`` (по умолчанию,
    для ReLU), ``"xavier"`` или ``"normal"`` (см. :func:`conv_weights`); смещения — нули.
    ``rng`` — ``np.random.Generator`` или целое зерно; ``dtype`` — ``float64`` или
    ``float32``: вход приводится к нему, и выход и градиенты остаются в нём.

    Слой следует протоколу слоя (см. :mod:`tinynet.layer`): ``parameter_names = ("W",
    "b")``, ``decayed_names = ("W",)``; ширины ``n_inputs``, ``n_outputs`` у него нет
    (``None``): высоту и ширину он принимает любые, а форму выхода по форме входа даёт
    :meth:`output_shape`.
    """

    parameter_names: tuple[str, ...] = ("W", "b")
    decayed_names: tuple[str, ...] = ("W",)
    training: bool = True
    n_inputs: int | None = None
    n_outputs: int | None = None

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        stride: int = 1,
        padding: int = 0,
        activation: str | Activation = "relu",
        init: str = "he",
        rng: RandomLike = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")
        self.stride = check_positive_int(stride, "stride")
        self.padding = check_nonnegative_int(padding, "padding")
        self.activation = get_activation(activation)
        if self.activation.name == "softmax":
            raise ValueError(
                "activation: softmax нормирует выходы по последней оси, а у свёрточного слоя "
                "это ось ширины карты признаков; возьмите 'relu', 'tanh', 'sigmoid' или "
                "'identity', а softmax оставьте выходу сети (loss='softmax_cross_entropy')"
            )
        dtype = check_float_dtype(dtype)
        shape = (self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        self.W = conv_weights(init, shape, make_rng(rng)).astype(dtype, copy=False)
        self.b = np.zeros(self.out_channels, dtype=dtype)
        self.cache: dict[str, object] = {}

    def __repr__(self) -> str:
        extra = "" if self.stride == 1 else f", stride={self.stride}"
        extra += "" if self.padding == 0 else f", padding={self.padding}"
        extra += "" if self.activation.name == "relu" else f", activation={self.activation.name!r}"
        return f"Conv2D({self.in_channels}, {self.out_channels}, {self.kernel_size}{extra})"

    def output_shape(self, shape: tuple) -> tuple:
        """Форма выхода одного примера ``(D_out, H_o, W_o)`` по форме входа ``(C, H, W)``.

        ``None`` на месте размера — «пока неизвестен» (так сеть проверяет слои при
        построении, ещё не видя данных). Неподходящая форма — ``ValueError``.
        """
        if len(shape) != 3:
            raise ValueError(
                f"ждёт изображения (C, H, W) = ({self.in_channels}, H, W), а получает пример "
                f"формы {shape_text(shape)}"
            )
        channels, height, width = shape
        if channels is not None and channels != self.in_channels:
            raise ValueError(f"ждёт {self.in_channels} каналов, а получает {channels}")
        k, s, p = self.kernel_size, self.stride, self.padding
        return (self.out_channels,) + tuple(
            None if size is None else _output_size(size, k, s, p, "") for size in (height, width)
        )

    def forward(self, x: ArrayLike, *, cache: bool = True) -> np.ndarray:
        """Проверяет ``x`` формы ``(N, C, H, W)`` и возвращает выход ``(N, D_out, H_o, W_o)``.

        Кэш хранит не ``x``, а новую матрицу im2col, поэтому правка ``x`` на месте
        градиентов не портит; выход не делит память с кэшем.
        """
        checked = check_images(x, self.in_channels).astype(self.W.dtype, copy=False)
        for axis, size in (("H", checked.shape[2]), ("W", checked.shape[3])):
            if size + 2 * self.padding < self.kernel_size:
                raise ValueError(
                    f"x: ядро kernel_size={self.kernel_size} больше входа: {axis} = {size} с "
                    f"дополнением padding={self.padding} — {size + 2 * self.padding}, "
                    f"форма x {checked.shape}"
                )
        out = self._forward(checked, cache)
        return out if out.base is None else out.copy()  # своя память, не вид на кэш

    def _forward(self, x: np.ndarray, cache: bool = True) -> np.ndarray:
        """Прямой проход по уже проверенному ``x``: im2col, одно произведение, активация."""
        n = x.shape[0]
        _, h_out, w_out = self.output_shape(x.shape[1:])
        cols = im2col(x, self.kernel_size, self.stride, self.padding)  # (N·H_o·W_o, C·k·k)
        z = cols @ self.W.reshape(self.out_channels, -1).T  # (N·H_o·W_o, F)
        z += self.b
        try:
            y = self.activation.forward(z)
        except ValueError:
            check_parameters(self, ("W", "b"))
            raise
        if cache:
            self.cache = {"cols": cols, "y": y, "x_shape": x.shape}
        # строки (n, i, j), столбцы f -> (N, F, H_o, W_o)
        return np.ascontiguousarray(y.reshape(n, h_out, w_out, -1).transpose(0, 3, 1, 2))

    def backward(self, dy: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        r"""Сохраняет ``dW``, ``db`` и возвращает :math:`\partial L/\partial X` (через col2im).

        ``dy`` — :math:`\partial L/\partial Y` формы выхода ``(N, D_out, H_o, W_o)``; он
        переставляется в матрицу ``(N H_o W_o, D_out)``, та же, что у :math:`Z` в ``forward``.
        ``input_grad=False`` не считает градиент по входу и возвращает ``None``.
        """
        if not self.cache:
            raise RuntimeError("backward вызван до forward: в кэше нет im2col и y")
        cols, y, x_shape = self.cache["cols"], self.cache["y"], self.cache["x_shape"]
        n, f = x_shape[0], self.out_channels
        out_shape = (n, f) + tuple(self.output_shape(x_shape[1:])[1:])
        dy = check_same_shape(dy, out_shape, "dy").astype(y.dtype, copy=False)
        delta = self.activation.backward(y, dy.transpose(0, 2, 3, 1).reshape(-1, f))
        self.dW = (delta.T @ cols).reshape(self.W.shape)
        self.db = delta.sum(axis=0)
        if not input_grad:
            return None
        dcols = delta @ self.W.reshape(f, -1)  # (N·H_o·W_o, C·k·k)
        return col2im(dcols, x_shape, self.kernel_size, self.stride, self.padding)

    def update_parameters(self, learning_rate: float) -> None:
        r"""Шаг градиентного спуска: :math:`W \leftarrow W - \eta\, \partial L/\partial W` (и так же
        :math:`b`)."""
        rate = check_learning_rate(learning_rate)
        if not hasattr(self, "dW"):
            raise RuntimeError("update_parameters вызван до backward: градиентов ещё нет")
        self.W -= rate * self.dW
        self.b -= rate * self.db

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Возвращает копии параметров: ``{'W': ..., 'b': ...}``."""
        return {"W": self.W.copy(), "b": self.b.copy()}

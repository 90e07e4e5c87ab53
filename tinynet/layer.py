r"""Полносвязный слой в матричной форме.

Прямой проход для пакета :math:`X` формы ``(N, n_inputs)``:

.. math::

    Z = X W + b, \qquad Y = f(Z),

где :math:`W` имеет форму ``(n_inputs, n_outputs)``, а :math:`b` — ``(n_outputs,)``
(прибавляется к каждой строке), :math:`f` — функция активации (по умолчанию сигмоида
:math:`\sigma`). Один пример — вектор формы ``(n_inputs,)``.

Соглашение о пакетах: входящий градиент ``dy`` уже содержит множитель :math:`1/N`
усреднения в функции потерь, поэтому ``dW`` и ``db`` — **суммы** по примерам пакета.

**Протокол слоя.** Сеть :class:`~tinynet.network.NeuralNetwork` держит слои разных видов
(полносвязный :class:`Layer`, :class:`~tinynet.dropout.Dropout`, свёрточные
:class:`~tinynet.conv.Conv2D`, :class:`~tinynet.pooling.MaxPool2D` и
:class:`~tinynet.pooling.Flatten` главы 14), и всё, что она и оптимизаторы знают о
слое, — вот этот протокол:

- ``forward(x, *, cache=True)`` возвращает выход и (при ``cache=True``) запоминает в
  ``cache`` то, что нужно обратному проходу; ``_forward(x, cache)`` — то же для уже
  проверенного ``x`` (так зовёт сеть, без лишних копий);
- ``backward(dy, *, input_grad=True)`` получает :math:`\partial L/\partial Y`, сохраняет
  градиенты своих параметров и возвращает :math:`\partial L/\partial X` (``None`` при
  ``input_grad=False``);
- ``parameter_names`` — имена параметров-атрибутов (у :class:`Layer` — ``("W", "b")``, у
  слоя без параметров — ``()``); градиент параметра ``name`` лежит в атрибуте
  ``"d" + name`` (``dW``, ``db``). По этим именам оптимизаторы находят пары «параметр,
  градиент», а :func:`~tinynet.gradcheck.gradcheck` и :func:`~tinynet.saving.save` —
  сами параметры;
- ``decayed_names`` — параметры, к которым применяется затухание весов (L2): веса, но не
  смещения (``("W",)``);
- ``training`` — режим: ``True`` при обучении, ``False`` при оценке (его меняют
  ``network.train()`` и ``network.eval()``); полносвязный слой в обоих режимах считает
  одно и то же, а :class:`~tinynet.dropout.Dropout` при оценке ничего не выключает;
- ``n_inputs``, ``n_outputs`` — ширина входа и выхода; ``get_parameters()`` — копии
  параметров словарём; ``update_parameters(learning_rate)`` — шаг градиентного спуска.

**Слои над изображениями** (:class:`~tinynet.conv.Conv2D`,
:class:`~tinynet.pooling.MaxPool2D`, :class:`~tinynet.pooling.Flatten`) принимают пакет
``(N, C, H, W)`` («пакет первым»). Своей ширины у них нет (``n_inputs = n_outputs =
None``): высота и ширина выхода зависят от входа. Вместо ширины у них есть
``output_shape(shape)`` — форма выхода *одного примера* по форме входа (``(C, H, W)`` →
``(F, H_o, W_o)``; ``Flatten``: → ``(C·H·W,)``); неподходящая форма — ``ValueError``, а
``None`` на месте размера значит «пока неизвестен». По этим формам сеть связывает слои:

- при построении сети форма проходит по слоям с неизвестными ``H`` и ``W``: сверяются
  каналы соседних свёрток, полносвязный слой сразу после свёртки (без ``Flatten``) —
  ошибка, а ширина после ``Flatten`` остаётся неизвестной;
- при каждом прямом проходе (и в ``fit`` — до первого шага) сеть проводит по слоям форму
  настоящего входа: если ядро больше карты признаков или ширина после ``Flatten`` не равна
  ``n_inputs`` следующего ``Layer``, ошибка называет ``x`` (``X`` в ``fit``), его форму,
  номер слоя и обе ширины — до того, как что-то посчитано и запомнено.

Полносвязным сеть считает слой с ``activation`` и без ``output_shape``
(:attr:`~tinynet.network.NeuralNetwork.layer_sizes`, ``activations``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import (
    check_features,
    check_float_dtype,
    check_learning_rate,
    check_parameters,
    check_positive_int,
    check_same_shape,
    private_copy,
)
from ._random import RandomLike, make_rng
from .activations import Activation, get_activation
from .initializers import initial_weights


class Layer:
    r"""Слой из ``n_outputs`` нейронов, у каждого ``n_inputs`` входов.

    Атрибуты: ``W`` формы ``(n_inputs, n_outputs)`` (столбец ``j`` — веса нейрона ``j``),
    ``b`` формы ``(n_outputs,)``, ``activation`` (объект
    :class:`~tinynet.activations.Activation`), ``cache`` (``x`` и ``y`` последнего
    прямого прохода), после ``backward`` — ``dW`` и ``db`` тех же форм, что ``W`` и ``b``.

    ``activation`` — имя (``"sigmoid"`` по умолчанию, ``"tanh"``, ``"relu"``,
    ``"identity"``, ``"softmax"``) или объект активации. ``init`` — начальные веса:
    ``"normal"`` (``weight_scale * N(0, 1)``, по умолчанию 0.01, как в исходных тетрадках),
    ``"xavier"`` или ``"he"`` (см. :mod:`tinynet.initializers`; масштаб они выбирают сами, и
    ``weight_scale`` вместе с ними — ошибка); смещения — нули.
    ``rng`` — ``np.random.Generator`` или целое зерно; ``None`` — случайное зерно.
    ``dtype`` — тип чисел параметров (``float64`` по умолчанию или ``float32``): вход
    приводится к нему, и всё — выход, градиенты, состояние оптимизатора — остаётся в нём.
    Веса тянутся из генератора одинаково для любого ``dtype``.

    Слой следует протоколу слоя (см. описание модуля): ``parameter_names = ("W", "b")``,
    ``decayed_names = ("W",)``, ``training`` — режим обучения или оценки.
    """

    parameter_names: tuple[str, ...] = ("W", "b")
    decayed_names: tuple[str, ...] = ("W",)
    training: bool = True

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        activation: str | Activation = "sigmoid",
        *,
        init: str = "normal",
        weight_scale: float | None = None,
        rng: RandomLike = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        self.n_inputs = check_positive_int(n_inputs, "n_inputs")
        self.n_outputs = check_positive_int(n_outputs, "n_outputs")
        self.activation = get_activation(activation)
        dtype = check_float_dtype(dtype)
        generator = make_rng(rng)
        W = initial_weights(init, weight_scale, self.n_inputs, self.n_outputs, generator)
        self.W = W.astype(dtype, copy=False)
        self.b = np.zeros(self.n_outputs, dtype=dtype)
        self.cache: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        extra = (
            "" if self.activation.name == "sigmoid" else f", activation={self.activation.name!r}"
        )
        return f"Layer(n_inputs={self.n_inputs}, n_outputs={self.n_outputs}{extra})"

    def forward(self, x: ArrayLike, *, cache: bool = True) -> np.ndarray:
        r"""Вычисляет :math:`Y = f(XW + b)` и запоминает ``x`` и ``y`` для ``backward``.

        Кэш не делит память с вызывающим кодом: массив читателя запоминается копией, а
        возвращается копия выхода, так что правка входа или выхода на месте (``out -= y``)
        не испортит градиенты. Копия стоит :math:`N n_{in}` операций — в :math:`n_{out}` раз
        меньше, чем :math:`XW`; вид «только для чтения» не помог бы: читатель правит свой
        массив, а не вид. ``cache=False`` ничего не запоминает (так считают
        :func:`~tinynet.metrics.predict` и оценка в ``fit``): кэш прошлого прохода ждёт
        своего ``backward`` нетронутым.
        """
        checked = check_features(x, self.n_inputs).astype(self.W.dtype, copy=False)
        if not cache:
            return self._forward(checked, cache=False)
        return self._forward(private_copy(checked, x)).copy()

    def _forward(self, x: np.ndarray, cache: bool = True) -> np.ndarray:
        """Прямой проход по уже проверенному ``x``; так его зовёт сеть, без лишних копий."""
        z = x @ self.W
        z += self.b  # на месте: без второго временного массива размера z
        try:
            y = self.activation.forward(z)  # проверяет z на NaN и бесконечности
        except ValueError:
            check_parameters(self, ("W", "b"))  # NaN пришёл из весов — так и скажем
            raise
        if cache:
            self.cache = {"x": x, "y": y}
        return y

    def backward(self, dy: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        r"""Обратный проход: сохраняет ``dW``, ``db`` и возвращает :math:`\partial L/\partial X`.

        .. math::

            \Delta = \frac{\partial L}{\partial Y} \odot f'(Z), \qquad
            \frac{\partial L}{\partial W} = X^\top \Delta, \qquad
            \frac{\partial L}{\partial b} = \sum_{i=1}^{N} \Delta_{i,:}, \qquad
            \frac{\partial L}{\partial X} = \Delta\, W^\top.

        Для сигмоиды :math:`f'(Z) = Y \odot (1 - Y)`; :math:`\Delta` вычисляет
        ``activation.backward``. Для одного примера :math:`X^\top \Delta` — внешнее
        произведение.

        ``input_grad=False`` пропускает последнее произведение и возвращает ``None``: у
        первого слоя сети вход — данные, и градиент по ним обучению не нужен (так делают
        и PyTorch, и scikit-learn). В сети 784-256-128-10 это треть работы первого слоя.
        """
        if not self.cache:
            raise RuntimeError("backward вызван до forward: в кэше нет x и y")
        x, y = self.cache["x"], self.cache["y"]
        dy = check_same_shape(dy, y.shape, "dy").astype(y.dtype, copy=False)
        delta = self.activation.backward(y, dy)
        X, D = (x, delta) if x.ndim == 2 else (x[None, :], delta[None, :])  # пример — пакет (1, n)
        self.dW = X.T @ D
        self.db = D.sum(axis=0)
        return delta @ self.W.T if input_grad else None

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

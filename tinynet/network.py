r"""Многослойная сеть: последовательность слоёв (:class:`~tinynet.layer.Layer` и других).

Прямой проход — композиция :math:`f = f_K \circ \dots \circ f_1`; обратный проход идёт по
слоям в обратном порядке, и каждый слой передаёт предыдущему градиент по своему входу
(рекурсия :math:`\delta`).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import (
    check_features,
    check_images,
    check_learning_rate,
    check_positive_int,
    private_copy,
    shape_text,
)
from ._random import RandomLike, make_rng
from .activations import Activation
from .layer import Layer


class NeuralNetwork:
    r"""Сеть из полносвязных слоёв размеров ``layer_sizes = [n_0, n_1, ..., n_K]`` или из
    готового списка слоёв.

    Слой ``l`` отображает :math:`n_{l-1}` входов в :math:`n_l` выходов, всего слоёв
    ``len(layer_sizes) - 1``. Скрытые слои используют ``activation`` (по умолчанию
    сигмоиду), последний — ``output_activation`` (по умолчанию ту же). Все слои получают
    веса из одного генератора ``rng`` (``np.random.Generator`` или целое зерно; ``None`` —
    случайное зерно); ``init``, ``weight_scale`` и ``dtype`` (``float64`` или ``float32``)
    передаются каждому :class:`Layer`.

    Вместо размеров можно передать список слоёв любых видов, следующих протоколу слоя
    (см. :mod:`tinynet.layer`): ``NeuralNetwork([Layer(4, 8), Dropout(0.5, rng=0),
    Layer(8, 1)])``. Тогда остальные аргументы не нужны (слои уже созданы) и их передача —
    ошибка. Ширины соседних слоёв должны совпадать; слою без своей ширины
    (:class:`~tinynet.dropout.Dropout`) сеть назначает ширину соседа.

    Сеть, первый слой которой работает с изображениями (:class:`~tinynet.conv.Conv2D`,
    :class:`~tinynet.pooling.MaxPool2D`), принимает пакет ``(N, C, H, W)``:
    ``NeuralNetwork([Conv2D(1, 8, 3, padding=1), MaxPool2D(2), Flatten(),
    Layer(8 * 4 * 4, 10)])``. Каналы соседних слоёв сверяются при построении, а высота и
    ширина — по форме входа при каждом прямом проходе, до того как что-то посчитано (см.
    протокол слоя в :mod:`tinynet.layer`).

    Режим: ``network.train()`` (по умолчанию) и ``network.eval()`` переключают ``training``
    всех слоёв; :func:`~tinynet.metrics.predict` и оценка внутри
    :func:`~tinynet.training.fit` всегда считают в режиме оценки.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int] | Sequence[object],
        activation: str | Activation = "sigmoid",
        output_activation: str | Activation | None = None,
        *,
        init: str = "normal",
        weight_scale: float | None = None,
        rng: RandomLike = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Iterable):
            raise TypeError(
                "layer_sizes: ожидался список размеров слоёв, например NeuralNetwork([2, 3, 1]), "
                f"получено {layer_sizes!r}"
            )
        sizes = list(layer_sizes)
        if sizes and all(hasattr(item, "backward") for item in sizes):  # слои (глава 13)
            self.layers = _connected(sizes, locals())
            return
        if len(sizes) < 2:
            raise ValueError(
                f"layer_sizes: нужны хотя бы два размера (входы и выходы), получено {layer_sizes!r}"
            )
        sizes = [check_positive_int(n, f"layer_sizes[{i}]") for i, n in enumerate(sizes)]
        generator = make_rng(rng)
        activations = [activation] * (len(sizes) - 2) + [output_activation or activation]
        self.layers = [
            Layer(
                n_in, n_out, act, init=init, weight_scale=weight_scale, rng=generator, dtype=dtype
            )
            for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations, strict=True)
        ]

    @property
    def _dense(self) -> list:
        """Полносвязные слои по порядку: с активацией, но не над изображениями."""
        return [layer for layer in self.layers if _is_dense(layer)]

    @property
    def layer_sizes(self) -> list[int]:
        """Размеры ``[n_0, ..., n_K]``: вход сети и выходы её полносвязных слоёв.

        У сети со свёрточными слоями :math:`n_0` — вход первого полносвязного слоя (ширина
        после ``Flatten``).
        """
        first = next(layer.n_inputs for layer in self.layers if layer.n_inputs is not None)
        return [first] + [layer.n_outputs for layer in self._dense]

    @property
    def dtype(self) -> np.dtype:
        """Тип чисел параметров (``float64`` или ``float32``), общий для всех слоёв."""
        return next(layer.W.dtype for layer in self.layers if hasattr(layer, "W"))

    @property
    def takes_images(self) -> bool:
        """``True``, если вход сети — пакет изображений ``(N, C, H, W)`` (глава 14)."""
        return hasattr(_input_layer(self.layers), "output_shape")

    @property
    def activations(self) -> list[str]:
        """Имена функций активации полносвязных слоёв по порядку."""
        return [layer.activation.name for layer in self._dense]

    @property
    def training(self) -> bool:
        """``True`` в режиме обучения, ``False`` в режиме оценки."""
        return all(layer.training for layer in self.layers)

    def train(self) -> NeuralNetwork:
        """Включает режим обучения во всех слоях (прореживание работает); возвращает сеть."""
        for layer in self.layers:
            layer.training = True
        return self

    def eval(self) -> NeuralNetwork:
        """Включает режим оценки во всех слоях (прореживание выключено); возвращает сеть."""
        for layer in self.layers:
            layer.training = False
        return self

    @contextmanager
    def evaluating(self) -> Iterator[NeuralNetwork]:
        """Временный режим оценки: ``with network.evaluating(): ...``; прежний режим вернётся."""
        modes = [layer.training for layer in self.layers]
        self.eval()
        try:
            yield self
        finally:
            for layer, mode in zip(self.layers, modes, strict=True):
                layer.training = mode

    def __repr__(self) -> str:
        if len(self._dense) != len(self.layers):
            return f"NeuralNetwork({self.layers})"
        names = self.activations
        if set(names) == {"sigmoid"}:
            return f"NeuralNetwork({self.layer_sizes})"
        return f"NeuralNetwork({self.layer_sizes}, activations={names})"

    def forward(self, x: ArrayLike, *, cache: bool = True) -> np.ndarray:
        """Пропускает ``x`` через все слои по порядку и возвращает выход последнего.

        Вход проверяется один раз, здесь; вход слоя ``l + 1`` — тот же массив, что выход
        слоя ``l``. Как и :meth:`~tinynet.layer.Layer.forward`, сеть запоминает копию
        массива читателя и возвращает копию выхода; ``cache=False`` — проход без
        запоминания (для :func:`~tinynet.metrics.predict`), не трогающий кэш, который ждёт
        ``backward``.
        """
        checked = self.check_input(x).astype(self.dtype, copy=False)
        x = private_copy(checked, x) if cache else checked
        for layer in self.layers:
            x = layer._forward(x, cache)
        return x.copy() if cache else x

    def check_input(self, x: ArrayLike, name: str = "x") -> np.ndarray:
        """Проверяет вход сети: ``(N, n_0)`` (или пример ``(n_0,)``) либо ``(N, C, H, W)``.

        Вход свёрточной сети (:attr:`takes_images`) проходит по слоям *формой* одного
        примера (:meth:`~tinynet.conv.Conv2D.output_shape`): форма, на которой какой-то слой
        не смог бы посчитать (ядро больше входа, ширина после ``Flatten`` не та, что ждёт
        ``Layer``), — ``ValueError`` с именем ``name``, формой входа и номером слоя, до
        вычислений.
        """
        if not self.takes_images:
            return check_features(x, self.layers[0].n_inputs, name)
        first = _input_layer(self.layers)
        array = check_images(x, getattr(first, "in_channels", None), name)
        _shapes(self.layers, array.shape[1:], f"{name}: форма {array.shape} не подходит сети:")
        return array

    def backward(self, dy: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        r"""Проводит :math:`\partial L/\partial Y` через слои в обратном порядке.

        Каждый слой сохраняет свои ``dW`` и ``db``; возвращается градиент по входу сети.
        ``input_grad=False`` (так вызывает :func:`~tinynet.training.fit`) не считает этот
        последний градиент и возвращает ``None``: для шага по параметрам он не нужен.
        Только в этом случае первый слой получает аргумент ``input_grad``, так что слой со
        своим ``backward(dy)`` работает в сети, как прежде.
        """
        first, *rest = self.layers
        for layer in reversed(rest):
            dy = layer.backward(dy)
        return first.backward(dy) if input_grad else first.backward(dy, input_grad=False)

    def update_parameters(self, learning_rate: float) -> None:
        """Делает шаг градиентного спуска во всех слоях."""
        rate = check_learning_rate(learning_rate)
        for layer in self.layers:
            layer.update_parameters(rate)

    def parameters(self) -> list[tuple[str, np.ndarray]]:
        """Пары ``(имя, параметр)`` всех слоёв по порядку: ``("W0", W), ("b0", b), ...``.

        Номер — индекс слоя в ``network.layers``; у слоя без параметров пар нет.
        """
        return [
            (f"{name}{i}", getattr(layer, name))
            for i, layer in enumerate(self.layers)
            for name in layer.parameter_names
        ]

    def set_parameters(self, values: Sequence[np.ndarray]) -> None:
        """Копирует ``values`` (в порядке :meth:`parameters`) в параметры сети на месте."""
        pairs = self.parameters()
        if len(values) != len(pairs):
            raise ValueError(f"values: ожидалось {len(pairs)} массивов, получено {len(values)}")
        for (name, param), value in zip(pairs, values, strict=True):
            if np.shape(value) != param.shape:
                raise ValueError(f"values: {name} формы {param.shape}, получена {np.shape(value)}")
        for (_, param), value in zip(pairs, values, strict=True):
            param[...] = value

    def get_all_parameters(self) -> list[dict[str, object]]:
        """Копии параметров всех слоёв по порядку, в записи исходных тетрадок.

        ``[{'layer': 0, 'parameters': {'W': ..., 'b': ...}}, {'layer': 1, ...}, ...]``:
        номер слоя с нуля (как в ``network.layers[i]``) и копии его ``W`` и ``b``.
        """
        return [
            {"layer": i, "parameters": layer.get_parameters()}
            for i, layer in enumerate(self.layers)
        ]


def _connected(layers: list, arguments: dict) -> list:
    """Проверяет, что ширины соседних слоёв совпадают, и назначает ширину слоям без неё.

    ``arguments`` — аргументы ``NeuralNetwork.__init__``: при построении из готовых слоёв
    ``activation``, ``init``, ``rng`` и другие ничего бы не сделали, поэтому любой из них,
    отличный от значения по умолчанию, — ошибка.
    """
    defaults = inspect.signature(NeuralNetwork.__init__).parameters
    given = [
        name
        for name in ("activation", "output_activation", "init", "weight_scale", "rng", "dtype")
        if not _is_default(arguments[name], defaults[name].default)
    ]
    if given:
        raise ValueError(
            f"{given[0]}: сеть строится из готовых слоёв, а {given} задаются в самих слоях, "
            "а не в NeuralNetwork"
        )
    if not any(_is_dense(layer) for layer in layers):
        raise ValueError("layer_sizes: в списке слоёв нет ни одного полносвязного слоя Layer")
    first = _input_layer(layers)
    if hasattr(first, "output_shape"):  # вход — изображения (C, H, W), H и W пока неизвестны
        shape = (getattr(first, "in_channels", None), None, None)
    else:
        shape = (first.n_inputs,)
    _shapes(layers, shape, "layer_sizes:", assign=True)
    dtypes = {layer.W.dtype for layer in layers if hasattr(layer, "W")}
    if len(dtypes) > 1:
        raise ValueError(f"layer_sizes: у слоёв разные типы параметров {sorted(map(str, dtypes))}")
    return list(layers)


def _is_dense(layer: object) -> bool:
    """Полносвязный слой: с активацией, но без формы изображения (не ``Conv2D``)."""
    return hasattr(layer, "activation") and not hasattr(layer, "output_shape")


def _input_layer(layers: list) -> object:
    """Первый слой, который знает, что он ждёт на входе (``Dropout`` — не знает)."""
    return next(
        layer
        for layer in layers
        if hasattr(layer, "output_shape") or getattr(layer, "n_inputs", None) is not None
    )


def _shapes(layers: list, shape: tuple, prefix: str, *, assign: bool = False) -> tuple:
    """Проводит форму одного примера через слои; ``None`` в форме — размер пока неизвестен.

    Слой над изображениями даёт форму выхода сам (``output_shape``), полносвязный слой
    ждёт ``(n_inputs,)`` и даёт ``(n_outputs,)``, слой без ширины (``Dropout``) форму не
    меняет; при ``assign=True`` (построение сети) он получает известную ширину соседа.
    Несовпадение — ``ValueError``: ``prefix``, номер и вид слоя, что он ждёт и что получает.
    """
    for i, layer in enumerate(layers):
        try:
            shape = _next_shape(layer, shape)
        except ValueError as error:
            raise ValueError(f"{prefix} слой {i} ({layer!r}) {error}") from None
        if assign and layer.n_inputs is None and len(shape) == 1 and shape[0] is not None:
            if not hasattr(layer, "output_shape"):
                layer.n_inputs = layer.n_outputs = shape[0]
    return shape


def _next_shape(layer: object, shape: tuple) -> tuple:
    """Форма выхода слоя по форме входа одного примера (см. :func:`_shapes`)."""
    if hasattr(layer, "output_shape"):
        return layer.output_shape(shape)
    if layer.n_inputs is None:
        return shape
    if len(shape) != 1:
        raise ValueError(
            f"ждёт {layer.n_inputs} входов, а предыдущий слой выдаёт изображения формы "
            f"{shape_text(shape)}; между ними нужен Flatten()"
        )
    if shape[0] is not None and shape[0] != layer.n_inputs:
        raise ValueError(f"ждёт {layer.n_inputs} входов, а предыдущий слой выдаёт {shape[0]}")
    return (layer.n_outputs,)


def _is_default(value: object, default: object) -> bool:
    if default is np.float64:
        try:
            return np.dtype(value) == np.float64
        except TypeError:
            return False
    return value is default or (isinstance(value, str) and value == default)

r"""Многослойная сеть: последовательность слоёв :class:`~tinynet.layer.Layer`.

Прямой проход — композиция :math:`f = f_L \circ \dots \circ f_1`; обратный проход идёт по
слоям в обратном порядке, и каждый слой передаёт предыдущему градиент по своему входу
(рекурсия :math:`\delta`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import check_features, check_learning_rate, check_positive_int, private_copy
from ._random import RandomLike, make_rng
from .activations import Activation
from .layer import Layer


class NeuralNetwork:
    r"""Сеть из полносвязных слоёв размеров ``layer_sizes = [n_0, n_1, ..., n_L]``.

    Слой ``l`` отображает :math:`n_{l-1}` входов в :math:`n_l` выходов, всего слоёв
    ``len(layer_sizes) - 1``. Скрытые слои используют ``activation`` (по умолчанию
    сигмоиду), последний — ``output_activation`` (по умолчанию ту же). Все слои получают
    веса из одного генератора ``rng`` (``np.random.Generator`` или целое зерно; ``None`` —
    случайное зерно); ``init``, ``weight_scale`` и ``dtype`` (``float64`` или ``float32``)
    передаются каждому :class:`Layer`.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
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
    def layer_sizes(self) -> list[int]:
        """Размеры слоёв ``[n_0, ..., n_L]``."""
        return [self.layers[0].n_inputs] + [layer.n_outputs for layer in self.layers]

    @property
    def dtype(self) -> np.dtype:
        """Тип чисел параметров (``float64`` или ``float32``), общий для всех слоёв."""
        return self.layers[0].W.dtype

    @property
    def activations(self) -> list[str]:
        """Имена функций активации слоёв по порядку."""
        return [layer.activation.name for layer in self.layers]

    def __repr__(self) -> str:
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
        checked = check_features(x, self.layers[0].n_inputs).astype(self.dtype, copy=False)
        x = private_copy(checked, x) if cache else checked
        for layer in self.layers:
            x = layer._forward(x, cache)
        return x.copy() if cache else x

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

    def get_all_parameters(self) -> list[dict[str, object]]:
        """Копии параметров всех слоёв по порядку, в записи исходных тетрадок.

        ``[{'layer': 0, 'parameters': {'W': ..., 'b': ...}}, {'layer': 1, ...}, ...]``:
        номер слоя с нуля (как в ``network.layers[i]``) и копии его ``W`` и ``b``.
        """
        return [
            {"layer": i, "parameters": layer.get_parameters()}
            for i, layer in enumerate(self.layers)
        ]

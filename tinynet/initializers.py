r"""Начальные веса слоя.

Все функции возвращают матрицу формы ``(n_inputs, n_outputs)`` из переданного генератора.
Имена для ``Layer(..., init=...)``: ``"normal"`` (``weight_scale · N(0, 1)``, как в исходных
тетрадках), ``"xavier"`` и ``"he"``.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_positive


def normal(
    n_inputs: int, n_outputs: int, rng: np.random.Generator, scale: float = 0.01
) -> np.ndarray:
    r"""Веса :math:`W_{kj} \sim \text{scale} \cdot \mathcal{N}(0, 1)`."""
    return scale * rng.standard_normal((n_inputs, n_outputs))


def xavier(n_inputs: int, n_outputs: int, rng: np.random.Generator) -> np.ndarray:
    r"""Инициализация Глоро (Xavier/Glorot, 2010): :math:`\mathcal{N}(0, 2/(n_{in} + n_{out}))`.

    Дисперсия сигнала сохраняется в прямом проходе при :math:`n_{in} \operatorname{Var} W = 1`,
    а в обратном — при :math:`n_{out} \operatorname{Var} W = 1`; формула — компромисс двух
    условий. Подходит для tanh и сигмоиды.
    """
    return rng.standard_normal((n_inputs, n_outputs)) * np.sqrt(2.0 / (n_inputs + n_outputs))


def he(n_inputs: int, n_outputs: int, rng: np.random.Generator) -> np.ndarray:
    r"""Инициализация Хе (He et al., 2015): :math:`\mathcal{N}(0, 2/n_{in})`.

    ReLU обнуляет в среднем половину предактиваций, и сохранить дисперсию сигнала в прямом
    проходе удаётся, только удвоив дисперсию весов:
    :math:`\tfrac{1}{2} n_{in} \operatorname{Var} W = 1`.
    """
    return rng.standard_normal((n_inputs, n_outputs)) * np.sqrt(2.0 / n_inputs)


INITIALIZERS = {"normal": normal, "xavier": xavier, "he": he}


def check_init(init: str) -> str:
    """Проверяет имя инициализации и возвращает его."""
    if init not in INITIALIZERS:
        raise ValueError(
            f"init: неизвестная инициализация {init!r}, известны: {sorted(INITIALIZERS)}"
        )
    return init


def initial_weights(
    init: str, weight_scale: float | None, n_inputs: int, n_outputs: int, rng: np.random.Generator
) -> np.ndarray:
    """Начальные веса по имени ``init``; ``weight_scale`` (по умолчанию 0.01) — только для normal.

    Xavier и He сами выбирают масштаб по размерам слоя, поэтому ``weight_scale`` вместе с ними
    — ошибка, а не молча проигнорированный аргумент.
    """
    if check_init(init) != "normal":
        if weight_scale is not None:
            raise ValueError(
                f"weight_scale: масштаб задаётся только при init='normal', а init={init!r} "
                f"выбирает его сам по размерам слоя; получено weight_scale={weight_scale!r}"
            )
        return INITIALIZERS[init](n_inputs, n_outputs, rng)
    scale = 0.01 if weight_scale is None else check_positive(weight_scale, "weight_scale")
    return normal(n_inputs, n_outputs, rng, scale)

r"""Прореживание (dropout, Srivastava и др., 2014) в «обратной» (inverted) записи.

При обучении каждый вход слоя независимо обнуляется с вероятностью :math:`r` (``rate``), а
оставшиеся делятся на :math:`1 - r`:

.. math::

    \xi_{ij} = \frac{[\rho_{ij} \ge r]}{1 - r}, \quad \rho_{ij} \sim U[0, 1), \qquad
    Y = X \odot \xi, \qquad \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y} \odot \xi.

Деление на :math:`1 - r` сохраняет среднее: :math:`\mathbb{E}[\xi_{ij}] = 1`, поэтому при
оценке слой — тождественное отображение :math:`Y = X`, и ничего не нужно пересчитывать.
Маска тянется только из генератора ``rng`` самого слоя, поэтому обучение с одним зерном
воспроизводится. Параметров у слоя нет.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_float_array, check_fraction, check_same_shape, private_copy
from ._random import RandomLike, make_rng


class Dropout:
    r"""Слой прореживания с долей выключаемых входов ``rate`` :math:`= r \in [0, 1)`.

    Следует протоколу слоя (см. :mod:`tinynet.layer`): ``parameter_names = ()``,
    ``training`` — режим. При ``training=True`` ``forward`` тянет новую маску
    :math:`\xi` из ``rng`` (``np.random.Generator`` или целое зерно; ``None`` — случайное
    зерно) и запоминает её в ``cache["mask"]`` для ``backward``; при ``training=False``
    вход проходит без изменений.

    ``fixed_mask`` — маска «оставить» (булев массив формы выхода) вместо случайной: с ней
    прямой проход — детерминированная функция, и его градиент можно проверить конечными
    разностями (новая случайная маска на каждом сдвиге сломала бы проверку).

    ``n_inputs`` и ``n_outputs`` (равны друг другу) сеть выставляет сама по соседнему
    слою; отдельный слой принимает вход любой ширины.
    """

    parameter_names: tuple[str, ...] = ()
    decayed_names: tuple[str, ...] = ()

    def __init__(self, rate: float, *, rng: RandomLike = None) -> None:
        self.rate = check_fraction(rate, "rate")
        self.rng = make_rng(rng)
        self.training = True
        self.fixed_mask: np.ndarray | None = None
        self.n_inputs: int | None = None
        self.n_outputs: int | None = None
        self.cache: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"Dropout({self.rate})"

    def _mask(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        r"""Маска :math:`\xi`: ``[ρ >= r] / (1 - r)`` из своего генератора или из ``fixed_mask``."""
        if self.fixed_mask is not None:
            keep = np.asarray(self.fixed_mask, dtype=bool)
            if keep.shape != shape:
                raise ValueError(f"fixed_mask: ожидалась форма {shape}, получена {keep.shape}")
        else:
            keep = self.rng.random(shape) >= self.rate
        return keep.astype(dtype) / dtype.type(1 - self.rate)

    def forward(self, x: ArrayLike, *, cache: bool = True) -> np.ndarray:
        r"""Проверяет ``x`` и возвращает :math:`X \odot \xi` при обучении или ``x`` при оценке."""
        checked = as_float_array(x, "x")
        if self.n_inputs is not None and (
            checked.ndim not in (1, 2) or checked.shape[-1] != self.n_inputs
        ):
            raise ValueError(
                f"x: ожидалась форма ({self.n_inputs},) или (N, {self.n_inputs}), "
                f"получена {checked.shape}"
            )
        return self._forward(private_copy(checked, x), cache).copy()

    def _forward(self, x: np.ndarray, cache: bool = True) -> np.ndarray:
        """Прямой проход по уже проверенному ``x``."""
        if not self.training:
            if cache:
                self.cache = {"mask": None}
            return x
        mask = self._mask(x.shape, x.dtype)
        if cache:
            self.cache = {"mask": mask}
        return x * mask

    def backward(self, dy: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        r"""Возвращает :math:`\partial L/\partial X = \partial L/\partial Y \odot \xi`.

        Маска — та же, что в последнем ``forward``; при оценке :math:`\xi = 1`.
        """
        if not self.cache:
            raise RuntimeError("backward вызван до forward: в кэше нет маски")
        mask = self.cache["mask"]
        dy = as_float_array(dy, "dy")
        if mask is not None:
            dy = check_same_shape(dy, mask.shape, "dy")
        if not input_grad:
            return None
        return dy.copy() if mask is None else dy * mask

    def update_parameters(self, learning_rate: float) -> None:
        """Параметров нет — шагать нечем."""

    def get_parameters(self) -> dict[str, np.ndarray]:
        """Параметров нет: пустой словарь."""
        return {}

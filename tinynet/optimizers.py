r"""Оптимизаторы: как по градиентам ``dW``, ``db`` слоёв сделать шаг.

Все оптимизаторы обновляют параметры сети **на месте** (``W -= ...``) и хранят своё
состояние (скорости, моменты) по одному массиву на параметр. Имена для ``fit``:
``"sgd"``, ``"momentum"``, ``"adam"``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._checks import check_learning_rate


def parameters(network) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Пары ``(параметр, его градиент)`` всех слоёв сети по порядку: ``(W, dW), (b, db)``."""
    for layer in network.layers:
        if not hasattr(layer, "dW"):
            raise RuntimeError("шаг оптимизатора до backward: у слоёв ещё нет градиентов")
        yield layer.W, layer.dW
        yield layer.b, layer.db


class SGD:
    r"""Градиентный спуск: :math:`\theta \leftarrow \theta - \eta\, g`."""

    name = "sgd"

    def __init__(self, learning_rate: float = 0.1) -> None:
        self.learning_rate = check_learning_rate(learning_rate)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"

    def step(self, network) -> None:
        """Сдвигает каждый параметр сети против его градиента."""
        for param, grad in parameters(network):
            param -= self.learning_rate * grad


class Momentum(SGD):
    r"""Градиентный спуск с инерцией (momentum).

    .. math::

        v \leftarrow \beta v + g, \qquad \theta \leftarrow \theta - \eta\, v.

    Скорость :math:`v` — экспоненциально затухающая сумма прошлых градиентов: в узком
    «овраге» поперечные колебания гасятся, а движение вдоль оврага накапливается.
    Состояние: ``velocity`` — список скоростей :math:`v`, по одной на параметр сети в
    порядке ``W0, b0, W1, b1, ...`` (пуст до первого шага).
    """

    name = "momentum"

    def __init__(self, learning_rate: float = 0.1, beta: float = 0.9) -> None:
        super().__init__(learning_rate)
        self.beta = float(beta)
        self.velocity: list[np.ndarray] = []

    def step(self, network) -> None:
        """Обновляет скорости и параметры на месте."""
        pairs = list(parameters(network))
        if not self.velocity:
            self.velocity = [np.zeros_like(param) for param, _ in pairs]
        for (param, grad), v in zip(pairs, self.velocity, strict=True):
            v *= self.beta
            v += grad
            param -= self.learning_rate * v


class Adam(SGD):
    r"""Adam (Kingma & Ba, 2015): инерция плюс свой масштаб шага для каждого параметра.

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \\
        \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
        \theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \varepsilon}.

    Поправки :math:`1 - \beta^t` убирают смещение к нулю первых шагов, когда
    :math:`m` и :math:`v` ещё не накопились.

    Состояние: ``t`` — число сделанных шагов; ``m`` и ``v`` — списки моментов (по массиву на
    параметр в порядке ``W0, b0, W1, b1, ...``, в учебном смысле формул выше, без поправок);
    ``buffers`` — рабочие массивы тех же форм. До первого шага списки пусты.
    """

    name = "adam"

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.t = 0
        self.m: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.buffers: list[np.ndarray] = []

    def step(self, network) -> None:
        r"""Обновляет моменты и параметры на месте, в «быстрой» записи формул.

        Поправки на смещение перенесены в два числа (Kingma & Ba, 2015, разд. 2):

        .. math::

            \eta_t = \eta\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
            \hat\varepsilon_t = \varepsilon \sqrt{1 - \beta_2^t}, \qquad
            \theta \leftarrow \theta - \eta_t\, \frac{m}{\sqrt{v} + \hat\varepsilon_t},

        что алгебраически равно :math:`\eta\,\hat m / (\sqrt{\hat v} + \varepsilon)`.
        Массивы :math:`\hat m`, :math:`\hat v` не создаются, а промежуточные значения
        пишутся в один рабочий буфер на параметр (``out=``), так что шаг не выделяет память.
        """
        pairs = list(parameters(network))
        if not self.m:
            self.m = [np.zeros_like(param) for param, _ in pairs]
            self.v = [np.zeros_like(param) for param, _ in pairs]
            self.buffers = [np.empty_like(param) for param, _ in pairs]
        self.t += 1
        root = np.sqrt(1 - self.beta2**self.t)
        rate = self.learning_rate * root / (1 - self.beta1**self.t)
        eps = self.eps * root
        for (param, grad), m, v, work in zip(pairs, self.m, self.v, self.buffers, strict=True):
            m *= self.beta1  # m = β1 m + (1 - β1) g
            m += np.multiply(grad, 1 - self.beta1, out=work)
            v *= self.beta2  # v = β2 v + (1 - β2) g²
            np.multiply(grad, grad, out=work)
            work *= 1 - self.beta2
            v += work
            np.sqrt(v, out=work)  # θ = θ - η_t m / (√v + ε̂_t)
            work += eps
            np.divide(m, work, out=work)
            work *= rate
            param -= work


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam)}


def get_optimizer(optimizer: str | SGD, learning_rate: float | None = None) -> SGD:
    """Оптимизатор по имени (``"sgd"``, ``"momentum"``, ``"adam"``) или готовый объект."""
    if isinstance(optimizer, SGD):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"optimizer: неизвестный оптимизатор {optimizer!r}, известны: {sorted(OPTIMIZERS)}"
        )
    cls = OPTIMIZERS[optimizer]
    return cls() if learning_rate is None else cls(learning_rate)

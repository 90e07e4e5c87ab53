r"""Оптимизаторы: как по градиентам ``dW``, ``db`` слоёв сделать шаг.

Все оптимизаторы обновляют параметры сети **на месте** (``W -= ...``) и хранят своё
состояние (скорости, моменты) по одному массиву на параметр. Имена для ``fit``:
``"sgd"``, ``"momentum"``, ``"adam"``, ``"adamw"``.

Затухание весов (weight decay) с коэффициентом :math:`\lambda` (``weight_decay``)
применяется только к весам (``decayed_names`` слоя), не к смещениям. В ``SGD``,
``Momentum`` и ``Adam`` оно «связанное» (L2): к градиенту прибавляется
:math:`\lambda \theta` — градиент штрафа :math:`\tfrac{\lambda}{2}\lVert W\rVert^2`.
В :class:`AdamW` — «развязанное» (Loshchilov & Hutter, 2019): вес уменьшается
напрямую, мимо масштабов Adam.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ._checks import check_fraction, check_learning_rate, check_nonnegative, check_positive


def parameters(network) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Пары ``(параметр, его градиент)`` всех слоёв сети по порядку: ``(W, dW), (b, db)``.

    Слои находятся по протоколу слоя: параметры — ``parameter_names``, градиент параметра
    ``name`` — атрибут ``"d" + name``; у слоя без параметров (``Dropout``) пар нет.
    """
    for param, grad, _ in _triples(network):
        yield param, grad


def _triples(network) -> Iterator[tuple[np.ndarray, np.ndarray, bool]]:
    """Тройки ``(параметр, градиент, затухает ли)``: затухают имена из ``decayed_names``."""
    for layer in network.layers:
        names = getattr(layer, "parameter_names", ("W", "b"))
        decayed = getattr(layer, "decayed_names", ("W",))
        for name in names:
            if not hasattr(layer, "d" + name):
                raise RuntimeError("шаг оптимизатора до backward: у слоёв ещё нет градиентов")
            yield getattr(layer, name), getattr(layer, "d" + name), name in decayed


def check_state(optimizer: SGD, params: list[np.ndarray]) -> None:
    """Состояние оптимизатора (скорости, моменты) заведено для параметров именно этих форм.

    Один объект Momentum или Adam хранит по массиву на параметр одной сети; с сетью других
    форм его шаг был бы бессмыслицей, и вместо ошибки broadcasting'а — понятное сообщение.
    """
    shapes, expected = [param.shape for param in params], optimizer._state_shapes()
    if expected and shapes != expected:
        raise ValueError(
            f"{type(optimizer).__name__}: параметры сети имеют формы {shapes}, а состояние "
            f"заведено для {expected}; для другой сети нужен новый оптимизатор"
        )


class SGD:
    r"""Градиентный спуск: :math:`\theta \leftarrow \theta - \eta\, g`.

    С ``weight_decay`` :math:`= \lambda > 0` для весов :math:`g = \partial L/\partial W +
    \lambda W` (градиент потерь со штрафом :math:`\tfrac{\lambda}{2}\lVert W\rVert^2`),
    то есть шаг :math:`W \leftarrow (1 - \eta\lambda) W - \eta\, \partial L/\partial W`:
    сжатие весов в :math:`1 - \eta\lambda` раз плюс обычный шаг. Смещения не затухают.
    """

    name = "sgd"

    def __init__(self, learning_rate: float = 0.1, *, weight_decay: float = 0.0) -> None:
        self.learning_rate = check_learning_rate(learning_rate)
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")

    def __repr__(self) -> str:
        decay = f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return f"{type(self).__name__}(learning_rate={self.learning_rate}{decay})"

    def _gradients(self, network) -> list[tuple[np.ndarray, np.ndarray]]:
        r"""Пары ``(параметр, градиент)``; у весов к градиенту прибавлено :math:`\lambda W`."""
        return [
            (param, grad + self.weight_decay * param if decayed and self.weight_decay else grad)
            for param, grad, decayed in _triples(network)
        ]

    def _state_shapes(self) -> list[tuple[int, ...]]:
        return []  # у SGD нет состояния: подходит любой сети

    def step(self, network) -> None:
        """Сдвигает каждый параметр сети против его градиента."""
        for param, grad in self._gradients(network):
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

    def __init__(
        self, learning_rate: float = 0.1, beta: float = 0.9, *, weight_decay: float = 0.0
    ) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay)
        self.beta = check_fraction(beta, "beta")
        self.velocity: list[np.ndarray] = []

    def _state_shapes(self) -> list[tuple[int, ...]]:
        return [v.shape for v in self.velocity]

    def step(self, network) -> None:
        """Обновляет скорости и параметры на месте (``g`` — с затуханием, если оно задано)."""
        pairs = self._gradients(network)
        check_state(self, [param for param, _ in pairs])
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

    Состояние: ``t`` — число сделанных шагов; ``m`` и ``v`` — списки моментов (по массиву
    формы параметра в порядке ``W0, b0, W1, b1, ...``, в учебном смысле формул выше, без
    поправок). До первого шага списки пусты. Сами числа моментов лежат подряд в двух
    длинных векторах, а ``m[i]`` и ``v[i]`` — окна в них (см. :meth:`step`).
    """

    name = "adam"
    _coupled = True  # weight_decay как L2 в градиенте; AdamW — развязанное

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay)
        self.beta1, self.beta2 = check_fraction(beta1, "beta1"), check_fraction(beta2, "beta2")
        self.eps = check_positive(eps, "eps")
        self.t = 0
        self.m: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self._shapes: list[tuple[int, ...]] = []

    def _state_shapes(self) -> list[tuple[int, ...]]:
        return self._shapes

    def _allocate(self, params: list[np.ndarray]) -> None:
        """Заводит векторы моментов, градиента и буфера длиной в число всех параметров."""
        dtype = np.result_type(*params)
        sizes = [param.size for param in params]
        ends = np.cumsum(sizes)
        self._m, self._v, self._g, self._work = (np.zeros(ends[-1], dtype) for _ in range(4))

        def windows(flat: np.ndarray) -> list[np.ndarray]:
            pieces = zip(params, sizes, ends, strict=True)
            return [flat[end - size : end].reshape(param.shape) for param, size, end in pieces]

        self.m, self.v, self._updates = windows(self._m), windows(self._v), windows(self._work)
        self._grads = windows(self._g)
        self._shapes = [param.shape for param in params]

    def step(self, network) -> None:
        r"""Обновляет моменты и параметры на месте, в «быстрой» записи формул.

        Поправки на смещение перенесены в два числа (Kingma & Ba, 2015, разд. 2):

        .. math::

            \eta_t = \eta\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}, \qquad
            \hat\varepsilon_t = \varepsilon \sqrt{1 - \beta_2^t}, \qquad
            \theta \leftarrow \theta - \eta_t\, \frac{m}{\sqrt{v} + \hat\varepsilon_t},

        что алгебраически равно :math:`\eta\,\hat m / (\sqrt{\hat v} + \varepsilon)`.
        Градиенты всех слоёв сначала копируются в один вектор ``g``, и формулы считаются
        над длинными векторами ``m``, ``v``, ``g``: одиннадцать вызовов NumPy на шаг, сколько
        бы ни было слоёв. Промежуточные значения пишутся в рабочий буфер (``out=``), так что
        шаг не выделяет память; в конце из каждого параметра вычитается его окно буфера.
        """
        triples = list(_triples(network))
        params = [param for param, _, _ in triples]
        check_state(self, params)
        if not self._shapes:
            self._allocate(params)
        self.t += 1
        # math.sqrt, а не np.sqrt: скаляр np.float64 перевёл бы `work += eps` и
        # `work *= rate` над float32 во float64, а это в разы медленнее (глава 12)
        root = math.sqrt(1 - self.beta2**self.t)
        rate, eps = self.learning_rate * root / (1 - self.beta1**self.t), self.eps * root
        m, v, g, work = self._m, self._v, self._g, self._work
        np.concatenate([grad.reshape(-1) for _, grad, _ in triples], out=g)
        if self.weight_decay:
            self._decay(triples)  # затухание весов (глава 13)
        m *= self.beta1  # m = β1 m + (1 - β1) g
        m += np.multiply(g, 1 - self.beta1, out=work)
        v *= self.beta2  # v = β2 v + (1 - β2) g²
        np.multiply(g, g, out=work)
        work *= 1 - self.beta2
        v += work
        np.sqrt(v, out=work)  # шаг η_s m / (√v + ε̂_s) — в буфер
        work += eps
        np.divide(m, work, out=work)
        work *= rate
        for param, update in zip(params, self._updates, strict=True):
            param -= update  # θ = θ - шаг; update — окно буфера формы param

    def _decay(self, triples: list[tuple[np.ndarray, np.ndarray, bool]]) -> None:
        r"""Затухание весов: L2 в градиенте (``Adam``) или прямо в весах (``AdamW``).

        ``Adam``: :math:`g \leftarrow g + \lambda\theta` (в окне вектора ``g``), дальше шаг
        идёт как обычно. ``AdamW``: :math:`\theta \leftarrow \theta - \eta\lambda\theta`,
        мимо моментов :math:`m` и :math:`v`; шаг Adam по градиенту потерь — после.
        """
        decay = self.weight_decay
        for (param, _, decayed), grad in zip(triples, self._grads, strict=True):
            if not decayed:
                continue  # смещения не затухают
            if self._coupled:  # L2: g = g + λθ
                grad += np.multiply(param, decay, dtype=param.dtype)
            else:  # AdamW: θ = θ - ηλθ
                param -= np.multiply(param, self.learning_rate * decay, dtype=param.dtype)


class AdamW(Adam):
    r"""Adam с развязанным затуханием весов (Loshchilov & Hutter, 2019).

    .. math::

        \theta \leftarrow \theta - \eta \left( \frac{\hat m}{\sqrt{\hat v} + \varepsilon}
        + \lambda\,\theta \right),

    где :math:`\hat m`, :math:`\hat v` — моменты Adam по градиенту **одних потерь**. В
    ``Adam(weight_decay=λ)`` член :math:`\lambda\theta` попадает в градиент и делится на
    :math:`\sqrt{\hat v}`: веса с большими градиентами затухают слабее. Здесь все веса
    затухают одинаково, на :math:`\eta\lambda` своей величины за шаг (как в
    ``torch.optim.AdamW``; в статье :math:`\lambda` умножают только на множитель расписания
    :math:`\eta_t`, а не на базовую скорость :math:`\alpha`). По умолчанию
    ``weight_decay=0.01``, как в PyTorch; смещения не затухают.
    """

    name = "adamw"
    _coupled = False

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(learning_rate, beta1, beta2, eps, weight_decay=weight_decay)


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam, AdamW)}


def get_optimizer(optimizer: str | SGD, learning_rate: float | None = None) -> SGD:
    """Оптимизатор по имени (``"sgd"``, ``"momentum"``, ``"adam"``, ``"adamw"``) или объект.

    У готового объекта своя скорость обучения, поэтому ``learning_rate`` вместе с ним —
    ошибка (иначе она молча не действовала бы).
    """
    if isinstance(optimizer, SGD):
        if learning_rate is not None:
            name = type(optimizer).__name__
            raise ValueError(
                f"learning_rate: передан вместе с готовым оптимизатором {optimizer!r}, у "
                f"которого своя скорость; задайте её в нём самом: {name}({learning_rate}), "
                f"получено learning_rate={learning_rate}"
            )
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"optimizer: неизвестный оптимизатор {optimizer!r}, известны: {sorted(OPTIMIZERS)}"
        )
    cls = OPTIMIZERS[optimizer]
    return cls() if learning_rate is None else cls(learning_rate)

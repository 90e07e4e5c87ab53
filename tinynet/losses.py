r"""Функции потерь и их градиенты: MSE, бинарная и многоклассовая перекрёстная энтропия.

Соглашение: градиент функции потерь уже содержит множитель :math:`1/N` (или :math:`1/M`)
усреднения; слои суммируют градиенты по пакету и сами ничего не усредняют.

Перекрёстные энтропии принимают **логиты** — выход последнего слоя без активации
(``output_activation="identity"``): сигмоида или softmax применяются внутри потерь. Так
потери остаются конечными при любых логитах, а градиент по логитам получается простым
:math:`p - y` (вывод — в главе о классификации). Значения потерь считаются без вычитания
близких чисел и точны и при уверенных ответах. Булевы цели и метки понимаются как 0 и 1
(так же, как в :func:`~tinynet.metrics.accuracy`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_float_array, as_labels, checking_values
from .activations import sigmoid, softmax


def _pair(y_pred: ArrayLike, y_true: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true").astype(y_pred.dtype, copy=False)
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"y_true: ожидалась форма предсказаний {y_pred.shape}, получена {y_true.shape} "
            "(при разных формах NumPy молча применил бы транслирование)"
        )
    if y_pred.size == 0:
        raise ValueError("y_pred: пустой массив, ошибку усреднять не по чему")
    return y_pred, y_true


def mse_loss(y_pred: ArrayLike, y_true: ArrayLike) -> float:
    r"""MSE: :math:`L = \frac{1}{M} \sum_{k} (y_k - t_k)^2` по всем :math:`M` элементам.

    ``y_pred`` — выходы сети :math:`y`, ``y_true`` — цели :math:`t` той же формы.
    """
    y_pred, y_true = _pair(y_pred, y_true)
    return float(np.mean((y_pred - y_true) ** 2))


def mse_loss_grad(y_pred: ArrayLike, y_true: ArrayLike) -> np.ndarray:
    r"""Градиент MSE: :math:`\partial L / \partial y_k = \frac{2}{M} (y_k - t_k)`.

    Множитель :math:`1/M` усреднения живёт здесь; слои суммируют градиенты по пакету и
    сами ничего не усредняют.
    """
    y_pred, y_true = _pair(y_pred, y_true)
    return 2 * (y_pred - y_true) / y_pred.size


def _binary_targets(logits: ArrayLike, y_true: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    logits, y_true = _pair(logits, y_true)
    if checking_values() and np.any((y_true < 0) | (y_true > 1)):  # в fit цели уже проверены
        raise ValueError("y_true: ожидались цели из отрезка [0, 1] (обычно 0 или 1)")
    return logits, y_true


def bce_loss(logits: ArrayLike, y_true: ArrayLike) -> float:
    r"""Бинарная перекрёстная энтропия по логитам :math:`z`, :math:`p = \sigma(z)`.

    .. math::

        L = -\frac{1}{M} \sum_k \big[y_k \log p_k + (1 - y_k) \log(1 - p_k)\big]
          = \frac{1}{M} \sum_k \big[y_k\, s(-z_k) + (1 - y_k)\, s(z_k)\big],

    где :math:`s(t) = \log(1 + e^{t}) = \max(t, 0) + \log(1 + e^{-|t|})` (softplus). Правая
    запись не вычисляет :math:`\log 0` даже при :math:`p = 0` или 1, не переполняется и не
    теряет точности: все слагаемые неотрицательны, ничего не вычитается. Равная ей запись
    :math:`\log(1 + e^{z}) - y z` при уверенном верном ответе вычитала бы почти равные
    числа: при :math:`z = 25` относительная ошибка была бы около :math:`10^{-5}`, а с
    :math:`z \approx 37` потери обращались бы в ноль вместо :math:`e^{-z}`.
    """
    logits, y_true = _binary_targets(logits, y_true)
    tail = np.log1p(np.exp(-np.abs(logits)))  # log(1 + e^{-|z|}): общий хвост s(z) и s(-z)
    losses = y_true * np.maximum(-logits, 0) + (1 - y_true) * np.maximum(logits, 0) + tail
    return float(np.mean(losses))


def bce_loss_grad(logits: ArrayLike, y_true: ArrayLike) -> np.ndarray:
    r"""Градиент по логитам: :math:`\partial L/\partial z_k = (\sigma(z_k) - y_k) / M`."""
    logits, y_true = _binary_targets(logits, y_true)
    return (sigmoid(logits) - y_true) / logits.size


def _labels(logits: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    logits = as_float_array(logits, "logits")
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(f"logits: ожидалась непустая матрица (N, классы), получена {logits.shape}")
    labels = as_labels(labels, "labels")  # целые, булевы (False — 0, True — 1) или 1.0, 2.0
    if labels.shape != (logits.shape[0],):
        raise ValueError(
            f"labels: ожидался вектор из {logits.shape[0]} меток, получена форма {labels.shape}"
        )
    n_classes = logits.shape[1]
    if checking_values() and (labels.min() < 0 or labels.max() >= n_classes):  # в fit — уже
        raise ValueError(
            f"labels: ожидались метки 0..{n_classes - 1}, получены от {labels.min()} "
            f"до {labels.max()}"
        )
    return logits, labels


def softmax_cross_entropy(logits: ArrayLike, labels: ArrayLike) -> float:
    r"""Перекрёстная энтропия softmax по логитам ``(N, K)`` и целым меткам ``(N,)``.

    .. math::

        L = -\frac{1}{N} \sum_i \log p_{i, y_i}
          = \frac{1}{N} \sum_i \Big(\operatorname{logsumexp}(z_i) - z_{i, y_i}\Big),

    где :math:`\operatorname{logsumexp}(z) = m + \log \sum_k e^{z_k - m}`,
    :math:`m = \max_k z_k`: ни переполнения, ни :math:`\log 0`. Считает
    ``_cross_entropy_rows``, без вычитания близких чисел.
    """
    logits, labels = _labels(logits, labels)
    return float(np.mean(_cross_entropy_rows(logits, labels)[0]))


def _cross_entropy_rows(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Потери каждой строки и экспоненты :math:`e^{z_{ik} - m_i}` (для градиента).

    Из суммы под логарифмом вынесена единица — слагаемое самого большого логита
    :math:`k^*`, — и остаток :math:`S'_i = \sum_{k \ne k^*} e^{z_{ik} - m_i}` идёт в
    ``log1p``:

    .. math::

        -\log p_{i, y_i} = (m_i - z_{i, y_i}) + \log(1 + S'_i).

    Оба слагаемых неотрицательны, и при уверенном верном ответе (:math:`S'_i \approx
    10^{-20}`) потери — это :math:`S'_i`, а не ноль после округления :math:`\log(1 + S'_i)`.
    """
    rows, top = np.arange(len(labels)), logits.argmax(axis=1)
    m = logits[rows, top]
    exps = np.exp(logits - m[:, None])
    exps[rows, top] = 0.0  # e^0 = 1 — из суммы S' её вынесли
    others = exps.sum(axis=1)
    exps[rows, top] = 1.0
    return (m - logits[rows, labels]) + np.log1p(others), exps


def softmax_cross_entropy_grad(logits: ArrayLike, labels: ArrayLike) -> np.ndarray:
    r"""Градиент по логитам: :math:`\partial L/\partial z_{ik} = (p_{ik} - [k = y_i]) / N`."""
    logits, labels = _labels(logits, labels)
    grad = softmax(logits)
    grad[np.arange(len(labels)), labels] -= 1
    grad /= len(labels)
    return grad


def softmax_cross_entropy_and_grad(
    logits: ArrayLike, labels: ArrayLike
) -> tuple[float, np.ndarray]:
    r"""Потери и градиент вместе, с одной экспонентой на двоих (так их зовёт ``fit``).

    С :math:`s = z - \max_k z_k` и :math:`S_i = \sum_k e^{s_{ik}}`:
    :math:`L = \frac{1}{N}\sum_i (\log S_i - s_{i, y_i})` (без потери точности, как в
    ``_cross_entropy_rows``) и
    :math:`\partial L/\partial z_{ik} = (e^{s_{ik}}/S_i - [k = y_i]) / N` — те же числа,
    что у :func:`softmax_cross_entropy` и :func:`softmax_cross_entropy_grad` по отдельности.
    """
    logits, labels = _labels(logits, labels)
    n, rows = len(labels), np.arange(len(labels))
    losses, grad = _cross_entropy_rows(logits, labels)  # grad пока e^{s}, s = z - max z
    value = float(losses.sum()) / n
    total = grad.sum(axis=1, keepdims=True)
    grad *= 1 / (n * total)  # p / N: одно деление на строку вместо деления каждого элемента
    grad[rows, labels] -= 1 / n
    return value, grad


class Loss:
    """Функция потерь как объект: ``loss(output, target)`` и ``loss.grad(output, target)``."""

    name = "loss"
    classification = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __call__(self, output: ArrayLike, target: ArrayLike) -> float:
        """Значение потерь :math:`L` (среднее по пакету) для выхода сети и целей."""
        raise NotImplementedError

    def grad(self, output: ArrayLike, target: ArrayLike) -> np.ndarray:
        r"""Градиент :math:`\partial L/\partial\,\text{output}` формы ``output`` (уже с 1/N)."""
        raise NotImplementedError

    def value_and_grad(self, output: ArrayLike, target: ArrayLike) -> tuple[float, np.ndarray]:
        """Потери и их градиент за один вызов (``fit`` зовёт его на каждом пакете)."""
        return self(output, target), self.grad(output, target)


class MSE(Loss):
    """Среднеквадратичная ошибка (:func:`mse_loss`, :func:`mse_loss_grad`)."""

    name = "mse"

    def __call__(self, output: ArrayLike, target: ArrayLike) -> float:
        return mse_loss(output, target)

    def grad(self, output: ArrayLike, target: ArrayLike) -> np.ndarray:
        return mse_loss_grad(output, target)

    def value_and_grad(self, output: ArrayLike, target: ArrayLike) -> tuple[float, np.ndarray]:
        r"""Одна разность :math:`d = \hat y - y` на двоих: :math:`L = d \cdot d / M`,
        :math:`\partial L/\partial \hat y = 2d/M` (``np.vdot`` — скалярное произведение
        без временного массива квадратов)."""
        output, target = _pair(output, target)
        diff = output - target
        return float(np.vdot(diff, diff)) / diff.size, diff * (2 / diff.size)


class BinaryCrossEntropy(Loss):
    """Бинарная перекрёстная энтропия по логитам (:func:`bce_loss`); цели формы ``(N, 1)``."""

    name = "bce"
    classification = True

    def __call__(self, output: ArrayLike, target: ArrayLike) -> float:
        return bce_loss(output, target)

    def grad(self, output: ArrayLike, target: ArrayLike) -> np.ndarray:
        return bce_loss_grad(output, target)


class SoftmaxCrossEntropy(Loss):
    """Softmax и перекрёстная энтропия по логитам (:func:`softmax_cross_entropy`)."""

    name = "softmax_cross_entropy"
    classification = True

    def __call__(self, output: ArrayLike, target: ArrayLike) -> float:
        return softmax_cross_entropy(output, target)

    def grad(self, output: ArrayLike, target: ArrayLike) -> np.ndarray:
        return softmax_cross_entropy_grad(output, target)

    def value_and_grad(self, output: ArrayLike, target: ArrayLike) -> tuple[float, np.ndarray]:
        return softmax_cross_entropy_and_grad(output, target)


LOSSES: dict[str, Loss] = {
    cls.name: cls() for cls in (MSE, BinaryCrossEntropy, SoftmaxCrossEntropy)
}


def get_loss(loss: str | Loss) -> Loss:
    """Функция потерь по имени (``"mse"``, ``"bce"``, ``"softmax_cross_entropy"``) или объект."""
    if isinstance(loss, Loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"loss: неизвестная функция потерь {loss!r}, известны: {sorted(LOSSES)}")
    return LOSSES[loss]

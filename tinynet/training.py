r"""Цикл обучения: мини-пакеты, перемешивание, функция потерь, оптимизатор, история,
расписание скорости обучения и ранняя остановка."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import ArrayLike

from ._checks import (
    as_float_array,
    as_labels,
    check_matrix,
    check_parameters,
    check_positive_int,
)
from ._checks import check_number as _check_number
from ._random import RandomLike, make_rng
from .losses import MSE, BinaryCrossEntropy, Loss, SoftmaxCrossEntropy, get_loss
from .metrics import accuracy, predict
from .network import NeuralNetwork
from .optimizers import SGD, check_state, get_optimizer


def _check_network(network: object, loss: Loss) -> None:
    """Сеть — ``NeuralNetwork`` с конечными весами, и её выход подходит к функции потерь."""
    if not isinstance(network, NeuralNetwork):
        raise TypeError(f"network: ожидалась NeuralNetwork, получено {type(network).__name__}")
    for layer in network.layers:
        check_parameters(layer, layer.parameter_names)
    last, n_out = network.activations[-1], network.layer_sizes[-1]
    cross_entropy = isinstance(loss, (BinaryCrossEntropy, SoftmaxCrossEntropy))
    if cross_entropy and last in ("sigmoid", "softmax"):
        raise ValueError(
            f"loss: {loss.name!r} принимает логиты и сама применяет сигмоиду или softmax, а "
            f"последний слой сети уже применяет {last!r}: вышло бы {last}({last}(z)), и сеть "
            "училась бы не тому; создайте сеть с output_activation='identity'"
        )
    if isinstance(loss, BinaryCrossEntropy) and n_out != 1:
        raise ValueError(
            f"loss: 'bce' — для сети с одним выходом, а у сети их {n_out}; "
            "для нескольких классов — loss='softmax_cross_entropy'"
        )
    if isinstance(loss, SoftmaxCrossEntropy) and n_out < 2:
        raise ValueError(
            "loss: 'softmax_cross_entropy' — для сети хотя бы с двумя выходами (по логиту на "
            "класс), а у сети один; для двух классов с одним выходом — loss='bce'"
        )


def _check_targets(y: ArrayLike, loss: Loss, n_rows: int, n_out: int, name: str) -> np.ndarray:
    """Цели под потери: метки ``(N,)`` 0..K-1, цели BCE ``(N, 1)`` из 0 и 1, MSE ``(N, выходы)``."""
    y = as_labels(y, name) if isinstance(loss, SoftmaxCrossEntropy) else as_float_array(y, name)
    if y.shape[:1] != (n_rows,):
        got = len(y) if y.ndim else "число, а не массив"
        raise ValueError(f"{name}: ожидалось {n_rows} строк, как в X{name[1:]}, получено {got}")
    if isinstance(loss, SoftmaxCrossEntropy):
        if y.shape != (n_rows,) or y.min() < 0 or y.max() >= n_out:
            raise ValueError(
                f"{name}: ожидался вектор ({n_rows},) меток 0..{n_out - 1}, получена форма "
                f"{y.shape} с метками от {y.min()} до {y.max()}"
            )
    elif isinstance(loss, (MSE, BinaryCrossEntropy)) and y.shape != (n_rows, n_out):
        raise ValueError(
            f"{name}: ожидалась форма {(n_rows, n_out)}, как у выхода сети, получена {y.shape} "
            "(разные формы молча «размножились» бы broadcasting'ом)"
        )
    if isinstance(loss, BinaryCrossEntropy) and not np.all((y == 0) | (y == 1)):
        bad = y[(y != 0) & (y != 1)][0]
        raise ValueError(f"{name}: для loss='bce' цели — классы 0 или 1, получено {bad}")
    return y


def _check_data(
    network: NeuralNetwork, X: ArrayLike, y: ArrayLike, loss: Loss, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Проверяет и приводит данные к типу сети один раз, до первого шага."""
    X = _check_inputs(network, X, f"X{name}")
    n_out = network.layer_sizes[-1]
    y = _check_targets(y, loss, len(X), n_out, f"y{name}")
    if y.dtype.kind == "f":
        y = y.astype(network.dtype, copy=False)
    return X.astype(network.dtype, copy=False), y


def _check_inputs(network: NeuralNetwork, X: ArrayLike, name: str) -> np.ndarray:
    """Входы: матрица ``(N, n_0)`` или, у свёрточной сети, пакет ``(N, C, H, W)`` (глава 14)."""
    if network.takes_images:
        return network.check_input(X, name)
    X = check_matrix(X, name)
    n_in = network.layer_sizes[0]
    if X.shape[1] != n_in:
        raise ValueError(
            f"{name}: ожидалось {n_in} признаков (столько входов у сети), получено {X.shape[1]}"
        )
    return X


def _check_validation(validation_data: object) -> tuple[object, object]:
    """``validation_data`` — пара ``(X_val, y_val)``, а не один ``X_val``."""
    is_pair = isinstance(validation_data, (tuple, list)) and len(validation_data) == 2
    if not is_pair:
        shape = np.shape(validation_data) if isinstance(validation_data, np.ndarray) else ""
        raise TypeError(
            "validation_data: ожидалась пара (X_val, y_val), получено "
            f"{type(validation_data).__name__} {shape}".rstrip()
        )
    return validation_data[0], validation_data[1]


SCHEDULES = ("constant", "step", "cosine")


def schedule_factors(
    schedule: str | Callable[[int], float] | None, epochs: int, warmup: int = 0
) -> np.ndarray:
    r"""Множители скорости обучения :math:`\eta_e / \eta` по эпохам :math:`e = 0..E-1`.

    Разогрев (warm-up) на первых ``warmup`` :math:`= E_w` эпохах растит множитель линейно:
    :math:`(e + 1)/(E_w + 1)`. Дальше, на оставшихся :math:`E' = E - E_w` эпохах
    (:math:`j = e - E_w`), — расписание:

    - ``"constant"`` (или ``None``): :math:`1`;
    - ``"step"``: :math:`1`, после половины :math:`E'` — :math:`0.1`, после трёх четвертей —
      :math:`0.01`;
    - ``"cosine"``: :math:`\tfrac12\left(1 + \cos(\pi j / E')\right)` — от 1 плавно к нулю;
    - функция ``schedule(e)`` номера эпохи (с нуля), возвращающая множитель (на эпохах
      разогрева он ещё умножается на множитель разогрева).

    Все множители проверяются сразу: конечные числа больше нуля.
    """
    epochs = check_positive_int(epochs, "epochs")
    if isinstance(warmup, (bool, np.bool_)) or not isinstance(warmup, (int, np.integer)):
        raise TypeError(f"warmup: ожидалось целое число эпох, получено {warmup!r}")
    if not 0 <= warmup < epochs:
        raise ValueError(
            f"warmup: ожидалось целое от 0 до epochs - 1 = {epochs - 1}, получено {warmup}"
        )
    rest = epochs - warmup
    j = np.arange(rest)
    if callable(schedule):
        values = []
        for k in range(epochs):
            factor = _check_number(schedule(k), f"schedule({k})")
            if factor <= 0:
                raise ValueError(
                    f"schedule({k}): ожидался множитель больше нуля, получено {factor}"
                )
            values.append(factor)
        factors = np.array(values)
        factors[:warmup] *= (np.arange(warmup) + 1) / (warmup + 1)
        return factors
    if schedule is None or schedule == "constant":
        tail = np.ones(rest)
    elif schedule == "step":
        tail = 0.1 ** ((j >= rest // 2).astype(int) + (j >= (3 * rest) // 4).astype(int))
    elif schedule == "cosine":
        tail = 0.5 * (1 + np.cos(math.pi * j / rest))
    else:
        raise ValueError(
            f"schedule: неизвестное расписание {schedule!r}, известны: {list(SCHEDULES)} "
            "или функция номера эпохи"
        )
    return np.concatenate([(np.arange(warmup) + 1) / (warmup + 1), tail])


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(X))
    return X[order], y[order]


def _run_epoch(
    network: NeuralNetwork,
    X: np.ndarray,
    y: np.ndarray,
    loss: Loss,
    optimizer: SGD,
    size: int,
    shuffle: np.random.Generator | None,
) -> float:
    """Одна эпоха по уже проверенным данным; возвращает среднее потерь её пакетов."""
    # Одна перестановка на эпоху: пакеты — срезы (представления, без копий) переставленных
    # копий X и y, а не X[индексы] на каждом шаге.
    X_epoch, y_epoch = (X, y) if shuffle is None else _shuffled(X, y, shuffle)
    total = 0.0
    for start in range(0, len(X), size):
        X_batch, y_batch = X_epoch[start : start + size], y_epoch[start : start + size]
        output = network.forward(X_batch)
        value, grad = loss.value_and_grad(output, y_batch)
        total += value * len(X_batch)
        network.backward(grad, input_grad=False)
        optimizer.step(network)
    return total / len(X)


def fit(
    network: NeuralNetwork,
    X: ArrayLike,
    y: ArrayLike,
    *,
    epochs: int,
    learning_rate: float | None = None,
    loss: str | Loss = "mse",
    optimizer: str | SGD = "sgd",
    batch_size: int | None = None,
    rng: RandomLike = None,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    train_accuracy: bool = True,
    schedule: str | Callable[[int], float] | None = None,
    warmup: int = 0,
    patience: int | None = None,
) -> dict[str, np.ndarray]:
    r"""Обучает ``network`` на ``(X, y)`` и возвращает историю по эпохам.

    За эпоху примеры проходят пакетами по ``batch_size`` строк (``None`` — весь набор
    одним пакетом, ``1`` — по одному примеру). Для каждого пакета: прямой проход, потери
    :math:`L`, градиент :math:`\partial L/\partial Y`, обратный проход и шаг
    оптимизатора (``"sgd"``: :math:`\theta \leftarrow \theta - \eta\,\partial L/\partial\theta`;
    ``"momentum"``, ``"adam"`` — см. :mod:`tinynet.optimizers`). ``learning_rate`` —
    :math:`\eta` для оптимизатора, заданного именем (``None`` — его значение по умолчанию).

    Если передан ``rng``, порядок примеров перемешивается в каждой эпохе; без него примеры
    идут по порядку. ``loss`` — ``"mse"`` (цели ``(N, выходы)``), ``"bce"`` (цели
    ``(N, 1)`` из 0 и 1, сеть с одним выходом) или ``"softmax_cross_entropy"`` (целые
    метки ``(N,)``, по выходу на класс); булевы метки — это классы 0 и 1. Перекрёстные
    энтропии ждут логитов: сеть, последний слой которой уже применяет ``"sigmoid"`` или
    ``"softmax"``, ``fit`` не примет (иначе сигмоида применилась бы дважды).

    Всё, что можно проверить, проверяется до первого шага: данные и цели (в сообщениях —
    имена ``X``, ``y``, ``X_val``, ``y_val``), веса сети, ``validation_data`` и
    состояние оптимизатора; ошибка не оставит сеть наполовину обученной. Готовый объект
    оптимизатора несёт свою скорость обучения, и ``learning_rate`` вместе с ним — ошибка.

    Возвращает словарь массивов длины ``epochs``: ``"loss"`` — среднее потерь пакетов,
    посчитанных *до* шага на каждом пакете; для классификации ещё ``"accuracy"`` на всей
    обучающей выборке после эпохи (``train_accuracy=False`` её не считает: это лишний
    прямой проход по всем данным); с ``validation_data=(X_val, y_val)`` — ``"val_loss"`` и
    (для классификации) ``"val_accuracy"``.

    Данные приводятся к типу чисел сети (``network.dtype``) один раз: сеть ``float32``
    обучается целиком во ``float32``. Градиент по входу сети не считается
    (``backward(..., input_grad=False)``), потери и их градиент дают один вызов
    ``loss.value_and_grad``.

    Режимы: эпохи идут в режиме обучения (``network.train()``: прореживание работает, и
    ``"loss"`` — потери с ним), а точность и валидация — в режиме оценки; после ``fit``
    у слоёв тот режим, что был до него.

    ``schedule`` и ``warmup`` — расписание скорости: на эпохе :math:`e` шаг делается со
    скоростью :math:`\eta_e = \eta \cdot` множитель из :func:`schedule_factors`
    (``"constant"``, ``"step"``, ``"cosine"`` или функция номера эпохи); история получает
    ``"learning_rate"`` по эпохам, а после ``fit`` у оптимизатора прежняя скорость.

    ``patience`` :math:`= P` — ранняя остановка (нужна ``validation_data``): если
    ``val_loss`` не становится меньше лучшего значения :math:`P` эпох подряд, обучение
    останавливается, и в сеть возвращаются веса эпохи с наименьшим ``val_loss``. Массивы
    истории тогда короче ``epochs`` (номер лучшей эпохи — ``argmin(history["val_loss"])``).

    Если обучение расходится (шаг слишком велик, и веса растут до переполнения), ``fit``
    останавливается на первой же операции с переполнением или NaN и бросает
    ``FloatingPointError`` с номером эпохи и текущей скоростью обучения.
    """
    loss_fn = get_loss(loss)
    _check_network(network, loss_fn)
    step = get_optimizer(optimizer, learning_rate)
    check_state(step, [param for _, param in network.parameters()])
    X, y = _check_data(network, X, y, loss_fn, "")
    validation = (
        None
        if validation_data is None
        else _check_data(network, *_check_validation(validation_data), loss_fn, "_val")
    )
    epochs = check_positive_int(epochs, "epochs")
    size = len(X) if batch_size is None else check_positive_int(batch_size, "batch_size")
    shuffle = None if rng is None else make_rng(rng)
    rates = (step.learning_rate * schedule_factors(schedule, epochs, warmup)).tolist()  # гл. 13

    metrics = ["accuracy"] if loss_fn.classification else []
    keys = ["loss"] + (metrics if train_accuracy else [])
    keys += [] if validation is None else ["val_" + key for key in ["loss", *metrics]]
    history = {key: np.empty(epochs) for key in keys}
    stopper = _EarlyStopping(patience, "val_loss" in history)  # ранняя остановка, глава 13
    # Переполнение или NaN посреди обучения — не данные (они проверены выше), а расходимость.
    with np.errstate(over="raise", invalid="raise", divide="raise"), _restored(network, step):
        for epoch in range(epochs):
            step.learning_rate = rates[epoch]  # расписание скорости, глава 13
            try:
                network.train()  # режим обучения (глава 13): прореживание работает
                history["loss"][epoch] = _run_epoch(network, X, y, loss_fn, step, size, shuffle)
                network.eval()  # точность и валидация — в режиме оценки
                if "accuracy" in history:
                    history["accuracy"][epoch] = accuracy(y, predict(network, X))
                if validation is not None:
                    X_val, y_val = validation
                    output = network.forward(X_val, cache=False)
                    history["val_loss"][epoch] = loss_fn(output, y_val)
                    if loss_fn.classification:
                        history["val_accuracy"][epoch] = accuracy(y_val, predict(network, X_val))
            except FloatingPointError as error:
                raise FloatingPointError(
                    f"fit: обучение разошлось на эпохе {epoch + 1} ({error}): веса выросли до "
                    f"переполнения; уменьшите learning_rate (сейчас {step.learning_rate})"
                ) from error
            if stopper.should_stop(network, history, epoch):
                break
    history = stopper.finish(network, history, rates, schedule is not None or warmup != 0)
    return history


@contextmanager
def _restored(network: NeuralNetwork, optimizer: SGD) -> Iterator[None]:
    """После ``fit`` (и после ошибки в нём) — прежние режимы слоёв и скорость оптимизатора."""
    rate, modes = optimizer.learning_rate, [layer.training for layer in network.layers]
    try:
        yield
    finally:
        optimizer.learning_rate = rate
        for layer, mode in zip(network.layers, modes, strict=True):
            layer.training = mode


class _EarlyStopping:
    """Ранняя остановка по ``val_loss`` с терпением ``patience`` (``None`` — без неё)."""

    def __init__(self, patience: int | None, validated: bool) -> None:
        if patience is not None:
            patience = check_positive_int(patience, "patience")
            if not validated:
                raise ValueError(
                    f"patience: ранняя остановка (patience={patience}) следит за val_loss и "
                    "требует validation_data=(X_val, y_val)"
                )
        self.patience, self.best_loss, self.best, self.waited = patience, math.inf, None, 0
        self.epochs: int | None = None

    def should_stop(self, network: NeuralNetwork, history: dict, epoch: int) -> bool:
        """Запоминает веса лучшей эпохи; ``True``, если ``patience`` эпох подряд не лучше."""
        self.epochs = epoch + 1
        if self.patience is None:
            return False
        if history["val_loss"][epoch] < self.best_loss:
            self.best_loss, self.waited = history["val_loss"][epoch], 0
            self.best = [param.copy() for _, param in network.parameters()]
            return False
        self.waited += 1
        return self.waited >= self.patience

    def finish(
        self, network: NeuralNetwork, history: dict, rates: np.ndarray, scheduled: bool
    ) -> dict[str, np.ndarray]:
        """Возвращает в сеть лучшие веса и обрезает историю до сделанных эпох."""
        if self.best is not None:
            network.set_parameters(self.best)
        done = self.epochs
        result = {key: values[:done] for key, values in history.items()}
        if scheduled:
            result["learning_rate"] = np.asarray(rates[:done], dtype=np.float64)
        return result

r"""Численная проверка градиентов центральными разностями."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import all_finite, as_float_array


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    r"""Градиент :math:`\partial f/\partial x` центральными разностями.

    .. math::

        \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}.

    ``f`` не принимает аргументов и читает ``x`` сам: каждый элемент ``x`` по очереди
    сдвигается **на месте** на :math:`\pm\varepsilon` и возвращается обратно. Так можно
    проверять градиент по параметрам, которые лежат внутри объекта (``layer.W``).
    Ошибка формулы — :math:`O(\varepsilon^2)`.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x: ожидался массив NumPy с плавающей точкой, получено {type(x)}")
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f()
        x[index] = saved - eps
        f_minus = f()
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r"""Относительная ошибка двух градиентов одной формы.

    .. math::

        \frac{\max_i |a_i - b_i|}{\max\left(\max_i |a_i| + \max_i |b_i|,\ 10^{-12}\right)}

    Не зависит от масштаба градиента: :math:`10^{-7}` и меньше означает совпадение
    аналитического и численного градиентов, :math:`10^{-2}` и больше — ошибку в формуле.
    NaN или бесконечность в ``a`` или ``b`` — ``ValueError``: ответ NaN молча прошёл бы
    проверку вида ``max(errors) < tol`` (``max`` со значением NaN непредсказуем).
    """
    a = as_float_array(a, "a").astype(np.float64, copy=False)
    b = as_float_array(b, "b").astype(np.float64, copy=False)
    if a.shape != b.shape:
        raise ValueError(f"b: ожидалась форма {a.shape}, получена {b.shape}")
    scale = max(float(np.max(np.abs(a), initial=0) + np.max(np.abs(b), initial=0)), 1e-12)
    return float(np.max(np.abs(a - b), initial=0) / scale)


def _compare(name: str, analytic: np.ndarray, numeric: np.ndarray) -> float:
    """:func:`relative_error` с понятной ошибкой, если градиент не конечен."""
    for kind, grad in (("аналитический", analytic), ("численный", numeric)):
        if grad is None or not all_finite(np.asarray(grad, dtype=np.float64)):
            raise ValueError(
                f"model: {kind} градиент по {name} содержит NaN или бесконечность "
                f"(или его нет: {type(grad).__name__}) — такую проверку нельзя считать пройденной"
            )
    return relative_error(analytic, numeric)


def _names(layer) -> tuple[str, ...]:
    return getattr(layer, "parameter_names", ("W", "b"))  # протокол слоя (tinynet.layer)


def _named_parameters(model) -> list[tuple[str, np.ndarray]]:
    if hasattr(model, "layers"):
        return [
            (f"{name}{i}", getattr(layer, name))
            for i, layer in enumerate(model.layers)
            for name in _names(layer)
        ]
    return [(name, getattr(model, name)) for name in _names(model)]


def _analytic_gradients(model) -> list[np.ndarray]:
    layers = model.layers if hasattr(model, "layers") else [model]
    return [getattr(layer, "d" + name) for layer in layers for name in _names(layer)]


def gradcheck(
    model,
    X: np.ndarray,
    y: np.ndarray | None = None,
    *,
    loss=None,
    eps: float = 1e-6,
    rng: np.random.Generator | int | None = 0,
) -> dict[str, float]:
    r"""Сверяет аналитические градиенты с центральными разностями; возвращает ошибки.

    ``model`` — слой или сеть (всё, у чего есть ``forward`` и ``backward``) либо функция
    потерь (объект :class:`~tinynet.losses.Loss` или имя). Для слоя и сети проверяемая
    скалярная функция — ``loss(model.forward(X), y)``, а без ``loss`` —
    :math:`L = \sum G \odot \text{model.forward}(X)` со случайной фиксированной :math:`G`
    (тогда :math:`\partial L/\partial Y = G`). Для функции потерь ``X`` — её вход
    (выход сети), ``y`` — цели.

    Возвращает словарь :func:`relative_error` по каждому параметру (``W0``, ``b0``, … для
    сети, ``W``, ``b`` для слоя) и по входу (``X``). Меньше :math:`10^{-6}` — градиенты
    совпадают; ошибка в обратном проходе даёт :math:`10^{-2}` и больше. Вход переводится во
    ``float64``; модель с параметрами другого типа (``dtype=np.float32``) — ``TypeError``:
    её слои привели бы вход обратно к ``float32``, и проверка давала бы ложные тревоги.
    Градиент с NaN или бесконечностью (аналитический или численный) — ``ValueError``, а не
    ошибка NaN, которую сравнение ``< tol`` пропустило бы.
    """
    from .losses import Loss, get_loss

    X = np.array(X, dtype=np.float64)
    if isinstance(model, (Loss, str)):
        loss_fn = get_loss(model)
        numeric = numerical_gradient(lambda: loss_fn(X, y), X, eps)
        return {"X": _compare("X", loss_fn.grad(X, y), numeric)}

    if loss is None:
        G = np.random.default_rng(rng).standard_normal(np.shape(model.forward(X)))

        def objective() -> float:
            return float(np.sum(G * model.forward(X)))

        def upstream(output: np.ndarray) -> np.ndarray:
            return G
    else:
        loss_fn = get_loss(loss)

        def objective() -> float:
            return loss_fn(model.forward(X), y)

        def upstream(output: np.ndarray) -> np.ndarray:
            return loss_fn.grad(output, y)

    low = [name for name, param in _named_parameters(model) if param.dtype != np.float64]
    if low:
        raise TypeError(
            f"model: проверка градиентов имеет смысл только во float64, а параметры {low} "
            "другого типа (в float32 даже верный градиент даёт ошибку около 1e-2); "
            "создайте модель с dtype=np.float64"
        )
    dX = model.backward(upstream(model.forward(X)))
    analytic = [grad.copy() for grad in _analytic_gradients(model)]
    errors = {
        name: _compare(name, grad, numerical_gradient(objective, param, eps))
        for (name, param), grad in zip(_named_parameters(model), analytic, strict=True)
    }
    errors["X"] = _compare("X", dX, numerical_gradient(objective, X, eps))
    return errors

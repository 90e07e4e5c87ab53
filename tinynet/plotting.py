"""Графики, которые строят главы: кривые обучения, границы решений, матрица ошибок, цифры,
ядра и карты признаков свёртки.

Каждая функция рисует на переданных осях ``ax`` (или создаёт новые) и возвращает их;
``plt.show()`` вызывает глава. matplotlib импортируется только здесь.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def _axes(ax, figsize: tuple[float, float]):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_history(history: Mapping[str, np.ndarray], key: str = "loss", ax=None, label: str = ""):
    """Кривая ``history[key]`` по эпохам; если есть ``val_<key>`` — и она, пунктиром."""
    ax = _axes(ax, (7, 3.5))
    epochs = np.arange(1, len(history[key]) + 1)
    prefix = f"{label}: " if label else ""
    (line,) = ax.plot(epochs, history[key], label=f"{prefix}обучение")
    if f"val_{key}" in history:
        ax.plot(
            epochs,
            history[f"val_{key}"],
            ls="--",
            color=line.get_color(),
            label=f"{prefix}валидация",
        )
    ax.set_xlabel("эпоха")
    ax.set_ylabel({"loss": "потери", "accuracy": "доля верных ответов"}.get(key, key))
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def plot_decision_boundary(network, X: np.ndarray, y: np.ndarray, ax=None, resolution: int = 300):
    """Области классов, которые сеть назначает точкам плоскости, и сами точки ``X``."""
    from .metrics import predict

    ax = _axes(ax, (5.5, 4.5))
    margin = 0.25 * (X.max(axis=0) - X.min(axis=0))
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    g1, g2 = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    classes = predict(network, np.column_stack([g1.ravel(), g2.ravel()])).reshape(g1.shape)
    labels = np.asarray(y).reshape(-1).astype(int)
    n_classes = int(max(labels.max(), classes.max())) + 1
    cmap = "tab10" if n_classes > 2 else "coolwarm"
    ax.contourf(
        g1,
        g2,
        classes,
        levels=np.arange(n_classes + 1) - 0.5,
        cmap=cmap,
        alpha=0.3,
        vmin=-0.5,
        vmax=(9.5 if n_classes > 2 else 1.5),
    )
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=labels,
        cmap=cmap,
        vmin=-0.5,
        vmax=(9.5 if n_classes > 2 else 1.5),
        s=18,
        edgecolors="black",
        linewidths=0.4,
    )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_confusion_matrix(matrix: np.ndarray, ax=None):
    """Матрица ошибок с числами в клетках: строка — верный класс, столбец — ответ сети."""
    ax = _axes(ax, (5.5, 5))
    image = ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        color = "white" if count > matrix.max() / 2 else "black"
        ax.text(j, i, str(count), ha="center", va="center", color=color, fontsize=8)
    ticks = np.arange(matrix.shape[0])
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("ответ сети")
    ax.set_ylabel("верный класс")
    ax.figure.colorbar(image, ax=ax, label="число примеров")
    return ax


def plot_digits(
    images: np.ndarray,
    labels: np.ndarray,
    predictions: np.ndarray | None = None,
    n_columns: int = 8,
):
    """Сетка картинок 8×8 с подписями «верный → ответ сети»; возвращает фигуру."""
    import matplotlib.pyplot as plt

    images = np.asarray(images).reshape(len(images), 8, 8)
    n_rows = max(1, -(-len(images) // n_columns))
    fig, axes = plt.subplots(
        n_rows, n_columns, figsize=(1.2 * n_columns, 1.4 * n_rows), squeeze=False
    )
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap="gray_r")
            title = str(labels[k]) if predictions is None else f"{labels[k]} → {predictions[k]}"
            ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_weight_images(W: np.ndarray, n_columns: int = 8, n_images: int | None = None, title=""):
    """Столбцы ``W`` формы ``(64, n)`` — веса нейронов первого слоя — картинками 8×8.

    Цвет — знак и величина веса (красный — положительный, синий — отрицательный, общая
    шкала на все картинки, ноль — белый): видно, на какие пиксели цифры нейрон «смотрит».
    ``n_images`` — сколько первых нейронов нарисовать (``None`` — все). Возвращает фигуру.
    """
    import matplotlib.pyplot as plt

    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != 64:
        raise ValueError(f"W: ожидалась матрица (64, n) весов первого слоя, получена {W.shape}")
    count = W.shape[1] if n_images is None else min(int(n_images), W.shape[1])
    n_rows = max(1, -(-count // n_columns))
    fig, axes = plt.subplots(
        n_rows, n_columns, figsize=(1.0 * n_columns, 1.0 * n_rows + 0.4), squeeze=False
    )
    scale = float(np.abs(W[:, :count]).max()) or 1.0
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < count:
            ax.imshow(W[:, k].reshape(8, 8), cmap="RdBu_r", vmin=-scale, vmax=scale)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_maps(
    maps: np.ndarray,
    titles: list[str] | None = None,
    n_columns: int = 8,
    title: str = "",
    signed: bool = True,
):
    """Двумерные массивы ``maps`` формы ``(n, h, w)`` — картинками в сетке; возвращает фигуру.

    Так рисуют ядра свёрточного слоя (``conv.W[:, 0]`` — ``(D_out, Q, Q)``) и карты
    признаков одного примера (``conv.forward(x)[0]``). ``signed=True``: цвет — знак и
    величина (красный — плюс, синий — минус, ноль — белый, общая шкала на все картинки);
    ``signed=False``: оттенки серого от общего минимума до общего максимума (например,
    выходы ReLU). ``titles`` — подпись над каждой картинкой.
    """
    import matplotlib.pyplot as plt

    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3 or 0 in maps.shape:
        raise ValueError(
            f"maps: ожидался непустой массив картинок (n, h, w), получена форма {maps.shape}"
        )
    if titles is not None and len(titles) != len(maps):
        raise ValueError(
            f"titles: нужна подпись к каждой картинке ({len(maps)}), получено {len(titles)}"
        )
    columns = max(1, min(int(n_columns), len(maps)))
    n_rows = -(-len(maps) // columns)
    fig, axes = plt.subplots(
        n_rows, columns, figsize=(1.1 * columns, 1.1 * n_rows + 0.5), squeeze=False
    )
    if signed:
        scale = float(np.abs(maps).max()) or 1.0
        options = {"cmap": "RdBu_r", "vmin": -scale, "vmax": scale}
    else:
        low, high = float(maps.min()), float(maps.max())
        options = {"cmap": "gray_r", "vmin": low, "vmax": high if high > low else low + 1.0}
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(maps):
            ax.imshow(maps[k], **options)
            if titles is not None:
                ax.set_title(titles[k], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def animate_decision_boundary(
    network,
    snapshots: list,
    X: np.ndarray,
    y: np.ndarray,
    titles: list[str] | None = None,
    resolution: int = 80,
    interval: int = 250,
):
    """Анимация границы решений: кадр ``k`` — сеть с параметрами ``snapshots[k]``.

    ``snapshots`` — список списков массивов в порядке ``network.parameters()`` (например,
    копии, снятые после каждых нескольких эпох). Области классов рисуются по сетке
    ``resolution × resolution`` точек. Возвращает ``matplotlib.animation.FuncAnimation``;
    ``animation.to_jshtml()`` даёт самодостаточный HTML с JavaScript-плеером (кадры — PNG
    внутри страницы, без сервера и CDN). Параметры сети в конце — последнего кадра.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    from .metrics import predict

    if not snapshots:
        raise ValueError("snapshots: нужен хотя бы один кадр (список параметров сети)")
    X = np.asarray(X)
    labels = np.asarray(y).reshape(-1).astype(int)
    margin = 0.25 * (X.max(axis=0) - X.min(axis=0))
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    g1, g2 = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    n_classes = int(labels.max()) + 1
    cmap = "tab10" if n_classes > 2 else "coolwarm"
    top = 9.5 if n_classes > 2 else 1.5

    def classes(snapshot) -> np.ndarray:
        network.set_parameters(snapshot)
        return predict(network, grid).reshape(g1.shape)

    fig, ax = plt.subplots(figsize=(4.5, 3.8))
    extent = (low[0], high[0], low[1], high[1])
    image = ax.imshow(
        classes(snapshots[0]),
        origin="lower",
        extent=extent,
        cmap=cmap,
        vmin=-0.5,
        vmax=top,
        alpha=0.35,
        aspect="auto",
        interpolation="nearest",
    )
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=labels,
        cmap=cmap,
        vmin=-0.5,
        vmax=top,
        s=12,
        edgecolors="black",
        linewidths=0.3,
    )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    heading = ax.set_title(titles[0] if titles else "")
    fig.tight_layout()

    def draw(k: int):
        image.set_data(classes(snapshots[k]))
        if titles:
            heading.set_text(titles[k])
        return (image, heading)

    animation = FuncAnimation(fig, draw, frames=len(snapshots), interval=interval, blit=False)
    plt.close(fig)  # в блокноте показывается анимация, а не лишний статичный кадр
    return animation


# Кнопки плеера matplotlib: английская подпись → (русская подпись, значок). Значки — символы
# Юникода: иконки Font Awesome плеер грузит с чужого сайта (CDN), а книга работает без сети.
_PLAYER_BUTTONS = {
    "Decrease speed": ("Медленнее", "−"),
    "First frame": ("Первый кадр", "«"),
    "Previous frame": ("Предыдущий кадр", "‹"),
    "Play backwards": ("Играть назад", "◀"),
    "Pause": ("Пауза", "❚❚"),
    "Play": ("Играть", "▶"),
    "Next frame": ("Следующий кадр", "›"),
    "Last frame": ("Последний кадр", "»"),
    "Increase speed": ("Быстрее", "+"),
}
_PLAYER_WORDS = {
    "Repetition mode": "Повтор",
    ">Once<": ">Один раз<",
    ">Loop<": ">По кругу<",
    ">Reflect<": ">Туда и обратно<",
}


def animation_html(animation, name: str, fps: int = 4, *, alt: str) -> str:
    """Самодостаточный HTML-плеер анимации (``to_jshtml``) с постоянным именем ``name``.

    matplotlib даёт плееру случайный идентификатор (``uuid4``); здесь он заменяется на
    ``name`` (латинские буквы и цифры), чтобы страница и блокнот при каждом запуске получали
    один и тот же текст. Плеер показывает кадры один раз (``default_mode="once"``). ``alt`` —
    описание того, что показывает анимация (атрибут ``alt`` кадра, его читает экранный
    диктор). Подписи кнопок — русские, значки — символы вместо иконок с чужого сайта, так
    что плеер работает без сети.
    """
    import html as html_module
    import re

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", str(name)):
        raise ValueError(f"name: ожидались латинские буквы и цифры, получено {name!r}")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt: ожидалось непустое описание анимации, получено {alt!r}")
    html = animation.to_jshtml(fps=fps, default_mode="once")
    found = re.search(r'<img id="_anim_img([0-9a-f]{32})"', html)
    if found is None:
        raise RuntimeError("animation_html: в плеере matplotlib не найден кадр <img id=...>")
    html = html.replace(found.group(1), name)
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">\s*', "", html)
    for english, (russian, symbol) in _PLAYER_BUTTONS.items():
        button = (
            rf'(<button title=)"{english}" aria-label="{english}"([^>]*>)'
            r'\s*<i class="fa [^"]*"></i>'
        )
        html = re.sub(
            button,
            rf'\1"{russian}" aria-label="{russian}"\2<span aria-hidden="true">{symbol}</span>',
            html,
        )
    for english, russian in _PLAYER_WORDS.items():
        html = html.replace(english, russian)
    html = html.replace(
        f'<input id="_anim_slider{name}"', f'<input id="_anim_slider{name}" aria-label="Кадр"', 1
    )
    described = f'<img id="_anim_img{name}" alt="{html_module.escape(alt)}"'
    return html.replace(f'<img id="_anim_img{name}"', described, 1)

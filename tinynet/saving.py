"""Сохранение обученной сети в ``.npz`` и загрузка обратно.

Файл содержит только числовые массивы и строки (``allow_pickle=False`` при чтении): размеры
слоёв, имена активаций, версию формата и параметры ``W0, b0, W1, b1, ...``.

Версия 2 (пишет :func:`save`) добавляет виды слоёв ``kinds`` (``"dense"`` или
``"dropout"``, по слою сети) и доли прореживания ``rates`` (0 у полносвязного слоя);
номер в ``W{i}``, ``b{i}`` — индекс слоя в ``network.layers``, а ``layer_sizes`` и
``activations`` — по полносвязным слоям, как в версии 1. Файлы версии 1 (только
полносвязные слои) :func:`load` читает по-прежнему.

Версия 3 (её :func:`save` пишет, когда в сети есть слои над изображениями; сеть из
полносвязных слоёв и прореживаний по-прежнему пишется версией 2) добавляет виды
``"conv"`` (:class:`~tinynet.conv.Conv2D`), ``"maxpool"``
(:class:`~tinynet.pooling.MaxPool2D`) и ``"flatten"`` (:class:`~tinynet.pooling.Flatten`)
и два поля по слою сети: ``settings`` — целые ``(число слоёв, 5)``, строка слоя
``[in_channels, out_channels, kernel_size или pool_size, stride, padding]`` (нули, где
не нужно), и ``conv_activations`` — имя активации свёрточного слоя (``""`` у остальных).
Ядра ``W{i}`` формы ``(out_channels, in_channels, k, k)`` и смещения ``b{i}`` лежат под
номером слоя, как у полносвязных. Запись атомарна:
сначала во временный файл рядом, затем переименование, поэтому прерванное сохранение не
портит прежний файл.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .conv import Conv2D
from .dropout import Dropout
from .layer import Layer
from .network import NeuralNetwork
from .pooling import Flatten, MaxPool2D

FORMAT_VERSION = 3
KINDS = {
    "dense": Layer,
    "dropout": Dropout,
    "conv": Conv2D,
    "maxpool": MaxPool2D,
    "flatten": Flatten,
}
KINDS_V2 = ("dense", "dropout")  # виды слоёв, которые описывает версия 2


def _settings(layer: object) -> list[int]:
    """Строка ``settings`` версии 3: ``[in, out, kernel/pool, stride, padding]``."""
    if isinstance(layer, Conv2D):
        return [
            layer.in_channels,
            layer.out_channels,
            layer.kernel_size,
            layer.stride,
            layer.padding,
        ]
    if isinstance(layer, MaxPool2D):
        return [0, 0, layer.pool_size, layer.stride, 0]
    return [0, 0, 0, 0, 0]


def save(network: NeuralNetwork, path: str | os.PathLike) -> Path:
    """Сохраняет архитектуру и параметры сети в ``path`` (расширение ``.npz``).

    Папка файла должна существовать: ``save`` её не создаёт.
    """
    if not isinstance(network, NeuralNetwork):
        raise TypeError(f"network: ожидалась NeuralNetwork, получено {type(network).__name__}")
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"path: ожидался файл с расширением .npz, получено {str(path)!r}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"path: папки {str(path.parent)!r} нет; создайте её до save")
    arrays = {
        "format_version": np.array(2),
        "layer_sizes": np.array(network.layer_sizes, dtype=np.int64),
        "activations": np.array(network.activations),
    }
    kinds = []
    for i, layer in enumerate(network.layers):
        kind = next((k for k, cls in KINDS.items() if type(layer) is cls), None)
        if kind is None:
            raise TypeError(
                f"network: слой {i} вида {type(layer).__name__} не умеет сохраняться; "
                f"формат знает {sorted(KINDS)}"
            )
        kinds.append(kind)
        for name in layer.parameter_names:
            arrays[f"{name}{i}"] = getattr(layer, name)
    arrays["kinds"] = np.array(kinds)
    arrays["rates"] = np.array([getattr(layer, "rate", 0.0) for layer in network.layers])
    if set(kinds) - set(KINDS_V2):  # слои над изображениями — версия 3
        arrays["format_version"] = np.array(FORMAT_VERSION)
        arrays["settings"] = np.array([_settings(layer) for layer in network.layers], np.int64)
        arrays["conv_activations"] = np.array(
            [
                layer.activation.name if kind == "conv" else ""
                for layer, kind in zip(network.layers, kinds, strict=True)
            ]
        )
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise FileNotFoundError(f"path: файл {str(path)!r} не найден")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"path: {str(path)!r} — не файл .npz или он повреждён")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except ValueError as error:  # массив объектов требует pickle
        raise ValueError(f"path: {str(path)!r} содержит объекты Python, а не массивы") from error
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"path: {str(path)!r} — не файл .npz или он повреждён") from error


def _image_layer(kind: str, row: np.ndarray, activation: str, dtype: np.dtype, i: int) -> object:
    """Слой над изображениями по строке ``settings``; веса свёртки сейчас же заменятся."""
    c_in, c_out, size, stride, padding = (int(value) for value in row)
    try:
        if kind == "conv":
            return Conv2D(
                c_in,
                c_out,
                size,
                stride=stride,
                padding=padding,
                activation=activation,
                rng=0,
                dtype=dtype,
            )
        return MaxPool2D(size, stride=stride) if kind == "maxpool" else Flatten()
    except (TypeError, ValueError) as error:
        raise ValueError(f"path: слой {i} ({kind}) с settings {row.tolist()}: {error}") from None


def _read_settings(
    data: dict[str, np.ndarray], path: Path, kinds: list[str], version: int
) -> tuple[np.ndarray, list[str]]:
    """Поля версии 3 ``settings`` и ``conv_activations``, проверенные по числу слоёв."""
    if version != 3:
        return np.zeros((len(kinds), 5), np.int64), [""] * len(kinds)
    if "settings" not in data or "conv_activations" not in data:
        raise ValueError(f"path: в {str(path)!r} версии 3 нет полей settings и conv_activations")
    settings, names = data["settings"], np.atleast_1d(data["conv_activations"])
    if (
        settings.shape != (len(kinds), 5)
        or settings.dtype.kind not in "iu"
        or len(names) != len(kinds)
    ):
        raise ValueError(
            f"path: settings формы {settings.shape} и {len(names)} активаций свёрток не "
            f"соответствуют {len(kinds)} слоям (ожидались ({len(kinds)}, 5) и {len(kinds)})"
        )
    return settings, [str(name) for name in names]


def load(path: str | os.PathLike) -> NeuralNetwork:
    """Загружает сеть, сохранённую :func:`save`; параметры совпадают побитно.

    Читает все версии формата: 1 (только полносвязные слои), 2 (полносвязные слои и
    прореживание) и 3 (ещё свёрточные, подвыборочные и выпрямляющие слои). Файл
    с полями, которых формат не знает (например, ``W2`` у сети из двух слоёв), отвергается:
    учебный формат не угадывает, что с ними делать. Генератор масок слоя ``Dropout`` не
    сохраняется: загруженный слой получает новый (``rng=None``).
    """
    path = Path(path)
    data = _read(path)
    missing = {"format_version", "layer_sizes", "activations"} - set(data)
    if missing:
        raise ValueError(f"path: в {str(path)!r} нет полей {sorted(missing)}: это не сеть tinynet")
    if data["layer_sizes"].ndim != 1:
        raise ValueError(f"path: layer_sizes — не список размеров, а {data['layer_sizes']!r}")
    version = int(data["format_version"])
    if version not in (1, 2, FORMAT_VERSION):
        raise ValueError(f"path: версия формата {version}, ожидалась 1, 2 или {FORMAT_VERSION}")
    n_dense = len(data["layer_sizes"]) - 1
    if version == 1:
        kinds, rates = ["dense"] * n_dense, [0.0] * n_dense
    else:
        if "kinds" not in data or "rates" not in data:
            raise ValueError(f"path: в {str(path)!r} версии 2 нет полей kinds и rates")
        kinds = [str(kind) for kind in np.atleast_1d(data["kinds"])]
        rates = [float(rate) for rate in np.atleast_1d(data["rates"])]
        allowed = KINDS_V2 if version == 2 else tuple(KINDS)
        unknown = sorted(set(kinds) - set(allowed))
        if unknown or len(rates) != len(kinds) or kinds.count("dense") != n_dense:
            raise ValueError(
                f"path: виды слоёв {kinds} (известны {sorted(allowed)}) не соответствуют "
                f"{n_dense} полносвязным слоям и {len(rates)} долям прореживания"
            )
    settings, conv_names = _read_settings(data, path, kinds, version)
    weighted = [i for i, kind in enumerate(kinds) if kind in ("dense", "conv")]
    known = {"format_version", "layer_sizes", "activations"}
    known |= set() if version == 1 else {"kinds", "rates"}
    known |= {"settings", "conv_activations"} if version == 3 else set()
    known |= {f"{name}{i}" for i in weighted for name in ("W", "b")}
    if set(data) - known:
        raise ValueError(
            f"path: в {str(path)!r} лишние поля {sorted(set(data) - known)}: у сети "
            f"{n_dense} слоёв (поля W0..W{len(kinds) - 1}, b0..b{len(kinds) - 1})"
        )
    sizes = [int(n) for n in data["layer_sizes"]]
    names = [str(name) for name in data["activations"]]
    if len(names) != len(sizes) - 1:
        raise ValueError(f"path: {len(names)} активаций на {len(sizes) - 1} слоёв")
    first = f"W{weighted[0]}" if weighted else None
    dtype = data[first].dtype if first in data else np.dtype(np.float64)
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"path: параметры типа {dtype}, ожидались float64 или float32")
    layers: list = []
    widths = iter(zip(sizes[:-1], sizes[1:], names, strict=True))
    for i, (kind, rate) in enumerate(zip(kinds, rates, strict=True)):
        if kind == "dropout":
            layers.append(Dropout(rate))
            continue
        if kind in ("maxpool", "flatten", "conv"):
            layer = _image_layer(kind, settings[i], conv_names[i], dtype, i)
            if kind != "conv":
                layers.append(layer)
                continue
        else:
            n_in, n_out, name = next(widths)
            layer = Layer(n_in, n_out, name, rng=0, dtype=dtype)  # веса сейчас же заменятся
        W, b = data.get(f"W{i}"), data.get(f"b{i}")
        if W is None or b is None or W.shape != layer.W.shape or b.shape != layer.b.shape:
            raise ValueError(
                f"path: параметры слоя {i} не соответствуют архитектуре {sizes} "
                f"(ожидались W{layer.W.shape} и b{layer.b.shape})"
            )
        if W.dtype != dtype or b.dtype != dtype:
            raise ValueError(
                f"path: параметры слоя {i} типа {W.dtype}/{b.dtype}, а слоя 0 — {dtype}"
            )
        layer.W, layer.b = W.copy(), b.copy()
        layers.append(layer)
    return NeuralNetwork(layers)

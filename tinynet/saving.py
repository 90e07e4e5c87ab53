"""Сохранение обученной сети в ``.npz`` и загрузка обратно.

Файл содержит только числовые массивы и строки (``allow_pickle=False`` при чтении): размеры
слоёв, имена активаций, версию формата и параметры ``W0, b0, W1, b1, ...``.

Версия 2 (пишет :func:`save`) добавляет виды слоёв ``kinds`` (``"dense"`` или
``"dropout"``, по слою сети) и доли прореживания ``rates`` (0 у полносвязного слоя);
номер в ``W{i}``, ``b{i}`` — индекс слоя в ``network.layers``, а ``layer_sizes`` и
``activations`` — по полносвязным слоям, как в версии 1. Файлы версии 1 (только
полносвязные слои) :func:`load` читает по-прежнему. Запись атомарна:
сначала во временный файл рядом, затем переименование, поэтому прерванное сохранение не
портит прежний файл.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .dropout import Dropout
from .layer import Layer
from .network import NeuralNetwork

FORMAT_VERSION = 2
KINDS = {"dense": Layer, "dropout": Dropout}


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
        "format_version": np.array(FORMAT_VERSION),
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


def load(path: str | os.PathLike) -> NeuralNetwork:
    """Загружает сеть, сохранённую :func:`save`; параметры совпадают побитно.

    Читает обе версии формата: 1 (только полносвязные слои) и 2 (слои разных видов). Файл
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
    if version not in (1, FORMAT_VERSION):
        raise ValueError(f"path: версия формата {version}, ожидалась 1 или {FORMAT_VERSION}")
    n_dense = len(data["layer_sizes"]) - 1
    if version == 1:
        kinds, rates = ["dense"] * n_dense, [0.0] * n_dense
    else:
        if "kinds" not in data or "rates" not in data:
            raise ValueError(f"path: в {str(path)!r} версии 2 нет полей kinds и rates")
        kinds = [str(kind) for kind in data["kinds"]]
        rates = [float(rate) for rate in np.atleast_1d(data["rates"])]
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown or len(rates) != len(kinds) or kinds.count("dense") != n_dense:
            raise ValueError(
                f"path: виды слоёв {kinds} (известны {sorted(KINDS)}) не соответствуют "
                f"{n_dense} полносвязным слоям и {len(rates)} долям прореживания"
            )
    dense = [i for i, kind in enumerate(kinds) if kind == "dense"]
    known = {"format_version", "layer_sizes", "activations"}
    known |= set() if version == 1 else {"kinds", "rates"}
    known |= {f"{name}{i}" for i in dense for name in ("W", "b")}
    if set(data) - known:
        raise ValueError(
            f"path: в {str(path)!r} лишние поля {sorted(set(data) - known)}: у сети "
            f"{n_dense} слоёв (поля W0..W{len(kinds) - 1}, b0..b{len(kinds) - 1})"
        )
    sizes = [int(n) for n in data["layer_sizes"]]
    names = [str(name) for name in data["activations"]]
    if len(names) != len(sizes) - 1:
        raise ValueError(f"path: {len(names)} активаций на {len(sizes) - 1} слоёв")
    first = f"W{dense[0]}" if dense else None
    dtype = data[first].dtype if first in data else np.dtype(np.float64)
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"path: параметры типа {dtype}, ожидались float64 или float32")
    layers: list = []
    widths = iter(zip(sizes[:-1], sizes[1:], names, strict=True))
    for i, (kind, rate) in enumerate(zip(kinds, rates, strict=True)):
        if kind == "dropout":
            layers.append(Dropout(rate))
            continue
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

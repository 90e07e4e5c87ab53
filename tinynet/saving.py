"""Сохранение обученной сети в ``.npz`` и загрузка обратно.

Файл содержит только числовые массивы и строки (``allow_pickle=False`` при чтении): размеры
слоёв, имена активаций, версию формата и параметры ``W0, b0, W1, b1, ...``. Запись атомарна:
сначала во временный файл рядом, затем переименование, поэтому прерванное сохранение не
портит прежний файл.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .activations import get_activation
from .network import NeuralNetwork

FORMAT_VERSION = 1


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
    for i, layer in enumerate(network.layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.W, layer.b
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

    Файл с полями, которых формат не знает (например, ``W2`` у сети из двух слоёв),
    отвергается: учебный формат не угадывает, что с ними делать.
    """
    path = Path(path)
    data = _read(path)
    missing = {"format_version", "layer_sizes", "activations"} - set(data)
    if missing:
        raise ValueError(f"path: в {str(path)!r} нет полей {sorted(missing)}: это не сеть tinynet")
    if data["layer_sizes"].ndim != 1:
        raise ValueError(f"path: layer_sizes — не список размеров, а {data['layer_sizes']!r}")
    n_layers = len(data["layer_sizes"]) - 1
    known = {"format_version", "layer_sizes", "activations"}
    known |= {f"{name}{i}" for i in range(n_layers) for name in ("W", "b")}
    if set(data) - known:
        raise ValueError(
            f"path: в {str(path)!r} лишние поля {sorted(set(data) - known)}: у сети "
            f"{n_layers} слоёв (поля W0..W{n_layers - 1}, b0..b{n_layers - 1})"
        )
    if int(data["format_version"]) != FORMAT_VERSION:
        raise ValueError(
            f"path: версия формата {int(data['format_version'])}, ожидалась {FORMAT_VERSION}"
        )
    sizes = [int(n) for n in data["layer_sizes"]]
    names = [str(name) for name in data["activations"]]
    if len(names) != len(sizes) - 1:
        raise ValueError(f"path: {len(names)} активаций на {len(sizes) - 1} слоёв")
    dtype = data["W0"].dtype if "W0" in data else np.dtype(np.float64)
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"path: параметры типа {dtype}, ожидались float64 или float32")
    network = NeuralNetwork(sizes, rng=0, dtype=dtype)  # веса сейчас же заменятся сохранёнными
    for i, (layer, name) in enumerate(zip(network.layers, names, strict=True)):
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
        layer.activation = get_activation(name)
    return network

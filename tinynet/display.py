"""Показ исходного кода пакета в главах книги и в Jupyter."""

from __future__ import annotations

import inspect


class SourceCode:
    """Исходный код объекта; Jupyter и книга показывают его с подсветкой синтаксиса."""

    def __init__(self, obj: object) -> None:
        self.name = getattr(obj, "__qualname__", repr(obj))
        self.text = inspect.getsource(obj).rstrip()

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"


def show_source(obj: object) -> SourceCode:
    """Возвращает исходный код функции, класса или метода ``obj`` для показа в ячейке.

    Так глава показывает ровно тот код, который выполняется: при изменении пакета
    страница после пересборки покажет новый текст.
    """
    try:
        return SourceCode(obj)
    except (TypeError, OSError) as error:
        raise TypeError(f"obj: ожидалась функция, класс или метод, получено {obj!r}") from error

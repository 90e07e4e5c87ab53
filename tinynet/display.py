"""Показ исходного кода пакета в главах книги и в Jupyter.

``show_source`` меняет только то, как код *показан*; выполняется всегда сам объект пакета.
Строки, которые принадлежат более поздним главам, можно скрыть (на их месте остаётся
видимая метка ``# … (глава 8)``), а docstring показывается читаемым текстом, без разметки
reST (``:math:``, двойных обратных кавычек).
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import textwrap
import tokenize
from collections.abc import Mapping

# LaTeX в docstring → обычный текст: самые частые команды формул пакета.
_LATEX = {
    r"\partial": "∂",
    r"\sigma": "σ",
    r"\eta": "η",
    r"\theta": "θ",
    r"\Delta": "Δ",
    r"\delta": "δ",
    r"\varepsilon": "ε",
    r"\epsilon": "ε",
    r"\beta": "β",
    r"\alpha": "α",
    r"\lambda": "λ",
    r"\mu": "μ",
    r"\tanh": "tanh",
    r"\log": "log",
    r"\exp": "exp",
    r"\max": "max",
    r"\min": "min",
    r"\sum": "Σ",
    r"\odot": "⊙",
    r"\cdot": "·",
    r"\times": "×",
    r"\leftarrow": "←",
    r"\to": "→",
    r"\le": "≤",
    r"\ge": "≥",
    r"\approx": "≈",
    r"\infty": "∞",
    r"\sqrt": "√",
    r"\top": "T",
    r"\in": "∈",
    r"\pm": "±",
    r"\neq": "≠",
    r"\ne": "≠",
    r"\ln": "ln",
    r"\mathbb": "",
    r"\operatorname": "",
    r"\mathcal": "",
    r"\mathrm": "",
    r"\text": "",
    r"\left": "",
    r"\right": "",
    r"\bigl": "",
    r"\bigr": "",
}
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_ROLE = re.compile(r":(math|class|func|meth|mod|attr|data|exc|obj):`([^`]*)`")


def _group(text: str, start: int) -> tuple[str, int]:
    """Содержимое группы ``{...}`` с вложенными скобками, начиная с ``text[start] == "{"``."""
    depth = 0
    for position in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0:
            return text[start + 1 : position], position + 1
    raise ValueError("незакрытая скобка в формуле")


def _fractions(text: str) -> str:
    r"""``\frac{a}{b}`` → ``a/b`` (со скобками вокруг составных частей), с вложенными группами."""
    while (start := text.find(r"\frac{")) != -1:
        try:
            top, end = _group(text, start + len(r"\frac"))
            bottom, end = _group(text, end) if text[end : end + 1] == "{" else ("", end)
        except ValueError:
            break
        parts = []
        for part in (_fractions(top).strip(), _fractions(bottom).strip()):
            simple = re.fullmatch(r"[^\s+\-]*|\\partial \S+", part)
            parts.append(part if simple else f"({part})")
        text = text[:start] + "/".join(parts) + text[end:]
    return text


def _plain_math(text: str) -> str:
    """Формула LaTeX → читаемый текст: ``\\frac{a}{b}`` → ``a/b``, ``\\sigma`` → ``σ``."""

    text = _fractions(text.replace(r"\left", "").replace(r"\right", ""))
    text = re.sub(r"\\sum_\{([^{}]*)\}\^\{?([^{}\s]*)\}?", r"Σ(\1..\2) ", text)
    text = text.replace(r"\qquad", "    ").replace(r"\quad", "  ")
    text = re.sub(r"\\[,;:! ]", " ", text)
    text = text.replace(r"\{", "{").replace(r"\}", "}")
    text = re.sub(r"\^\{?\\top\}?", "ᵀ", text)
    text = re.sub(r"\\hat\s*\{?([A-Za-z])\}?", lambda m: m.group(1) + "\u0302", text)
    text = _LATEX_COMMAND.sub(lambda m: _LATEX.get(m.group(0), m.group(0)), text)
    text = re.sub(r"∂ (?=\w)", "∂", text)
    text = re.sub(r"\^\{([^{}]*)\}", r"^(\1)", text)
    text = re.sub(
        r"_\{([^{}]*)\}",
        lambda m: "_" + (m.group(1) if m.group(1).isalnum() else f"({m.group(1)})"),
        text,
    )
    text = re.sub(r"\{([^{}]*)\}", r"\1", text)
    indent = text[: len(text) - len(text.lstrip())]
    return (
        indent + re.sub(r"\s{2,}", "   ", text.strip())
        if "    " in text.strip()
        else indent + re.sub(r" {2,}", " ", text.strip())
    )


def _plain_text(doc: str) -> str:
    """Docstring в разметке reST → обычный текст (формулы — через ``_plain_math``)."""
    lines: list[str] = []
    in_math = False
    for line in doc.splitlines():
        if line.strip() == ".. math::":
            in_math = True
            continue
        if in_math and not line.strip() and (not lines or not lines[-1].strip()):
            continue
        if in_math and line and not line.startswith(" "):
            in_math = False
        if in_math:
            lines.append(_plain_math(line) if line.strip() else line)
            continue
        line = _ROLE.sub(_role, line)
        line = re.sub(r"``([^`]+)``", r"\1", line)
        line = re.sub(r"\*\*([^*]+)\*\*", r"\1", line)
        line = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\1", line)
        lines.append(line)
    return "\n".join(lines).strip("\n")


def _role(match: re.Match[str]) -> str:
    """``:math:`x``` → формула текстом; ``:class:`~a.b.C``` → ``C``."""
    role, target = match.group(1), match.group(2)
    if role == "math":
        return _plain_math(target)
    if target.startswith("~"):
        return target[1:].rsplit(".", 1)[-1]
    return target


def _docstring_spans(source: str) -> list[tuple[int, int]]:
    """Строки (с нуля, первая и последняя) всех docstring функций и классов в ``source``."""
    spans = []
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        first = node.body[0] if node.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
            and first.end_lineno is not None
        ):
            spans.append((first.lineno - 1, first.end_lineno - 1))
    return sorted(spans)


def _readable_docstring(lines: list[str], start: int, end: int, *, summary: bool) -> list[str]:
    """Заменяет строки ``start..end`` (docstring) читаемым текстом с теми же отступами."""
    block = "\n".join(lines[start : end + 1])
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    value = ast.literal_eval(block.strip())
    doc = inspect.cleandoc(value)
    if summary:
        doc = doc.split("\n\n", 1)[0]
    text = _plain_text(doc).splitlines()
    if len(text) == 1:
        return [f'{indent}"""{text[0]}"""']
    body = [f"{indent}{line}" if line.strip() else "" for line in text[1:]]
    return [f'{indent}"""{text[0]}', *body, f'{indent}"""']


def _logical_lines(lines: list[str]) -> list[tuple[int, int]]:
    """Логические строки Python (с переносами внутри скобок): пары (первая, последняя)."""
    source = textwrap.dedent("\n".join(lines)) + "\n"
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL) and start is None:
            continue
        if token.type in (tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        if start is None:
            start = token.start[0] - 1
        if token.type == tokenize.NEWLINE:
            spans.append((start, token.end[0] - 1))
            start = None
    return spans


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


_CLAUSES = ("else", "elif", "except", "finally")


def _hide(lines: list[str], hide: Mapping[str, str], protected: set[int]) -> list[str]:
    """Скрывает строки (или куски строк) по ключам ``hide`` и ставит на их место метки."""
    labels: dict[int, str] = {}
    spans = _logical_lines(lines)
    span_of = {line: span for span in spans for line in range(span[0], span[1] + 1)}
    source_lines = list(lines)
    lines = list(lines)
    suffix: dict[int, list[str]] = {}
    # Сначала куски строк, потом имена: имя ищется в строках, из которых куски уже вырезаны.
    for key, label in sorted(hide.items(), key=lambda item: str(item[0]).isidentifier()):
        if not isinstance(key, str) or not key.strip():
            raise TypeError(f"hide: ключ должен быть непустой строкой, получено {key!r}")
        found = False
        if not key.isidentifier():  # кусок строки: вырезаем его, а в конце строки — метка
            for number, line in enumerate(lines):
                if number not in protected and key in line:
                    lines[number] = line.replace(key, "")
                    if label not in suffix.setdefault(number, []):
                        suffix[number].append(label)
                    found = True
        else:
            word = re.compile(rf"\b{re.escape(key)}\b")
            for number, line in enumerate(lines):
                code = line.split("#", 1)[0]
                if number in protected or number in labels or not word.search(code):
                    continue
                found = True
                first, last = span_of.get(number, (number, number))
                if number != first:  # строка внутри скобок: скрываем только её (аргумент)
                    labels[number] = label
                    continue
                hidden = list(range(first, last + 1))
                if lines[last].split("#", 1)[0].rstrip().endswith(":"):  # заголовок блока
                    level = _indent(lines[first])
                    following = last + 1
                    while following < len(lines):
                        text = lines[following]
                        stripped = text.strip()
                        if stripped and _indent(text) <= level:
                            clause = (
                                _indent(text) == level
                                and stripped.split(None, 1)[0].rstrip(":") in _CLAUSES
                            )
                            if not clause:
                                break
                        hidden.append(following)
                        following += 1
                for item in hidden:  # скрытый блок целиком получает метку своего заголовка
                    labels[item] = label
        if not found:
            raise ValueError(f"hide: {key!r} не встречается в показываемом коде")
    shown: list[str] = []
    previous: str | None = None
    for number, line in enumerate(lines):
        if number in labels:
            if labels[number] != previous:
                shown.append(" " * _indent(line) + f"# … ({labels[number]})")
            previous = labels[number]
            continue
        previous = None
        if number in suffix:
            marker = f"# … ({'; '.join(suffix[number])})"
            code = line.rstrip()
            if code.strip():
                line = f"{code}  {marker}"
            else:  # от строки ничего не осталось: метка на её месте, с её отступом
                line = " " * _indent(source_lines[number]) + marker
        shown.append(line)
    return shown


class SourceCode:
    """Исходный код объекта; Jupyter и книга показывают его с подсветкой синтаксиса."""

    def __init__(
        self,
        obj: object,
        hide: Mapping[str, str] | None = None,
        *,
        docstring: bool = True,
        raw: bool = False,
    ) -> None:
        self.name = getattr(obj, "__qualname__", repr(obj))
        source = inspect.getsource(obj).rstrip()
        if raw and not hide and docstring:
            self.text = source
            return
        lines = source.splitlines()
        protected: set[int] = set()
        shift = 0
        for start, end in _docstring_spans(source):
            start, end = start + shift, end + shift
            doc = lines[start : end + 1]
            if not raw or not docstring:
                doc = _readable_docstring(lines, start, end, summary=not docstring)
            lines[start : end + 1] = doc
            protected |= set(range(start, start + len(doc)))
            shift += len(doc) - (end - start + 1)
        self.text = "\n".join(_hide(lines, hide or {}, protected))

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"


def show_source(
    obj: object,
    hide: Mapping[str, str] | None = None,
    *,
    docstring: bool = True,
    raw: bool = False,
) -> SourceCode:
    """Возвращает исходный код функции, класса или метода ``obj`` для показа в ячейке.

    Так глава показывает ровно тот код, который выполняется: при изменении пакета
    страница после пересборки покажет новый текст. Меняется только показ, не код.

    ``hide`` скрывает то, что объясняют более поздние главы: ключ — имя (скрываются строки,
    где оно встречается; строка-заголовок блока скрывается вместе с блоком, строка внутри
    скобок — одна, как аргумент) или кусок строки (вырезается из неё), значение — метка,
    например ``{"init": "глава 8"}``. На месте скрытого остаётся ``# … (глава 8)``. Ключ,
    которого в коде нет, — ошибка: показ не отстанет от пакета молча.

    Docstring показывается читаемым текстом (без разметки reST); ``docstring=False``
    оставляет только его первый абзац, ``raw=True`` — исходный текст без изменений.
    """
    try:
        return SourceCode(obj, hide, docstring=docstring, raw=raw)
    except (TypeError, OSError) as error:
        if isinstance(error, TypeError) and str(error).startswith("hide"):
            raise
        raise TypeError(f"obj: ожидалась функция, класс или метод, получено {obj!r}") from error

"""Claim cells: every qualitative claim about a result is asserted by a hidden cell.

The chapters are parsed statically (MyST Markdown, no build): in every numbered chapter of
`_toc.yml` that has code cells there are at least three cells tagged `claim`, each also tagged
`remove-cell` (the reader sees the claim in the prose, not the check) and each containing an
`assert` statement. The strict build then fails the day a claim stops being true.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MIN_CLAIMS = 3
FENCE = re.compile(r"^(`{3,}|~{3,})\{code-cell\}[^\n]*$")


def numbered_chapters() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = []
    for part in toc.get("parts", []):
        if part.get("numbered"):
            files += [ROOT / f"{entry['file']}.md" for entry in part.get("chapters", [])]
    return files


def code_cells(text: str) -> list[tuple[list[str], str]]:
    """Code cells of a MyST notebook: (tags, source) for each, options parsed like MyST-NB."""
    cells = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        match = FENCE.match(lines[number])
        number += 1
        if not match:
            continue
        fence = match.group(1)
        body = []
        while number < len(lines) and not lines[number].startswith(fence):
            body.append(lines[number])
            number += 1
        number += 1
        options: dict = {}
        if body and body[0].strip() == "---":  # YAML block of options
            end = body.index("---", 1)
            options = yaml.safe_load("\n".join(body[1:end])) or {}
            body = body[end + 1 :]
        else:
            while body and body[0].startswith(":"):
                key, _, value = body.pop(0)[1:].partition(":")
                options[key.strip()] = yaml.safe_load(value)
        tags = options.get("tags") or []
        cells.append(([str(tag) for tag in tags], "\n".join(body)))
    return cells


def asserts(source: str) -> int:
    """Number of `assert` statements in a cell (IPython magics are not expected here)."""
    return sum(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(source)))


def test_the_parser_sees_tags_and_asserts():
    text = (
        "```{code-cell} ipython3\n:tags: [remove-cell, claim]\nassert x > 1\n```\n"
        "```{code-cell} ipython3\n---\ntags: [claim]\n---\nprint(x)\n```\n"
        "```{code-cell} ipython3\nassert True\n```\n"
    )
    cells = code_cells(text)
    assert [tags for tags, _ in cells] == [["remove-cell", "claim"], ["claim"], []]
    assert [asserts(source) for _, source in cells] == [1, 0, 1]


@pytest.mark.parametrize("chapter", numbered_chapters(), ids=lambda path: path.stem)
def test_every_chapter_with_results_asserts_its_claims(chapter: Path):
    cells = code_cells(chapter.read_text(encoding="utf-8"))
    if not cells:
        pytest.skip("в главе нет кода")
    claims = [(tags, source) for tags, source in cells if "claim" in tags]
    assert len(claims) >= MIN_CLAIMS, (
        f"{chapter.name}: ячеек-утверждений {len(claims)}, нужно не меньше {MIN_CLAIMS}"
    )
    for tags, source in claims:
        assert "remove-cell" in tags, f"{chapter.name}: ячейка claim не скрыта:\n{source}"
        assert asserts(source) > 0, f"{chapter.name}: ячейка claim без assert:\n{source}"

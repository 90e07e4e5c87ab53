"""The book as a reader gets it: a strict build, every page, every notebook, no stale output.

The ``site`` fixture (``conftest.py``) is README's own build in ``_build/html``, brought up to
date strictly: after README's command 1 it re-executes nothing.
"""

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.sitebuild import APPENDICES, CHAPTERS, PAGES, ROOT, TOC, build


def test_the_book_has_the_seed_chapters_the_curriculum_and_an_appendix():
    seeds, curriculum, *further = (
        [c["file"] for c in part["chapters"]] for part in TOC["parts"] if part.get("numbered")
    )
    assert len(seeds) == 6 and len(curriculum) == 6
    # Третья часть «Как научить сеть обобщать» продолжает нумерацию: переобучение и
    # регуляризация (глава 13), затем свёртка (глава 14).
    assert len(further) == 1
    assert further[0] == ["book/13_overfitting", "book/14_convolution"]
    assert TOC["parts"][2]["caption"] == "Как научить сеть обобщать"
    assert {Path(page).name for page in APPENDICES} >= {
        "appendix_notation",
        "appendix_api",
        "bibliography",
    }
    for page in PAGES:
        assert (ROOT / f"{page}.md").is_file(), page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_built_without_errors_in_outputs(site, page):
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    assert "Traceback" not in html
    assert 'class="output traceback' not in html and "stderr" not in html


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_chapter_offers_its_notebook(site, page):
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    notebook = site / "_sources" / f"{page}.ipynb"
    assert notebook.is_file()
    name = Path(page).name
    assert re.search(rf'href="[./]*_sources/book/{name}\.ipynb"', html), "нет ссылки на .ipynb"


def test_math_is_rendered_by_a_local_mathjax(site):
    html = (site / f"{CHAPTERS[0]}.html").read_text(encoding="utf-8")
    script = re.search(r'<script[^>]*src="([^"]*mathjax[^"]*)"', html)
    assert script and not script.group(1).startswith("http"), "MathJax должен быть локальным"
    # The query (?v=checksum) appears when a page is rewritten after MathJax was first copied.
    assert (site / "book" / script.group(1).split("?")[0]).resolve().is_file()
    assert '<span class="eqno">(1.1)' in html


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_chapter_has_three_exercises_with_russian_solution_titles(site, page):
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    titles = re.findall(r"Решение упражнения<a [^>]*> (\d+\.\d+)</a>", html)
    assert len(titles) >= 3, "нужно хотя бы три упражнения с решениями"
    assert "Решение к" not in html


@pytest.mark.parametrize("page", CHAPTERS)
def test_downloaded_notebook_reads_well_in_plain_jupyter(site, page):
    notebook = nbformat.read(site / "_sources" / f"{page}.ipynb", as_version=4)
    nbformat.validate(notebook)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not re.search(r"\{[\w:-]+\}`|^```\{|^:::\{|\$\$\s*\(eq-", markdown, re.M)
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    shown = re.findall(r'<span class="eqno">\(([\d.]+)\)', html)
    assert shown, "в главе нет пронумерованных формул"
    assert re.findall(r"\\tag\{([\d.]+)\}", markdown) == shown, "номера формул как на сайте"
    assert "show_source(" in "\n".join(c.source for c in code), "глава показывает код пакета"
    assert all(c.outputs for c in code if "show_source(" in c.source)
    assert not any("myst_nb" in c.source for c in code), "скрытые ячейки glue не скачиваются"


def test_a_change_to_tinynet_reaches_the_rebuilt_page(tmp_path):
    """Sphinx re-reads only changed sources; the extension must re-execute after a change
    to the package, so a rebuild never shows the old code or its outputs."""
    copy = tmp_path / "repo"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns("_build", ".venv", ".git", "*cache*", "tests")
    )
    (copy / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: x\n    numbered: true\n"
        f"    chapters:\n      - file: {CHAPTERS[0]}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(copy)}  # the kernel imports the copy's tinynet
    page = tmp_path / "out" / "_build" / "html" / f"{CHAPTERS[0]}.html"
    build(copy, tmp_path / "out", env, strict=False)  # one chapter: its links are dangling
    assert "STALE_CHECK_MARKER" not in page.read_text(encoding="utf-8")

    source = copy / "tinynet" / "activations.py"
    text = source.read_text(encoding="utf-8")
    marked = text.replace("    t = np.exp(", "    # STALE_CHECK_MARKER\n    t = np.exp(", 1)
    assert marked != text
    source.write_text(marked, encoding="utf-8")
    build(copy, tmp_path / "out", env, strict=False)
    assert "STALE_CHECK_MARKER" in page.read_text(encoding="utf-8")

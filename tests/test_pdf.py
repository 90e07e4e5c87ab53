"""The PDF edition (issue 13), read back with poppler-utils, and the site's link to it.

``.ci/run`` builds it after the HTML (``--path-output _build/pdf``, see ``_ext/tinynet_latex.py``)
and copies it to ``_build/html/tinynet.pdf``. The ``pdf`` fixture uses that build when it is
newer than every source of the book, and otherwise runs the same command itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from tests.sitebuild import APPENDICES, CHAPTERS, PAGES, ROOT, build

PDF_BUILD = ROOT / "_build" / "pdf"
PDF = PDF_BUILD / "_build" / "latex" / "tinynet.pdf"
SOURCES = [
    ROOT / "_config.yml",
    ROOT / "_toc.yml",
    *(ROOT / "book").iterdir(),
    *(ROOT / "tinynet").rglob("*.py"),
    *(ROOT / "_ext").glob("*.py"),
    *(ROOT / "_latex").iterdir(),
]


def poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def pdf(site) -> Path:
    """The book's PDF, up to date, and the copy the site serves."""
    missing = [
        tool for tool in ("xelatex", "latexmk", "xindy", "pdftotext") if not shutil.which(tool)
    ]
    if missing:
        pytest.fail(f"нет {', '.join(missing)}: пакеты TeX ставит bash .ci/install-tex")
    if not PDF.is_file() or PDF.stat().st_mtime < max(p.stat().st_mtime for p in SOURCES):
        build(ROOT, PDF_BUILD, builder="pdflatex")
    if not (site / PDF.name).is_file() or (site / PDF.name).read_bytes() != PDF.read_bytes():
        shutil.copyfile(PDF, site / PDF.name)  # what .ci/run does after its build
    return PDF


@pytest.fixture(scope="session")
def text(pdf) -> str:
    """The PDF's text, every run of white space as one space."""
    return " ".join(poppler("pdftotext", str(pdf), "-").split())


def html_text(path: Path) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).split())


def page_title(site: Path, page: str) -> str:
    """The page's heading on the site, without the site's section number."""
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert h1, page
    title = re.sub(r'<span class="section-number">[^<]*</span>|<a class="headerlink".*', "", h1[1])
    return " ".join(unescape(re.sub(r"<[^>]+>", "", title)).split())


def test_the_pdf_is_an_a4_book_of_sane_length(pdf):
    info = poppler("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert 150 <= pages <= 400, pages
    assert re.search(r"^Page size:.*\(A4\)", info, re.M)
    assert re.search(r"^Title:\s+tinynet: нейросеть с нуля$", info, re.M)


def contents_text(pdf: Path) -> str:
    """The text of the pages from 2 up to the one where chapter 1 begins: the contents and the
    introduction (it grows with the book, so no fixed page range)."""
    pages = []
    for number in range(2, 20):
        page = " ".join(
            poppler("pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-").split()
        )
        if "ГЛАВА 1 " in page:
            break
        pages.append(page)
    return " ".join(page for page in pages if page)


def test_title_page_and_contents(pdf):
    first = " ".join(poppler("pdftotext", "-f", "1", "-l", "1", str(pdf), "-").split())
    assert first.startswith("tinynet: нейросеть с нуля")
    contents = contents_text(pdf)
    assert contents.startswith("Содержание"), contents[:100]
    assert "Введение" in contents


def test_every_chapter_is_numbered_as_on_the_site_and_appendices_are_lettered(site, text):
    for number, page in enumerate(CHAPTERS, start=1):
        title = page_title(site, page)
        assert f"ГЛАВА {number} {title}" in text, title
    # Appendices: «Приложение А», «Б», «В» (Cyrillic letters), the bibliography the last one.
    for letter, page in zip("АБВ", APPENDICES, strict=True):
        assert f"ПРИЛОЖЕНИЕ {letter} {page_title(site, page)}" in text, page
        assert f"Приложение {letter} {page_title(site, page)}" in text, "в содержании"


def test_the_bibliography_appears_once(pdf, text):
    contents = contents_text(pdf)
    assert contents.count("Литература") == 1
    assert text.count("ПРИЛОЖЕНИЕ В Литература") == 1
    # One entry per source, whatever the label style ([7] or [Nie15]).
    assert len(re.findall(r"\[\w+\] Michael A\. Nielsen", text)) == 1


def test_no_unresolved_reference_and_no_missing_glyph(pdf, text):
    assert "??" not in text
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log
    assert not re.search(r"LaTeX Warning: (Reference|Citation) .* undefined", log)


def test_every_font_is_embedded(pdf):
    rows = poppler("pdffonts", str(pdf)).splitlines()
    header, fonts = rows[0], rows[2:]
    emb = header.index("emb")
    assert fonts
    assert all(row[emb : emb + 3] == "yes" for row in fonts), "\n".join(rows)
    names = " ".join(row.split()[0] for row in fonts)
    assert "DejaVuSerif" in names and "DejaVuSansMono" in names and "DejaVuMath" in names


def test_exercises_and_equations_are_numbered_exactly_as_on_the_site(site, text):
    on_site, site_equations = [], set()
    for page in CHAPTERS:
        html = (site / f"{page}.html").read_text(encoding="utf-8")
        on_site += re.findall(r"Упражнение (\d+\.\d+)", html_text(site / f"{page}.html"))
        site_equations |= set(re.findall(r'<span class="eqno">\((\d+\.\d+)\)', html))
    in_pdf = re.findall(r"Упражнение (\d+\.\d+)", text)
    assert in_pdf and in_pdf == on_site
    assert re.findall(r"Решение упражнения (\d+\.\d+)", text) == sorted(
        set(on_site), key=lambda n: tuple(map(int, n.split(".")))
    )
    pdf_equations = set(re.findall(r"\((\d+\.\d+)\)", text))
    assert site_equations and site_equations <= pdf_equations


def test_plots_are_vector_graphics(pdf):
    tex = pdf.with_suffix(".tex").read_text(encoding="utf-8")
    images = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]+)\}(\.\w+)\}", tex)
    assert len(images) >= 20
    assert {suffix for _, suffix in images} == {".pdf"}, "графики глав — векторные PDF"


def test_timing_outputs_are_marked_as_measured_at_build_time(text):
    timing_cells = sum(
        (ROOT / f"{page}.md").read_text(encoding="utf-8").count(":tags: [timing]")
        for page in CHAPTERS
    )
    assert timing_cells and text.count("Время измерено при сборке книги") == timing_cells


@pytest.mark.parametrize("page", PAGES)
def test_every_page_offers_the_book_pdf_in_its_download_menu(pdf, site, page):
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    assert "window.print()" not in html, "печать страницы под именем .pdf убрана"
    link = re.search(r'<a href="([^"]*tinynet\.pdf)"[^>]*download-book-pdf-button', html)
    assert link, "нет ссылки на PDF книги"
    assert (site / Path(page).parent / link.group(1)).resolve() == (site / PDF.name).resolve()
    assert (site / PDF.name).read_bytes()[:5] == b"%PDF-"


def test_the_introduction_links_the_pdf(site):
    html = (site / "book" / "intro.html").read_text(encoding="utf-8")
    assert '<a href="../tinynet.pdf">tinynet.pdf</a>' in html

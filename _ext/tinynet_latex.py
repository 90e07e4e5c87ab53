"""Sphinx extension of the tinynet book: the PDF edition and the site's link to it.

``jupyter-book build . --builder pdflatex --path-output _build/pdf`` writes
``_build/pdf/_build/latex/tinynet.pdf`` (``.ci/run`` copies it to ``_build/html/tinynet.pdf``).
sphinx-jupyterbook-latex shapes the LaTeX (parts, chapters, code cells); the typography is in
``_latex/tinynet.sty``; this extension corrects what the book needs:

1. Numbers as on the site. sphinx-jupyterbook-latex sets ``numfig_secnum_depth`` to 2 for a
   book with parts, so exercises would read 1.6.1 instead of the site's 1.1: it is set back
   to the site's value (``tinynet.sty`` numbers equations by chapter, as the site does).
2. Plots at print resolution: the PDF build executes the chapters with a kernel whose inline
   backend sends each figure as a vector PDF (an IPython profile in ``_build``, pointed to by
   ``IPYTHONDIR``); the site's build and the downloaded notebooks keep their PNGs.
3. The structure of a printed book: the introduction becomes an unnumbered chapter
   «Введение»; the unnumbered part of the table of contents becomes the appendices
   (``\\appendix``: «Приложение А, Б, В»); long tables get column widths from their content
   so that they wrap instead of running off the page; the output of a cell tagged
   ``timing`` is marked as measured on the machine that built the book.
4. On the site, every page's download menu offers the book's PDF instead of the theme's
   ".pdf" entry (the browser's print of one page): one name, one thing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex import LaTeXBuilder
from sphinx.transforms.post_transforms import SphinxPostTransform

PDF_NAME = "tinynet.pdf"
INTRODUCTION = "Введение"
LINE_CHARACTERS = 72  # of the text width, in DejaVu Serif 10pt: the long tables' budget
# The kernel profile of the PDF build: figures as PDF (vector), their text as real text
# (TrueType fonts). fontTools, which subsets the fonts, logs to stderr that the creation dates
# in matplotlib's DejaVu fonts "seem very low": harmless, and silenced so that it does not
# become the cell's output.
KERNEL_CONFIG = """\
c.InlineBackend.figure_formats = {"pdf"}
c.InlineBackend.rc = {"pdf.fonttype": 42}
c.IPKernelApp.exec_lines = [
    "import logging as _logging; _logging.getLogger('fontTools').setLevel(_logging.ERROR)"
]
"""


def remember_site_numbering(app: Sphinx, config) -> None:
    app.tinynet_secnum_depth = config.numfig_secnum_depth


def prepare_latex_build(app: Sphinx) -> None:
    """After sphinx-jupyterbook-latex's ``builder-inited``: the site's numbering depth and
    the kernel profile that sends figures as PDF."""
    if not isinstance(app.builder, LaTeXBuilder):
        return
    app.config.numfig_secnum_depth = app.tinynet_secnum_depth
    ipython = Path(app.outdir).parent / "ipython"
    profile = ipython / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG, encoding="utf-8")
    os.environ["IPYTHONDIR"] = str(ipython)


def raw_latex(text: str) -> nodes.raw:
    return nodes.raw("", text, format="latex")


def formula_length(tex: str) -> int:
    """About how many characters a formula prints: a command is one symbol, braces, scripts'
    carets and spacing commands none."""
    tex = re.sub(r"\\(?:text|mathrm|operatorname)\{([^}]*)\}", r"\1", tex)
    tex = re.sub(r"\\[a-zA-Z]+", "x", tex)
    return len(re.sub(r"\\[,;:!]|[{}^_\s]", "", tex))


def printed_length(node: nodes.Node) -> float:
    """About how many characters wide a table cell's content prints."""
    if isinstance(node, nodes.math):
        return formula_length(node.astext())
    if isinstance(node, nodes.Text):
        return len(node)
    return sum(printed_length(child) for child in node.children)


def unbreakable_length(node: nodes.Node) -> float:
    """The widest piece of a cell that cannot wrap: a formula or a word."""
    if isinstance(node, nodes.math):
        return formula_length(node.astext())
    if isinstance(node, nodes.Text):
        return max((len(word) for word in node.split()), default=0)
    return max((unbreakable_length(child) for child in node.children), default=0)


class PrintedBook(SphinxPostTransform):
    """Point 3 of the module docstring, on the doctree the LaTeX builder assembles."""

    default_priority = 800  # after sphinx-jupyterbook-latex's LatexRootDocPostTransforms
    builders = ("latex",)

    def apply(self, **kwargs) -> None:
        for table in list(self.document.findall(nodes.table)):
            self.fit_long_table(table)
        for cell in list(self.document.findall(nodes.container)):
            if "tag_timing" in cell.get("classes", []):
                self.mark_timing(cell)
        if self.app.project.path2doc(self.document["source"]) != self.config.root_doc:
            return
        self.introduction()
        self.appendices()

    @staticmethod
    def fit_long_table(table: nodes.table) -> None:
        """Widths from the content for a table LaTeX sets as a longtable (more than 30 rows),
        which would otherwise get one unbreakable line per cell."""
        body = next(table.findall(nodes.tbody), None)
        if body is None or len(body.children) <= 30 or "colwidths-given" in table["classes"]:
            return
        colspecs = list(table.findall(nodes.colspec))
        header = next(table.findall(nodes.thead), None)
        heads = [printed_length(entry) for entry in header.findall(nodes.entry)] if header else []
        columns = [[] for _ in colspecs]
        widest = [1.0] * len(colspecs)
        for row in body.children:
            for index, entry in enumerate(row.children[: len(colspecs)]):
                columns[index].append(printed_length(entry))
                widest[index] = max(widest[index], unbreakable_length(entry) + 1)
        # A column needs room for its widest formula or word and for its heading; it would
        # like room for its average cell (cells wrap), up to 45 characters' worth. When the
        # wishes exceed a line (some 72 characters of DejaVu Serif 10pt, less the columns'
        # padding), only what lies above the needs is shrunk.
        needs = [max(widest[i], heads[i] + 3 if heads else 1) for i in range(len(colspecs))]
        wishes = [
            min(max(sum(lengths) / len(lengths), need), max(need, 45))
            for lengths, need in zip(columns, needs, strict=True)
        ]
        surplus = sum(wishes) - sum(needs)
        excess = sum(wishes) - LINE_CHARACTERS
        keep = 1 - min(1, excess / surplus) if excess > 0 and surplus > 0 else 1
        weights = [need + (wish - need) * keep for wish, need in zip(wishes, needs, strict=True)]
        for colspec, weight in zip(colspecs, weights, strict=True):
            colspec["colwidth"] = max(1, round(100 * weight / sum(weights)))
        table["classes"].append("colwidths-given")

    @staticmethod
    def mark_timing(cell: nodes.container) -> None:
        output = next(
            (c for c in cell.children if "cell_output" in c.get("classes", [])),
            None,
        )
        if output is not None:
            output.parent.insert(output.parent.index(output), raw_latex(r"\tinynettiming"))

    def introduction(self) -> None:
        """The root page (the book's title page on the site) opens as «Введение»."""
        root = self.config.root_doc
        for section in self.document.findall(nodes.section):
            if section.get("docname") == root:
                title = next(iter(section.findall(nodes.title)), None)
                at = section.index(title) + 1 if title is not None else 0
                section.insert(at, raw_latex(rf"\tinynetintroduction{{{INTRODUCTION}}}"))
                return

    def appendices(self) -> None:
        """The first part the table of contents leaves unnumbered holds the appendices."""
        site_map = getattr(self.config, "external_site_map", None)
        if site_map is None:
            return
        unnumbered = [tree.caption for tree in site_map.root.subtrees if not tree.numbered]
        if not unnumbered:
            return
        for start in self.document.findall(addnodes.start_of_file):
            if start.get("docname") == unnumbered[0]:
                section = next(iter(start.findall(nodes.section)))
                title = next(iter(section.findall(nodes.title)))
                title.replace_self(raw_latex(rf"\tinynetappendices{{{title.astext()}}}"))
                return


def link_the_book_pdf(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The download menu's ".pdf" (the theme's browser print of this page) becomes the
    book's PDF, which ``.ci/run`` puts at the site's root."""
    for button in context.get("header_buttons", []):
        if button.get("label") != "download-buttons":
            continue
        for entry in button["buttons"]:
            if entry.get("label") == "download-pdf-button":
                entry.clear()
                entry.update(
                    type="link",
                    url=context["pathto"](PDF_NAME, 1),
                    text="книга .pdf",
                    tooltip="Вся книга одним файлом PDF",
                    icon="fas fa-file-pdf",
                    label="download-book-pdf-button",
                )


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", remember_site_numbering)
    app.connect("builder-inited", prepare_latex_build, priority=600)
    app.add_post_transform(PrintedBook)
    # After sphinx-book-theme (priority 501) fills the download menu.
    app.connect("html-page-context", link_the_book_pdf, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

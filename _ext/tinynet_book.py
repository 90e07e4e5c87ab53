"""Sphinx extension of the tinynet book.

1. Outputs are never stale: chapters are executed on every read (``execute_notebooks:
   force``), and a change to ``tinynet/*.py`` marks every chapter as outdated, so Sphinx
   re-reads and re-executes it even though its own source did not change.
2. Every chapter page offers an ``.ipynb`` download that reads well in plain Jupyter: the
   executed notebook with MyST-only syntax replaced by plain Markdown (numbered equations get
   ``\\tag{}``, ``{eq}`` references become numbers, ``{glue:text}`` becomes the glued value,
   admonitions become block quotes, cells tagged ``remove-cell`` are dropped).
   Its first cell installs or checks ``tinynet`` where it is opened (``_ext/tinynet_launch.py``).
3. Printed text is deterministic: a kernel sends ``print`` output in as many chunks as it
   flushed, which depends on the machine's load. MyST-NB's ``nb_merge_streams`` joins them,
   but it strips blank lines and edits the executed notebook in place (a cell rendered twice
   shows its text twice). :func:`merge_streams` replaces it: exact concatenation, no mutation.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import myst_nb.core.render
import nbformat
from docutils import nodes
from myst_nb.core.variables import format_plain_text
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from tinynet_launch import add_setup_cell

PACKAGE = Path(__file__).resolve().parent.parent / "tinynet"
ADMONITION_TITLES = {
    "note": "Примечание",
    "tip": "Совет",
    "hint": "Подсказка",
    "important": "Важно",
    "warning": "Внимание",
    "caution": "Осторожно",
    "seealso": "См. также",
}

DISPLAY_MATH = re.compile(r"\$\$(?P<body>(?:(?!\$\$).)+)\$\$[ \t]*\((?P<label>[\w:.-]+)\)", re.S)
EQ_ROLE = re.compile(r"\{eq\}`(?P<label>[^`]+)`")
GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`(?P<key>[^`:]+)(?::(?P<fmt>[^`]*))?`")
DIRECTIVE = re.compile(
    r"^(?P<fence>```+|:::+)\{(?P<name>[\w-]+)\}(?P<arg>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.S | re.M,
)
TARGET = re.compile(r"^\([\w:.-]+\)=[ \t]*\n", re.M)
COMMENT = re.compile(r"^%[^\n]*\n", re.M)
LOCAL_MD_LINK = re.compile(r"\]\((?P<path>(?![a-z]+:)[^)#\s]+)\.md(?P<anchor>#[^)]*)?\)")
LEFTOVER = re.compile(r"\{[\w:-]+\}`|^(```+|:::+)\{", re.M)


def merge_streams(outputs: list) -> list:
    """The outputs with every stream's chunks joined, exactly, at its first chunk.

    The input is not modified: the executed notebook keeps what the kernel sent.
    """
    merged, streams = [], {}
    for output in outputs:
        if output.get("output_type") != "stream":
            merged.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
        else:
            streams[output["name"]] = nbformat.from_dict(dict(output))
            merged.append(streams[output["name"]])
    return merged


def package_hash() -> str:
    """SHA-256 of every tinynet source file, in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def outdate_chapters_after_package_change(app: Sphinx, env, added, changed, removed):
    current = package_hash()
    previous = getattr(env, "tinynet_package_hash", None)
    env.tinynet_package_hash = current
    if previous is None or previous == current:
        return []
    return sorted(env.found_docs - set(removed))


def equation_numbers(app: Sphinx) -> dict[str, str]:
    """The number the HTML shows for every labelled equation of the book.

    The same computation as Sphinx's ``MathDomain.resolve_xref``, so a reference to an equation
    of another chapter gets the number that chapter shows.
    """
    env, config = app.env, app.config
    numbers = {}
    for label, (docname, number) in env.get_domain("math").equations.items():
        if config.math_numfig and config.numfig:
            node_id = nodes.make_id(f"equation-{label}")
            found = env.toc_fignumbers.get(docname, {}).get("displaymath", {}).get(node_id, ())
            text = ".".join(map(str, found))
            numbers[label] = config.math_numsep.join(text.rsplit(".", 1))
        else:
            numbers[label] = str(number)
    return numbers


def glued_values(executed: Path) -> dict[str, str]:
    """``{key: text/plain}`` of the values a chapter glued (MyST-NB keeps them beside it)."""
    path = executed.with_suffix(".glue.json")
    if not path.is_file():
        return {}
    outputs = json.loads(path.read_text(encoding="utf-8"))
    return {key: output["data"]["text/plain"] for key, output in outputs.items()}


OPTION = re.compile(r"^:([\w-]+):[ \t]*(.*)$")
CITE_ROLE = re.compile(r"\{cite(?::[pt])?\}`(?P<keys>[^`]+)`")


def quote(title: str, lines: list[str]) -> str:
    """A block quote with a bold title: how admonitions and exercises look in Jupyter."""
    body = "\n".join(lines).strip("\n").splitlines()
    quoted = "\n".join("> " + line if line else ">" for line in body)
    return f"> **{title}.**\n>\n{quoted}" if body else f"> **{title}.**"


def plain_markdown(
    text: str,
    equations: dict[str, str],
    glue: dict[str, str],
    exercises: dict[str, str] | None = None,
    citations: dict[str, str] | None = None,
) -> str:
    """Rewrite one MyST Markdown cell as Markdown that plain Jupyter renders.

    ``exercises`` maps exercise labels to the numbers the HTML shows, ``citations`` maps
    BibTeX keys to "Author, year".
    """
    exercises = exercises or {}
    citations = citations or {}

    def math(match: re.Match) -> str:
        return f"$${match['body'].rstrip()} \\tag{{{equations[match['label']]}}}\n$$"

    def glue_value(match: re.Match) -> str:
        return format_plain_text(glue[match["key"]], match["fmt"] or "")

    def cite(match: re.Match) -> str:
        return "(" + "; ".join(citations[key.strip()] for key in match["keys"].split(",")) + ")"

    def directive(match: re.Match) -> str:
        name, arg = match["name"], match["arg"].strip()
        lines = match["body"].splitlines()
        options = dict(OPTION.match(line).groups() for line in lines if OPTION.match(line))
        lines = [line for line in lines if not OPTION.match(line)]
        if name in ADMONITION_TITLES:
            return quote(ADMONITION_TITLES[name], lines)
        if name == "admonition":
            return quote(arg, lines)
        if name == "exercise":
            return quote(f"Упражнение {exercises[options['label']]}", lines)
        if name == "solution":
            body = "\n".join(lines).strip()
            summary = f"<summary><b>Решение упражнения {exercises[arg]}</b></summary>"
            return f"<details>{summary}\n\n{body}\n\n</details>"
        if name == "solution-start":
            return f"**Решение упражнения {exercises[arg]}.**"
        if name == "solution-end":
            return ""
        raise ExtensionError(f"no plain-Markdown form for the directive {{{name}}}")

    text = TARGET.sub("", COMMENT.sub("", text))
    text = DISPLAY_MATH.sub(math, text)
    text = EQ_ROLE.sub(lambda m: f"({equations[m['label']]})", text)
    text = GLUE_ROLE.sub(glue_value, text)
    text = CITE_ROLE.sub(cite, text)
    text = DIRECTIVE.sub(directive, text)
    text = LOCAL_MD_LINK.sub(lambda m: f"]({m['path']}.ipynb{m['anchor'] or ''})", text)
    leftover = LEFTOVER.search(text)
    if leftover:
        raise ExtensionError(f"MyST syntax left in a notebook cell: {leftover.group(0)!r}")
    return text


def exercise_numbers(app: Sphinx, pagename: str) -> dict[str, str]:
    """Numbers sphinx-exercise shows for the labelled exercises of a page ("7.2")."""
    found = app.env.toc_fignumbers.get(pagename, {}).get("exercise", {})
    return {label: ".".join(map(str, number)) for label, number in found.items()}


def citation_labels(app: Sphinx) -> dict[str, str]:
    """ "Author, year" (two authors joined with «и», more shortened to «и др.») per BibTeX key."""
    from pybtex.database import parse_file

    labels = {}
    for bibfile in getattr(app.config, "bibtex_bibfiles", []):
        for key, entry in parse_file(Path(app.srcdir) / bibfile).entries.items():
            names = [" ".join(person.last_names) for person in entry.persons.get("author", [])]
            who = (
                names[0]
                if len(names) == 1
                else " и ".join(names)
                if len(names) == 2
                else (f"{names[0]} и др.")
            )
            labels[key] = f"{who}, {entry.fields.get('year', 'б. г.')}"
    return labels


def jupyter_notebook(executed: Path, app: Sphinx, pagename: str):
    """The executed notebook, rewritten for plain Jupyter."""
    notebook = nbformat.read(executed, as_version=4)
    glue = glued_values(executed)
    numbers = {
        "equations": equation_numbers(app),
        "exercises": exercise_numbers(app, pagename),
        "citations": citation_labels(app),
    }
    cells = []
    for cell in notebook.cells:
        if "remove-cell" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, glue=glue, **numbers)
            if not cell.source.strip():
                continue
        cells.append(cell)
    notebook.cells = cells
    notebook.metadata.pop("jupytext", None)
    return notebook


def executed_notebook(app: Sphinx, pagename: str, doctree) -> Path | None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return executed if doctree is not None and executed.is_file() else None


def offer_notebook(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Point the theme's download button at ``_sources/<page>.ipynb`` (written below)."""
    if executed_notebook(app, pagename, doctree):
        context["ipynb_source"] = f"{pagename}.ipynb"


def export_notebook(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Write ``_sources/<page>.ipynb``: the notebook for plain Jupyter, setup cell first.

    Runs after sphinx-book-theme, which copies the raw executed notebook to the same path
    when launch buttons are on.
    """
    executed = executed_notebook(app, pagename, doctree)
    if executed is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        notebook = jupyter_notebook(executed, app, pagename)
    except (KeyError, ExtensionError) as error:
        raise ExtensionError(f"{pagename}: cannot export the notebook: {error!r}") from error
    add_setup_cell(app, notebook)
    nbformat.write(notebook, target)


def russian_solution_titles(app: Sphinx, doctree, docname: str) -> None:
    """«Решение упражнения 7.1» instead of sphinx-exercise's «Решение к Упражнение 7.1».

    The Russian catalog of sphinx-exercise translates "Solution to" word by word and keeps the
    exercise's own title in the nominative; the link text loses its "Упражнение" prefix.
    """
    from sphinx_exercise.nodes import solution_node, solution_start_node

    for node in doctree.findall(lambda n: isinstance(n, (solution_node, solution_start_node))):
        for text in list(node.children[0].findall(nodes.Text)):
            value = str(text)
            if value.strip() == "Решение к":
                text.parent.replace(text, nodes.Text("Решение упражнения"))
            elif value.startswith(" Упражнение "):
                text.parent.replace(text, nodes.Text(" " + value.removeprefix(" Упражнение ")))


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", russian_solution_titles)
    myst_nb.core.render.coalesce_streams = merge_streams  # see the module docstring, point 3
    app.connect("env-get-outdated", outdate_chapters_after_package_change)
    # The download button: before sphinx-book-theme (priority 501) builds the header buttons;
    # the file: after the theme's launch buttons copied the raw notebook over it.
    app.connect("html-page-context", offer_notebook, priority=500)
    app.connect("html-page-context", export_notebook, priority=502)
    # Wheel, setup cell, launch buttons, JupyterLite: _ext/tinynet_launch.py.
    app.setup_extension("tinynet_launch")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""How a reader runs a chapter: Colab, the browser (JupyterLite), or their own Jupyter.

Everything comes out of the same ``jupyter-book build``, from the code the pages ran:

1. **The package ships with the site.** A wheel of ``tinynet`` (distribution ``tinynet-book``,
   metadata from ``pyproject.toml``) is written to ``_static/wheels/``. It is built after the
   pages, from the ``tinynet/`` the chapters were executed with (the build fails if the
   package changed while it ran).
2. **Every exported notebook starts with a setup cell** (:func:`setup_cell`): under JupyterLite
   it installs the wheel bundled in the lite site, under Colab the wheel from the site's
   address; in a local Jupyter it does nothing if ``tinynet`` imports, and stops with the one
   install command if not.
3. **Launch buttons.** "Open in Colab" (the notebook on the branch the workflow publishes them
   to) and "Run in the browser" (the lite site). The repository comes from
   ``GITHUB_REPOSITORY`` and the site's address from ``TINYNET_SITE_URL`` (the workflow passes
   ``actions/configure-pages``' ``base_url``); without a repository there is no Colab button
   and no repository button, and the rest works the same.
4. **A JupyterLite site** (``jupyterlite-core`` + ``jupyterlite-pyodide-kernel``) is built into
   ``lite/`` with the exported notebooks and the wheel. The build is offline: Pyodide loads
   from its CDN at run time, in the reader's browser.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tinynet"
WHEELS = "_static/wheels"
LITE = "lite"
LITE_APP = f"{LITE}/lab/index.html"
REPOSITORY = re.compile(r"[\w.-]+/[\w.-]+")
# Chapters that need an optional extra: the digits data set (tinynet.digits()) ships with
# scikit-learn. A call in the chapter's code (not plot_digits) means the chapter needs it.
EXTRAS = {"digits": re.compile(r"(?<![\w])digits\s*\(")}
SETUP_TAG = "tinynet-setup"


def project() -> dict:
    """The ``[project]`` table of ``pyproject.toml``."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def wheel_name() -> str:
    meta = project()
    return f"{meta['name'].replace('-', '_')}-{meta['version']}-py3-none-any.whl"


def metadata() -> str:
    """``METADATA`` of the wheel (core metadata 2.1) from ``pyproject.toml``."""
    meta = project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {meta['name']}",
        f"Version: {meta['version']}",
        f"Summary: {meta['description']}",
        f"License: {meta['license']['text']}",
        f"Requires-Python: {meta['requires-python']}",
    ]
    lines += [f"Requires-Dist: {dep}" for dep in meta.get("dependencies", [])]
    for extra, deps in meta.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {dep}; extra == "{extra}"' for dep in deps]
    return "\n".join(lines) + "\n"


def build_wheel(directory: Path) -> Path:
    """A pure-Python wheel of ``tinynet/`` written into ``directory``, byte-for-byte stable.

    Written by hand rather than by a build backend: a backend runs in an isolated
    environment that it downloads, and the book builds offline.
    """
    meta = project()
    dist_info = f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    files = {
        f"tinynet/{path.relative_to(PACKAGE).as_posix()}": path.read_bytes()
        for path in sorted(PACKAGE.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in {".py", ".typed"}
    }
    files[f"{dist_info}/METADATA"] = metadata().encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: tinynet_launch\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files[f"{dist_info}/top_level.txt"] = b"tinynet\n"
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()

    directory.mkdir(parents=True, exist_ok=True)
    target = directory / wheel_name()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return target


def site_url(config) -> str:
    """The site's address with a trailing slash, or ``""`` when unknown."""
    url = config.tinynet_site_url.strip()
    return url.rstrip("/") + "/" if url else ""


def install_source(config) -> str:
    """Where ``pip install`` gets tinynet: the site's wheel, else the repository, else ``""``."""
    if site_url(config):
        return f"{site_url(config)}{WHEELS}/{wheel_name()}"
    if config.tinynet_repository:
        return f"git+https://github.com/{config.tinynet_repository}"
    return ""


def install_command(source: str) -> str:
    """The one command that installs tinynet with everything every chapter needs."""
    if source:
        return f'pip install "tinynet-book[digits] @ {source}"'
    return 'pip install -e ".[digits]"'


IN_A_CLONE = "в корне клона репозитория книги"


class deferred_link(nodes.Inline, nodes.TextElement):
    """A repository link or install command, filled in when the page is written."""


def deferred_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{tinynet-repository}`text``` (a link to the repository) and ``{tinynet-install}`x```
    (the install command): their targets are known only from the build's environment."""
    return [deferred_link(rawtext, text, kind=name)], []


def resolve_deferred(app: Sphinx, doctree, docname: str) -> None:
    for node in list(doctree.findall(deferred_link)):
        text = node.astext()
        if node["kind"] == "tinynet-install":
            source = install_source(app.config)
            new = nodes.inline()
            new += nodes.literal(text=install_command(source))
            if not source:
                new += nodes.Text(f" ({IN_A_CLONE})")
        elif app.config.tinynet_repository:
            url = f"https://github.com/{app.config.tinynet_repository}"
            new = nodes.reference(text, text, refuri=url)
        else:
            new = nodes.inline(text=text)
        node.replace_self(new)


def setup_cell(source: str, extras: list[str]) -> str:
    """The first cell of every exported notebook (see the module docstring, point 2).

    ``source`` is the wheel's URL (or a ``git+`` URL, or ``""`` when the build knew neither);
    the environment variable ``TINYNET_WHEEL`` overrides it (the tests serve the site locally).
    ``extras`` are the packages this chapter needs beyond the wheel's dependencies.
    """
    if source:
        missing = """f'pip install "tinynet-book[digits] @ {TINYNET}"'"""
        colab = ""
    else:
        missing = json.dumps(f"{install_command('')}  ({IN_A_CLONE})", ensure_ascii=False)
        colab = (
            "    if not TINYNET:\n"
            '        raise RuntimeError("Адрес tinynet неизвестен: откройте главу с сайта книги")\n'
        )
    return f"""\
# Подготовка (запустите первой): в Colab и в браузере (JupyterLite) ставит пакет tinynet
# с сайта книги, на своём компьютере только проверяет, что он установлен.
import importlib.util
import os
import sys

TINYNET = os.environ.get("TINYNET_WHEEL", {json.dumps(source)})
EXTRAS = {json.dumps(extras)}


def _found(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


if _found("piplite"):  # JupyterLite: колесо tinynet лежит в самом сайте
    import piplite

    await piplite.install(["tinynet-book", *EXTRAS])
elif _found("pyodide"):  # Pyodide на другом сайте: колесо с сайта книги
    import micropip

    await micropip.install([TINYNET, *EXTRAS])
elif _found("google.colab"):
    import subprocess

{colab}    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, TINYNET, *EXTRAS], check=True)
    importlib.invalidate_caches()  # this kernel sees the new package at once
elif not _found("tinynet"):
    raise ModuleNotFoundError(
        "Пакет tinynet не установлен. Поставьте его одной командой и перезапустите ядро:\\n    "
        + {missing}
    )"""


def chapter_extras(notebook) -> list[str]:
    """Packages a chapter needs beyond the wheel's dependencies (scikit-learn for the digits)."""
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    optional = project().get("optional-dependencies", {})
    return [
        re.split(r"[<>=!~;\[ ]", dep)[0]
        for extra, call in EXTRAS.items()
        if call.search(code)
        for dep in optional.get(extra, [])
    ]


def add_setup_cell(app: Sphinx, notebook) -> None:
    """Put the setup cell first. Only the download gets it: the HTML is built before."""
    import nbformat

    cell = nbformat.v4.new_code_cell(
        setup_cell(install_source(app.config), chapter_extras(notebook)),
        metadata={"tags": [SETUP_TAG]},
    )
    if (notebook.nbformat, notebook.nbformat_minor) >= (4, 5):
        cell["id"] = SETUP_TAG  # stable, so a rebuild writes the same file
    else:
        cell.pop("id", None)
    notebook.cells.insert(0, cell)


def configure(app: Sphinx, config) -> None:
    """Repository and site address from the environment; no button that would be broken."""
    repository = config.tinynet_repository.strip()
    if repository and not REPOSITORY.fullmatch(repository):
        raise ExtensionError(f"GITHUB_REPOSITORY должен иметь вид owner/name, а не {repository!r}")
    config.tinynet_repository = repository
    options = config.html_theme_options
    if repository:
        options["repository_url"] = f"https://github.com/{repository}"
        options["use_repository_button"] = True
    else:
        # The theme's launch buttons need a repository (it would fail without one): the
        # JupyterLite button is then added by launch_buttons() alone.
        options.pop("launch_buttons", None)
        options["use_repository_button"] = False


COLAB_LABEL = "Открыть в Colab"
LITE_LABEL = "Запустить в браузере"


def launch_buttons(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Colab opens the exported ``.ipynb``, JupyterLite opens it from this site's ``lite/``."""
    if doctree is None or not context.get("ipynb_source"):
        return
    buttons = context.setdefault("header_buttons", [])
    group = next((b for b in buttons if b.get("label") == "launch-buttons"), None)
    if group is None:
        group = {
            "type": "group",
            "tooltip": "Запустить главу",
            "icon": "fas fa-rocket",
            "buttons": [],
            "label": "launch-buttons",
        }
        buttons.append(group)
    lite = context["pathto"](LITE_APP, 1) + f"?path={pagename}.ipynb"
    kept = []
    for button in group["buttons"]:
        if button.get("text") == "Colab":
            url = re.sub(r"\.md$", ".ipynb", button["url"])
            # An icon font, not the theme's logo image (its alt text would be English).
            kept.append(
                {
                    **button,
                    "url": url,
                    "text": COLAB_LABEL,
                    "tooltip": COLAB_LABEL,
                    "icon": "fas fa-cloud",
                }
            )
    kept.append(
        {
            "type": "link",
            "text": LITE_LABEL,
            "tooltip": "JupyterLite: Python в браузере, ничего не устанавливая",
            "icon": "fas fa-play",
            "url": lite,
        }
    )
    group["buttons"] = kept
    group["tooltip"] = "Запустить главу"


def publish(app: Sphinx, exception) -> None:
    """The wheel and the JupyterLite site, after the pages (and their notebooks) are written."""
    if exception is not None or app.builder.format != "html":
        return
    executed_with = getattr(app.env, "tinynet_package_hash", None)
    from tinynet_book import package_hash

    if executed_with is not None and executed_with != package_hash():
        raise ExtensionError("tinynet изменился во время сборки: соберите книгу ещё раз")
    outdir = Path(app.outdir)
    wheel = build_wheel(outdir / WHEELS)
    build_lite(outdir, wheel)


def build_lite(outdir: Path, wheel: Path) -> None:
    """``jupyter lite build`` of the exported notebooks and the wheel into ``outdir/lite``."""
    work = outdir.parent / "jupyterlite"
    contents = work / "contents"
    if contents.exists():
        for old in sorted(contents.rglob("*.ipynb")):
            old.unlink()
    for notebook in sorted((outdir / "_sources").rglob("*.ipynb")):
        target = contents / notebook.relative_to(outdir / "_sources")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(notebook.read_bytes())
    settings = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "tinynet",
            "litePluginSettings": {
                # Only the bundled wheel, never a package of the same name from PyPI.
                "@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}
            },
        },
    }
    (work / "jupyter-lite.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "jupyterlite_core",
        "build",
        "--lite-dir",
        str(work),
        "--contents",
        str(contents),
        "--piplite-wheels",
        str(wheel),
        "--output-dir",
        str(outdir / LITE),
        "--no-sourcemaps",
    ]
    result = subprocess.run(
        command,
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if result.returncode != 0:
        log = (result.stdout + result.stderr)[-3000:]
        raise ExtensionError(f"jupyter lite build failed:\n{log}")


def extension_hash() -> str:
    """SHA-256 of the book's extensions: a change to them rewrites every page and notebook."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def setup(app: Sphinx) -> dict:
    # "html": a change rewrites the pages (and the exported notebooks), re-executes nothing.
    app.add_config_value("tinynet_extensions_hash", extension_hash(), "html")
    app.add_config_value("tinynet_repository", os.environ.get("GITHUB_REPOSITORY", ""), "html")
    app.add_config_value("tinynet_site_url", os.environ.get("TINYNET_SITE_URL", ""), "html")
    app.connect("config-inited", configure)
    for role in ("tinynet-repository", "tinynet-install"):
        app.add_role(role, deferred_role)
    app.add_node(deferred_link)
    app.connect("doctree-resolved", resolve_deferred)
    # After sphinx-book-theme builds its launch buttons (priority 501).
    app.connect("html-page-context", launch_buttons, priority=502)
    app.connect("build-finished", publish)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

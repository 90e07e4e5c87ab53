"""The reader's path from a chapter to running code: Colab, the browser, their own Jupyter.

- The site ships a wheel of the package the pages ran, declaring what the chapters need.
- Every exported notebook starts with the setup cell: under JupyterLite and Colab it installs
  tinynet (stand-in ``piplite``/``pyodide``/``google.colab`` modules play the hosts), where
  tinynet imports it does nothing, where it does not it stops with the one install command.
- The wheel, installed by that cell from the served site into a fresh environment that has only
  what a reader has, runs every exported notebook top to bottom.
- With ``GITHUB_REPOSITORY`` every chapter page links Colab to the notebook the workflow
  publishes and JupyterLite to the notebook inside the site; without it the strict build is
  clean and has no Colab button. Both builds reuse README's build: only the configuration
  changes, so no chapter is executed again (asserted).
- In headless Chromium, the lite site opens a chapter and renders its math (running it needs
  Pyodide from its CDN: not asserted offline).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest
import tomllib

from tests.sitebuild import CHAPTERS, ROOT, build, launch_chromium, serve

sys.path.insert(0, str(ROOT / "_ext"))
import tinynet_launch  # noqa: E402

WHEEL = tinynet_launch.wheel_name()
REPOSITORY = "owner/name"
SITE_URL = "https://owner.github.io/name/"
PUBLISHED = f"{SITE_URL}_static/wheels/{WHEEL}"
HOST_VARIABLES = ("GITHUB_REPOSITORY", "TINYNET_SITE_URL", "TINYNET_WHEEL")
# What a reader's own Jupyter has: a kernel and a notebook runner, plus the wheel's deps.
READER_PACKAGES = ("ipykernel", "nbclient", "numpy", "matplotlib", "scikit-learn")

# Runs a setup cell as IPython would: top-level ``await`` allowed.
RUN_CELL = """\
import ast, asyncio, sys
code = compile(sys.stdin.read(), "setup-cell", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
result = eval(code, {"__name__": "__main__"})
if asyncio.iscoroutine(result):
    asyncio.run(result)
"""
# Stand-ins for the hosts' modules: each records what it was asked to install.
RECORDING_INSTALL = """\
import json, os
async def install(requirements, **options):
    with open(os.environ["INSTALL_LOG"], "w", encoding="utf-8") as log:
        json.dump(requirements, log)
"""


def host_free_environment(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in HOST_VARIABLES}
    env.pop("PYTHONPATH", None)
    return {**env, **extra}


def setup_source(site: Path, page: str) -> str:
    notebook = nbformat.read(site / "_sources" / f"{page}.ipynb", as_version=4)
    return notebook.cells[0].source


def run_setup_cell(
    source: str,
    cwd: Path,
    python: str = sys.executable,
    isolated: bool = False,
    standins: Path | None = None,
    **env: str,
) -> subprocess.CompletedProcess:
    """Run a setup cell in a fresh interpreter; ``isolated`` hides site-packages (no tinynet)."""
    extra = {"PYTHONPATH": str(standins)} if standins else {}
    return subprocess.run(
        [python, *(["-S"] if isolated else []), "-c", RUN_CELL],
        input=source,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=host_free_environment(**extra, **env),
    )


def standin(tmp_path: Path, *modules: str) -> Path:
    """A folder with stand-in host modules: ``piplite``/``micropip`` record installs."""
    folder = tmp_path / "standins"
    for module in modules:
        path = folder.joinpath(*module.split(".")) / "__init__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(RECORDING_INSTALL if module in ("piplite", "micropip") else "")
    return folder


@pytest.fixture(scope="module")
def hosted_site(site, tmp_path_factory) -> Path:
    """README's build rebuilt as GitHub Actions builds it (repository and Pages address set)."""
    variables = {"GITHUB_REPOSITORY": REPOSITORY, "TINYNET_SITE_URL": SITE_URL}
    return rebuilt(site, tmp_path_factory.mktemp("hosted"), **variables)


@pytest.fixture(scope="module")
def bare_site(site, tmp_path_factory) -> Path:
    """README's build rebuilt as a local build is: no repository, no site address (strict)."""
    return rebuilt(site, tmp_path_factory.mktemp("bare"))


def rebuilt(site: Path, output: Path, **variables: str) -> Path:
    """README's build copied to ``output`` and rebuilt strictly with only ``variables`` changed:
    a configuration change rewrites the pages and executes no chapter again."""
    shutil.copytree(site.parent, output / "_build", symlinks=True)
    log = build(ROOT, output, host_free_environment(**variables))
    assert "Executing notebook" not in log, "сборка с другими настройками выполнила главы заново"
    assert "writing output" in log
    return output / "_build" / "html"


@pytest.fixture(scope="module")
def served(site):
    """The built site over HTTP on localhost, as a reader's browser or pip gets it."""
    with serve(site) as address:
        yield address + "/"


# --- The wheel -----------------------------------------------------------------------------


def test_the_site_ships_a_wheel_of_the_package_the_pages_ran(site):
    wheel = zipfile.ZipFile(site / "_static" / "wheels" / WHEEL)
    shipped = {n: wheel.read(n) for n in wheel.namelist() if n.startswith("tinynet/")}
    package = {
        f"tinynet/{p.relative_to(ROOT / 'tinynet').as_posix()}": p.read_bytes()
        for p in (ROOT / "tinynet").rglob("*.py")
    }
    assert shipped == package, "колесо собрано не из того кода, что выполняли главы"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    metadata = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")))
    requires = re.findall(r"^Requires-Dist: (.+)$", metadata.decode(), re.M)
    assert requires[: len(project["dependencies"])] == project["dependencies"]
    assert {"numpy", "matplotlib"} <= {re.split(r"[<>=]", d)[0] for d in project["dependencies"]}
    assert 'scikit-learn>=1.3; extra == "digits"' in requires
    assert re.search(rf"^Name: {project['name']}$", metadata.decode(), re.M)


def test_the_lite_site_bundles_the_same_wheel_and_never_asks_pypi(site):
    index = json.loads((site / "lite" / "pypi" / "all.json").read_text(encoding="utf-8"))
    (release,) = index["tinynet-book"]["releases"][tinynet_launch.project()["version"]]
    bundled = site / "lite" / "pypi" / release["url"]
    assert bundled.read_bytes() == (site / "_static" / "wheels" / WHEEL).read_bytes()
    config = json.loads((site / "lite" / "jupyter-lite.json").read_text(encoding="utf-8"))
    settings = config["jupyter-config-data"]["litePluginSettings"]
    assert settings["@jupyterlite/pyodide-kernel-extension:kernel"]["disablePyPIFallback"]
    # The build is offline: no Pyodide in the site, the browser loads it from its CDN.
    assert not list((site / "lite").rglob("pyodide*.wasm"))
    for page in CHAPTERS:
        lite = site / "lite" / "files" / f"{page}.ipynb"
        assert lite.read_bytes() == (site / "_sources" / f"{page}.ipynb").read_bytes(), page


# --- The setup cell ------------------------------------------------------------------------


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_exported_notebook_starts_with_the_setup_cell_the_page_does_not_show(site, page):
    notebook = nbformat.read(site / "_sources" / f"{page}.ipynb", as_version=4)
    nbformat.validate(notebook)
    first = notebook.cells[0]
    assert first.cell_type == "code" and first.metadata["tags"] == ["tinynet-setup"]
    assert first.source.startswith("# Подготовка (запустите первой)")
    assert "TINYNET_WHEEL" in first.source
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    assert "TINYNET_WHEEL" not in html and "piplite" not in html


@pytest.mark.parametrize(
    ("code", "extras"),
    [
        ("X, y = tinynet.digits()", ["scikit-learn"]),
        ("from tinynet import digits\ndata = digits (rng=0)", ["scikit-learn"]),
        ("plot_digits(images)", []),
        ("# без цифр", []),
    ],
)
def test_only_a_chapter_that_loads_the_digits_installs_scikit_learn(code, extras):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    assert tinynet_launch.chapter_extras(notebook) == extras


def test_setup_cell_does_nothing_where_tinynet_is_installed(site, tmp_path):
    result = run_setup_cell(setup_source(site, CHAPTERS[0]), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == result.stderr == ""


def test_setup_cell_stops_with_the_install_command_where_tinynet_is_missing(hosted_site, tmp_path):
    result = run_setup_cell(setup_source(hosted_site, CHAPTERS[0]), tmp_path, isolated=True)
    assert result.returncode != 0
    assert "ModuleNotFoundError: Пакет tinynet не установлен" in result.stderr
    assert f'pip install "tinynet-book[digits] @ {PUBLISHED}"' in result.stderr


def test_setup_cell_without_a_known_site_names_the_repository_install(bare_site, tmp_path):
    result = run_setup_cell(setup_source(bare_site, CHAPTERS[0]), tmp_path, isolated=True)
    assert result.returncode != 0
    assert 'pip install -e ".[digits]"  (в корне клона репозитория книги)' in result.stderr


@pytest.mark.parametrize(
    ("page", "extras"), [(CHAPTERS[0], []), ("book/11_digits", ["scikit-learn"])]
)
def test_setup_cell_under_jupyterlite_installs_the_bundled_wheel(
    hosted_site, tmp_path, page, extras
):
    log = tmp_path / "installed.json"
    standins = standin(tmp_path, "piplite", "pyodide")
    source = setup_source(hosted_site, page)
    result = run_setup_cell(
        source, tmp_path, isolated=True, standins=standins, INSTALL_LOG=str(log)
    )
    assert result.returncode == 0, result.stderr
    # The lite site's own index has it (previous test); PyPI is never asked for it.
    assert json.loads(log.read_text(encoding="utf-8")) == ["tinynet-book", *extras]


def test_setup_cell_under_another_pyodide_installs_the_published_wheel(hosted_site, tmp_path):
    log = tmp_path / "installed.json"
    standins = standin(tmp_path, "pyodide", "micropip")
    source = setup_source(hosted_site, CHAPTERS[0])
    result = run_setup_cell(
        source, tmp_path, isolated=True, standins=standins, INSTALL_LOG=str(log)
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(log.read_text(encoding="utf-8")) == [PUBLISHED]


# --- A reader's own environment: Colab's path for real -------------------------------------


def pins(names) -> list[str]:
    """``name==version`` from requirements.txt for each name."""
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    found = {line.split("==")[0].lower(): line for line in text.splitlines() if "==" in line}
    return [found[name.lower()] for name in names]


@pytest.fixture(scope="module")
def reader(site, served, tmp_path_factory):
    """A fresh virtual environment with only what a reader has (no tinynet, no checkout), in
    which the first chapter's setup cell, under a stand-in ``google.colab``, installs tinynet
    from the served site, as Colab does from the Pages site."""
    home = tmp_path_factory.mktemp("reader")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *pins(READER_PACKAGES)], check=True, env=host_free_environment())
    missing = subprocess.run([python, "-c", "import tinynet"], cwd=home, capture_output=True)
    assert missing.returncode != 0, "в окружении читателя tinynet уже есть"
    url = f"{served}_static/wheels/{WHEEL}"
    colab = run_setup_cell(
        setup_source(site, CHAPTERS[0])
        + "\nimport tinynet  # the same kernel imports it at once\n",
        home,
        python=python,
        standins=standin(home, "google.colab"),
        TINYNET_WHEEL=url,
    )
    return {"home": home, "venv": venv, "python": python, "colab": colab, "url": url}


def test_setup_cell_under_colab_installs_the_wheel_from_the_site(reader):
    assert reader["colab"].returncode == 0, reader["colab"].stderr
    probe = (
        "import importlib.metadata as m, json, tinynet; d = m.distribution('tinynet-book');"
        "print(json.dumps([tinynet.__file__, json.loads(d.read_text('direct_url.json'))['url']]))"
    )
    result = subprocess.run(
        [reader["python"], "-c", probe],
        cwd=reader["home"],
        capture_output=True,
        text=True,
        check=True,
        env=host_free_environment(),
    )
    where, url = json.loads(result.stdout)
    assert Path(where).is_relative_to(reader["venv"]), where
    assert url == reader["url"]


RUN_NOTEBOOK = """import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
probe = ("import sys, matplotlib, numpy, tinynet; "
         "print(sys.prefix, tinynet.__file__, numpy.__version__, matplotlib.__version__)")
notebook.cells.append(nbformat.v4.new_code_cell(probe))
# shutdown_kernel="immediate": as in the book's build (_ext/tinynet_build.py), the kernel is
# stopped once the last cell has replied, not awaited for seconds while it exits.
NotebookClient(notebook, timeout=300, kernel_name="python3", shutdown_kernel="immediate",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(notebook, sys.argv[3])
print(notebook.cells[-1].outputs[0].text, end="")
"""


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_exported_notebook_runs_in_a_readers_environment(site, reader, page, tmp_path):
    """The download as it is, setup cell included, in the reader's kernel (the venv's
    ipykernel, its own Jupyter data folder: no kernel of this repository's environment): no
    error, and every output is the one the site shows (the chapters are reproducible), except
    cells tagged ``timing`` that print measured times. Plots are compared byte for byte when the
    reader's NumPy and Matplotlib are the build's (the pinned ones, which PyPI serves today),
    otherwise only their kinds."""
    assert reader["colab"].returncode == 0, reader["colab"].stderr
    download, executed = site / "_sources" / f"{page}.ipynb", tmp_path / "executed.ipynb"
    result = subprocess.run(
        [reader["python"], "-c", RUN_NOTEBOOK, str(download), str(tmp_path), str(executed)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=host_free_environment(JUPYTER_DATA_DIR=str(tmp_path / "jupyter")),
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    prefix, module, numpy_version, matplotlib_version = result.stdout.split()
    assert Path(prefix) == reader["venv"] and Path(module).is_relative_to(reader["venv"])

    import matplotlib
    import numpy

    same_libraries = (numpy_version, matplotlib_version) == (
        numpy.__version__,
        matplotlib.__version__,
    )
    stored = nbformat.read(download, as_version=4)
    rerun = nbformat.read(executed, as_version=4)
    for before, after in zip(stored.cells, rerun.cells[: len(stored.cells)], strict=True):
        if before.cell_type == "code" and "timing" not in before.metadata.get("tags", []):
            shown, seen = visible_outputs(before), visible_outputs(after)
            if not same_libraries:
                shown, seen = _kinds_of_plots(shown), _kinds_of_plots(seen)
            assert seen == shown, before.source[:200]


def visible_outputs(cell) -> list:
    """What a reader sees of a cell's outputs (text and images), for comparing two runs.

    Consecutive chunks of one stream count as one text: the build merges them
    (``nb_merge_streams``), a kernel run splits them wherever ``print`` flushed."""
    seen = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            if seen and seen[-1][0] == output.name:
                seen[-1] = (output.name, seen[-1][1] + output.text)
            else:
                seen.append((output.name, output.text))
        elif output.output_type in ("execute_result", "display_data"):
            seen.append(tuple(sorted((k, str(v)) for k, v in output.data.items())))
        else:
            seen.append((output.output_type, output.get("ename"), output.get("evalue")))
    return seen


def _kinds_of_plots(outputs: list) -> list:
    """Outputs with each image replaced by its type: other library versions draw other bytes."""
    return [
        tuple((k, v if not k.startswith("image/") else k) for k, v in output)
        if output and isinstance(output[0], tuple)
        else output
        for output in outputs
    ]


# --- Launch buttons ------------------------------------------------------------------------


def launch_links(html: str) -> list[str]:
    group = re.search(r'<div class="dropdown dropdown-launch-buttons">(.*?)</div>', html, re.S)
    return re.findall(r'href="([^"]+)"', group.group(1)) if group else []


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_chapter_opens_in_colab_and_in_the_browser(hosted_site, page):
    html = (hosted_site / f"{page}.html").read_text(encoding="utf-8")
    colab, lite = launch_links(html)
    # The branch `notebooks` holds _sources/book/*.ipynb (the workflow's publish-notebooks job).
    expected = f"https://colab.research.google.com/github/{REPOSITORY}/blob/notebooks/{page}.ipynb"
    assert colab == expected
    assert (hosted_site / "_sources" / f"{page}.ipynb").is_file()
    app = urlsplit(urljoin(f"http://site/{page}.html", lite))
    assert (hosted_site / app.path.lstrip("/")).is_file(), lite
    assert app.query == f"path={page}.ipynb"
    assert (hosted_site / "lite" / "files" / f"{page}.ipynb").is_file()
    assert f'href="https://github.com/{REPOSITORY}"' in html, "нет ссылки на репозиторий"
    assert "Открыть в Colab" in html and "Запустить в браузере" in html
    setup = setup_source(hosted_site, page)
    assert f'os.environ.get("TINYNET_WHEEL", "{PUBLISHED}")' in setup


def visible_text(html: str) -> str:
    """The text a reader sees (Sphinx splits a literal into one span per word)."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def run_yourself(site: Path) -> str:
    """The HTML of the introduction's section «Как запустить код самому»."""
    page = (site / "book" / "intro.html").read_text(encoding="utf-8")
    start = re.search(r"<h2>Как запустить код самому", page).start()
    return page[start : page.index("<h2>Как собрать книгу", start)]


def test_the_introduction_gives_the_three_ways_the_command_and_the_repository(hosted_site):
    section = run_yourself(hosted_site)
    text = visible_text(section)
    for way in ("В Google Colab", "В браузере", "На своём компьютере"):
        assert way in text
    assert f'pip install "tinynet-book[digits] @ {PUBLISHED}"' in text
    assert f'href="https://github.com/{REPOSITORY}"' in section


def test_without_a_repository_the_strict_build_is_clean_and_has_no_colab_button(bare_site):
    bare = bare_site  # rebuilt strictly: a warning would have failed it
    for page in CHAPTERS:
        html = (bare / f"{page}.html").read_text(encoding="utf-8")
        (lite,) = launch_links(html)
        assert (
            bare / urlsplit(urljoin(f"http://site/{page}.html", lite)).path.lstrip("/")
        ).is_file()
        assert "colab.research.google.com" not in html and "github.com/" not in html
    assert 'TINYNET_WHEEL", "")' in setup_source(bare, CHAPTERS[0])
    section = run_yourself(bare)
    assert 'pip install -e ".[digits]" (в корне клона' in visible_text(section)
    assert "github.com/" not in section


# --- JupyterLite in a real browser ---------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def test_the_lite_site_opens_a_chapter_and_renders_its_math(site, served, chromium):
    html = (site / f"{CHAPTERS[0]}.html").read_text(encoding="utf-8")
    lite = launch_links(html)[-1]
    page = chromium.new_page()
    try:
        page.goto(urljoin(f"{served}{CHAPTERS[0]}.html", lite), timeout=120_000)
        math = page.locator(".jp-Notebook .jp-RenderedMarkdown mjx-container")
        math.first.wait_for(timeout=120_000)
        assert math.count() > 5
        text = page.locator(".jp-Notebook").inner_text()
        assert "Подготовка (запустите первой)" in text, "в блокноте нет ячейки подготовки"
        title = nbformat.read(site / "_sources" / f"{CHAPTERS[0]}.ipynb", as_version=4)
        heading = next(c.source for c in title.cells if c.cell_type == "markdown")
        assert heading.splitlines()[0].lstrip("# ").strip() in text
    finally:
        page.close()

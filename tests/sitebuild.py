"""The book's pages and how the tests build them: one strict build shared by every test module.

README's command 1 builds the site into ``_build/html``. The session fixture ``site``
(``conftest.py``) runs the same command again before the first test that needs the site: after
command 1 nothing has changed, Sphinx re-reads nothing and no chapter is executed again (a few
seconds); after an edit it re-executes what changed, so no test reads a stale page.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
# Numbered parts hold the chapters (executed notebooks with a download); the appendices are
# plain pages (notation, API reference, bibliography).
PARTS = TOC["parts"]
CHAPTERS = [c["file"] for part in PARTS if part.get("numbered") for c in part["chapters"]]
APPENDICES = [c["file"] for part in PARTS if not part.get("numbered") for c in part["chapters"]]
PAGES = [TOC["root"], *CHAPTERS, *APPENDICES]


def build(
    source: Path,
    output: Path | None = None,
    env: dict | None = None,
    strict: bool = True,
    builder: str | None = None,
) -> str:
    """``jupyter-book build`` (strict by default) into ``output/_build`` (default: the source's).

    Fails the test on a non-zero exit or, if strict, on a warning; returns the log.
    """
    flags = ["-W", "-n", "--keep-going"] if strict else []
    if output is not None:
        flags += ["--path-output", str(output)]
    if builder is not None:
        flags += ["--builder", builder]
    result = subprocess.run(
        [JUPYTER_BOOK, "build", str(source), *flags],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    if strict:
        assert "WARNING:" not in log.replace("[IPKernelApp] WARNING", ""), log[-5000:]
    return log

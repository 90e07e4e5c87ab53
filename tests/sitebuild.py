"""The book's pages and how the tests build them: one strict build shared by every test module.

README's command 1 builds the site into ``_build/html``. The session fixture ``site``
(``conftest.py``) runs the same command again before the first test that needs the site: after
command 1 nothing has changed, Sphinx re-reads nothing and no chapter is executed again (a few
seconds); after an edit it re-executes what changed, so no test reads a stale page.

The browser tests (``test_browser.py``, ``test_reader_path.py``) share :func:`serve` (the site
on 127.0.0.1, as a web host serves it) and :func:`launch_chromium` (the installed Chromium).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
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


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """``directory`` over HTTP on 127.0.0.1 (a free port); yields the address, no final ``/``."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# Headless, and nothing that calls home: no network but the served site (the tests fail on any
# foreign request), no GPU, no sandbox (CI runs as root).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The browser: ``TINYNET_CHROMIUM`` if set, else the first of /usr/bin/chromium (Debian's
    ``chromium``, which ``.ci/run`` installs when missing), google-chrome, chromium-browser."""
    if os.environ.get("TINYNET_CHROMIUM"):
        return os.environ["TINYNET_CHROMIUM"]
    for name in ("/usr/bin/chromium", "chromium", "google-chrome", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium не найден: установите chromium или задайте TINYNET_CHROMIUM")


def launch_chromium(playwright: object) -> object:
    """Headless Chromium through Playwright's sync API (``playwright install`` is never
    needed: it drives the installed browser). Playwright gives it a fresh temporary profile."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
    )

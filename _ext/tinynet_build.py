"""Sphinx extension of the tinynet book: how long the build waits for each chapter.

1. Chapters are read, and so executed, in parallel: ``jupyter-book build`` (v1) always runs
   Sphinx with one process and has no ``-j`` option, so this extension raises Sphinx's process
   count to the number of usable cores (at most ``TINYNET_BUILD_JOBS`` when it is set; ``1``
   gives the serial build). Sphinx forks one reader per chunk of chapters, each with its own
   kernel, and merges what they found. Each chapter is its own chunk, and the slowest start
   first (see :func:`balanced_chunks`); what each reading process sends back is kept small
   (see :func:`lighten_exercise_registry`). Pages are then written by one process (see
   :func:`write_serially`).
2. Each chapter kernel gets one BLAS thread (:func:`one_blas_thread_per_kernel`).
3. Each chapter kernel is reached over Unix sockets, not TCP ports that a kernel started at the
   same time could take, and is stopped as soon as its last cell has replied
   (:func:`timed_execution`).
4. Every executed cell records its start and end (nbclient's ``record_timing``), and at the end
   of the build a table gives, for every chapter executed in this build, the time of its cells,
   its time with the kernel's start and stop (MyST-NB's execution data), and its slowest cell,
   so a slow chapter is seen the day it becomes slow.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import myst_nb.core.execute.direct as direct
import sphinx.builders
from sphinx.application import Sphinx
from sphinx.util import logging
from traitlets.config import Config

logger = logging.getLogger(__name__)
_single_nb_execution = direct.single_nb_execution


def timed_execution(*args, **kwargs):
    """MyST-NB's execution of one notebook, with every cell's timing recorded, the kernel
    reached over Unix sockets, and the kernel stopped at once when its last cell has replied.

    - Sockets (:func:`kernel_sockets`): over TCP, jupyter_client picks five free ports and
      releases them for the kernel to bind; with two chapters starting kernels at once, a port
      can be taken in between (seen once in CI: ``ZMQError: Address already in use``, then
      "Kernel didn't respond in 60 seconds" and a failed build). A Unix socket is a file in a
      directory of this execution alone, so nothing can take it.
    - Stop (nbclient's ``shutdown_kernel="immediate"``): the default, ``"graceful"``, asks the
      kernel to exit and polls until it has. A one-cell notebook took 0.7 s, and 4.0 s in 4
      runs of 17, when ipykernel 7 took 3.4 s to exit; in a clean build the time of a chapter
      beyond its cells fell from 1.05 s to 0.78 s on average. Every output has arrived by then
      (each cell's reply and its idle message are awaited), and the kernel keeps nothing the
      book needs.
    """
    with kernel_sockets() as config:
        extra = {"record_timing": True, "shutdown_kernel": "immediate", **config}
        return _single_nb_execution(*args, **{**kwargs, **extra})


@contextmanager
def kernel_sockets() -> Iterator[dict]:
    """NotebookClient's arguments for a kernel on Unix sockets in a new temporary directory
    (removed afterwards); on a system without them (Windows), none: TCP, as by default."""
    if os.name != "posix":
        yield {}
        return
    with tempfile.TemporaryDirectory(prefix="tinynet-kernel-") as folder:
        sockets = {"transport": "ipc", "ip": os.path.join(folder, "k")}
        yield {"config": Config({"KernelManager": sockets})}


def jobs() -> int:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = int(os.environ.get("TINYNET_BUILD_JOBS", usable or 1))
    return max(1, min(wanted, usable or 1))


def cell_seconds(cell: dict) -> float:
    """Seconds between a cell's execute request and its reply, from nbclient's timestamps."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def timing_table(executed: list[Path], runtimes: dict[Path, float] | None = None) -> list[str]:
    """Rows "chapter | cells | with its kernel | slowest cell (seconds, first line)".

    ``runtimes``: for each notebook, MyST-NB's time of its whole execution (kernel start, every
    cell, kernel stop); a chapter without one gets a dash there.
    """
    rows = []
    for path in sorted(executed):
        cells = [
            c
            for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"
        ]
        times = [cell_seconds(c) for c in cells]
        slowest = max(range(len(cells)), key=times.__getitem__) if cells else None
        where = ""
        if slowest is not None:
            first = "".join(cells[slowest]["source"]).strip().splitlines()[0][:50]
            tags = cells[slowest].get("metadata", {}).get("tags", [])
            mark = " [timing]" if "timing" in tags else ""
            where = f"{times[slowest]:5.1f} s  cell {slowest + 1}{mark}: {first}"
        whole = (runtimes or {}).get(path)
        kernel = f"{whole:6.1f} s" if whole is not None else "     — "
        rows.append(f"  {path.stem:<28} {sum(times):6.1f} s {kernel}   {where}")
    return rows


def expected_seconds(app: Sphinx, docname: str) -> float:
    """How long reading ``docname`` is expected to take: its cells' time in the previous build
    (the executed notebook in ``_build/jupyter_execute``), or, in a clean build, a guess from the
    size of its source: the long chapters are the slow ones, 10 kB to a second of execution
    (chapters of 15-72 kB took 2-15 s)."""
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"
    if executed.is_file():
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
        return sum(cell_seconds(c) for c in cells if c["cell_type"] == "code")
    source = Path(app.srcdir) / f"{docname}.md"
    return source.stat().st_size / 10_000 if source.is_file() else 0.0


def balanced_chunks(app: Sphinx):
    """Sphinx's ``make_chunks`` for reading, one document per chunk, the slowest first.

    Sphinx's own cuts the sorted documents into ``n / jobs`` consecutive runs, so with two cores
    chapters 9-13 (the slow ones) fell to one process and chapters 1-8 to the other: the build
    waited about 51 s for the first and 39 s for the second. With one chapter per chunk a free
    process takes the next chapter as soon as it finishes one (Sphinx forks a process per chunk,
    at most ``jobs`` at a time), and starting with the slowest (longest processing time first)
    leaves only short chapters for the end. Sphinx 7 starts the first ``jobs`` chunks at once and
    then takes the waiting ones last-in first-out, so the waiting ones are handed over in
    reverse; any other order would only balance worse, never build differently.
    """

    def make_chunks(docnames, nproc, maxbatch=10):
        order = sorted(docnames, key=lambda name: -expected_seconds(app, name))
        return [[name] for name in order[:nproc] + order[nproc:][::-1]]

    return make_chunks


def report(app: Sphinx, exception) -> None:
    if exception is not None:
        return
    folder = Path(app.outdir).parent / "jupyter_execute"
    started = getattr(app, "tinynet_started", 0.0)
    executed = [p for p in folder.rglob("*.ipynb") if p.stat().st_mtime >= started]
    if not executed:
        return
    runtimes = {
        folder / f"{docname}.ipynb": data["exec_data"]["runtime"]
        for docname, data in getattr(app.env, "nb_metadata", {}).items()
        if data.get("exec_data")
    }
    logger.info(
        "tinynet: execution time per chapter: its cells, with its kernel (start and stop), "
        "and its slowest cell"
    )
    for row in timing_table(executed, runtimes):
        logger.info(row)


# Extensions that declare nothing about parallel builds, so Sphinx would read serially (with a
# warning, fatal under -W), and why each is safe: neither keeps data in the environment.
PARALLEL_SAFE_UNDECLARED = {
    # Replaces TocTreeCollector.assign_section_numbers, which runs in the main process after
    # the readers' results are merged (0.1.3).
    "sphinx_multitoc_numbering",
    # Sets mathjax_path and copies its files at build-finished, in the main process (0.0.2).
    "sphinx-mathjax-offline",
    # Sets its env flags at builder-inited, before the readers fork; its read transforms only
    # mark nodes of the document being read (1.0.0).
    "sphinx_jupyterbook_latex",
}


def declare_parallel_safe(app: Sphinx, config) -> None:
    for name in PARALLEL_SAFE_UNDECLARED:
        extension = app.extensions.get(name)
        if extension is not None and extension.parallel_read_safe is None:
            extension.parallel_read_safe = True


def write_serially(app: Sphinx, env) -> None:
    """Only reading (where the chapters execute) runs in parallel; pages are written by one
    process. sphinx-tippy collects each page's tooltips in ``html-page-context`` and writes
    them at ``build-finished`` in the main process, so with parallel writing the pages written
    by a child process lost their tooltip scripts. Carrying them back through files was tried
    and works, but gains nothing: the main process still resolves every page's doctree one
    after another, and the whole write took 12.5 s in parallel against 13 s serially."""
    app.parallel = 1


def lighten_exercise_registry(app: Sphinx, doctree) -> None:
    """sphinx-exercise keeps every exercise and solution node of the document just read in
    ``env.sphinx_exercise_registry``, and each node still points to its whole document, so
    the environment a reading process sends back held every chapter's doctree read so far
    (4.8 MB of its 5.6 MB). Its post-transforms need only the node and its children (titles,
    numbers): a detached copy is kept instead."""
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for entry in registry.values():
        node = entry.get("node")
        if entry.get("docname") == app.env.docname and node is not None:
            copy = node.deepcopy()
            for part in copy.findall():
                part._document = None
            entry["node"] = copy


# Variables that size the BLAS thread pools of NumPy (OpenBLAS; MKL or OpenMP builds elsewhere).
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def one_blas_thread_per_kernel() -> None:
    """Every chapter kernel (a child of this process) gets one BLAS thread, unless the variable
    is already set. The chapters already run in parallel on the cores (see :func:`jobs`); a
    pool of BLAS threads in each kernel on top of that only makes them wait for each other on
    the book's small matrices: on the 2-core machine, under load, chapter 9's spirals cell took
    10.1 s with two OpenBLAS threads and under 1 s with one."""
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")


def setup(app: Sphinx) -> dict:
    one_blas_thread_per_kernel()
    direct.single_nb_execution = timed_execution
    app.parallel = max(app.parallel, jobs())
    sphinx.builders.make_chunks = balanced_chunks(app)
    app.tinynet_started = datetime.now().timestamp()
    app.connect("config-inited", declare_parallel_safe)
    app.connect("env-updated", write_serially)
    app.connect("doctree-read", lighten_exercise_registry)
    app.connect("build-finished", report)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

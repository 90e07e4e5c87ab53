"""The build's timing table (``_ext/tinynet_build.py``): per-chapter time and slowest cell."""

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))
from tinynet_build import (  # noqa: E402
    BLAS_THREADS,
    balanced_chunks,
    cell_seconds,
    jobs,
    lighten_exercise_registry,
    one_blas_thread_per_kernel,
    timing_table,
)


def code_cell(source: str, start: str, end: str, tags=()) -> dict:
    timing = {"iopub.execute_input": start, "shell.execute_reply": end}
    metadata = {"execution": timing, "tags": list(tags)}
    return {"cell_type": "code", "source": source, "metadata": metadata, "outputs": []}


def test_cell_seconds_is_the_time_from_request_to_reply():
    cell = code_cell("x = 1", "2026-12-02T10:00:00.250000Z", "2026-12-02T10:00:02.000000Z")
    assert cell_seconds(cell) == pytest.approx(1.75)
    assert cell_seconds({"cell_type": "code", "metadata": {}}) == 0.0  # not executed


def test_timing_table_sums_the_chapter_and_names_its_slowest_cell(tmp_path):
    cells = [
        code_cell("import numpy", "2026-12-02T10:00:00Z", "2026-12-02T10:00:01Z"),
        code_cell("train()\nmore()", "2026-12-02T10:00:01Z", "2026-12-02T10:00:04Z", ["timing"]),
        {"cell_type": "markdown", "source": "text", "metadata": {}},
    ]
    path = tmp_path / "08_chapter.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    (row,) = timing_table([path])
    assert row.split()[:4] == ["08_chapter", "4.0", "s", "—"]
    assert "3.0 s  cell 2 [timing]: train()" in row
    (row,) = timing_table([path], {path: 4.75})  # with the kernel's start and stop
    assert row.split()[:5] == ["08_chapter", "4.0", "s", "4.8", "s"]


@pytest.mark.skipif(os.name != "posix", reason="no Unix sockets: TCP, as by default")
def test_chapter_kernels_use_their_own_unix_sockets_and_are_stopped_at_once(monkeypatch):
    import tinynet_build

    calls = []

    def execution(*args, **kwargs):
        sockets = kwargs["config"].KernelManager
        folder = Path(sockets.ip).parent
        calls.append((args, kwargs, sockets.transport, folder, folder.is_dir()))

    monkeypatch.setattr(tinynet_build, "_single_nb_execution", execution)
    tinynet_build.timed_execution("nb", cwd=None, timeout=30)
    tinynet_build.timed_execution("nb", cwd=None, timeout=30)
    (args, kwargs, transport, folder, existed), second = calls
    assert args == ("nb",) and kwargs["cwd"] is None and kwargs["timeout"] == 30
    assert kwargs["record_timing"] is True and kwargs["shutdown_kernel"] == "immediate"
    assert transport == "ipc" and existed and not folder.exists()  # removed after the run
    assert second[3] != folder  # every execution its own directory


def test_jobs_follow_the_environment_and_never_exceed_the_cores(monkeypatch):
    monkeypatch.setenv("TINYNET_BUILD_JOBS", "1")
    assert jobs() == 1
    monkeypatch.setenv("TINYNET_BUILD_JOBS", "1000")
    assert 1 <= jobs() <= len(os.sched_getaffinity(0))


def test_chapters_are_read_one_per_chunk_the_slowest_first(tmp_path):
    """A clean build guesses from the source sizes, a rebuild from the last build's cell times;
    Sphinx starts the first two chunks and then pops the waiting ones last-in first-out, so the
    order in which chapters start is the first two, then the rest reversed."""
    source, out = tmp_path / "src", tmp_path / "_build" / "html"
    (source / "book").mkdir(parents=True)
    sizes = {"book/a": 5_000, "book/b": 40_000, "book/c": 20_000, "book/d": 30_000, "book/e": 10}
    for name, size in sizes.items():
        (source / f"{name}.md").write_text("x" * size, encoding="utf-8")
    app = type("App", (), {"srcdir": str(source), "outdir": str(out)})()
    make_chunks = balanced_chunks(app)
    chunks = make_chunks(sorted(sizes), 2)
    assert all(len(chunk) == 1 for chunk in chunks)
    started = [chunk[0] for chunk in chunks[:2]] + [chunk[0] for chunk in chunks[2:]][::-1]
    assert started == ["book/b", "book/d", "book/c", "book/a", "book/e"]

    # After a build, chapter a took 9 s: it is now the slowest.
    executed = tmp_path / "_build" / "jupyter_execute" / "book"
    executed.mkdir(parents=True)
    cell = code_cell("train()", "2026-12-02T10:00:00Z", "2026-12-02T10:00:09Z")
    (executed / "a.ipynb").write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    assert make_chunks(sorted(sizes), 2)[0] == ["book/a"]


def test_chapter_kernels_get_one_blas_thread_unless_the_environment_says_otherwise(monkeypatch):
    for name in BLAS_THREADS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    one_blas_thread_per_kernel()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"
    assert os.environ["MKL_NUM_THREADS"] == os.environ["OMP_NUM_THREADS"] == "1"


def test_the_exercise_registry_keeps_a_detached_copy_of_the_documents_nodes():
    """What a reading process sends back must not carry the whole doctree of every chapter."""
    import pickle

    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    document = new_document("chapter", get_default_settings(Parser))
    document += nodes.paragraph(text="x" * 100_000)  # the rest of the chapter
    exercise = nodes.container("", nodes.title(text="Упражнение 1"))
    document += exercise
    registry = {
        "ex-1": {"docname": "book/a", "node": exercise},
        "ex-2": {"docname": "book/b", "node": "other"},
    }
    env = type("Env", (), {"docname": "book/a", "sphinx_exercise_registry": registry})()
    lighten_exercise_registry(type("App", (), {"env": env})(), document)
    kept = registry["ex-1"]["node"]
    assert kept.astext() == "Упражнение 1" and kept.parent is None and kept.document is None
    assert len(pickle.dumps(kept)) < 10_000 < len(pickle.dumps(exercise))
    assert registry["ex-2"]["node"] == "other"

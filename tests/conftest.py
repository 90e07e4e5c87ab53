"""Общие инструменты тестов: порог проверки градиентов, генератор и собранный сайт."""

import contextlib
from pathlib import Path

import numpy as np
import pytest

from tests.sitebuild import ROOT, build

# Центральные разности с eps=1e-6 в float64 дают относительную ошибку порядка 1e-9..1e-10;
# ошибка в формуле (забытая σ′, не та транспозиция) даёт 1e-2 и больше.
GRAD_TOL = 1e-6


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


@pytest.fixture(scope="session")
def site() -> Path:
    """Сайт, собранный командой 1 из README (``_build/html``), приведённый в актуальное
    состояние той же строгой сборкой: одна сборка на все тесты (см. ``tests/sitebuild.py``).

    Тесты идут в двух процессах (pytest-xdist, ``-n auto`` в ``pyproject.toml``), и у каждого
    своя сессия: второй ждёт, пока первый соберёт сайт, и его сборка уже ничего не меняет."""
    (ROOT / "_build").mkdir(exist_ok=True)
    with open(ROOT / "_build" / ".site-build.lock", "w") as lock, _exclusive(lock):
        build(ROOT)
    return ROOT / "_build" / "html"


@contextlib.contextmanager
def _exclusive(file):
    """Блокировка файла на время сборки (``fcntl``; где его нет, как в Windows, — без неё)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fcntl.flock(file, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(file, fcntl.LOCK_UN)

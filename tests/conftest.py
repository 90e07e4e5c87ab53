"""Общие инструменты тестов: порог проверки градиентов, генератор и собранный сайт."""

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
    состояние той же строгой сборкой: одна сборка на все тесты (см. ``tests/sitebuild.py``)."""
    build(ROOT)
    return ROOT / "_build" / "html"

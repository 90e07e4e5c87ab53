"""Общие инструменты тестов: порог проверки градиентов и генератор."""

import numpy as np
import pytest

# Центральные разности с eps=1e-6 в float64 дают относительную ошибку порядка 1e-9..1e-10;
# ошибка в формуле (забытая σ′, не та транспозиция) даёт 1e-2 и больше.
GRAD_TOL = 1e-6


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)

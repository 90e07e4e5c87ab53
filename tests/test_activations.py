import numpy as np
import pytest

from tinynet import numerical_gradient, relative_error, sigmoid, sigmoid_derivative

from .conftest import GRAD_TOL


def test_sigmoid_reference_values():
    z = np.array([-2.0, 0.0, 1.0, 3.0])
    expected = np.array([0.11920292202211755, 0.5, 0.7310585786300049, 0.9525741268224334])
    np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-15)


def test_sigmoid_is_symmetric(rng):
    z = rng.normal(scale=10, size=1000)
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), atol=1e-15)


@pytest.mark.parametrize("z", [1e4, 1e6, 1e300, np.finfo(np.float64).max])
def test_sigmoid_extremes_are_exact_and_silent(z):
    # pytest запускается с filterwarnings=error: любое RuntimeWarning провалит тест.
    out = sigmoid(np.array([-z, z]))
    assert out[0] == 0.0 and out[1] == 1.0


def test_naive_formula_would_warn():
    # Контроль: наивная формула на тех же данных действительно переполняется.
    with pytest.warns(RuntimeWarning, match="overflow"):
        1 / (1 + np.exp(-np.array([-1e4])))


def test_sigmoid_keeps_float32_and_scalars():
    assert sigmoid(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert np.ndim(sigmoid(0.5)) == 0
    assert sigmoid(2) == pytest.approx(0.8807970779778823)
    np.testing.assert_allclose(sigmoid([[0, 0], [0, 0]]), np.full((2, 2), 0.5))


def test_sigmoid_derivative_closed_form_and_finite_differences(rng):
    assert sigmoid_derivative(0.0) == 0.25
    z = rng.normal(scale=3, size=7)
    numeric = numerical_gradient(lambda: float(np.sum(sigmoid(z))), z)
    assert relative_error(sigmoid_derivative(z), numeric) < GRAD_TOL


def test_sigmoid_derivative_extremes_are_finite():
    d = sigmoid_derivative(np.array([-1e4, 1e4]))
    assert np.all(d == 0.0)


@pytest.mark.parametrize(
    ("bad", "error"),
    [(np.array([0.0, np.nan]), ValueError), (np.array([np.inf]), ValueError), ("abc", TypeError)],
)
def test_sigmoid_rejects_bad_input(bad, error):
    with pytest.raises(error, match="z"):
        sigmoid(bad)

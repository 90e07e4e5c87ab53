import numpy as np
import pytest

from tinynet import mse_loss, mse_loss_grad, numerical_gradient, relative_error

from .conftest import GRAD_TOL


def test_mse_value():
    assert mse_loss(np.array([1.0, 2.0]), np.array([0.0, 4.0])) == pytest.approx(2.5)


def test_mse_grad_matches_finite_differences(rng):
    y_pred, y_true = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    numeric = numerical_gradient(lambda: mse_loss(y_pred, y_true), y_pred)
    assert relative_error(mse_loss_grad(y_pred, y_true), numeric) < GRAD_TOL


def test_mean_factor_lives_in_the_loss():
    grad = mse_loss_grad(np.ones((4, 1)), np.zeros((4, 1)))
    np.testing.assert_allclose(grad, np.full((4, 1), 2 / 4))
    single = mse_loss_grad(np.array([0.7]), np.array([1.0]))
    np.testing.assert_allclose(single, mse_loss_grad(np.array([[0.7]]), np.array([[1.0]]))[0])


def test_shape_mismatch_is_not_broadcast():
    with pytest.raises(ValueError, match=r"y_true: ожидалась форма.*\(4, 1\).*\(4,\)"):
        mse_loss(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="y_true"):
        mse_loss_grad(np.zeros((4, 1)), np.zeros((1, 4)))
    with pytest.raises(ValueError, match="пустой"):
        mse_loss(np.zeros(0), np.zeros(0))

import numpy as np
import pytest

from tinynet import Layer, numerical_gradient, relative_error, sigmoid

from .conftest import GRAD_TOL


def check_layer_gradients(layer, x, dy):
    def loss():
        return float(np.sum(dy * layer.forward(x)))

    layer.forward(x)
    dx = layer.backward(dy)
    assert dx.shape == x.shape
    assert layer.dW.shape == layer.W.shape and layer.db.shape == layer.b.shape
    assert relative_error(layer.dW, numerical_gradient(loss, layer.W)) < GRAD_TOL
    assert relative_error(layer.db, numerical_gradient(loss, layer.b)) < GRAD_TOL
    assert relative_error(dx, numerical_gradient(loss, x)) < GRAD_TOL


def test_layer_gradients_single_sample(rng):
    layer = Layer(4, 3, weight_scale=1.0, rng=rng)
    check_layer_gradients(layer, rng.normal(size=4), rng.normal(size=3))


def test_layer_gradients_batch(rng):
    layer = Layer(4, 3, weight_scale=1.0, rng=rng)
    check_layer_gradients(layer, rng.normal(size=(5, 4)), rng.normal(size=(5, 3)))


def test_layer_forward_is_matrix_formula(rng):
    layer = Layer(3, 2, weight_scale=1.0, rng=rng)
    layer.b[:] = [0.1, -0.2]
    X = rng.normal(size=(4, 3))
    expected = 1 / (1 + np.exp(-(X @ layer.W + layer.b)))
    np.testing.assert_allclose(layer.forward(X), expected, rtol=1e-14)
    np.testing.assert_allclose(layer.forward(X[2]), expected[2], rtol=1e-14)


def test_shapes_and_attributes():
    layer = Layer(3, 2, rng=0)
    assert (layer.n_inputs, layer.n_outputs) == (3, 2)
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)
    assert np.all(layer.b == 0) and layer.cache == {}
    assert repr(layer) == "Layer(n_inputs=3, n_outputs=2)"
    assert layer.forward(np.ones(3)).shape == (2,)
    assert layer.forward(np.ones((7, 3))).shape == (7, 2)
    assert set(layer.cache) == {"x", "y"}


def test_batch_gradient_is_sum_of_sample_gradients(rng):
    layer = Layer(3, 2, weight_scale=1.0, rng=rng)
    X, dY = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    layer.forward(X)
    layer.backward(dY)
    dW, db = layer.dW.copy(), layer.db.copy()
    sum_dW, sum_db = np.zeros_like(dW), np.zeros_like(db)
    for x, dy in zip(X, dY, strict=True):
        layer.forward(x)
        layer.backward(dy)
        sum_dW += layer.dW
        sum_db += layer.db
    np.testing.assert_allclose(dW, sum_dW)
    np.testing.assert_allclose(db, sum_db)


def test_batch_of_one_equals_single_sample(rng):
    layer = Layer(3, 2, weight_scale=1.0, rng=rng)
    x, dy = rng.normal(size=3), rng.normal(size=2)
    layer.forward(x)
    dx = layer.backward(dy)
    dW = layer.dW.copy()
    layer.forward(x[None, :])
    dx_batch = layer.backward(dy[None, :])
    np.testing.assert_allclose(layer.dW, dW)
    np.testing.assert_allclose(dx_batch[0], dx)


def test_update_and_get_parameters(rng):
    layer = Layer(2, 2, rng=rng)
    before = layer.get_parameters()
    layer.forward(np.ones(2))
    layer.backward(np.ones(2))
    layer.update_parameters(0.5)
    np.testing.assert_allclose(layer.W, before["W"] - 0.5 * layer.dW)
    np.testing.assert_allclose(layer.b, before["b"] - 0.5 * layer.db)
    params = layer.get_parameters()
    params["W"][:] = 7.0
    assert not np.any(layer.W == 7.0)


def test_lists_and_integers_are_accepted():
    layer = Layer(2, 1, rng=0)
    np.testing.assert_allclose(layer.forward([[0, 1], [1, 0]]), layer.forward(np.eye(2)[::-1]))
    assert sigmoid(np.array([0])).dtype == np.float64


def test_errors_name_the_problem():
    layer = Layer(3, 2, rng=0)
    with pytest.raises(RuntimeError, match="backward вызван до forward"):
        layer.backward(np.ones(2))
    with pytest.raises(ValueError, match=r"x: ожидалась форма \(3,\).*получена \(2, 4\)"):
        layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        layer.forward([0.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="пустой пакет"):
        layer.forward(np.ones((0, 3)))
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"dy: ожидалась форма \(4, 2\), получена \(4,\)"):
        layer.backward(np.ones(4))
    with pytest.raises(ValueError, match="learning_rate"):
        layer.update_parameters(-1.0)
    with pytest.raises(ValueError, match="n_outputs"):
        Layer(3, 0)
    with pytest.raises(TypeError, match="n_inputs"):
        Layer(2.5, 1)

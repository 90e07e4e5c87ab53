import numpy as np
import pytest

from tinynet import (
    Neuron,
    neuron_backward,
    neuron_forward,
    numerical_gradient,
    relative_error,
    sigmoid,
)

from .conftest import GRAD_TOL

X3 = np.array([1.0, 2.0, 3.0])
W3 = np.array([0.5, -0.2, 0.1])


def test_neuron_forward_matches_formula():
    # z = 0.5 - 0.4 + 0.3 + 0.3 = 0.7
    assert neuron_forward(X3, W3, 0.3) == pytest.approx(1 / (1 + np.exp(-0.7)))


def test_neuron_forward_batch_is_rowwise(rng):
    X = rng.normal(size=(5, 3))
    batch = neuron_forward(X, W3, 0.3)
    assert batch.shape == (5,)
    np.testing.assert_allclose(batch, [neuron_forward(x, W3, 0.3) for x in X])


def test_neuron_backward_sample_matches_finite_differences():
    x, w, b, dy = X3.copy(), W3.copy(), np.array(0.3), 1.7
    dw, db, dx = neuron_backward(x, w, b, dy)

    def loss():
        return dy * float(neuron_forward(x, w, b))

    assert relative_error(dw, numerical_gradient(loss, w)) < GRAD_TOL
    assert relative_error(db, numerical_gradient(loss, b)) < GRAD_TOL
    assert relative_error(dx, numerical_gradient(loss, x)) < GRAD_TOL


def test_neuron_backward_batch_sums_over_examples(rng):
    X, w, b = rng.normal(size=(4, 3)), rng.normal(size=3), np.array(-0.2)
    dy = rng.normal(size=4)
    dw, db, dx = neuron_backward(X, w, b, dy)

    def loss():
        return float(dy @ neuron_forward(X, w, b))

    assert dx.shape == X.shape
    assert relative_error(dw, numerical_gradient(loss, w)) < GRAD_TOL
    assert relative_error(db, numerical_gradient(loss, b)) < GRAD_TOL
    assert relative_error(dx, numerical_gradient(loss, X)) < GRAD_TOL
    per_example = [neuron_backward(x, w, b, g) for x, g in zip(X, dy, strict=True)]
    np.testing.assert_allclose(dw, sum(p[0] for p in per_example))


def test_neuron_class_gradients_match_finite_differences(rng):
    neuron = Neuron(3, weight_scale=1.0, rng=rng)
    X, dy = rng.normal(size=(6, 3)), rng.normal(size=6)

    def loss():
        return float(dy @ neuron.forward(X))

    neuron.forward(X)
    dx = neuron.backward(dy)
    assert relative_error(neuron.dw, numerical_gradient(loss, neuron.w)) < GRAD_TOL
    assert relative_error(neuron.db, numerical_gradient(loss, neuron.b)) < GRAD_TOL
    assert relative_error(dx, numerical_gradient(loss, X)) < GRAD_TOL


def test_neuron_class_agrees_with_functions(rng):
    neuron = Neuron(3, rng=rng)
    y = neuron.forward(X3)
    assert y == neuron_forward(X3, neuron.w, neuron.b)
    assert set(neuron.cache) == {"x", "y"}
    dx = neuron.backward(0.5)
    dw, db, dx_ref = neuron_backward(X3, neuron.w, neuron.b, 0.5)
    np.testing.assert_allclose(neuron.dw, dw)
    np.testing.assert_allclose(neuron.db, db)
    np.testing.assert_allclose(dx, dx_ref)


def test_batch_of_one_equals_single_sample(rng):
    a, b = Neuron(3, rng=1), Neuron(3, rng=1)
    a.forward(X3)
    a.backward(0.3)
    b.forward(X3[None, :])
    b.backward(np.array([0.3]))
    np.testing.assert_allclose(a.dw, b.dw)
    np.testing.assert_allclose(a.db, b.db)


def test_update_parameters_steps_against_gradient():
    neuron = Neuron(3, rng=0)
    before = neuron.get_parameters()
    neuron.forward(X3)
    neuron.backward(1.0)
    neuron.update_parameters(0.1)
    np.testing.assert_allclose(neuron.w, before["w"] - 0.1 * neuron.dw)
    assert neuron.b == pytest.approx(before["b"] - 0.1 * neuron.db)


def test_get_parameters_returns_copies():
    neuron = Neuron(2, rng=0)
    params = neuron.get_parameters()
    params["w"][:] = 99.0
    assert not np.any(neuron.w == 99.0)
    assert set(params) == {"w", "b"}


def test_initialisation_uses_only_the_given_rng():
    # Глобальное состояние np.random проверяется намеренно: пакет не должен его трогать.
    np.random.seed(123)  # noqa: NPY002
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    a, b = Neuron(5, rng=7), Neuron(5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.w, b.w)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert np.std(Neuron(10_000, rng=0).w) == pytest.approx(0.01, rel=0.05)


def test_backward_before_forward_is_a_clear_error():
    with pytest.raises(RuntimeError, match="backward вызван до forward"):
        Neuron(3).backward(1.0)
    with pytest.raises(RuntimeError, match="до backward"):
        Neuron(3).update_parameters(0.1)


@pytest.mark.parametrize("x", [np.ones(4), np.ones((2, 4)), np.ones((2, 3, 1))])
def test_wrong_input_shape_names_both_shapes(x):
    with pytest.raises(ValueError, match=r"\(3,\).*получена") as info:
        Neuron(3).forward(x)
    assert str(x.shape) in str(info.value)


def test_wrong_gradient_shape_is_rejected():
    neuron = Neuron(3)
    neuron.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"dy: ожидалась форма \(4,\), получена \(4, 1\)"):
        neuron.backward(np.ones((4, 1)))


def test_neuron_functions_reject_bad_parameters():
    with pytest.raises(ValueError, match="w"):
        neuron_forward(X3, np.ones((3, 1)), 0.0)
    with pytest.raises(ValueError, match="b"):
        neuron_forward(X3, W3, np.zeros(3))
    with pytest.raises(ValueError, match="dy"):
        neuron_backward(X3, W3, 0.0, np.ones(3))
    assert sigmoid(0.0) == 0.5

"""Activations, initializers, losses and optimizers: values, gradients, errors."""

import numpy as np
import pytest

from tinynet import (
    SGD,
    Adam,
    Layer,
    Momentum,
    NeuralNetwork,
    Softmax,
    bce_loss,
    bce_loss_grad,
    get_activation,
    get_loss,
    get_optimizer,
    gradcheck,
    he,
    numerical_gradient,
    relative_error,
    relu,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    tanh,
    xavier,
)

from .conftest import GRAD_TOL

ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity", "softmax"]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_every_activation_passes_the_gradient_check_in_a_layer(rng, name):
    layer = Layer(4, 3, name, weight_scale=1.0, rng=rng)
    errors = gradcheck(layer, rng.normal(size=(5, 4)), rng=1)
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_elementwise_derivative_matches_finite_differences(rng, name):
    activation = get_activation(name)
    z = rng.normal(size=7) + 0.1  # далеко от излома ReLU в нуле
    numeric = numerical_gradient(lambda: float(np.sum(activation.forward(z))), z)
    assert relative_error(activation.derivative(activation.forward(z)), numeric) < GRAD_TOL


def test_activation_functions_reference_values():
    np.testing.assert_allclose(tanh([0.0, 1.0]), [0.0, np.tanh(1.0)])
    np.testing.assert_array_equal(relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    p = softmax(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(p, np.exp([[1, 2, 3]]) / np.exp([1, 2, 3]).sum())


def test_softmax_is_stable_and_shift_invariant(rng):
    z = rng.normal(size=(4, 5))
    np.testing.assert_allclose(softmax(z + 1000.0), softmax(z))
    p = softmax(np.array([[1e4, 0.0, -1e4]]))
    assert np.all(np.isfinite(p)) and p[0, 0] == 1.0
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0)


def test_softmax_backward_is_the_jacobian_product(rng):
    z, dy = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    y = Softmax().forward(z)
    numeric = numerical_gradient(lambda: float(np.sum(dy * softmax(z))), z)
    assert relative_error(Softmax().backward(y, dy), numeric) < GRAD_TOL


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError, match=r"activation: .*'swish'.*\['identity', 'relu'"):
        get_activation("swish")
    with pytest.raises(ValueError, match=r"loss: .*'hinge'.*\['bce', 'mse'"):
        get_loss("hinge")
    with pytest.raises(
        ValueError, match=r"optimizer: .*'rmsprop'.*\['adam', 'adamw', 'momentum', 'sgd'\]"
    ):
        get_optimizer("rmsprop")
    with pytest.raises(ValueError, match=r"init: .*'orthogonal'.*\['he', 'normal', 'xavier'\]"):
        Layer(2, 2, init="orthogonal")


def test_initializers_have_the_promised_variance():
    rng = np.random.default_rng(0)
    assert np.var(xavier(300, 100, rng)) == pytest.approx(2 / 400, rel=0.05)
    assert np.var(he(300, 100, rng)) == pytest.approx(2 / 300, rel=0.05)
    a = Layer(3, 4, init="he", rng=5).W
    np.testing.assert_array_equal(a, Layer(3, 4, init="he", rng=5).W)


# --- losses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target"),
    [("mse", None), ("bce", "binary"), ("softmax_cross_entropy", "labels")],
)
def test_every_loss_passes_the_gradient_check(rng, name, target):
    output = rng.normal(size=(6, 3 if target != "binary" else 1))
    y = {
        None: rng.normal(size=output.shape),
        "binary": rng.integers(0, 2, size=(6, 1)).astype(float),
        "labels": rng.integers(0, 3, size=6),
    }[target]
    assert gradcheck(name, output, y)["X"] < GRAD_TOL


def test_bce_matches_the_probability_formula_and_stays_finite():
    z = np.array([[-2.0], [0.5], [3.0]])
    y = np.array([[0.0], [1.0], [1.0]])
    p = 1 / (1 + np.exp(-z))
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert bce_loss(z, y) == pytest.approx(naive, rel=1e-12)
    extreme = np.array([[1e4], [-1e4]])
    wrong = np.array([[0.0], [1.0]])
    assert bce_loss(extreme, wrong) == pytest.approx(1e4)
    np.testing.assert_allclose(bce_loss_grad(extreme, wrong), [[0.5], [-0.5]])
    with pytest.raises(ValueError, match="y_true"):
        bce_loss(z, np.array([[2.0], [0.0], [1.0]]))


def test_softmax_cross_entropy_value_gradient_and_labels():
    z = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    labels = np.array([0, 2])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[[0, 1], labels]))
    assert softmax_cross_entropy(z, labels) == pytest.approx(expected, rel=1e-12)
    onehot = np.eye(3)[labels]
    np.testing.assert_allclose(softmax_cross_entropy_grad(z, labels), (p - onehot) / 2)
    assert softmax_cross_entropy(np.array([[1e4, -1e4]]), np.array([1])) == pytest.approx(2e4)
    np.testing.assert_array_equal(
        softmax_cross_entropy_grad(z, [0.0, 2.0]), softmax_cross_entropy_grad(z, labels)
    )
    with pytest.raises(ValueError, match=r"labels: ожидались метки 0..2"):
        softmax_cross_entropy(z, np.array([0, 3]))
    with pytest.raises(TypeError, match="labels"):
        softmax_cross_entropy(z, np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="labels"):
        softmax_cross_entropy(z, np.array([[0], [1]]))


# --- optimizers -------------------------------------------------------------------------


def _network_with_gradients(seed: int = 0) -> NeuralNetwork:
    net = NeuralNetwork([3, 4, 2], "tanh", "identity", init="xavier", rng=seed)
    X = np.random.default_rng(seed).normal(size=(5, 3))
    net.backward(np.ones_like(net.forward(X)))
    return net


def test_sgd_step_updates_in_place():
    net = _network_with_gradients()
    W = net.layers[0].W
    before, grad = W.copy(), net.layers[0].dW.copy()
    SGD(0.3).step(net)
    assert net.layers[0].W is W  # тот же массив, без копий
    np.testing.assert_allclose(W, before - 0.3 * grad)


def test_momentum_matches_its_formula_over_steps():
    net = _network_with_gradients()
    optimizer = Momentum(0.1, beta=0.9)
    theta, grad = net.layers[1].b.copy(), net.layers[1].db.copy()
    v = np.zeros_like(theta)
    for _ in range(3):  # градиент не пересчитываем: он тот же на каждом шаге
        optimizer.step(net)
        v = 0.9 * v + grad
        theta = theta - 0.1 * v
    np.testing.assert_allclose(net.layers[1].b, theta)


def test_adam_matches_its_formula_and_first_step_size():
    net = _network_with_gradients()
    optimizer = Adam(0.01)
    theta, g = net.layers[0].W.copy(), net.layers[0].dW.copy()
    m = v = np.zeros_like(theta)
    for t in range(1, 4):
        optimizer.step(net)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        theta = theta - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(net.layers[0].W, theta, rtol=1e-12)
    fresh = _network_with_gradients()
    W0 = fresh.layers[0].W.copy()
    Adam(0.01).step(fresh)
    # Первый шаг Adam — почти ровно η·sign(g) для каждого параметра.
    np.testing.assert_allclose(np.abs(fresh.layers[0].W - W0), 0.01, rtol=1e-4)


def test_optimizer_before_backward_and_bad_rate():
    with pytest.raises(RuntimeError, match="до backward"):
        SGD(0.1).step(NeuralNetwork([2, 1], rng=0))
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(0.0)
    assert isinstance(get_optimizer("adam", 0.01), Adam)
    assert get_optimizer("sgd").learning_rate == 0.1

import numpy as np
import pytest

from tinynet import Layer, NeuralNetwork, fit, numerical_gradient, relative_error

from .conftest import GRAD_TOL

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def test_architecture_and_repr():
    net = NeuralNetwork([4, 8, 3, 1], rng=0)
    assert [(lay.n_inputs, lay.n_outputs) for lay in net.layers] == [(4, 8), (8, 3), (3, 1)]
    assert all(isinstance(lay, Layer) for lay in net.layers)
    assert repr(net) == "NeuralNetwork([4, 8, 3, 1])"


def test_forward_is_composition(rng):
    net = NeuralNetwork([3, 4, 2], weight_scale=1.0, rng=rng)
    X = rng.normal(size=(5, 3))
    expected = net.layers[1].forward(net.layers[0].forward(X))
    np.testing.assert_array_equal(net.forward(X), expected)


@pytest.mark.parametrize("batch", [None, 1, 6])
def test_network_gradients_match_finite_differences(rng, batch):
    net = NeuralNetwork([3, 5, 4, 2], weight_scale=1.0, rng=rng)
    shape = (3,) if batch is None else (batch, 3)
    x = rng.normal(size=shape)
    dy = rng.normal(size=shape[:-1] + (2,))

    def loss():
        return float(np.sum(dy * net.forward(x)))

    net.forward(x)
    dx = net.backward(dy)
    assert relative_error(dx, numerical_gradient(loss, x)) < GRAD_TOL
    for layer in net.layers:
        assert relative_error(layer.dW, numerical_gradient(loss, layer.W)) < GRAD_TOL
        assert relative_error(layer.db, numerical_gradient(loss, layer.b)) < GRAD_TOL


def test_layers_get_different_weights_from_one_rng():
    net = NeuralNetwork([3, 3, 3], rng=0)
    assert not np.allclose(net.layers[0].W, net.layers[1].W)
    again = NeuralNetwork([3, 3, 3], rng=0)
    for a, b in zip(net.get_all_parameters(), again.get_all_parameters(), strict=True):
        np.testing.assert_array_equal(a["parameters"]["W"], b["parameters"]["W"])


def test_get_all_parameters_are_copies_in_order():
    """The seeds' structure: ``[{'layer': i, 'parameters': {'W': ..., 'b': ...}}, ...]``."""
    net = NeuralNetwork([2, 3, 1], rng=0)
    params = net.get_all_parameters()
    assert [p["layer"] for p in params] == [0, 1]
    assert [set(p) for p in params] == [{"layer", "parameters"}] * 2
    assert [p["parameters"]["W"].shape for p in params] == [(2, 3), (3, 1)]
    assert [p["parameters"]["b"].shape for p in params] == [(3,), (1,)]
    params[0]["parameters"]["W"][:] = 5.0
    params[1]["parameters"]["b"][:] = 5.0
    assert not np.any(net.layers[0].W == 5.0) and not np.any(net.layers[1].b == 5.0)


def test_update_parameters_touches_every_layer():
    net = NeuralNetwork([2, 3, 1], rng=0)
    before = net.get_all_parameters()
    net.forward(XOR_X)
    net.backward(np.ones((4, 1)))
    net.update_parameters(1.0)
    for layer, old in zip(net.layers, before, strict=True):
        np.testing.assert_allclose(layer.W, old["parameters"]["W"] - layer.dW)


@pytest.mark.parametrize("sizes", [[3], [], [2, 0, 1], [2, -1], [2, 1.5]])
def test_bad_layer_sizes(sizes):
    with pytest.raises((ValueError, TypeError), match="layer_sizes"):
        NeuralNetwork(sizes)


def test_seed_recipe_stalls_and_wider_init_solves_xor():
    """Рецепт тетрадок (веса 0.01·N(0,1)) застревает; веса N(0,1) решают XOR."""
    stalled = NeuralNetwork([2, 4, 1], rng=0)
    history = fit(stalled, XOR_X, XOR_Y, epochs=1000, learning_rate=0.5, batch_size=1)["loss"]
    assert history[-1] > 0.15
    solved = NeuralNetwork([2, 4, 1], weight_scale=1.0, rng=0)
    history = fit(solved, XOR_X, XOR_Y, epochs=1000, learning_rate=0.5, batch_size=1)["loss"]
    assert history[-1] < 0.01
    np.testing.assert_array_equal(solved.forward(XOR_X) > 0.5, XOR_Y > 0.5)

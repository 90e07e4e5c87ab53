import numpy as np
import pytest

from tinynet import (
    NeuralNetwork,
    fit,
    mse_loss,
    numerical_gradient,
    relative_error,
    show_source,
    sigmoid,
)

from .test_network import XOR_X, XOR_Y


def test_numerical_gradient_against_closed_form(rng):
    x = rng.normal(size=(3, 2))
    numeric = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(numeric, 3 * x**2, rtol=1e-7, atol=1e-7)
    assert x.dtype == np.float64  # x вернулся на место
    with pytest.raises(TypeError, match="x"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])


def test_relative_error_is_scale_free():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a * 1e-8, a * 1.01e-8) == pytest.approx(relative_error(a, a * 1.01))
    with pytest.raises(ValueError, match="b"):
        relative_error(a, np.ones(3))


def test_fit_full_batch_equals_manual_loop():
    a, b = (
        NeuralNetwork([2, 3, 1], weight_scale=1.0, rng=5),
        NeuralNetwork([2, 3, 1], weight_scale=1.0, rng=5),
    )
    history = fit(a, XOR_X, XOR_Y, epochs=3, learning_rate=0.7)["loss"]
    manual = []
    for _ in range(3):
        y = b.forward(XOR_X)
        manual.append(mse_loss(y, XOR_Y))
        b.backward(2 * (y - XOR_Y) / y.size)
        b.update_parameters(0.7)
    np.testing.assert_allclose(history, manual)
    np.testing.assert_allclose(a.layers[0].W, b.layers[0].W)


def test_fit_shuffling_is_reproducible_and_changes_order():
    runs = []
    for seed in (1, 1, 2):
        net = NeuralNetwork([2, 3, 1], weight_scale=1.0, rng=0)
        runs.append(
            fit(net, XOR_X, XOR_Y, epochs=5, learning_rate=0.5, batch_size=1, rng=seed)["loss"]
        )
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_fit_validates_arguments():
    net = NeuralNetwork([2, 1], rng=0)
    with pytest.raises(ValueError, match="y: ожидалось 4 строк"):
        fit(net, XOR_X, XOR_Y[:3], epochs=1, learning_rate=0.1)
    with pytest.raises(ValueError, match="batch_size"):
        fit(net, XOR_X, XOR_Y, epochs=1, learning_rate=0.1, batch_size=0)
    with pytest.raises(ValueError, match="learning_rate"):
        fit(net, XOR_X, XOR_Y, epochs=1, learning_rate=float("nan"))


def test_show_source_gives_the_running_code():
    source = show_source(sigmoid)
    assert source.text.startswith("def sigmoid(")
    assert "np.exp(-np.abs(z))" in source.text and "y /= 1 + t" in source.text
    assert source._repr_markdown_().startswith("```python\ndef sigmoid(")
    assert "def backward" in show_source(NeuralNetwork.backward).text
    with pytest.raises(TypeError, match="obj"):
        show_source(42)

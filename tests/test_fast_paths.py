"""The fast forms in tinynet's hot path give the numbers of the straightforward forms, and a
float32 network stays float32 end to end (parameters, outputs, gradients, optimiser state)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinynet import (
    SGD,
    Adam,
    Layer,
    Momentum,
    NeuralNetwork,
    fit,
    get_loss,
    load,
    save,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
    softmax_cross_entropy_grad,
)
from tinynet._checks import all_finite, as_float_array, check_features, values_checked


def classification_data(rng, n=96, features=5, classes=3, dtype=np.float64):
    X = rng.standard_normal((n, features)).astype(dtype)
    y = rng.integers(0, classes, n)
    return X, y


def network(dtype=np.float64, sizes=(5, 8, 3)):
    return NeuralNetwork(list(sizes), "relu", "identity", init="he", rng=7, dtype=dtype)


@pytest.mark.parametrize("optimizer", [SGD(0.1), Momentum(0.1), Adam(0.01)], ids=repr)
def test_a_float32_network_trains_in_float32_throughout(rng, optimizer):
    X, y = classification_data(rng, dtype=np.float32)
    net = network(np.float32)
    history = fit(
        net,
        X,
        y,
        epochs=2,
        loss="softmax_cross_entropy",
        optimizer=optimizer,
        batch_size=16,
        rng=0,
    )
    assert net.dtype == np.float32
    for layer in net.layers:
        for array in (layer.W, layer.b, layer.dW, layer.db, *layer.cache.values()):
            assert array.dtype == np.float32
    for state in getattr(optimizer, "m", []) + getattr(optimizer, "velocity", []):
        assert state.dtype == np.float32
    assert net.forward(X).dtype == np.float32
    assert np.all(np.isfinite(history["loss"]))


def test_a_float32_network_converts_float64_input_and_gradients(rng):
    X = rng.standard_normal((4, 5))
    net = network(np.float32)
    out = net.forward(X)  # float64 на входе: приводится к типу сети
    assert out.dtype == np.float32
    dx = net.backward(np.ones_like(out, dtype=np.float64))
    assert dx.dtype == np.float32 and net.layers[0].dW.dtype == np.float32


def test_float32_and_float64_networks_start_from_the_same_weights():
    wide, narrow = network(np.float64), network(np.float32)
    for a, b in zip(wide.layers, narrow.layers, strict=True):
        np.testing.assert_array_equal(a.W.astype(np.float32), b.W)


def test_float32_training_follows_float64_training(rng):
    X, y = classification_data(rng)
    histories = []
    for dtype in (np.float64, np.float32):
        histories.append(
            fit(
                network(dtype),
                X,
                y,
                epochs=5,
                loss="softmax_cross_entropy",
                optimizer="adam",
                learning_rate=0.01,
                batch_size=16,
                rng=3,
            )["loss"]
        )
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-4)


def test_save_and_load_keep_float32(tmp_path, rng):
    net = network(np.float32)
    X = rng.standard_normal((6, 5)).astype(np.float32)
    loaded = load(save(net, tmp_path / "net.npz"))
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))


def test_the_combined_softmax_loss_and_gradient_equal_the_separate_ones(rng):
    logits = rng.standard_normal((32, 6)) * 30  # крупные логиты: проверяем и устойчивость
    labels = rng.integers(0, 6, 32)
    value, grad = softmax_cross_entropy_and_grad(logits, labels)
    np.testing.assert_allclose(value, softmax_cross_entropy(logits, labels), rtol=1e-13)
    np.testing.assert_allclose(grad, softmax_cross_entropy_grad(logits, labels), atol=1e-16)
    for name, target in [("mse", rng.random((32, 6))), ("bce", rng.integers(0, 2, (32, 6)))]:
        loss = get_loss(name)
        value, grad = loss.value_and_grad(logits, target)
        assert value == pytest.approx(loss(logits, target), rel=1e-13)
        np.testing.assert_allclose(grad, loss.grad(logits, target), rtol=1e-13, atol=1e-16)


def test_skipping_the_input_gradient_changes_no_parameter_gradient(rng):
    X = rng.standard_normal((10, 5))
    full, lean = network(), network()
    dy = rng.standard_normal((10, 3))
    full.forward(X)
    lean.forward(X)
    assert full.backward(dy).shape == X.shape
    assert lean.backward(dy, input_grad=False) is None
    for a, b in zip(full.layers, lean.layers, strict=True):
        np.testing.assert_array_equal(a.dW, b.dW)
        np.testing.assert_array_equal(a.db, b.db)


def test_adam_in_place_form_equals_the_textbook_form_over_many_steps(rng):
    """Adam.step uses η_t and ε̂_t over one long vector of all parameters; the textbook divides
    m̂ by √v̂ + ε parameter by parameter. Same numbers, the same moments in ``m`` and ``v``,
    and the parameters are updated where they are."""
    net = network()
    optimizer = Adam(0.01)
    theta = [p.copy() for layer in net.layers for p in (layer.W, layer.b)]
    m = [np.zeros_like(p) for p in theta]
    v = [np.zeros_like(p) for p in theta]
    X, y = classification_data(rng)
    loss = get_loss("softmax_cross_entropy")
    for t in range(1, 51):
        value, grad = loss.value_and_grad(net.forward(X), y)
        net.backward(grad, input_grad=False)
        grads = [g for layer in net.layers for g in (layer.dW, layer.db)]
        arrays = [p for layer in net.layers for p in (layer.W, layer.b)]
        optimizer.step(net)
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g**2
            m_hat, v_hat = m[i] / (1 - 0.9**t), v[i] / (1 - 0.999**t)
            theta[i] = theta[i] - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
            np.testing.assert_allclose(arrays[i], theta[i], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(optimizer.m[i], m[i], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(optimizer.v[i], v[i], rtol=1e-12, atol=1e-18)
        assert [p for layer in net.layers for p in (layer.W, layer.b)][0] is arrays[0]


def test_adam_refuses_a_network_of_other_shapes_than_its_state(rng):
    X, y = classification_data(rng)
    optimizer = Adam(0.01)
    fit(network(), X, y, epochs=1, loss="softmax_cross_entropy", optimizer=optimizer)
    with pytest.raises(ValueError, match=r"Adam: параметры сети имеют формы .*\(5, 4\)"):
        fit(
            network(sizes=(5, 4, 3)),
            X,
            y,
            epochs=1,
            loss="softmax_cross_entropy",
            optimizer=optimizer,
        )


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        st.sampled_from([np.float64, np.float32]),
        hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=6),
        elements={"allow_nan": True, "allow_infinity": True, "allow_subnormal": True},
    )
)
def test_the_sum_of_squares_finiteness_check_equals_the_elementwise_one(array):
    """all_finite looks at one sum of squares; huge finite numbers overflow it and fall back."""
    assert all_finite(array) == bool(np.isfinite(array).all())


def test_the_finiteness_check_is_not_fooled_by_an_overflowing_sum():
    huge = np.full(4, np.finfo(np.float32).max, dtype=np.float32)
    assert not np.isfinite(np.vdot(huge, huge)) and all_finite(huge)
    assert not all_finite(np.array([1e300, np.nan, -1e300]))


def test_fit_with_slices_of_a_shuffled_copy_equals_indexing_every_batch(rng):
    """fit shuffles X once per epoch and takes slices; the textbook loop indexes X[batch]."""
    X, y = classification_data(rng, n=50)
    fast, slow = network(), network()
    history = fit(
        fast,
        X,
        y,
        epochs=3,
        loss="softmax_cross_entropy",
        optimizer=SGD(0.1),
        batch_size=8,
        rng=11,
        train_accuracy=False,
    )
    order_rng, loss, step = np.random.default_rng(11), get_loss("softmax_cross_entropy"), SGD(0.1)
    for epoch in range(3):
        order, total = order_rng.permutation(len(X)), 0.0
        for start in range(0, len(X), 8):
            batch = order[start : start + 8]
            output = slow.forward(X[batch])
            total += loss(output, y[batch]) * len(batch)
            slow.backward(loss.grad(output, y[batch]))
            step.step(slow)
        assert history["loss"][epoch] == pytest.approx(total / len(X), rel=1e-12)
    for a, b in zip(fast.layers, slow.layers, strict=True):
        np.testing.assert_allclose(a.W, b.W, rtol=1e-12, atol=1e-15)
    assert list(history) == ["loss"]


def test_a_layer_with_its_own_backward_dy_still_works_first_in_a_network(rng):
    """Readers write layers with ``backward(self, dy)``; only fit's lean call adds a keyword."""

    class Doubling(Layer):
        def backward(self, dy):
            return 2 * super().backward(dy)

    net = network()
    net.layers[0] = Doubling(5, 8, "relu", init="he", rng=7)
    X = rng.standard_normal((4, 5))
    net.forward(X)
    assert net.backward(np.ones((4, 3))).shape == X.shape
    with pytest.raises(TypeError, match="input_grad"):
        net.backward(np.ones((4, 3)), input_grad=False)


def test_values_checked_skips_only_the_value_scans_and_only_inside():
    """Inside fit's loop the NaN scan and the label range check are skipped; shapes still count."""
    bad = np.array([[np.nan, 1.0]])
    with values_checked():
        assert as_float_array(bad, "x") is bad
        with pytest.raises(ValueError, match="x: ожидалась форма"):
            check_features(bad, 3)
    with pytest.raises(ValueError, match="NaN"):
        as_float_array(bad, "x")
    with pytest.raises(ValueError, match="labels: ожидались метки 0..1"):
        softmax_cross_entropy(np.zeros((2, 2)), [0, 5])


class _Poisoning(SGD):
    """A step that leaves an infinity in a weight without any floating-point flag, as a product
    computed by BLAS worker threads can (their flags never reach np.errstate)."""

    def step(self, network) -> None:
        super().step(network)
        network.layers[0].W[0, 0] = np.inf


def test_fit_stops_on_a_non_finite_weight_that_no_flag_reported():
    X, Y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[1.0], [0.0]])
    net = NeuralNetwork([2, 3, 1], rng=0)
    with pytest.raises(FloatingPointError, match=r"обучение разошлось на эпохе 1 \(в параметре W"):
        fit(net, X, Y, epochs=3, optimizer=_Poisoning(0.1))  # один шаг на эпоху, и он последний


@pytest.mark.parametrize("batch_size", [1, None])
def test_after_fit_without_rng_no_cache_shares_memory_with_the_readers_data(batch_size):
    """Inside fit the batches are not copied one by one: fit copies X once per epoch."""
    X, Y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([[1.0], [1.0], [0.0]])
    net = NeuralNetwork([2, 3, 1], rng=0)
    fit(net, X, Y, epochs=2, batch_size=batch_size)
    for layer in net.layers:
        assert not any(np.shares_memory(array, X) for array in layer.cache.values())

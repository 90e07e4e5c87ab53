"""Chapter 13's tools: weight decay, AdamW, dropout, train/eval modes, early stopping,
schedules, networks from a list of layers, and saving every layer kind."""

import numpy as np
import pytest

from tinynet import (
    SGD,
    Adam,
    AdamW,
    Dropout,
    Layer,
    Momentum,
    NeuralNetwork,
    fit,
    get_loss,
    gradcheck,
    load,
    numerical_gradient,
    predict,
    relative_error,
    save,
    schedule_factors,
)
from tinynet.optimizers import parameters

X = np.random.default_rng(0).normal(size=(12, 3))
LABELS = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)


def dense_net(seed: int = 0) -> NeuralNetwork:
    return NeuralNetwork([3, 5, 3], "tanh", "identity", init="xavier", rng=seed)


def with_gradients(network: NeuralNetwork) -> NeuralNetwork:
    loss = get_loss("softmax_cross_entropy")
    _, grad = loss.value_and_grad(network.forward(X), LABELS)
    network.backward(grad)
    return network


def test_the_l2_term_is_the_gradient_of_half_lambda_squared_norm_of_the_weights():
    """SGD(weight_decay=λ) steps along ∇(L + λ/2 Σ‖W‖²): checked by finite differences."""
    lam, loss = 0.3, get_loss("softmax_cross_entropy")
    network = with_gradients(dense_net())

    def penalised() -> float:
        norms = sum(float(np.sum(layer.W**2)) for layer in network.layers)
        return loss(network.forward(X), LABELS) + lam / 2 * norms

    used = SGD(1.0, weight_decay=lam)._gradients(network)
    for (param, grad), (_, _) in zip(used, parameters(network), strict=True):
        assert relative_error(grad, numerical_gradient(penalised, param)) < 1e-7


def test_biases_are_not_decayed_and_sgd_decay_is_shrinking_the_weights():
    network = with_gradients(dense_net())
    before = [(layer.W.copy(), layer.b.copy()) for layer in network.layers]
    SGD(0.1, weight_decay=0.5).step(network)
    for layer, (W, b) in zip(network.layers, before, strict=True):
        np.testing.assert_allclose(layer.W, (1 - 0.1 * 0.5) * W - 0.1 * layer.dW, rtol=1e-13)
        np.testing.assert_allclose(layer.b, b - 0.1 * layer.db, rtol=1e-13)


def test_momentum_decay_enters_the_velocity():
    network = with_gradients(dense_net())
    W = network.layers[0].W.copy()
    optimizer = Momentum(0.1, beta=0.9, weight_decay=0.2)
    optimizer.step(network)
    np.testing.assert_allclose(optimizer.velocity[0], network.layers[0].dW + 0.2 * W)


def reference_adamw(theta, grads, lr, beta1, beta2, eps, lam, decayed):
    """Loshchilov & Hutter's algorithm 2 (η_t = 1, λ scaled by lr as in PyTorch), naively."""
    m, v, theta = np.zeros_like(theta), np.zeros_like(theta), theta.copy()
    for s, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**s), v / (1 - beta2**s)
        theta = theta - lr * (m_hat / (np.sqrt(v_hat) + eps) + (lam * theta if decayed else 0))
    return theta


def test_adamw_follows_its_formula_over_several_steps():
    network = dense_net()
    start = [param.copy() for _, param in network.parameters()]
    optimizer, history = AdamW(0.05, weight_decay=0.3), []
    for _ in range(5):
        with_gradients(network)
        history.append([grad.copy() for _, grad in parameters(network)])
        optimizer.step(network)
    for k, ((name, param), theta) in enumerate(zip(network.parameters(), start, strict=True)):
        grads = [step[k] for step in history]
        expected = reference_adamw(theta, grads, 0.05, 0.9, 0.999, 1e-8, 0.3, name[0] == "W")
        np.testing.assert_allclose(param, expected, rtol=1e-10, atol=1e-13)


def test_adam_with_l2_and_adamw_take_different_steps():
    coupled, decoupled = with_gradients(dense_net()), with_gradients(dense_net())
    Adam(0.05, weight_decay=0.3).step(coupled)
    AdamW(0.05, weight_decay=0.3).step(decoupled)
    difference = np.abs(coupled.layers[0].W - decoupled.layers[0].W).max()
    assert difference > 1e-3
    np.testing.assert_array_equal(coupled.layers[0].b, decoupled.layers[0].b)  # b не затухает


def test_adam_without_decay_is_unchanged_by_the_new_argument():
    a, b = with_gradients(dense_net()), with_gradients(dense_net())
    Adam(0.05).step(a)
    AdamW(0.05, weight_decay=0.0).step(b)
    for (_, p), (_, q) in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_dropout_with_a_fixed_mask_passes_gradcheck():
    network = NeuralNetwork(
        [
            Layer(3, 6, "tanh", init="xavier", rng=0),
            Dropout(0.5, rng=1),
            Layer(6, 3, "identity", init="xavier", rng=2),
        ]
    )
    network.layers[1].fixed_mask = np.random.default_rng(5).random((12, 6)) >= 0.5
    errors = gradcheck(network, X, LABELS, loss="softmax_cross_entropy")
    assert set(errors) == {"W0", "b0", "W2", "b2", "X"}
    assert max(errors.values()) < 1e-6


def test_a_random_mask_breaks_finite_differences():
    network = NeuralNetwork(
        [
            Layer(3, 6, "tanh", init="xavier", rng=0),
            Dropout(0.5, rng=1),
            Layer(6, 3, "identity", init="xavier", rng=2),
        ]
    )
    errors = gradcheck(network, X, LABELS, loss="softmax_cross_entropy")
    assert max(errors.values()) > 1e-2


def test_dropout_forward_and_backward_are_the_inverted_formula():
    layer = Dropout(0.25, rng=3)
    x = np.random.default_rng(1).normal(size=(200, 50))
    y = layer.forward(x)
    keep = np.random.default_rng(3).random(x.shape) >= 0.25  # та же маска из того же зерна
    np.testing.assert_allclose(y, x * keep / 0.75)
    dy = np.random.default_rng(2).normal(size=x.shape)
    np.testing.assert_allclose(layer.backward(dy), dy * keep / 0.75)
    assert abs((keep / 0.75).mean() - 1) < 0.02  # E[m] = 1
    layer.training = False
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(dy), dy)


def test_dropout_draws_its_mask_only_from_its_rng():
    np.random.seed(0)  # noqa: NPY002 — проверяем, что глобальный генератор не тронут
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    first = Dropout(0.5, rng=7).forward(np.ones((4, 4)))
    second = Dropout(0.5, rng=7).forward(np.ones((4, 4)))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def dropout_net() -> NeuralNetwork:
    return NeuralNetwork(
        [Layer(3, 16, "relu", init="he", rng=0), Dropout(0.5, rng=1), Layer(16, 3, "identity")]
    )


def test_train_and_eval_modes():
    network = dropout_net()
    assert network.training
    assert not np.array_equal(network.forward(X), network.forward(X))  # новая маска
    network.eval()
    assert not network.training
    np.testing.assert_array_equal(network.forward(X), network.forward(X))
    network.train()
    first = predict(network, X)
    np.testing.assert_array_equal(first, predict(network, X))  # predict — в режиме оценки
    assert network.training  # и вернул прежний режим
    with network.evaluating():
        expected = network.forward(X).argmax(axis=1)
    np.testing.assert_array_equal(first, expected)


def test_fit_trains_with_dropout_evaluates_without_and_restores_the_mode():
    network = dropout_net().eval()
    history = fit(
        network, X, LABELS, epochs=3, loss="softmax_cross_entropy", validation_data=(X, LABELS)
    )
    assert not network.training
    # Валидация на тех же данных в режиме оценки, потери эпохи — с прореживанием: они разные.
    assert not np.allclose(history["loss"][1:], history["val_loss"][:-1])
    output = network.forward(X, cache=False)
    assert get_loss("softmax_cross_entropy")(output, LABELS) == pytest.approx(
        history["val_loss"][-1]
    )


def overfitting_problem():
    rng = np.random.default_rng(3)
    X_all = rng.normal(size=(80, 3))
    y_all = (X_all[:, 0] > 0).astype(int) + (rng.random(80) < 0.3)  # шумные метки
    return X_all[:20], y_all[:20], X_all[20:], y_all[20:]


def test_early_stopping_stops_and_restores_the_best_weights():
    X_train, y_train, X_val, y_val = overfitting_problem()
    network = NeuralNetwork([3, 64, 3], "relu", "identity", init="he", rng=0)
    history = fit(
        network,
        X_train,
        y_train,
        epochs=400,
        learning_rate=0.05,
        optimizer="adam",
        loss="softmax_cross_entropy",
        validation_data=(X_val, y_val),
        patience=10,
    )
    done, best = len(history["val_loss"]), int(np.argmin(history["val_loss"]))
    assert done < 400 and done == best + 1 + 10
    assert all(len(values) == done for values in history.values())
    restored = get_loss("softmax_cross_entropy")(network.forward(X_val, cache=False), y_val)
    assert restored == pytest.approx(history["val_loss"][best], rel=1e-12)
    assert restored < history["val_loss"][-1]


def test_schedule_factors():
    np.testing.assert_allclose(schedule_factors("step", 8), [1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01])
    cosine = schedule_factors("cosine", 10, warmup=3)
    np.testing.assert_allclose(cosine[:3], [0.25, 0.5, 0.75])
    np.testing.assert_allclose(cosine[3:], 0.5 * (1 + np.cos(np.pi * np.arange(7) / 7)))
    np.testing.assert_allclose(schedule_factors(lambda k: 0.5**k, 3), [1, 0.5, 0.25])
    np.testing.assert_array_equal(schedule_factors(None, 4), np.ones(4))


def test_fit_uses_the_schedule_and_gives_the_optimizer_its_rate_back():
    optimizer = SGD(0.2)
    history = fit(
        dense_net(),
        X,
        LABELS,
        epochs=6,
        loss="softmax_cross_entropy",
        optimizer=optimizer,
        schedule="cosine",
        warmup=2,
    )
    np.testing.assert_allclose(history["learning_rate"], 0.2 * schedule_factors("cosine", 6, 2))
    assert optimizer.learning_rate == 0.2
    constant = fit(dense_net(), X, LABELS, epochs=6, loss="softmax_cross_entropy")
    assert "learning_rate" not in constant
    assert not np.allclose(history["loss"][1:], constant["loss"][1:])


def test_a_network_from_layers_equals_the_one_from_sizes():
    generator = np.random.default_rng(4)
    layers = [Layer(4, 8, rng=generator), Layer(8, 3, rng=generator), Layer(3, 1, rng=generator)]
    from_layers, from_sizes = NeuralNetwork(layers), NeuralNetwork([4, 8, 3, 1], rng=4)
    assert repr(from_layers) == repr(from_sizes) == "NeuralNetwork([4, 8, 3, 1])"
    x = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_array_equal(from_layers.forward(x), from_sizes.forward(x))
    assert [p["layer"] for p in from_layers.get_all_parameters()] == [0, 1, 2]


def test_dropout_takes_the_width_of_its_neighbour():
    network = NeuralNetwork([Dropout(0.2, rng=0), Layer(3, 4), Dropout(0.5, rng=1), Layer(4, 2)])
    assert [layer.n_inputs for layer in network.layers] == [3, 3, 4, 4]
    assert network.layer_sizes == [3, 4, 2]
    assert network.forward(X).shape == (12, 2)


def test_save_and_load_every_layer_kind(tmp_path):
    network = dropout_net()
    fit(network, X, LABELS, epochs=2, loss="softmax_cross_entropy")
    loaded = load(save(network, tmp_path / "net.npz"))
    assert repr(loaded) == repr(network)
    assert [type(layer) for layer in loaded.layers] == [Layer, Dropout, Layer]
    assert loaded.layers[1].rate == 0.5
    for (name, p), (other, q) in zip(network.parameters(), loaded.parameters(), strict=True):
        assert name == other
        np.testing.assert_array_equal(p, q)
    assert int(np.load(tmp_path / "net.npz")["format_version"]) == 2


def test_files_of_format_version_one_still_load(tmp_path):
    network = NeuralNetwork([2, 3, 1], "tanh", rng=0)
    arrays = {
        "format_version": np.array(1),
        "layer_sizes": np.array([2, 3, 1]),
        "activations": np.array(["tanh", "tanh"]),
    }
    for i, layer in enumerate(network.layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.W, layer.b
    np.savez(tmp_path / "old.npz", **arrays)
    loaded = load(tmp_path / "old.npz")
    assert repr(loaded) == repr(network)
    np.testing.assert_array_equal(loaded.forward(X[:, :2]), network.forward(X[:, :2]))


def test_the_animation_player_is_self_contained_and_the_same_on_every_run():
    import matplotlib

    matplotlib.use("Agg")
    from tinynet import moons
    from tinynet.plotting import animate_decision_boundary, animation_html, plot_weight_images

    X2, y2 = moons(40, rng=0)
    network = NeuralNetwork([2, 4, 2], "tanh", "identity", init="xavier", rng=0)
    snapshots = [[p.copy() for _, p in network.parameters()]]
    fit(network, X2, y2, epochs=5, learning_rate=0.5, loss="softmax_cross_entropy")
    snapshots.append([p.copy() for _, p in network.parameters()])

    def player() -> str:
        animation = animate_decision_boundary(network, snapshots, X2, y2, ["0", "5"], 20)
        return animation_html(animation, "testplayer", alt="Граница классов по эпохам")

    first, second = player(), player()
    assert first == second and "testplayer" in first
    assert '<img id="_anim_imgtestplayer" alt="Граница классов по эпохам"' in first
    assert "font-awesome" not in first and 'class="fa ' not in first  # ничего с чужого сайта
    assert 'aria-label="Играть"' in first and "Play" not in first.split("<script", 1)[0]
    assert "<script" in first and "src=" not in first.split("<img", 1)[0]  # без внешних файлов
    for (_, p), q in zip(network.parameters(), snapshots[-1], strict=True):
        np.testing.assert_array_equal(p, q)  # в сети — параметры последнего кадра
    with pytest.raises(ValueError, match=r"W: ожидалась матрица \(64, n\)"):
        plot_weight_images(np.ones((10, 3)))
    with pytest.raises(ValueError, match="alt: ожидалось непустое описание"):
        animation_html(object(), "testplayer", alt=" ")  # проверено до отрисовки

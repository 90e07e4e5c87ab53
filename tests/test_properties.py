"""Property-based tests: many random architectures instead of one hand-picked example."""

import tempfile
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinynet import (
    Layer,
    NeuralNetwork,
    Neuron,
    bce_loss,
    fit,
    gradcheck,
    load,
    predict,
    save,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
)

ACTIVATIONS = st.sampled_from(["sigmoid", "tanh", "relu", "identity"])
OUTPUTS = st.sampled_from(["sigmoid", "tanh", "identity", "softmax"])


@st.composite
def networks(draw):
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    activation, output = draw(ACTIVATIONS), draw(OUTPUTS)
    init = draw(st.sampled_from(["normal", "xavier", "he"]))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = {"weight_scale": 1.0} if init == "normal" else {}  # Xavier и He выбирают масштаб сами
    network = NeuralNetwork(sizes, activation, output, init=init, rng=seed, **scale)
    return network, seed


@settings(max_examples=40, deadline=None)
@given(networks(), st.integers(1, 6))
def test_forward_shapes_hold(model, batch):
    network, seed = model
    X = np.random.default_rng(seed).normal(size=(batch, network.layer_sizes[0]))
    assert network.forward(X).shape == (batch, network.layer_sizes[-1])
    assert network.forward(X[0]).shape == (network.layer_sizes[-1],)


@settings(max_examples=40, deadline=None)
@given(networks(), st.integers(1, 4))
def test_gradient_check_passes(model, batch):
    network, seed = model
    rng = np.random.default_rng(seed)
    # ReLU не дифференцируема в нуле: входы, сдвинутые от нуля, не дают ложных тревог
    X = rng.normal(size=(batch, network.layer_sizes[0]))
    errors = gradcheck(network, X, rng=seed)
    # Изломы ReLU всё же могут попасть между x ± ε; такие случаи редки и проверяются отдельно.
    relu_kink = any(
        np.any(np.abs(layer.cache["x"] @ layer.W + layer.b) < 1e-5)
        for layer in network.layers
        if layer.activation.name == "relu"
    )
    # Слой, все единицы которого насыщены (|z| > 5 у tanh или сигмоиды), умножает градиенты
    # под собой на f'(z) < 1e-2: они тонут в ошибке округления центральной разности
    # (так hypothesis нашёл сеть [3, 1, 1] с tanh при z = 6.4 и ошибкой 2e-4).
    saturated = any(
        np.all(np.abs(layer.cache["x"] @ layer.W + layer.b) > 5)
        for layer in network.layers
        if layer.activation.name in ("tanh", "sigmoid")
    )
    if not relu_kink and not saturated:
        assert max(errors.values()) < 1e-5, errors


@settings(max_examples=25, deadline=None)
@given(networks())
def test_save_load_round_trip(model):
    network, seed = model
    X = np.random.default_rng(seed).normal(size=(3, network.layer_sizes[0]))
    with tempfile.TemporaryDirectory() as folder:
        loaded = load(save(network, Path(folder) / "model.npz"))
    assert loaded.layer_sizes == network.layer_sizes
    assert loaded.activations == network.activations
    np.testing.assert_array_equal(loaded.forward(X), network.forward(X))


def _gradients(network) -> list[np.ndarray]:
    return [grad.copy() for layer in network.layers for grad in (layer.dW, layer.db)]


@settings(max_examples=30, deadline=None)
@given(networks(), st.integers(1, 4))
def test_in_place_edits_and_predict_do_not_reach_a_pending_backward(model, batch):
    """Issue 11, class 1: the natural code ``out -= y`` or a ``predict`` before ``backward``
    must give the same gradients as the clean forward-backward pair."""
    network, seed = model
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, network.layer_sizes[0]))
    Y = rng.normal(size=(batch, network.layer_sizes[-1]))
    out = network.forward(X)
    network.backward(2 * (out - Y) / out.size)
    clean = _gradients(network)

    X_edit = X.copy()
    out = network.forward(X_edit)
    out -= Y  # правка выхода на месте — естественный код читателя
    X_edit *= 3.0  # и правка входа
    predict(network, rng.normal(size=(5, network.layer_sizes[0])))  # и predict посередине
    network.forward(X_edit[0], cache=False)
    network.backward(2 * out / out.size)
    for a, b in zip(clean, _gradients(network), strict=True):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_a_layer_and_a_neuron_keep_their_own_copies(n_in, n_out, batch, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, n_in))
    layer = Layer(n_in, n_out, "tanh", weight_scale=1.0, rng=seed)
    G = rng.normal(size=(batch, n_out))
    layer.forward(X)
    layer.backward(G)
    clean = layer.dW.copy(), layer.db.copy()
    X_edit = X.copy()
    y = layer.forward(X_edit)
    y[:] = 0.5
    X_edit[:] = 7.0
    layer.forward(X_edit, cache=False)
    layer.backward(G)
    np.testing.assert_array_equal(layer.dW, clean[0])
    np.testing.assert_array_equal(layer.db, clean[1])

    neuron = Neuron(n_in, weight_scale=1.0, rng=seed)
    g = rng.normal(size=batch)
    neuron.forward(X)
    neuron.backward(g)
    clean_dw = neuron.dw.copy()
    X_edit = X.copy()
    neuron.forward(X_edit)[...] = 0.5
    X_edit[:] = -1.0
    neuron.backward(g)
    np.testing.assert_array_equal(neuron.dw, clean_dw)


# --- Issue 11, class 5: loss values against a reference in 60-digit decimal arithmetic.


def _log1p(t: Decimal) -> Decimal:
    return t - t * t / 2 if t < Decimal("1e-40") else (1 + t).ln()  # ряд: ошибка ~t³/3


def bce_reference(logits: np.ndarray, targets: np.ndarray) -> Decimal:
    """log(1 + e^{-z}) weighted by y plus log(1 + e^{z}) weighted by 1 - y, then the mean."""
    with localcontext() as context:
        context.prec = 60
        terms = [
            Decimal(y) * _log1p((-Decimal(z)).exp()) + (1 - Decimal(y)) * _log1p(Decimal(z).exp())
            for z, y in zip(logits.ravel().tolist(), targets.ravel().tolist(), strict=True)
        ]
        return sum(terms) / len(terms)


def cross_entropy_reference(logits: np.ndarray, labels: np.ndarray) -> Decimal:
    """-log p_y = log(1 + sum over k != y of e^{z_k - z_y}) per row, then the mean."""
    with localcontext() as context:
        context.prec = 60
        rows = []
        for row, label in zip(logits.tolist(), labels.tolist(), strict=True):
            picked = Decimal(row[label])
            rest = sum((Decimal(z) - picked).exp() for k, z in enumerate(row) if k != label)
            rows.append(_log1p(rest))
        return sum(rows) / len(rows)


def assert_close_to(value: float, reference: Decimal) -> None:
    # Потери ниже ~1e-300 float64 не представит: там достаточно абсолютной точности.
    gap = abs(Decimal(value) - reference)
    assert gap <= Decimal("1e-12") * reference + Decimal("1e-300"), (value, reference)


LOGITS = st.floats(-1e4, 1e4, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(LOGITS, st.sampled_from([0.0, 1.0, 0.25])), min_size=1, max_size=6),
    st.sampled_from([25.0, 35.0, 40.0, 700.0, 1e4, 0.0]),
)
def test_bce_loss_is_accurate_at_confident_logits(pairs, confident):
    logits = np.array([[z] for z, _ in pairs] + [[confident], [-confident]])
    targets = np.array([[y] for _, y in pairs] + [[1.0], [0.0]])
    assert_close_to(bce_loss(logits, targets), bce_reference(logits, targets))
    one = np.array([[confident]]), np.array([[1.0]])  # уверенно и верно: потери ≈ e^{-z}
    assert_close_to(bce_loss(*one), bce_reference(*one))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda k: st.lists(
            st.tuples(st.lists(LOGITS, min_size=k, max_size=k), st.integers(0, k - 1)),
            min_size=1,
            max_size=5,
        )
    ),
    st.sampled_from([25.0, 40.0, 700.0, 1e4]),
)
def test_softmax_cross_entropy_is_accurate_at_confident_logits(rows, margin):
    logits = np.array([row for row, _ in rows])
    labels = np.array([label for _, label in rows])
    confident = np.zeros((1, logits.shape[1]))
    confident[0, 0] = margin  # верный класс 0 с запасом margin
    for Z, y in ((logits, labels), (confident, np.array([0]))):
        reference = cross_entropy_reference(Z, y)
        assert_close_to(softmax_cross_entropy(Z, y), reference)
        assert_close_to(softmax_cross_entropy_and_grad(Z, y)[0], reference)


@settings(max_examples=20, deadline=None)
@given(st.floats(20.0, 60.0), st.sampled_from(["bce", "softmax_cross_entropy"]))
def test_the_validation_loss_fit_reports_is_accurate(scale, loss):
    """fit's val_loss comes from the same cancellation-free formulas."""
    n_out = 1 if loss == "bce" else 2
    network = NeuralNetwork([1, n_out], "identity", init="xavier", rng=0)
    network.layers[0].W[:] = scale
    X_val = np.array([[1.0], [1.5], [-1.0]])
    if loss == "bce":
        y_val = (X_val > 0).astype(float)
    else:
        network.layers[0].W[0, 1] = -scale
        y_val = (X_val[:, 0] < 0).astype(int)
    history = fit(
        network,
        X_val,
        y_val,
        epochs=1,
        learning_rate=1e-9,
        loss=loss,
        validation_data=(X_val, y_val),
    )
    output = network.forward(X_val, cache=False)
    reference = (
        bce_reference(output, y_val) if loss == "bce" else cross_entropy_reference(output, y_val)
    )
    assert_close_to(history["val_loss"][0], reference)

"""Convolution, max pooling and flattening (chapter 14): against direct loops, gradchecked."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import GRAD_TOL
from tinynet import (
    SGD,
    Adam,
    AdamW,
    Conv2D,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    NeuralNetwork,
    col2im,
    conv_output_size,
    fit,
    get_activation,
    gradcheck,
    im2col,
    load,
    predict,
    save,
)

# ---------------------------------------------------------------- direct loop implementations


def padded(x, p):
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * p, w + 2 * p))
    out[:, :, p : p + h, p : p + w] = x
    return out


def loop_im2col(x, k, s, p):
    """One row per window, in (n, i, j) order; columns (c, p, q) — written out with loops."""
    n, c, h, w = x.shape
    xp = padded(x, p)
    ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    rows = []
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                row = [
                    xp[b, ch, s * i + a, s * j + q]
                    for ch in range(c)
                    for a in range(k)
                    for q in range(k)
                ]
                rows.append(row)
    return np.array(rows)


def loop_col2im(cols, shape, k, s, p):
    n, c, h, w = shape
    ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    xp = np.zeros((n, c, h + 2 * p, w + 2 * p))
    row = 0
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                col = 0
                for ch in range(c):
                    for a in range(k):
                        for q in range(k):
                            xp[b, ch, s * i + a, s * j + q] += cols[row, col]
                            col += 1
                row += 1
    return xp[:, :, p : p + h, p : p + w]


def loop_conv(x, K, bias, s, p):
    """Cross-correlation (the kernel is NOT flipped), six nested loops."""
    n, c, h, w = x.shape
    f, _, k, _ = K.shape
    xp = padded(x, p)
    ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    out = np.zeros((n, f, ho, wo))
    for b in range(n):
        for fi in range(f):
            for i in range(ho):
                for j in range(wo):
                    total = bias[fi]
                    for ch in range(c):
                        for a in range(k):
                            for q in range(k):
                                total += K[fi, ch, a, q] * xp[b, ch, s * i + a, s * j + q]
                    out[b, fi, i, j] = total
    return out


def loop_maxpool(x, k, s):
    n, c, h, w = x.shape
    ho, wo = (h - k) // s + 1, (w - k) // s + 1
    out = np.zeros((n, c, ho, wo))
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    out[b, ch, i, j] = x[b, ch, s * i : s * i + k, s * j : s * j + k].max()
    return out


SHAPES = [
    # (N, C, H, W, k, stride, padding)
    (1, 1, 3, 3, 3, 1, 0),
    (2, 3, 5, 4, 3, 1, 1),
    (2, 2, 7, 6, 3, 2, 0),
    (3, 1, 6, 6, 2, 2, 1),
    (1, 2, 5, 5, 1, 3, 2),
    (2, 1, 4, 5, 4, 1, 2),
]


# ---------------------------------------------------------------- im2col / col2im


@pytest.mark.parametrize(("n", "c", "h", "w", "k", "s", "p"), SHAPES)
def test_im2col_matches_the_loop_and_col2im_is_its_adjoint(rng, n, c, h, w, k, s, p):
    x = rng.normal(size=(n, c, h, w))
    cols = im2col(x, k, s, p)
    np.testing.assert_array_equal(cols, loop_im2col(x, k, s, p))
    ho, wo = conv_output_size(h, k, s, p), conv_output_size(w, k, s, p)
    assert cols.shape == (n * ho * wo, c * k * k)
    other = rng.normal(size=cols.shape)
    back = col2im(other, x.shape, k, s, p)
    assert back.shape == x.shape
    np.testing.assert_allclose(back, loop_col2im(other, x.shape, k, s, p), rtol=1e-12, atol=1e-12)
    # сопряжённость: <im2col(x), c> = <x, col2im(c)>
    assert np.isclose(np.vdot(cols, other), np.vdot(x, back), rtol=1e-12)


def test_im2col_copies_only_the_matrix():
    x = np.arange(2 * 1 * 6 * 6, dtype=float).reshape(2, 1, 6, 6)
    cols = im2col(x, 3)
    assert cols.base is None or not np.shares_memory(
        cols, x
    )  # своя память: кэшу не страшна правка x
    x[0, 0, 0, 0] = 100.0
    assert cols[0, 0] == 0.0


def test_output_size_formula():
    assert conv_output_size(8, 3, padding=1) == 8
    assert conv_output_size(8, 3) == 6
    assert conv_output_size(7, 3, stride=2) == 3
    assert conv_output_size(5, 5) == 1
    with pytest.raises(ValueError, match="kernel_size: окно 6×6 больше входа"):
        conv_output_size(5, 6)


# ---------------------------------------------------------------- Conv2D


@pytest.mark.parametrize(("n", "c", "h", "w", "k", "s", "p"), SHAPES)
def test_conv_forward_is_the_cross_correlation_of_the_formula(rng, n, c, h, w, k, s, p):
    layer = Conv2D(c, 3, k, stride=s, padding=p, activation="identity", rng=0)
    layer.b = rng.normal(size=3)
    x = rng.normal(size=(n, c, h, w))
    np.testing.assert_allclose(layer.forward(x), loop_conv(x, layer.W, layer.b, s, p), atol=1e-12)


def test_convolution_is_not_flipped():
    """A kernel with a single 1 in its top-left corner picks the top-left pixel of each window."""
    layer = Conv2D(1, 1, 2, activation="identity", rng=0)
    layer.W[...] = [[[[1.0, 0.0], [0.0, 0.0]]]]
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[0.0, 1.0], [3.0, 4.0]])


def test_he_initialisation_and_reproducible_rng():
    a, b = Conv2D(4, 64, 3, rng=7), Conv2D(4, 64, 3, rng=7)
    np.testing.assert_array_equal(a.W, b.W)
    assert a.W.shape == (64, 4, 3, 3) and a.b.shape == (64,) and not a.b.any()
    assert abs(a.W.std() / np.sqrt(2 / (4 * 9)) - 1) < 0.1
    assert not np.array_equal(a.W, Conv2D(4, 64, 3, rng=8).W)
    assert a.activation.name == "relu"
    xavier = Conv2D(4, 64, 3, init="xavier", rng=7)
    assert abs(xavier.W.std() / np.sqrt(2 / (4 * 9 + 64 * 9)) - 1) < 0.1


@st.composite
def conv_cases(draw):
    c, f, k = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s, p = draw(st.integers(1, 2)), draw(st.integers(0, 2))
    h, w = (draw(st.integers(max(1, k - 2 * p), 6)) for _ in range(2))
    n = draw(st.integers(1, 2))
    activation = draw(st.sampled_from(["tanh", "sigmoid", "identity", "relu"]))
    seed = draw(st.integers(0, 2**32 - 1))
    return (n, c, h, w), Conv2D(c, f, k, stride=s, padding=p, activation=activation, rng=seed), seed


def relu_kink(layer) -> bool:
    """ReLU is not differentiable at 0: a pre-activation within eps of 0 is a rare false alarm."""
    if layer.activation.name != "relu":
        return False
    z = layer.cache["cols"] @ layer.W.reshape(layer.out_channels, -1).T + layer.b
    return bool(np.any(np.abs(z) < 1e-4))


@settings(max_examples=25, deadline=None)
@given(conv_cases())
def test_conv_gradients_by_finite_differences(case):
    shape, layer, seed = case
    rng = np.random.default_rng(seed)
    layer.b = rng.normal(size=layer.b.shape)
    errors = gradcheck(layer, rng.normal(size=shape), rng=seed)
    assert set(errors) == {"W", "b", "X"}
    if not relu_kink(layer):
        assert max(errors.values()) < GRAD_TOL, errors


def test_conv_backward_shapes_and_input_grad_false(rng):
    layer = Conv2D(2, 4, 3, stride=2, padding=1, rng=0)
    x = rng.normal(size=(3, 2, 7, 5))
    y = layer.forward(x)
    assert y.shape == (3, 4, 4, 3)
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == x.shape and layer.dW.shape == layer.W.shape and layer.db.shape == (4,)
    dW = layer.dW.copy()
    assert layer.backward(np.ones_like(y), input_grad=False) is None
    np.testing.assert_array_equal(layer.dW, dW)


def test_conv_refuses_softmax():
    with pytest.raises(ValueError, match="activation: softmax нормирует"):
        Conv2D(1, 2, 3, activation="softmax")
    with pytest.raises(ValueError, match="activation: softmax"):
        Conv2D(1, 2, 3, activation=get_activation("softmax"))


# ---------------------------------------------------------------- MaxPool2D and Flatten


@pytest.mark.parametrize(
    ("shape", "k", "s"),
    [((2, 3, 8, 8), 2, None), ((1, 2, 5, 7), 2, 1), ((2, 1, 7, 6), 3, 2), ((1, 1, 6, 6), 3, 3)],
)
def test_maxpool_forward_matches_the_loop(rng, shape, k, s):
    x = rng.normal(size=shape)
    pool = MaxPool2D(k, stride=s)
    np.testing.assert_array_equal(pool.forward(x), loop_maxpool(x, k, pool.stride))


@st.composite
def pool_cases(draw):
    k, s = draw(st.integers(1, 3)), draw(st.one_of(st.none(), st.integers(1, 3)))
    h, w = draw(st.integers(k, 7)), draw(st.integers(k, 7))
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), MaxPool2D(k, stride=s)


@settings(max_examples=25, deadline=None)
@given(pool_cases(), st.integers(0, 2**32 - 1))
def test_maxpool_gradient_by_finite_differences(case, seed):
    shape, pool = case
    # различные значения с зазором больше 2 eps: без равных максимумов производная есть
    x = np.random.default_rng(seed).permutation(np.prod(shape)).reshape(shape) * 0.01
    errors = gradcheck(pool, x, rng=seed)
    assert set(errors) == {"X"} and errors["X"] < GRAD_TOL, errors


def test_maxpool_ties_send_the_gradient_to_the_first_maximum_in_row_order():
    x = np.array(
        [[[[1.0, 5.0, 2.0, 2.0], [5.0, 5.0, 2.0, 2.0], [0.0, 0.0, 3.0, 1.0], [0.0, 0.0, 1.0, 3.0]]]]
    )
    pool = MaxPool2D(2)
    np.testing.assert_array_equal(pool.forward(x), [[[[5.0, 2.0], [0.0, 3.0]]]])
    dy = np.array([[[[10.0, 20.0], [30.0, 40.0]]]])
    expected = np.array(
        [[[[0.0, 10.0, 20.0, 0.0], [0.0, 0.0, 0.0, 0.0], [30.0, 0.0, 40.0, 0.0], [0.0] * 4]]]
    )
    np.testing.assert_array_equal(pool.backward(dy), expected)


def test_overlapping_pools_add_the_gradients_of_shared_maxima():
    x = np.array([[[[0.0, 1.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]])
    pool = MaxPool2D(2, stride=1)
    np.testing.assert_array_equal(pool.forward(x), np.full((1, 1, 2, 2), 9.0))
    dx = pool.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    expected = np.zeros_like(x)
    expected[0, 0, 1, 1] = 10.0
    np.testing.assert_array_equal(dx, expected)
    # тот же случай, что идёт общим путём (окна перекрываются), и срез без остатка
    x2 = np.random.default_rng(0).permutation(30).reshape(1, 1, 5, 6).astype(float)
    pool2 = MaxPool2D(2)  # 5 на 2 не делится: общий путь, последняя строка не в окне
    pool2.forward(x2)
    assert not pool2.backward(np.ones((1, 1, 2, 3)))[0, 0, 4].any()


def test_flatten_is_c_order_and_backward_restores_the_shape(rng):
    x = rng.normal(size=(3, 2, 4, 5))
    flat = Flatten()
    y = flat.forward(x)
    np.testing.assert_array_equal(y, x.reshape(3, -1))
    np.testing.assert_array_equal(y[1, 20:25], x[1, 1, 0])
    dy = rng.normal(size=y.shape)
    np.testing.assert_array_equal(flat.backward(dy), dy.reshape(x.shape))
    assert gradcheck(Flatten(), x)["X"] < GRAD_TOL
    y[0, 0] = 99.0  # выход — копия: правка не трогает вход читателя
    assert x[0, 0, 0, 0] != 99.0


# ---------------------------------------------------------------- networks


def cnn(dtype=np.float64, activation="relu", *, dropout=None):
    layers = [
        Conv2D(1, 3, 3, padding=1, activation=activation, rng=0, dtype=dtype),
        MaxPool2D(2),
        Flatten(),
    ]
    layers += [] if dropout is None else [Dropout(dropout, rng=0)]
    layers += [Layer(3 * 3 * 3, 4, "identity", init="he", rng=1, dtype=dtype)]
    return NeuralNetwork(layers)


def images(n=12, size=6, seed=0):
    """Small 'images' whose class is which quadrant holds a bright blob."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    X = rng.normal(scale=0.3, size=(n, 1, size, size))
    for i, label in enumerate(y):
        r, c = divmod(label, 2)
        X[i, 0, 3 * r : 3 * r + 3, 3 * c : 3 * c + 3] += 2.0
    return X, y


def test_the_chapter_network_runs_and_keeps_float32():
    X, y = images()
    for dtype in (np.float64, np.float32):
        network = cnn(dtype)
        assert network.takes_images and network.dtype == dtype
        assert network.layer_sizes == [27, 4] and network.activations == ["identity"]
        history = fit(
            network,
            X,
            y,
            epochs=2,
            loss="softmax_cross_entropy",
            optimizer=Adam(0.01),
            batch_size=4,
            rng=0,
            validation_data=(X, y),
        )
        assert set(history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
        assert network.forward(X).dtype == dtype
        for layer in network.layers:
            for name in layer.parameter_names:
                assert getattr(layer, name).dtype == dtype
                assert getattr(layer, "d" + name).dtype == dtype
        conv = network.layers[0]
        conv.forward(X)
        assert conv.backward(np.ones((12, 3, 6, 6), dtype=dtype)).dtype == dtype


def test_float32_optimiser_state_stays_float32():
    X, y = images()
    network, adam = cnn(np.float32), Adam(0.01)
    fit(network, X, y, epochs=1, loss="softmax_cross_entropy", optimizer=adam, batch_size=6)
    assert adam._m.dtype == np.float32 and adam._v.dtype == np.float32


def test_fit_lowers_the_loss_and_learns_the_quadrants():
    X, y = images(40)
    network = cnn()
    history = fit(
        network,
        X,
        y,
        epochs=30,
        loss="softmax_cross_entropy",
        optimizer=Adam(0.02),
        batch_size=8,
        rng=0,
    )
    assert history["loss"][-1] < 0.25 * history["loss"][0]
    X_new, y_new = images(20, seed=1)
    assert np.mean(predict(network, X_new) == y_new) >= 0.9


def test_a_small_cnn_passes_gradcheck_with_a_loss():
    X, y = images(3)
    network = NeuralNetwork(
        [
            Conv2D(1, 2, 3, padding=1, activation="tanh", rng=0),
            MaxPool2D(2),
            Conv2D(2, 2, 2, stride=1, activation="sigmoid", rng=1),
            Flatten(),
            Layer(2 * 2 * 2, 4, "identity", init="xavier", rng=2),
        ]
    )
    errors = gradcheck(network, X, y[:3], loss="softmax_cross_entropy")
    assert set(errors) == {"W0", "b0", "W2", "b2", "W4", "b4", "X"}
    assert max(errors.values()) < GRAD_TOL, errors


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(4, 7), st.integers(0, 2**32 - 1))
def test_random_cnns_pass_gradcheck(channels, filters, size, seed):
    conv = Conv2D(channels, filters, 3, padding=1, activation="tanh", rng=seed)
    width = filters * (size // 2) ** 2
    network = NeuralNetwork([conv, MaxPool2D(2), Flatten(), Layer(width, 2, "identity", rng=seed)])
    x = np.random.default_rng(seed).normal(size=(2, channels, size, size))
    errors = gradcheck(network, x, rng=seed)
    # равные максимумы в окне (вероятность ноль для tanh от нормальных входов) не мешают
    assert max(errors.values()) < GRAD_TOL, errors


def test_dropout_in_a_cnn_and_the_modes():
    X, y = images()
    network = cnn(dropout=0.5)
    assert network.layers[3].n_inputs is None  # ширина после Flatten известна только по данным
    fit(network, X, y, epochs=2, loss="softmax_cross_entropy", optimizer="adam", rng=0)
    network.eval()
    first, second = network.forward(X, cache=False), network.forward(X, cache=False)
    np.testing.assert_array_equal(first, second)
    network.train()
    assert network.training
    trained = network.forward(X, cache=False)
    assert not np.array_equal(trained, first)
    # прореживание между свёртками — на картах признаков
    inner = NeuralNetwork(
        [
            Conv2D(1, 2, 3, rng=0),
            Dropout(0.5, rng=0),
            Flatten(),
            Layer(2 * 4 * 4, 3, "identity", rng=0),
        ]
    )
    assert inner.forward(X).shape == (12, 3)


def test_parameters_names_weight_decay_and_get_all_parameters():
    X, y = images()
    network = cnn()
    assert [name for name, _ in network.parameters()] == ["W0", "b0", "W3", "b3"]
    structure = network.get_all_parameters()
    assert [entry["layer"] for entry in structure] == [0, 1, 2, 3]
    assert set(structure[0]["parameters"]) == {"W", "b"} and structure[1]["parameters"] == {}
    assert structure[0]["parameters"]["W"].shape == (3, 1, 3, 3)
    # затухание весов: только W (decayed_names), смещения нетронуты
    decayed = cnn()
    decayed.forward(X)
    decayed.backward(np.zeros((12, 4)))
    W, b = decayed.layers[0].W.copy(), decayed.layers[0].b.copy()
    decayed.layers[0].b += 1.0
    SGD(0.1, weight_decay=0.5).step(decayed)
    np.testing.assert_allclose(decayed.layers[0].W, W * (1 - 0.05))
    np.testing.assert_array_equal(decayed.layers[0].b, b + 1.0)
    fit(
        network,
        X,
        y,
        epochs=1,
        loss="softmax_cross_entropy",
        optimizer=AdamW(0.01, weight_decay=0.1),
    )


def test_save_and_load_round_trip_bit_for_bit(tmp_path):
    X, y = images()
    for dtype in (np.float64, np.float32):
        network = NeuralNetwork(
            [
                Conv2D(1, 2, 3, padding=1, activation="tanh", rng=0, dtype=dtype),
                MaxPool2D(2, stride=1),
                Conv2D(2, 3, 2, stride=2, rng=1, dtype=dtype),
                Flatten(),
                Dropout(0.25, rng=0),
                Layer(3 * 2 * 2, 4, "identity", rng=2, dtype=dtype),
            ]
        )
        fit(network, X, y, epochs=1, loss="softmax_cross_entropy", optimizer="adam", rng=0)
        path = save(network, tmp_path / f"cnn{np.dtype(dtype).itemsize}.npz")
        assert int(np.load(path)["format_version"]) == 3
        loaded = load(path)
        assert repr(loaded) == repr(network)
        assert loaded.layers[1].stride == 1 and loaded.layers[2].stride == 2
        assert loaded.layers[0].padding == 1 and loaded.layers[4].rate == 0.25
        for (name, p), (other, q) in zip(network.parameters(), loaded.parameters(), strict=True):
            assert name == other and p.dtype == q.dtype == dtype
            assert p.tobytes() == q.tobytes()
        network.eval(), loaded.eval()
        np.testing.assert_array_equal(loaded.forward(X), network.forward(X))


def test_dense_networks_are_still_saved_as_version_two(tmp_path):
    path = save(NeuralNetwork([2, 3, 1], rng=0), tmp_path / "dense.npz")
    assert int(np.load(path)["format_version"]) == 2
    assert "settings" not in np.load(path)


def test_a_wrong_input_is_refused_before_anything_changed():
    X, y = images()
    network = cnn()
    network.forward(X)
    cache = network.layers[0].cache
    with pytest.raises(ValueError, match=r"x: форма \(2, 1, 4, 4\) не подходит сети: слой 3"):
        network.forward(np.ones((2, 1, 4, 4)))
    assert network.layers[0].cache is cache
    with pytest.raises(ValueError, match=r"X: форма \(12, 1, 8, 8\) не подходит сети"):
        fit(network, np.ones((12, 1, 8, 8)), y, epochs=1, loss="softmax_cross_entropy")
    with pytest.raises(ValueError, match=r"X_val: ожидался пакет изображений .*\(12, 36\)"):
        fit(
            network,
            X,
            y,
            epochs=1,
            loss="softmax_cross_entropy",
            validation_data=(X.reshape(12, -1), y),
        )
    assert network.layers[0].cache is cache


@pytest.mark.parametrize("activation", ["relu", "identity"])
@pytest.mark.parametrize("shape", [(2, 1, 3, 3), (1, 1, 3, 3), (2, 1, 5, 5)])
def test_outputs_do_not_share_memory_with_the_cache(activation, shape):
    """Even when the output happens to be a contiguous view (1×1 maps), an in-place edit of it
    must not corrupt the cached activation that backward reads."""
    layer = Conv2D(1, 2, 3, activation=activation, rng=0)
    x = np.random.default_rng(0).normal(size=shape)
    y = layer.forward(x)
    expected = layer.backward(np.ones_like(y)).copy()
    y -= 100.0
    np.testing.assert_array_equal(layer.backward(np.ones_like(y)), expected)

"""fit, metrics, save/load, gradcheck, datasets and plotting."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import tinynet  # noqa: E402
from tinynet import (  # noqa: E402
    Layer,
    NeuralNetwork,
    Standardizer,
    accuracy,
    confusion_matrix,
    digits,
    fit,
    gradcheck,
    load,
    moons,
    predict,
    save,
    spirals,
    train_val_test_split,
    xor,
)
from tinynet.plotting import (  # noqa: E402
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_digits,
    plot_history,
)


def digits_splits(seed: int = 0):
    X, y = digits()
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(X, y, rng=seed)
    scaler = Standardizer().fit(X_train)
    return (
        (scaler.transform(X_train), y_train),
        (scaler.transform(X_val), y_val),
        (scaler.transform(X_test), y_test),
    )


def test_digits_recipe_of_the_book_reaches_97_percent():
    """The recipe of the digits chapter: 64-128-10 ReLU, He init, Adam, batch 64, 30 epochs."""
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = digits_splits(0)
    net = NeuralNetwork([64, 128, 10], "relu", "identity", init="he", rng=0)
    history = fit(
        net,
        X_train,
        y_train,
        epochs=30,
        learning_rate=1e-3,
        loss="softmax_cross_entropy",
        optimizer="adam",
        batch_size=64,
        rng=0,
        validation_data=(X_val, y_val),
    )
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0] / 10
    assert accuracy(y_test, predict(net, X_test)) >= 0.97


def test_same_seed_gives_bitwise_identical_training():
    X, y = moons(60, rng=1)
    runs = []
    for _ in range(2):
        net = NeuralNetwork([2, 8, 1], "tanh", "identity", init="xavier", rng=3)
        history = fit(
            net,
            X,
            y[:, None],
            epochs=5,
            loss="bce",
            optimizer="adam",
            learning_rate=0.01,
            batch_size=16,
            rng=4,
        )
        runs.append((history["loss"], net.layers[0].W))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_predict_accuracy_and_confusion_matrix():
    net = NeuralNetwork([2, 2], "identity", rng=0)
    net.layers[0].W[:] = [[1.0, 0.0], [0.0, 1.0]]
    X = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0]])
    np.testing.assert_array_equal(predict(net, X), [0, 1, 0])
    assert accuracy([0, 1, 1], [0, 1, 0]) == pytest.approx(2 / 3)
    np.testing.assert_array_equal(
        confusion_matrix([0, 1, 1, 2], [0, 1, 0, 2], 3), [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    )
    sigmoid_net = NeuralNetwork([2, 1], rng=0)  # один сигмоидный выход: порог 1/2
    assert set(predict(sigmoid_net, X)) <= {0, 1}
    with pytest.raises(ValueError, match="y_true: ожидались метки 0..1"):
        confusion_matrix([0, 2], [0, 1], 2)
    with pytest.raises(TypeError, match="y_pred"):
        accuracy([0, 1], [0.5, 1.0])


def test_save_and_load_round_trip_is_bitwise(tmp_path):
    net = NeuralNetwork([4, 6, 3], "relu", "softmax", init="he", rng=2)
    path = save(net, tmp_path / "model.npz")
    loaded = load(path)
    assert loaded.activations == ["relu", "softmax"] and loaded.layer_sizes == [4, 6, 3]
    for a, b in zip(net.get_all_parameters(), loaded.get_all_parameters(), strict=True):
        np.testing.assert_array_equal(a["parameters"]["W"], b["parameters"]["W"])
        np.testing.assert_array_equal(a["parameters"]["b"], b["parameters"]["b"])
    X = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_array_equal(net.forward(X), loaded.forward(X))


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save(NeuralNetwork([2, 1], rng=0), path)
    before = path.read_bytes()

    def broken_savez(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(KeyboardInterrupt):
        save(NeuralNetwork([2, 1], rng=1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # временный файл удалён


def test_load_rejects_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="path"):
        load(tmp_path / "missing.npz")
    good = save(NeuralNetwork([2, 3, 1], rng=0), tmp_path / "good.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:100])
    with pytest.raises(ValueError, match="повреждён"):
        load(truncated)
    text = tmp_path / "text.npz"
    text.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ValueError, match="не файл .npz"):
        load(text)
    pickled = tmp_path / "pickled.npz"
    np.savez(
        pickled,
        format_version=np.array(1),
        layer_sizes=np.array([2, 1]),
        activations=np.array([object()], dtype=object),
    )
    with pytest.raises(ValueError, match="объекты Python"):
        load(pickled)
    other = tmp_path / "other.npz"
    arrays = dict(np.load(good))
    arrays["W0"] = np.zeros((5, 3))
    np.savez(other, **arrays)
    with pytest.raises(ValueError, match="не соответствуют архитектуре"):
        load(other)
    with pytest.raises(ValueError, match=".npz"):
        save(NeuralNetwork([2, 1], rng=0), tmp_path / "model.pkl")


def test_gradcheck_catches_a_forgotten_derivative(rng):
    class ForgotDerivative(Layer):
        def backward(self, dy):  # σ′ забыта намеренно: так выглядит ошибка
            x = np.atleast_2d(self.cache["x"])
            delta = np.atleast_2d(dy)
            self.dW, self.db = x.T @ delta, delta.sum(axis=0)
            return np.asarray(dy) @ self.W.T

    good = Layer(3, 2, weight_scale=1.0, rng=0)
    bad = ForgotDerivative(3, 2, weight_scale=1.0, rng=0)
    X = rng.normal(size=(4, 3))
    assert max(gradcheck(good, X).values()) < 1e-6
    assert gradcheck(bad, X)["W"] > 1e-2


def test_datasets_shapes_and_reproducibility():
    X, Y = xor()
    assert X.shape == (4, 2) and Y.shape == (4, 1)
    Xm, ym = moons(101, rng=0)
    assert Xm.shape == (101, 2) and set(ym) == {0, 1}
    np.testing.assert_array_equal(Xm, moons(101, rng=0)[0])
    Xs, ys = spirals(10, 4, rng=0)
    assert Xs.shape == (40, 2) and np.bincount(ys).tolist() == [10] * 4
    Xd, yd = digits()
    assert Xd.shape == (1797, 64) and yd.min() == 0 and yd.max() == 9
    parts = train_val_test_split(Xd, yd, rng=0)
    assert sum(len(p[0]) for p in parts) == 1797
    assert len(set(map(tuple, parts[2][0])) & set(map(tuple, parts[0][0]))) < 5  # почти нет дублей


def test_standardizer_uses_training_statistics_only():
    train = np.array([[0.0, 5.0], [2.0, 5.0]])
    scaler = Standardizer().fit(train)
    np.testing.assert_allclose(scaler.transform(train), [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(scaler.transform([[4.0, 6.0]]), [[3.0, 1.0]])
    with pytest.raises(RuntimeError, match="до fit"):
        Standardizer().transform(train)
    with pytest.raises(ValueError, match="2 признаков"):
        scaler.transform(np.ones((1, 3)))


def test_plots_draw_what_they_promise():
    X, y = moons(40, rng=0)
    net = NeuralNetwork([2, 4, 1], "tanh", "identity", rng=0)
    history = fit(
        net, X, y[:, None], epochs=3, loss="bce", learning_rate=0.1, validation_data=(X, y[:, None])
    )
    ax = plot_history(history)
    assert len(ax.lines) == 2 and ax.get_xlabel() == "эпоха"
    ax = plot_decision_boundary(net, X, y)
    assert ax.collections
    ax = plot_confusion_matrix(np.array([[3, 1], [0, 4]]))
    assert [t.get_text() for t in ax.texts] == ["3", "1", "0", "4"]
    fig = plot_digits(np.zeros((3, 64)), [1, 2, 3], [1, 2, 4])
    assert fig.axes[2].get_title() == "3 → 4"
    plt.close("all")


def test_public_names_are_exported():
    for name in ["fit", "save", "load", "gradcheck", "Adam", "Softmax", "digits", "predict"]:
        assert hasattr(tinynet, name)

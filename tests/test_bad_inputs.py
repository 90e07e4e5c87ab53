"""Every bad input a reader is likely to try, with the error tinynet answers.

Each row: what is wrong, the call, the exception type, and a pattern the Russian message must
contain — at least the name of the argument, usually also what was expected and received.
"""

import numpy as np
import pytest

from tinynet import (
    SGD,
    Adam,
    AdamW,
    Conv2D,
    Dropout,
    Flatten,
    Identity,
    Layer,
    MaxPool2D,
    Momentum,
    NeuralNetwork,
    Neuron,
    ReLU,
    Standardizer,
    Tanh,
    accuracy,
    bce_loss,
    confusion_matrix,
    conv_output_size,
    fit,
    get_activation,
    get_loss,
    get_optimizer,
    gradcheck,
    load,
    mse_loss,
    neuron_forward,
    predict,
    relative_error,
    save,
    schedule_factors,
    sigmoid,
    softmax_cross_entropy,
    train_val_test_split,
)

X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y4 = np.array([[0.0], [1.0], [1.0], [0.0]])
_features = np.random.default_rng(0).normal(size=(200, 5))
REGRESSION = (_features, _features @ np.random.default_rng(1).normal(size=(5, 1)))


def layer() -> Layer:
    return Layer(3, 2, rng=0)


def after_forward(x) -> Layer:
    result = layer()
    result.forward(x)
    return result


def net() -> NeuralNetwork:
    return NeuralNetwork([2, 3, 1], rng=0)


def with_nan_weight(network_or_layer):
    layers = getattr(network_or_layer, "layers", [network_or_layer])
    layers[-1].W[0, 0] = np.nan
    return network_or_layer


class NaNGradient(Layer):
    """A broken layer whose analytic gradient is NaN: gradcheck must not call it a pass."""

    def backward(self, dy):
        dx = super().backward(dy)
        self.dW = np.full_like(self.dW, np.nan)
        return dx


def after_step(network: NeuralNetwork) -> NeuralNetwork:
    """The network after forward and backward on XOR: gradients ready for an optimiser step."""
    network.forward(X4)
    network.backward(np.ones((4, network.layer_sizes[-1])) / 4)
    return network


def used_optimizer(optimizer):
    optimizer.step(after_step(net()))
    return optimizer


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def cnn(width: int = 2 * 4 * 4) -> NeuralNetwork:
    """The chapter-14 shape: 8×8 images, a 3×3 convolution, 2×2 pooling, a dense layer."""
    layers = [Conv2D(1, 2, 3, padding=1, rng=0), MaxPool2D(2), Flatten()]
    return NeuralNetwork([*layers, Layer(width, 3, "identity", rng=0)])


def saved_cnn_with(tmp_path, drop=(), **changes):
    path = save(cnn(), tmp_path / "cnn.npz")
    arrays = {key: value for key, value in np.load(path).items() if key not in drop}
    arrays.update(changes)
    np.savez(tmp_path / "changed.npz", **arrays)
    return tmp_path / "changed.npz"


def saved_with(tmp_path, **changes):
    path = save(net(), tmp_path / "good.npz")
    arrays = dict(np.load(path))
    arrays.update(changes)
    np.savez(tmp_path / "changed.npz", **arrays)
    return tmp_path / "changed.npz"


BAD_INPUTS = [
    # (что не так, вызов, исключение, что должно быть в сообщении)
    (
        "x не той ширины",
        lambda t: layer().forward(np.ones(4)),
        ValueError,
        r"x: ожидалась форма \(3,\)",
    ),
    (
        "пакет не той ширины",
        lambda t: layer().forward(np.ones((5, 4))),
        ValueError,
        r"получена \(5, 4\)",
    ),
    (
        "x трёхмерный",
        lambda t: layer().forward(np.ones((2, 2, 3))),
        ValueError,
        r"x: .*\(2, 2, 3\)",
    ),
    ("x — скаляр", lambda t: layer().forward(1.0), ValueError, r"x: .*получена \(\)"),
    ("пустой пакет", lambda t: layer().forward(np.ones((0, 3))), ValueError, "x: пустой пакет"),
    ("NaN во входе", lambda t: layer().forward([1.0, np.nan, 0.0]), ValueError, "x: .*NaN"),
    (
        "бесконечность во входе",
        lambda t: net().forward([[np.inf, 0.0]]),
        ValueError,
        "x: .*бесконечность",
    ),
    (
        "строки вместо чисел",
        lambda t: layer().forward(["a", "b", "c"]),
        TypeError,
        "x: ожидался числовой",
    ),
    (
        "объекты вместо чисел",
        lambda t: layer().forward(np.array([None, 1, 2])),
        TypeError,
        "x: .*dtype=object",
    ),
    (
        "рваный список",
        lambda t: layer().forward([[1.0, 2.0], [3.0]]),
        TypeError,
        "x: ожидался числовой",
    ),
    (
        "backward до forward (слой)",
        lambda t: layer().backward(np.ones(2)),
        RuntimeError,
        "backward вызван до forward",
    ),
    (
        "backward до forward (нейрон)",
        lambda t: Neuron(3).backward(1.0),
        RuntimeError,
        "backward вызван до forward",
    ),
    (
        "backward до forward (сеть)",
        lambda t: net().backward(np.ones((4, 1))),
        RuntimeError,
        "backward вызван до forward",
    ),
    (
        "dy не той формы",
        lambda t: after_forward(np.ones((4, 3))).backward(np.ones(4)),
        ValueError,
        r"dy: ожидалась форма \(4, 2\), получена \(4,\)",
    ),
    (
        "dy с NaN",
        lambda t: after_forward(np.ones(3)).backward([np.nan, 0.0]),
        ValueError,
        "dy: .*NaN",
    ),
    ("шаг до backward", lambda t: layer().update_parameters(0.1), RuntimeError, "до backward"),
    ("оптимизатор до backward", lambda t: SGD(0.1).step(net()), RuntimeError, "до backward"),
    (
        "скорость обучения 0",
        lambda t: layer().update_parameters(0.0),
        ValueError,
        "learning_rate: .*больше нуля",
    ),
    ("скорость обучения < 0", lambda t: SGD(-0.1), ValueError, "learning_rate"),
    (
        "скорость обучения NaN",
        lambda t: get_optimizer("adam", float("nan")),
        ValueError,
        "learning_rate: .*конечное",
    ),
    (
        "скорость обучения строкой",
        lambda t: SGD("0.1"),
        TypeError,
        "learning_rate: ожидалось число",
    ),
    (
        "один размер слоя",
        lambda t: NeuralNetwork([3]),
        ValueError,
        "layer_sizes: нужны хотя бы два",
    ),
    ("пустой список размеров", lambda t: NeuralNetwork([]), ValueError, "layer_sizes"),
    (
        "нулевой размер слоя",
        lambda t: NeuralNetwork([2, 0, 1]),
        ValueError,
        r"layer_sizes\[1\]: .*больше нуля",
    ),
    ("отрицательный размер", lambda t: NeuralNetwork([2, -3, 1]), ValueError, r"layer_sizes\[1\]"),
    (
        "дробный размер",
        lambda t: NeuralNetwork([2, 2.5, 1]),
        TypeError,
        r"layer_sizes\[1\]: ожидалось целое",
    ),
    ("размер True", lambda t: Layer(True, 2), TypeError, "n_inputs: ожидалось целое"),
    (
        "неизвестная активация",
        lambda t: get_activation("swish"),
        ValueError,
        r"activation: .*известны: \['identity'",
    ),
    (
        "неизвестная активация в сети",
        lambda t: NeuralNetwork([2, 1], "gelu"),
        ValueError,
        "activation: .*'gelu'",
    ),
    (
        "неизвестная функция потерь",
        lambda t: get_loss("hinge"),
        ValueError,
        r"loss: .*известны: \['bce'",
    ),
    (
        "неизвестный оптимизатор",
        lambda t: fit(net(), X4, Y4, epochs=1, optimizer="rmsprop"),
        ValueError,
        r"optimizer: .*\['adam', 'adamw', 'momentum', 'sgd'\]",
    ),
    (
        "неизвестная инициализация",
        lambda t: Layer(2, 2, init="zeros"),
        ValueError,
        "init: .*'zeros'",
    ),
    ("rng не генератор", lambda t: Layer(2, 2, rng="42"), TypeError, "rng: ожидался"),
    (
        "y не той формы (MSE)",
        lambda t: mse_loss(np.zeros((4, 1)), np.zeros(4)),
        ValueError,
        r"y_true: ожидалась форма предсказаний \(4, 1\), получена \(4,\)",
    ),
    ("y с NaN", lambda t: mse_loss(np.zeros(2), [0.0, np.nan]), ValueError, "y_true: .*NaN"),
    (
        "цели BCE вне [0, 1]",
        lambda t: bce_loss(np.zeros((2, 1)), [[0.0], [3.0]]),
        ValueError,
        r"y_true: ожидались цели из отрезка \[0, 1\]",
    ),
    (
        "метка вне 0..K-1",
        lambda t: softmax_cross_entropy(np.zeros((2, 3)), [0, 3]),
        ValueError,
        r"labels: ожидались метки 0..2, получены от 0 до 3",
    ),
    (
        "отрицательная метка",
        lambda t: softmax_cross_entropy(np.zeros((2, 3)), [-1, 0]),
        ValueError,
        "labels: ожидались метки 0..2",
    ),
    (
        "дробные метки",
        lambda t: softmax_cross_entropy(np.zeros((2, 3)), [0.5, 1.0]),
        TypeError,
        "labels: ожидались целые",
    ),
    (
        "меток не столько, сколько строк",
        lambda t: softmax_cross_entropy(np.zeros((2, 3)), [0, 1, 2]),
        ValueError,
        r"labels: ожидался вектор из 2 меток",
    ),
    (
        "строковые метки в accuracy",
        lambda t: accuracy(["a", "b"], [0, 1]),
        TypeError,
        "y_true: ожидались целые",
    ),
    (
        "метки вне матрицы ошибок",
        lambda t: confusion_matrix([0, 5], [0, 1], 3),
        ValueError,
        "y_true: ожидались метки 0..2",
    ),
    (
        "fit: X и y разной длины",
        lambda t: fit(net(), X4, Y4[:3], epochs=1),
        ValueError,
        "y: ожидалось 4 строк, как в X",
    ),
    (
        "fit: batch_size 0",
        lambda t: fit(net(), X4, Y4, epochs=1, batch_size=0),
        ValueError,
        "batch_size: .*больше нуля",
    ),
    (
        "fit: batch_size -1",
        lambda t: fit(net(), X4, Y4, epochs=1, batch_size=-1),
        ValueError,
        "batch_size",
    ),
    ("fit: epochs 0", lambda t: fit(net(), X4, Y4, epochs=0), ValueError, "epochs"),
    (
        "fit: X — вектор",
        lambda t: fit(net(), np.ones(4), Y4, epochs=1),
        ValueError,
        "X: ожидалась непустая матрица",
    ),
    (
        "fit: пустой X",
        lambda t: fit(net(), np.ones((0, 2)), np.ones((0, 1)), epochs=1),
        ValueError,
        "X: ожидалась непустая",
    ),
    (
        "fit: обучение разошлось в прямом проходе",
        lambda t: fit(
            NeuralNetwork([5, 16, 1], "relu", "identity", init="he", rng=0),
            *REGRESSION,
            epochs=50,
            learning_rate=0.5,
            batch_size=20,
        ),
        FloatingPointError,
        r"fit: обучение разошлось на эпохе 1 \(overflow encountered in matmul\): веса выросли "
        r"до переполнения; уменьшите learning_rate \(сейчас 0\.5\)",
    ),
    (
        "fit: обучение разошлось в обратном проходе",
        lambda t: fit(
            NeuralNetwork([2, 8, 1], "tanh", "identity", weight_scale=1.0, rng=0),
            X4 * 10,
            Y4 * 1000,
            epochs=100,
            learning_rate=5.0,
        ),
        FloatingPointError,
        r"fit: обучение разошлось на эпохе \d+ \(.*\): .*learning_rate \(сейчас 5\.0\)",
    ),
    (
        "fit: валидация разной длины",
        lambda t: fit(net(), X4, Y4, epochs=1, validation_data=(X4, Y4[:2])),
        ValueError,
        "y_val: ожидалось 4 строк",
    ),
    (
        "нейрон: w — матрица",
        lambda t: neuron_forward(np.ones(3), np.ones((3, 1)), 0.0),
        ValueError,
        r"w: ожидался вектор весов",
    ),
    ("сигмоида от строки", lambda t: sigmoid("abc"), TypeError, "z: ожидался числовой"),
    (
        "стандартизация до fit",
        lambda t: Standardizer().transform(np.ones((2, 2))),
        RuntimeError,
        "transform вызван до fit",
    ),
    (
        "файл не найден",
        lambda t: load(t / "missing.npz"),
        FileNotFoundError,
        "path: файл .* не найден",
    ),
    (
        "обрезанный файл",
        lambda t: load(write(t, "cut.npz", save(net(), t / "a.npz").read_bytes()[:200])),
        ValueError,
        "path: .*повреждён",
    ),
    (
        "не .npz, а текст",
        lambda t: load(write(t, "text.npz", b"hello")),
        ValueError,
        "path: .*не файл .npz",
    ),
    ("пустой файл", lambda t: load(write(t, "empty.npz", b"")), ValueError, "path: .*не файл .npz"),
    (
        "объекты Python в файле",
        lambda t: load(saved_with(t, activations=np.array([{"a": 1}], dtype=object))),
        ValueError,
        "path: .*объекты Python",
    ),
    (
        "другая архитектура",
        lambda t: load(saved_with(t, W1=np.zeros((7, 1)))),
        ValueError,
        r"path: параметры слоя 1 не соответствуют архитектуре \[2, 3, 1\]",
    ),
    (
        "не та версия формата",
        lambda t: load(saved_with(t, format_version=np.array(99))),
        ValueError,
        "path: версия формата 99",
    ),
    (
        "чужой .npz",
        lambda t: load(
            write(
                t,
                "x.npz",
                (np.savez(t / "plain.npz", a=np.ones(2)), (t / "plain.npz").read_bytes())[1],
            )
        ),
        ValueError,
        "path: .*нет полей",
    ),
    (
        "сохранение не в .npz",
        lambda t: save(net(), t / "model.pickle"),
        ValueError,
        "path: ожидался файл с расширением .npz",
    ),
    (
        "параметры разных типов в файле",
        lambda t: load(saved_with(t, W1=np.zeros((3, 1), dtype=np.float32))),
        ValueError,
        "path: параметры слоя 1 типа float32/float64, а слоя 0 — float64",
    ),
    (
        "целочисленные параметры в файле",
        lambda t: load(saved_with(t, W0=np.zeros((2, 3), dtype=np.int64))),
        ValueError,
        "path: параметры типа int64, ожидались float64 или float32",
    ),
    (
        "целый тип чисел сети",
        lambda t: NeuralNetwork([2, 1], dtype=np.int32),
        TypeError,
        "dtype: ожидался float64 или float32, получено int32",
    ),
    (
        "проверка градиентов во float32",
        lambda t: gradcheck(Layer(3, 2, rng=0, dtype=np.float32), np.ones((2, 3))),
        TypeError,
        r"model: проверка градиентов имеет смысл только во float64, а параметры \['W', 'b'\]",
    ),
    (
        "тип чисел — не тип",
        lambda t: Layer(2, 1, dtype="число"),
        TypeError,
        "dtype: ожидался float64 или float32, получено 'число'",
    ),
    # --- гиперпараметры, которые не могут работать (issue 11, класс 3)
    ("Momentum: beta NaN", lambda t: Momentum(0.1, beta=np.nan), ValueError, "beta: .*конечное"),
    (
        "Momentum: beta 1",
        lambda t: Momentum(0.1, beta=1.0),
        ValueError,
        r"beta: ожидалось число из \[0, 1\), получено 1.0",
    ),
    ("Momentum: beta строкой", lambda t: Momentum(0.1, beta="0.9"), TypeError, "beta: ожидалось"),
    ("Adam: beta1 = 1", lambda t: Adam(beta1=1.0), ValueError, r"beta1: .*\[0, 1\), получено 1.0"),
    ("Adam: beta2 = 1", lambda t: Adam(beta2=1.0), ValueError, r"beta2: .*\[0, 1\), получено 1.0"),
    ("Adam: beta1 < 0", lambda t: Adam(beta1=-0.1), ValueError, r"beta1: .*\[0, 1\)"),
    ("Adam: eps = 0", lambda t: Adam(eps=0.0), ValueError, "eps: .*больше нуля"),
    (
        "weight_scale NaN",
        lambda t: NeuralNetwork([2, 3, 1], weight_scale=np.nan),
        ValueError,
        "weight_scale: ожидалось конечное число, получено nan",
    ),
    ("weight_scale < 0", lambda t: Layer(2, 2, weight_scale=-1.0), ValueError, "weight_scale"),
    (
        "weight_scale нейрона NaN",
        lambda t: Neuron(2, weight_scale=np.nan),
        ValueError,
        "weight_scale",
    ),
    (
        "weight_scale с init='xavier'",
        lambda t: NeuralNetwork([2, 3, 1], init="xavier", weight_scale=1.0),
        ValueError,
        r"weight_scale: масштаб задаётся только при init='normal', а init='xavier'",
    ),
    (
        "weight_scale с init='he'",
        lambda t: Layer(2, 2, init="he", weight_scale=0.1),
        ValueError,
        "he",
    ),
    ("rng=False", lambda t: Layer(2, 2, rng=False), TypeError, "rng: .*получено False"),
    ("rng=True в fit", lambda t: fit(net(), X4, Y4, epochs=1, rng=True), TypeError, "rng: "),
    (
        "отрицательное зерно",
        lambda t: NeuralNetwork([2, 1], rng=-1),
        ValueError,
        "rng: зерно должно быть целым числом не меньше нуля, получено -1",
    ),
    (
        "готовый оптимизатор и learning_rate",
        lambda t: get_optimizer(SGD(0.1), 0.5),
        ValueError,
        r"learning_rate: передан вместе с готовым оптимизатором SGD\(learning_rate=0.1\)",
    ),
    (
        "Momentum с состоянием другой сети",
        lambda t: used_optimizer(Momentum(0.1)).step(after_step(NeuralNetwork([2, 5, 1], rng=0))),
        ValueError,
        r"Momentum: параметры сети имеют формы \[\(2, 5\)",
    ),
    # --- ошибки на границе, а не в глубине (класс 4)
    (
        "NeuralNetwork(2, 3, 1) вместо списка",
        lambda t: NeuralNetwork(2, 3, 1),
        TypeError,
        r"layer_sizes: ожидался список размеров слоёв, например NeuralNetwork\(\[2, 3, 1\]\), "
        "получено 2",
    ),
    ("размеры строкой", lambda t: NeuralNetwork("231"), TypeError, "layer_sizes: ожидался список"),
    (
        "Standardizer на пустой матрице",
        lambda t: Standardizer().fit(np.ones((0, 3))),
        ValueError,
        r"X: ожидалась непустая матрица \(N, признаки\), получена \(0, 3\)",
    ),
    (
        "Standardizer на векторе",
        lambda t: Standardizer().fit(np.ones(3)),
        ValueError,
        r"X: ожидалась непустая матрица .*\(3,\)",
    ),
    (
        "Standardizer: трёхмерный X",
        lambda t: Standardizer().fit(np.ones((4, 2))).transform(np.ones((2, 2, 2))),
        ValueError,
        r"X: ожидалось 2 признаков: форма \(2,\) или \(N, 2\), получена \(2, 2, 2\)",
    ),
    (
        "разбиение трёх примеров",
        lambda t: train_val_test_split(np.ones((3, 2)), np.zeros(3), rng=0),
        ValueError,
        r"X: 3 примеров мало для трёх непустых частей .*\(вышло бы 3, 0 и 0\)",
    ),
    (
        "разбиение: меток не столько, сколько примеров",
        lambda t: train_val_test_split([[1.0]] * 20, [0] * 19, rng=0),
        ValueError,
        r"y: ожидалось 20 меток, как строк в X, получена форма \(19,\)",
    ),
    (
        "разбиение: доля строкой",
        lambda t: train_val_test_split(np.ones((20, 2)), np.zeros(20), val_fraction="0.2"),
        TypeError,
        "val_fraction: ожидалось число",
    ),
    (
        "сохранение в несуществующую папку",
        lambda t: save(net(), t / "нет такой" / "model.npz"),
        FileNotFoundError,
        "path: папки .*нет такой.* нет; создайте её до save",
    ),
    (
        "сохранение не сети",
        lambda t: save({"W": np.ones(2)}, t / "model.npz"),
        TypeError,
        "network: ожидалась NeuralNetwork, получено dict",
    ),
    (
        "NaN в весах сети с tanh",
        lambda t: with_nan_weight(NeuralNetwork([2, 3, 1], "tanh", "tanh", rng=0)).forward(X4),
        ValueError,
        r"W: в параметрах Layer\(n_inputs=3, n_outputs=1, activation='tanh'\) есть NaN",
    ),
    (
        "NaN в весах слоя с ReLU",
        lambda t: with_nan_weight(Layer(2, 3, "relu", rng=0)).forward(X4),
        ValueError,
        r"W: в параметрах Layer\(n_inputs=2, n_outputs=3, activation='relu'\)",
    ),
    (
        "NaN в весах на линейном выходе",
        lambda t: with_nan_weight(NeuralNetwork([2, 3, 1], "relu", "identity", rng=0)).forward(X4),
        ValueError,
        "W: в параметрах Layer.*identity.* есть NaN",
    ),
    (
        "NaN в весах сигмоидной сети",
        lambda t: with_nan_weight(net()).forward(X4),
        ValueError,
        r"W: в параметрах Layer\(n_inputs=3, n_outputs=1\) есть NaN",
    ),
    (
        "NaN в весах нейрона",
        lambda t: (n := Neuron(2, rng=0), n.w.__setitem__(0, np.nan), n.forward(X4))[2],
        ValueError,
        r"w: в параметрах Neuron\(n_features=2\) есть NaN",
    ),
    (
        "NaN в смещении перед predict",
        lambda t: (m := net(), m.layers[0].b.__setitem__(1, np.inf), predict(m, X4))[2],
        ValueError,
        "b: в параметрах Layer.* бесконечность",
    ),
    ("Tanh от NaN", lambda t: Tanh().forward(np.array([np.nan])), ValueError, "z: .*NaN"),
    ("ReLU от NaN", lambda t: ReLU().forward(np.array([0.0, np.nan])), ValueError, "z: .*NaN"),
    ("Identity от inf", lambda t: Identity().forward(np.array([np.inf])), ValueError, "z: .*NaN"),
    # --- проверка градиентов не проходит на NaN (класс 6)
    (
        "relative_error с NaN",
        lambda t: relative_error(np.array([np.nan, 1.0]), np.array([0.0, 1.0])),
        ValueError,
        "a: в данных есть NaN",
    ),
    (
        "relative_error с inf во втором",
        lambda t: relative_error(np.zeros(2), np.array([np.inf, 0.0])),
        ValueError,
        "b: в данных есть NaN или бесконечность",
    ),
    (
        "gradcheck: аналитический градиент NaN",
        lambda t: gradcheck(NaNGradient(3, 2, weight_scale=1.0, rng=0), np.ones((2, 3))),
        ValueError,
        "model: аналитический градиент по W содержит NaN",
    ),
    # --- загрузка не понимает лишнего (класс 8)
    (
        "лишний слой в файле",
        lambda t: load(saved_with(t, W2=np.zeros((1, 1)), b2=np.zeros(1))),
        ValueError,
        r"path: в .* лишние поля \['W2', 'b2'\]: у сети 2 слоёв",
    ),
    (
        "доля прореживания 1",
        lambda t: Dropout(1.0),
        ValueError,
        r"rate: ожидалось число из \[0, 1\), получено 1.0",
    ),
    (
        "отрицательная доля прореживания",
        lambda t: Dropout(-0.1, rng=0),
        ValueError,
        r"rate: ожидалось число из \[0, 1\), получено -0.1",
    ),
    (
        "доля прореживания строкой",
        lambda t: Dropout("0.5"),
        TypeError,
        "rate: ожидалось число",
    ),
    (
        "отрицательное затухание весов",
        lambda t: SGD(0.1, weight_decay=-0.01),
        ValueError,
        "weight_decay: ожидалось конечное число не меньше нуля, получено -0.01",
    ),
    (
        "затухание AdamW — бесконечность",
        lambda t: AdamW(weight_decay=np.inf),
        ValueError,
        "weight_decay: ожидалось конечное число",
    ),
    (
        "фиксированная маска не той формы",
        lambda t: (
            lambda d: (setattr(d, "fixed_mask", np.ones((2, 2), bool)), d.forward(np.ones((3, 2))))[
                1
            ]
        )(Dropout(0.5)),
        ValueError,
        r"fixed_mask: ожидалась форма \(3, 2\), получена \(2, 2\)",
    ),
    (
        "ширины соседних слоёв не совпадают",
        lambda t: NeuralNetwork([Layer(4, 8), Dropout(0.5), Layer(9, 1)]),
        ValueError,
        r"layer_sizes: слой 2 \(Layer\(n_inputs=9, n_outputs=1\)\) ждёт 9 входов, а "
        "предыдущий слой выдаёт 8",
    ),
    (
        "готовые слои и activation",
        lambda t: NeuralNetwork([Layer(2, 1)], "relu"),
        ValueError,
        r"activation: сеть строится из готовых слоёв, а \['activation'\]",
    ),
    (
        "сеть из одного прореживания",
        lambda t: NeuralNetwork([Dropout(0.5)]),
        ValueError,
        "layer_sizes: в списке слоёв нет ни одного полносвязного слоя",
    ),
    (
        "неизвестное расписание",
        lambda t: schedule_factors("linear", 10),
        ValueError,
        r"schedule: неизвестное расписание 'linear', известны: \['constant', 'step', 'cosine'\]",
    ),
    (
        "разогрев длиннее обучения",
        lambda t: schedule_factors("cosine", 5, warmup=5),
        ValueError,
        "warmup: ожидалось целое от 0 до epochs - 1 = 4, получено 5",
    ),
    (
        "расписание-функция даёт ноль",
        lambda t: schedule_factors(lambda k: 1.0 - k / 4, 5),
        ValueError,
        r"schedule\(4\): ожидался множитель больше нуля, получено 0.0",
    ),
    (
        "неизвестный вид слоя в файле",
        lambda t: load(saved_with(t, kinds=np.array(["dense", "conv"]))),
        ValueError,
        r"path: виды слоёв \['dense', 'conv'\]",
    ),
    (
        "чужое поле в файле",
        lambda t: load(saved_with(t, notes=np.array("hello"))),
        ValueError,
        r"path: в .* лишние поля \['notes'\]",
    ),
    (
        "свёртка: трёхмерный вход",
        lambda t: Conv2D(1, 2, 3).forward(np.ones((2, 8, 8))),
        ValueError,
        r"x: ожидался пакет изображений формы \(N, C, H, W\) = \(N, 1, H, W\), "
        r"получена \(2, 8, 8\)",
    ),
    (
        "свёртка: не то число каналов",
        lambda t: Conv2D(3, 2, 3).forward(np.ones((2, 1, 8, 8))),
        ValueError,
        r"x: ожидался пакет изображений формы \(N, C, H, W\) = \(N, 3, H, W\), "
        r"получена \(2, 1, 8, 8\)",
    ),
    (
        "свёртка: ядро больше дополненного входа",
        lambda t: Conv2D(1, 2, 5, padding=1).forward(np.ones((1, 1, 2, 6))),
        ValueError,
        r"x: ядро kernel_size=5 больше входа: H = 2 с дополнением padding=1 — 4, "
        r"форма x \(1, 1, 2, 6\)",
    ),
    (
        "свёртка: шаг ноль",
        lambda t: Conv2D(1, 2, 3, stride=0),
        ValueError,
        "stride: ожидалось целое число больше нуля, получено 0",
    ),
    (
        "свёртка: отрицательный шаг",
        lambda t: Conv2D(1, 2, 3, stride=-2),
        ValueError,
        "stride: ожидалось целое число больше нуля, получено -2",
    ),
    (
        "свёртка: отрицательное дополнение",
        lambda t: Conv2D(1, 2, 3, padding=-1),
        ValueError,
        "padding: ожидалось целое число не меньше нуля, получено -1",
    ),
    (
        "свёртка: дробный размер ядра",
        lambda t: Conv2D(1, 2, 2.5),
        TypeError,
        "kernel_size: ожидалось целое число, получено 2.5",
    ),
    (
        "свёртка: ядро-кортеж",
        lambda t: Conv2D(1, 2, (3, 3)),
        TypeError,
        r"kernel_size: ожидалось целое число, получено \(3, 3\)",
    ),
    (
        "свёртка с softmax",
        lambda t: Conv2D(1, 2, 3, activation="softmax"),
        ValueError,
        "activation: softmax нормирует выходы по последней оси",
    ),
    (
        "свёртка: backward до forward",
        lambda t: Conv2D(1, 2, 3).backward(np.ones((1, 2, 6, 6))),
        RuntimeError,
        "backward вызван до forward",
    ),
    (
        "свёртка: dy не той формы",
        lambda t: (
            lambda c: (c.forward(np.ones((1, 1, 8, 8))), c.backward(np.ones((1, 2, 8, 8))))[1]
        )(Conv2D(1, 2, 3)),
        ValueError,
        r"dy: ожидалась форма \(1, 2, 6, 6\), получена \(1, 2, 8, 8\)",
    ),
    (
        "размер выхода: ядро больше входа",
        lambda t: conv_output_size(4, 7, padding=1),
        ValueError,
        "kernel_size: окно 7×7 больше входа: размер 4 с дополнением padding=1 — 6 < 7",
    ),
    (
        "подвыборка: окно больше входа",
        lambda t: MaxPool2D(3).forward(np.ones((1, 1, 2, 5))),
        ValueError,
        r"x: окно pool_size=3 больше входа: H = 2, форма x \(1, 1, 2, 5\)",
    ),
    (
        "подвыборка: шаг ноль",
        lambda t: MaxPool2D(2, stride=0),
        ValueError,
        "stride: ожидалось целое число больше нуля, получено 0",
    ),
    (
        "подвыборка: дробное окно",
        lambda t: MaxPool2D(1.5),
        TypeError,
        "pool_size: ожидалось целое число, получено 1.5",
    ),
    (
        "подвыборка: вектор вместо изображений",
        lambda t: MaxPool2D().forward(np.ones((4, 16))),
        ValueError,
        r"x: ожидался пакет изображений формы \(N, C, H, W\) = \(N, C, H, W\), "
        r"получена \(4, 16\)",
    ),
    (
        "выпрямление одного вектора",
        lambda t: Flatten().forward(np.ones(5)),
        ValueError,
        r"x: ожидался непустой пакет \(N, C, H, W\) или \(N, ...\), получена \(5,\)",
    ),
    (
        "свёрточная сеть: ширина после Flatten не та",
        lambda t: cnn(width=10).forward(np.ones((2, 1, 8, 8))),
        ValueError,
        r"x: форма \(2, 1, 8, 8\) не подходит сети: слой 3 \(Layer\(n_inputs=10, n_outputs=3, "
        r"activation='identity'\)\) ждёт 10 входов, а предыдущий слой выдаёт 32",
    ),
    (
        "свёрточная сеть: картинка не того размера",
        lambda t: predict(cnn(), np.ones((2, 1, 6, 6))),
        ValueError,
        r"x: форма \(2, 1, 6, 6\) не подходит сети: слой 3 .* ждёт 32 входов, а "
        "предыдущий слой выдаёт 18",
    ),
    (
        "свёрточная сеть: матрица вместо изображений",
        lambda t: cnn().forward(np.ones((2, 64))),
        ValueError,
        r"x: ожидался пакет изображений формы \(N, C, H, W\) = \(N, 1, H, W\), "
        r"получена \(2, 64\)",
    ),
    (
        "свёрточная сеть в fit: X не той формы",
        lambda t: fit(
            cnn(), np.ones((4, 1, 6, 6)), [0, 1, 2, 0], epochs=1, loss="softmax_cross_entropy"
        ),
        ValueError,
        r"X: форма \(4, 1, 6, 6\) не подходит сети: слой 3",
    ),
    (
        "свёрточная сеть в fit: X_val матрицей",
        lambda t: fit(
            cnn(),
            np.ones((4, 1, 8, 8)),
            [0, 1, 2, 0],
            epochs=1,
            loss="softmax_cross_entropy",
            validation_data=(np.ones((4, 64)), [0, 1, 2, 0]),
        ),
        ValueError,
        r"X_val: ожидался пакет изображений .*получена \(4, 64\)",
    ),
    (
        "свёртка прямо перед полносвязным слоем",
        lambda t: NeuralNetwork([Conv2D(1, 2, 3), Layer(8, 2)]),
        ValueError,
        r"layer_sizes: слой 1 \(Layer\(n_inputs=8, n_outputs=2\)\) ждёт 8 входов, а "
        r"предыдущий слой выдаёт изображения формы \(2, \?, \?\); между ними нужен "
        r"Flatten\(\)",
    ),
    (
        "каналы соседних свёрток не совпадают",
        lambda t: NeuralNetwork([Conv2D(1, 4, 3), Conv2D(2, 4, 3), Flatten(), Layer(16, 2)]),
        ValueError,
        r"layer_sizes: слой 1 \(Conv2D\(2, 4, 3\)\) ждёт 2 каналов, а получает 4",
    ),
    (
        "свёртка после полносвязного слоя",
        lambda t: NeuralNetwork([Layer(4, 8), Conv2D(2, 4, 3), Flatten(), Layer(8, 2)]),
        ValueError,
        r"layer_sizes: слой 1 \(Conv2D\(2, 4, 3\)\) ждёт изображения \(C, H, W\) = "
        r"\(2, H, W\), а получает пример формы \(8,\)",
    ),
    (
        "файл версии 3 без settings",
        lambda t: load(saved_cnn_with(t, drop=("settings",))),
        ValueError,
        "path: в .* версии 3 нет полей settings и conv_activations",
    ),
    (
        "файл версии 3: шаг свёртки ноль",
        lambda t: load(
            saved_cnn_with(t, settings=np.array([[1, 2, 3, 0, 1], [0, 0, 2, 2, 0]] + [[0] * 5] * 2))
        ),
        ValueError,
        r"path: слой 0 \(conv\) с settings \[1, 2, 3, 0, 1\]: stride: ожидалось целое",
    ),
    (
        "файл версии 2 со свёрткой",
        lambda t: load(saved_cnn_with(t, format_version=np.array(2))),
        ValueError,
        r"path: виды слоёв \['conv', 'maxpool', 'flatten', 'dense'\] \(известны "
        r"\['dense', 'dropout'\]\)",
    ),
    (
        "файл версии 3: ядра не той формы",
        lambda t: load(saved_cnn_with(t, W0=np.ones((2, 1, 5, 5)))),
        ValueError,
        r"path: параметры слоя 0 не соответствуют .*ожидались W\(2, 1, 3, 3\)",
    ),
]


def test_the_table_is_long_enough():
    assert len(BAD_INPUTS) >= 30
    assert len({row[0] for row in BAD_INPUTS}) == len(BAD_INPUTS)


@pytest.mark.parametrize(
    ("case", "call", "error", "message"), BAD_INPUTS, ids=[r[0] for r in BAD_INPUTS]
)
def test_bad_input_gets_a_clear_error(tmp_path, case, call, error, message):
    with pytest.raises(error, match=message):
        call(tmp_path)


GOOD_INPUTS = [
    ("список чисел", lambda: layer().forward([1, 2, 3])),
    ("целочисленный массив", lambda: layer().forward(np.array([[1, 2, 3]]))),
    ("булев массив", lambda: layer().forward(np.array([True, False, True]))),
    ("float32 остаётся float32 в сигмоиде", lambda: sigmoid(np.ones(2, dtype=np.float32))),
    ("целые метки как float", lambda: softmax_cross_entropy(np.zeros((2, 3)), [0.0, 2.0])),
    ("цели XOR списком", lambda: fit(net(), X4.tolist(), Y4.tolist(), epochs=1)),
    ("метки-столбец в accuracy", lambda: accuracy(np.array([[0], [1]]), [0, 1])),
    ("разбиение списков", lambda: train_val_test_split([[1.0, 2.0]] * 20, [0, 1] * 10, rng=0)),
    ("Momentum без инерции", lambda: Momentum(0.1, beta=0.0)),
    ("Adam с beta1 = 0", lambda: Adam(beta1=0, beta2=0.5)),
    ("weight_scale с init='normal'", lambda: Layer(2, 2, init="normal", weight_scale=2)),
    ("зерно — целое NumPy", lambda: Layer(2, 2, rng=np.int64(3))),
    ("скорость в самом оптимизаторе", lambda: fit(net(), X4, Y4, epochs=1, optimizer=SGD(0.3))),
    (
        "Momentum снова на сети тех же форм",
        lambda: fit(net(), X4, Y4, epochs=1, optimizer=used_optimizer(Momentum(0.1))),
    ),
    ("прореживание с долей 0", lambda: Dropout(0.0, rng=0).forward(np.ones((2, 3)))),
    ("затухание весов целым нулём", lambda: Momentum(0.1, weight_decay=0)),
    ("расписание со всеми эпохами", lambda: fit(net(), X4, Y4, epochs=2, schedule="step")),
    ("валидация списком из двух", lambda: fit(net(), X4, Y4, epochs=1, validation_data=[X4, Y4])),
]


@pytest.mark.parametrize(("case", "call"), GOOD_INPUTS, ids=[r[0] for r in GOOD_INPUTS])
def test_sensible_inputs_are_accepted(case, call):
    call()


def labels6() -> np.ndarray:
    return np.array([0, 1, 2, 0, 1, 2])


X6 = np.random.default_rng(2).normal(size=(6, 2))


def logits_net(n_out: int = 3, output: str = "identity") -> NeuralNetwork:
    return NeuralNetwork([2, 4, n_out], "tanh", output, init="xavier", rng=0)


def moved_adam() -> Adam:
    adam = Adam(0.01)
    adam.step(after_step(NeuralNetwork([2, 5, 1], rng=0)))
    return adam


# (что не так, сеть, аргументы fit, исключение, сообщение): fit обязан отказать до первого шага
BAD_FIT_CALLS = [
    (
        "плохая метка в последнем пакете",
        logits_net,
        dict(X=X6, y=np.array([0, 1, 2, 0, 1, 3]), loss="softmax_cross_entropy", batch_size=2),
        ValueError,
        r"y: ожидался вектор \(6,\) меток 0..2, получена форма \(6,\) с метками от 0 до 3",
    ),
    (
        "метки-столбец для softmax",
        logits_net,
        dict(X=X6, y=labels6()[:, None], loss="softmax_cross_entropy"),
        ValueError,
        r"y: ожидался вектор \(6,\) меток 0..2, получена форма \(6, 1\)",
    ),
    (
        "дробные метки для softmax",
        logits_net,
        dict(X=X6, y=labels6() + 0.5, loss="softmax_cross_entropy"),
        TypeError,
        "y: ожидались целые метки",
    ),
    (
        "цель BCE 2.0",
        lambda: logits_net(1),
        dict(X=X4, y=np.array([[0.0], [1.0], [2.0], [0.0]]), loss="bce", batch_size=1),
        ValueError,
        "y: для loss='bce' цели — классы 0 или 1, получено 2.0",
    ),
    (
        "мягкие цели BCE",
        lambda: logits_net(1),
        dict(X=X4, y=np.full((4, 1), 0.5), loss="bce"),
        ValueError,
        "y: для loss='bce' цели — классы 0 или 1, получено 0.5",
    ),
    (
        "цели BCE в два столбца",
        lambda: logits_net(1),
        dict(X=X4, y=np.zeros((4, 2)), loss="bce"),
        ValueError,
        r"y: ожидалась форма \(4, 1\), как у выхода сети, получена \(4, 2\)",
    ),
    (
        "BCE на сети с тремя выходами",
        logits_net,
        dict(X=X4, y=np.zeros((4, 3)), loss="bce"),
        ValueError,
        "loss: 'bce' — для сети с одним выходом, а у сети их 3",
    ),
    (
        "softmax на сети с одним выходом",
        lambda: logits_net(1),
        dict(X=X4, y=np.zeros(4, dtype=int), loss="softmax_cross_entropy"),
        ValueError,
        "loss: 'softmax_cross_entropy' — для сети хотя бы с двумя выходами",
    ),
    (
        "MSE: цели вектором",
        net,
        dict(X=X4, y=Y4[:, 0]),
        ValueError,
        r"y: ожидалась форма \(4, 1\), как у выхода сети, получена \(4,\)",
    ),
    (
        "y — одно число",
        net,
        dict(X=X4, y=1.0),
        ValueError,
        "y: ожидалось 4 строк, как в X, получено число, а не массив",
    ),
    (
        "X не той ширины",
        net,
        dict(X=np.ones((4, 3)), y=Y4),
        ValueError,
        r"X: ожидалось 2 признаков \(столько входов у сети\), получено 3",
    ),
    (
        "валидация не той ширины",
        net,
        dict(X=X4, y=Y4, validation_data=(np.ones((4, 5)), Y4)),
        ValueError,
        "X_val: ожидалось 2 признаков",
    ),
    (
        "плохие метки валидации",
        logits_net,
        dict(
            X=X6,
            y=labels6(),
            loss="softmax_cross_entropy",
            validation_data=(X6, np.array([0, 1, 2, 0, 1, 7])),
        ),
        ValueError,
        r"y_val: ожидался вектор \(6,\) меток 0..2",
    ),
    (
        "NaN в X_val",
        net,
        dict(X=X4, y=Y4, validation_data=(np.full((2, 2), np.nan), Y4[:2])),
        ValueError,
        "X_val: в данных есть NaN",
    ),
    (
        "validation_data — только X_val",
        net,
        dict(X=X4, y=Y4, validation_data=X4),
        TypeError,
        r"validation_data: ожидалась пара \(X_val, y_val\), получено ndarray \(4, 2\)",
    ),
    (
        "validation_data из трёх",
        net,
        dict(X=X4, y=Y4, validation_data=(X4, Y4, Y4)),
        TypeError,
        "validation_data: ожидалась пара .*получено tuple",
    ),
    (
        "BCE после сигмоиды",
        lambda: logits_net(1, "sigmoid"),
        dict(X=X4, y=Y4, loss="bce"),
        ValueError,
        r"loss: 'bce' принимает логиты .* уже применяет 'sigmoid': вышло бы sigmoid\(sigmoid\(z\)\)"
        ".*output_activation='identity'",
    ),
    (
        "softmax-энтропия после softmax",
        lambda: logits_net(3, "softmax"),
        dict(X=X6, y=labels6(), loss="softmax_cross_entropy"),
        ValueError,
        "loss: 'softmax_cross_entropy' принимает логиты .* уже применяет 'softmax'",
    ),
    (
        "NaN в весах до обучения",
        lambda: with_nan_weight(net()),
        dict(X=X4, y=Y4),
        ValueError,
        r"W: в параметрах Layer\(n_inputs=3, n_outputs=1\) есть NaN",
    ),
    (
        "оптимизатор-объект и learning_rate",
        net,
        dict(X=X4, y=Y4, optimizer=Momentum(0.1), learning_rate=0.5),
        ValueError,
        r"learning_rate: передан вместе с готовым оптимизатором Momentum\(learning_rate=0.1\)"
        r".*Momentum\(0.5\)",
    ),
    (
        "терпение ноль",
        net,
        dict(X=X4, y=Y4, validation_data=(X4, Y4), patience=0),
        ValueError,
        "patience: ожидалось целое число больше нуля, получено 0",
    ),
    (
        "ранняя остановка без валидации",
        net,
        dict(X=X4, y=Y4, patience=3),
        ValueError,
        r"patience: ранняя остановка \(patience=3\) следит за val_loss и требует validation_data",
    ),
    (
        "неизвестное расписание в fit",
        net,
        dict(X=X4, y=Y4, schedule="exponential"),
        ValueError,
        "schedule: неизвестное расписание 'exponential'",
    ),
    (
        "расписание-функция с NaN",
        net,
        dict(X=X4, y=Y4, schedule=lambda k: np.nan if k == 2 else 1.0),
        ValueError,
        r"schedule\(2\): ожидалось конечное число",
    ),
    (
        "Adam от другой сети",
        net,
        dict(X=X4, y=Y4, optimizer=moved_adam()),
        ValueError,
        r"Adam: параметры сети имеют формы \[\(2, 3\), \(3,\), \(3, 1\), \(1,\)\], а "
        r"состояние заведено для \[\(2, 5\)",
    ),
]


@pytest.mark.parametrize(
    ("case", "make", "arguments", "error", "message"),
    BAD_FIT_CALLS,
    ids=[row[0] for row in BAD_FIT_CALLS],
)
def test_fit_refuses_before_the_first_step(case, make, arguments, error, message):
    """Everything fit can check, it checks first: a refused call leaves the network as it was."""
    network = make()
    before = [(layer.W.copy(), layer.b.copy()) for layer in network.layers]
    with pytest.raises(error, match=message):
        fit(network, **{"epochs": 3, **arguments})
    for layer, (W, b) in zip(network.layers, before, strict=True):
        np.testing.assert_array_equal(layer.W, W)
        np.testing.assert_array_equal(layer.b, b)
        assert not layer.cache  # не было даже прямого прохода
    assert not any(hasattr(layer, "dW") for layer in network.layers)


def test_fit_refuses_something_that_is_not_a_network():
    with pytest.raises(TypeError, match="network: ожидалась NeuralNetwork, получено Layer"):
        fit(Layer(2, 1, rng=0), X4, Y4, epochs=1)


def test_a_momentum_reused_on_other_shapes_fails_before_changing_anything():
    momentum = used_optimizer(Momentum(0.1))
    other = after_step(NeuralNetwork([2, 5, 1], rng=0))
    before = [layer.W.copy() for layer in other.layers]
    velocity = [v.copy() for v in momentum.velocity]
    with pytest.raises(ValueError, match="Momentum: .*нужен новый оптимизатор"):
        momentum.step(other)
    assert all(np.array_equal(a.W, b) for a, b in zip(other.layers, before, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(momentum.velocity, velocity, strict=True))


BOOLEAN_LABELS = np.array([False, True, True, False])


def test_boolean_labels_are_classes_zero_and_one_everywhere():
    """One rule for every function: False is class 0, True is class 1 (documented in as_labels)."""
    logits = np.random.default_rng(0).normal(size=(4, 2))
    as_ints = BOOLEAN_LABELS.astype(int)
    assert softmax_cross_entropy(logits, BOOLEAN_LABELS) == softmax_cross_entropy(logits, as_ints)
    column = logits[:, :1]
    assert bce_loss(column, BOOLEAN_LABELS[:, None]) == bce_loss(column, as_ints[:, None] * 1.0)
    assert accuracy(BOOLEAN_LABELS, as_ints) == 1.0
    assert confusion_matrix(BOOLEAN_LABELS, as_ints, 2).trace() == 4
    runs = []
    for labels in (BOOLEAN_LABELS, as_ints):
        network = NeuralNetwork([2, 3, 2], "tanh", "identity", init="xavier", rng=0)
        history = fit(network, X4, labels, epochs=3, loss="softmax_cross_entropy")
        runs.append((history["loss"], network.layers[0].W))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    bce_net = NeuralNetwork([2, 3, 1], "tanh", "identity", init="xavier", rng=0)
    fit(bce_net, X4, BOOLEAN_LABELS[:, None], epochs=2, loss="bce")

"""Every bad input a reader is likely to try, with the error tinynet answers.

Each row: what is wrong, the call, the exception type, and a pattern the Russian message must
contain — at least the name of the argument, usually also what was expected and received.
"""

import numpy as np
import pytest

from tinynet import (
    SGD,
    Layer,
    NeuralNetwork,
    Neuron,
    Standardizer,
    accuracy,
    bce_loss,
    confusion_matrix,
    fit,
    get_activation,
    get_loss,
    get_optimizer,
    gradcheck,
    load,
    mse_loss,
    neuron_forward,
    save,
    sigmoid,
    softmax_cross_entropy,
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


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


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
        r"optimizer: .*\['adam', 'momentum', 'sgd'\]",
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
]


@pytest.mark.parametrize(("case", "call"), GOOD_INPUTS, ids=[r[0] for r in GOOD_INPUTS])
def test_sensible_inputs_are_accepted(case, call):
    call()

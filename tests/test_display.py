"""show_source: скрытие частей более поздних глав и читаемые docstring — меняется только показ."""

import inspect

import numpy as np
import pytest

from tinynet import Layer, NeuralNetwork, fit, relative_error, show_source, sigmoid
from tinynet.training import _run_epoch

LAYER_HIDE = {
    "init": "глава 8",
    "dtype": "глава 12",
    ".astype(dtype, copy=False)": "глава 12",
    ", dtype=dtype": "глава 12",
}


def test_without_new_arguments_every_code_line_is_shown():
    source = show_source(Layer.__init__).text
    docstring_free = [
        line for line in inspect.getsource(Layer.__init__).rstrip().splitlines() if line.strip()
    ]
    assert [line for line in source.splitlines() if line.strip()] == docstring_free
    assert show_source(sigmoid, raw=True).text == inspect.getsource(sigmoid).rstrip()


def test_hidden_lines_and_arguments_leave_a_visible_marker():
    text = show_source(Layer.__init__, hide=LAYER_HIDE).text
    assert "init" not in text.replace("__init__", "") and "dtype" not in text
    assert "        *,\n        # … (глава 8)\n        weight_scale" in text  # аргумент сигнатуры
    assert "    # … (глава 12)\n    ) -> None:" in text
    assert "generator = make_rng(rng)\n        # … (глава 8)\n        self.W = W" in text
    assert "self.W = W  # … (глава 12)" in text  # кусок строки вырезан, метка в конце
    assert "self.b = np.zeros(self.n_outputs)  # … (глава 12)" in text
    assert text.count("# … (глава 12)") == 4


def choose_weights(kind, scale):
    if kind == "normal":
        weights = scale * np.ones(3)
    else:
        weights = INITIALIZERS[kind](3)
    return weights


INITIALIZERS = {"zeros": np.zeros}


def test_a_block_whose_body_is_hidden_keeps_its_header_and_a_marker():
    text = show_source(choose_weights, hide={"INITIALIZERS": "глава 8"}).text
    assert "    else:\n        # … (глава 8)\n    return weights" in text
    assert "weights = scale * np.ones(3)" in text


def test_several_fragments_of_one_line_share_one_marker():
    hide = {", init=init": "глава 8", ", dtype=dtype": "глава 12"}
    text = show_source(NeuralNetwork.__init__, hide=hide).text
    assert (
        "n_in, n_out, act, weight_scale=weight_scale, rng=generator  # … (глава 8; глава 12)"
        in text
    )


def test_a_hidden_block_header_hides_its_block_and_consecutive_lines_merge():
    hide = {"validation": "глава 11", "validation_data": "глава 11"}
    text = show_source(fit, hide=hide, docstring=False).text
    assert "validation" not in text
    assert "X_val" not in text  # тело скрытого if ушло вместе с заголовком
    assert "# … (глава 11)\n    epochs = check_positive_int" in text
    assert "except FloatingPointError" in text  # соседние ветви try не задеты
    assert text.count("# … (глава 11)") == 4


def test_displayed_code_is_still_the_package_code_that_runs():
    before = Layer.__init__
    show_source(Layer.__init__, hide=LAYER_HIDE)
    assert Layer.__init__ is before
    layer = Layer(3, 2, init="xavier", dtype=np.float32, rng=0)  # скрытое по-прежнему работает
    assert layer.W.dtype == np.float32


def test_unknown_key_is_an_error_so_the_listing_cannot_drift():
    with pytest.raises(ValueError, match="hide: 'momentum' не встречается"):
        show_source(_run_epoch, hide={"momentum": "глава 10"})
    with pytest.raises(TypeError, match="hide: ключ"):
        show_source(_run_epoch, hide={"": "глава 10"})


def test_docstrings_read_as_text_without_rest_markup():
    for obj in (Layer, Layer.backward, fit, NeuralNetwork.backward, sigmoid):
        text = show_source(obj).text
        assert ":math:" not in text and "``" not in text and ".. math::" not in text
        assert ":class:" not in text and ":mod:" not in text
    backward = show_source(Layer.backward).text
    assert "Δ = ∂L/∂Y ⊙ f'(Z)" in backward
    assert "∂L/∂W = Xᵀ Δ" in backward
    assert '"""Обратный проход: сохраняет dW, db и возвращает ∂L/∂X.' in backward
    assert "delta = self.activation.backward(y, dy)" in backward  # код не тронут
    raw = show_source(Layer.backward, raw=True).text
    assert ":math:`\\partial L/\\partial X`" in raw


def test_docstring_false_keeps_only_the_first_paragraph():
    text = show_source(fit, docstring=False).text
    assert '"""Обучает network на (X, y) и возвращает историю по эпохам."""' in text
    assert "FloatingPointError с номером эпохи" not in text


def test_a_fragment_that_empties_its_line_leaves_the_marker_in_its_place():
    text = show_source(sigmoid, hide={'z = as_float_array(z, "z")': "глава 1"}).text
    assert '    """\n    # … (глава 1)\n    t = np.exp(-np.abs(z))' in text


def test_nested_fractions_in_formulas_become_slashes():
    text = show_source(relative_error).text
    assert "(max_i |a_i - b_i|)/(max(max_i |a_i| + max_i |b_i|, 10^(-12)))" in text
    assert "\\frac" not in text and "\\left" not in text

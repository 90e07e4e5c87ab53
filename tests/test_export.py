"""The notebook export of the book extension turns MyST into Markdown plain Jupyter renders."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))
import nbformat  # noqa: E402
from sphinx.errors import ExtensionError  # noqa: E402
from tinynet_book import merge_streams, plain_markdown  # noqa: E402

EQUATIONS = {"eq-ch1-sigmoid": "1.3", "eq-b": "1.4"}


def test_labelled_display_math_gets_its_number():
    text = "До\n\n$$\n\\sigma(z) = 1\n$$ (eq-ch1-sigmoid)\n\nПосле {eq}`eq-ch1-sigmoid`."
    out = plain_markdown(text, EQUATIONS, {})
    assert "$$\n\\sigma(z) = 1 \\tag{1.3}\n$$" in out
    assert out.endswith("После (1.3).")


def test_unlabelled_math_before_a_labelled_one_is_left_alone():
    text = "$$a$$ и $$b$$\n\n$$\nc\n$$ (eq-b)"
    out = plain_markdown(text, EQUATIONS, {})
    assert out.startswith("$$a$$ и $$b$$")
    assert "c \\tag{1.4}" in out


def test_glue_values_are_formatted_like_myst_nb():
    glue = {"loss": "0.18700618", "n": "7", "name": "'XOR'"}
    out = plain_markdown("{glue:text}`loss:.3f`, {glue:text}`n`, {glue}`name`", {}, glue)
    assert out == "0.187, 7, XOR"


def test_admonitions_targets_comments_and_links():
    text = (
        "(sec-x)=\n% комментарий\n## Раздел\n\n```{note}\nПервая строка.\n\nВторая.\n```\n"
        "См. [главу 2](02_derivatives.md#section) и [сайт](https://numpy.org/a.md)."
    )
    out = plain_markdown(text, {}, {})
    assert out.startswith("## Раздел")
    assert "> **Примечание.**\n>\n> Первая строка.\n>\n> Вторая." in out
    assert "(02_derivatives.ipynb#section)" in out
    assert "(https://numpy.org/a.md)" in out


@pytest.mark.parametrize(
    "text", ["{ref}`sec-x`", "```{figure} a.png\n```", ":::{dropdown}\nx\n:::", "{eq}`nope`"]
)
def test_myst_without_a_plain_form_fails_loudly(text):
    with pytest.raises((ExtensionError, KeyError)):
        plain_markdown(text, EQUATIONS, {})


def test_stream_chunks_are_joined_exactly_and_the_input_is_kept():
    chunk = nbformat.v4.new_output
    outputs = [
        chunk("stream", name="stdout", text="a\n\n"),
        chunk("display_data", data={"text/plain": "42"}),
        chunk("stream", name="stdout", text="b\n"),
        chunk("stream", name="stderr", text="e\n"),
        chunk("stream", name="stdout", text="\nc\n\n"),
    ]
    merged = merge_streams(outputs)
    assert [o.output_type for o in merged] == ["stream", "display_data", "stream"]
    assert merged[0].text == "a\n\nb\n\nc\n\n"  # blank lines kept, nothing repeated
    assert merged[2].text == "e\n"
    assert outputs[0].text == "a\n\n" and len(outputs) == 5
    assert merge_streams(outputs)[0].text == merged[0].text  # rendering twice changes nothing

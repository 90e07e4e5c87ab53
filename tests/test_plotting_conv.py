"""plot_maps: kernels and feature maps of the convolution chapter as a grid of images."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tinynet.plotting import plot_maps  # noqa: E402


def test_plot_maps_draws_every_map_with_one_signed_scale_and_its_title():
    maps = np.arange(-9.0, 9.0).reshape(2, 3, 3)
    maps[1, 0, 0] = 12.0  # наибольший модуль — во второй картинке
    fig = plot_maps(maps, titles=["первая", "вторая"], n_columns=8, title="Ядра")
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(fig.axes) == 2  # столбцов не больше, чем картинок
    assert len(images) == 2
    for image, expected in zip(images, maps, strict=True):
        np.testing.assert_array_equal(image.get_array(), expected)
        assert image.get_clim() == (-12.0, 12.0)  # общая шкала, ноль посередине
        assert image.get_cmap().name == "RdBu_r"
    assert [ax.get_title() for ax in fig.axes] == ["первая", "вторая"]
    assert fig._suptitle.get_text() == "Ядра"
    plt.close("all")


def test_plot_maps_unsigned_uses_the_common_range_and_leaves_empty_cells_blank():
    maps = np.stack([np.full((4, 4), 1.0), np.full((4, 4), 3.0), np.zeros((4, 4))])
    fig = plot_maps(maps, n_columns=2, signed=False)
    assert len(fig.axes) == 4  # 2 × 2, последняя клетка пустая
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 3
    assert drawn[0].images[0].get_clim() == (0.0, 3.0)
    assert drawn[0].images[0].get_cmap().name == "gray_r"
    constant = plot_maps(np.ones((1, 2, 2)), signed=False)  # одна яркость: шкала не вырождена
    low, high = constant.axes[0].images[0].get_clim()
    assert high > low
    plt.close("all")


@pytest.mark.parametrize(
    ("maps", "titles", "message"),
    [
        (
            np.ones((3, 3)),
            None,
            r"maps: ожидался непустой массив картинок \(n, h, w\), .* \(3, 3\)",
        ),
        (np.ones((0, 3, 3)), None, r"maps: .*\(0, 3, 3\)"),
        (
            np.ones((2, 3, 3)),
            ["одна"],
            r"titles: нужна подпись к каждой картинке \(2\), получено 1",
        ),
    ],
)
def test_plot_maps_rejects_bad_input_in_russian(maps, titles, message):
    with pytest.raises(ValueError, match=message):
        plot_maps(maps, titles=titles)
    plt.close("all")

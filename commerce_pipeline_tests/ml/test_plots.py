"""Evaluation plots: real PNG bytes, small enough for metadata, with no figures left open."""

import base64
import re

import numpy as np
import pytest
from matplotlib._pylab_helpers import Gcf

from commerce_pipeline.ml.metrics import decile_table, roc_points
from commerce_pipeline.ml.plots import (
    bar_png,
    decile_png,
    markdown_image,
    roc_curve_png,
    scatter_png,
)

LIMIT = 100_000
RNG_SEED = 3


@pytest.fixture
def scored() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(RNG_SEED)
    score = rng.normal(size=5000)
    y = (rng.random(5000) < 1 / (1 + np.exp(-2 * score))).astype(int)
    return y, score


def _is_small_png(png: bytes) -> bool:
    return png.startswith(b"\x89PNG") and len(png) < LIMIT


def test_roc_curve_png_is_a_small_png(scored):
    y, score = scored
    model, recency = roc_points(y, score), roc_points(y, -score + np.arange(y.size) % 3)
    png = roc_curve_png(
        {"model": (model["fpr"], model["tpr"]), "recency": (recency["fpr"], recency["tpr"])},
        "purchase model", auc={"model": 0.81, "recency": None})
    assert _is_small_png(png)


def test_roc_curve_png_accepts_an_empty_curve():
    assert _is_small_png(roc_curve_png({"model": ([], [])}, "single class"))


def test_decile_png_is_a_small_png(scored):
    table = decile_table(*scored)
    assert _is_small_png(decile_png(table, "lift by decile"))
    assert _is_small_png(decile_png(table, "buy rate by decile", column="actual_rate"))


def test_decile_png_rejects_an_unknown_column(scored):
    with pytest.raises(ValueError, match="no column 'gain'"):
        decile_png(decile_table(*scored), "x", column="gain")


def test_bar_png_is_a_small_png_even_with_many_bars():
    values = {f"feature_{i:03d}": float(i) for i in range(200)}
    assert _is_small_png(bar_png(values, "feature importance", "gain"))


def test_scatter_png_is_a_small_png_on_many_rows():
    rng = np.random.default_rng(RNG_SEED)
    actual = rng.exponential(80, size=100_000) * (rng.random(100_000) < 0.4)
    predicted = actual * rng.lognormal(0, 0.5, size=100_000) - 5  # some negatives
    assert _is_small_png(scatter_png(actual, predicted, "value model"))
    assert _is_small_png(scatter_png(actual, predicted, "value model", log1p=False))


def test_plots_leave_no_open_figures(scored):
    before = Gcf.get_num_fig_managers()
    bar_png({"a": 1.0}, "t", "x")
    decile_png(decile_table(*scored), "t")
    assert Gcf.get_num_fig_managers() == before == 0


def test_markdown_image_round_trips_the_bytes():
    png = bar_png({"recent": 3.0, "lapsed": 1.0}, "segments", "customers")
    text = markdown_image(png, "segment sizes")
    match = re.fullmatch(r"!\[segment sizes\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", text)
    assert match and base64.b64decode(match.group(1)) == png


def test_markdown_image_keeps_brackets_out_of_the_alt_text():
    assert markdown_image(b"x", "lift [top]\nby decile").startswith("![lift (top) by decile](")

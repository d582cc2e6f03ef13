"""Evaluation metrics: known values on hand-computed inputs, undefined cases as None."""

import json
import math

import numpy as np
import pytest

from commerce_pipeline.ml.metrics import (
    beats_baseline,
    classification_metrics,
    decile_table,
    normalized_gini,
    regression_metrics,
    roc_points,
)

Y = [0, 0, 1, 1, 0, 1]
PERFECT = [0.1, 0.2, 0.9, 0.8, 0.3, 0.7]


def _informative(n: int = 5000, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """A score that raises the purchase probability, and the purchases drawn from it."""
    rng = np.random.default_rng(seed)
    score = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(2 * score - 1)))).astype(int)
    return y, score


def test_perfect_classifier_has_roc_auc_1_and_reversed_0():
    assert classification_metrics(Y, PERFECT)["roc_auc"] == 1.0
    assert classification_metrics(Y, [1 - p for p in PERFECT])["roc_auc"] == 0.0


def test_threshold_metrics_of_perfect_classifier_are_1():
    out = classification_metrics(Y, PERFECT)
    assert (out["accuracy"], out["precision"], out["recall"], out["f1"], out["pr_auc"]) == (
        1.0, 1.0, 1.0, 1.0, 1.0)
    assert (out["positives"], out["n"], out["base_rate"]) == (3, 6, 0.5)


def test_threshold_moves_predictions():
    # At 0.75 only 0.9 and 0.8 are predicted positive: 2 of 3 buyers found, none wrong.
    out = classification_metrics(Y, PERFECT, threshold=0.75)
    assert (out["precision"], out["recall"]) == (1.0, pytest.approx(2 / 3, abs=1e-6))


def test_brier_of_constant_half_is_a_quarter():
    assert classification_metrics(Y, [0.5] * 6)["brier"] == 0.25


def test_single_class_gives_none_auc_with_a_note():
    out = classification_metrics([1, 1, 1], [0.2, 0.6, 0.9])
    assert out["roc_auc"] is None and out["pr_auc"] is None
    assert "only class 1" in out["note"]
    assert out["recall"] == pytest.approx(2 / 3, abs=1e-6)


def test_classification_metrics_are_json_safe_python_numbers():
    out = classification_metrics([0, 1, 0, 1], np.array([0.1234567891, 0.9, 0.4, 0.6]))
    assert all(type(v) in (float, int) for v in out.values())
    assert json.loads(json.dumps(out)) == out
    assert out["brier"] == round((0.1234567891**2 + 0.1**2 + 0.4**2 + 0.4**2) / 4, 6)


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError, match="3 rows"):
        classification_metrics([0, 1, 0], [0.5, 0.5])


def test_regression_metrics_on_a_hand_computed_example():
    # errors 4, -2, 6, -6: squares sum to 92; the first row (actual 0) is not a buyer.
    out = regression_metrics([0, 10, 20, 30], [4, 8, 26, 24])
    assert out["rmse"] == round(math.sqrt(23), 6)
    assert out["mae"] == 4.5
    assert out["r2"] == round(1 - 92 / 500, 6)
    assert out["mape_buyers"] == round((0.2 + 0.3 + 0.2) / 3, 6)  # row 0 left out
    assert out["spearman"] == 0.8  # ranks 1,2,4,3: 1 - 6 * 2 / (4 * 15)
    assert (out["predicted_total"], out["actual_total"]) == (62.0, 60.0)
    assert out["total_ratio"] == round(62 / 60, 6)
    assert (out["n"], out["buyers"]) == (4, 3)


def test_regression_undefined_metrics_are_none():
    out = regression_metrics([0, 0, 0], [1, 2, 3])
    assert out["mape_buyers"] is None and out["total_ratio"] is None
    assert out["spearman"] is None and out["r2"] is None and out["normalized_gini"] is None
    assert regression_metrics([1, 2, 3], [5, 5, 5])["spearman"] is None
    assert json.dumps(out)


def test_normalized_gini_is_1_for_perfect_order_and_minus_1_reversed():
    actual = [0, 0, 5, 10, 40, 100]
    assert normalized_gini(actual, actual) == pytest.approx(1.0)
    assert normalized_gini(actual, [2 * a + 1 for a in actual]) == pytest.approx(1.0)
    assert normalized_gini(actual, [-a for a in actual]) == pytest.approx(-1.0)


def test_normalized_gini_is_near_0_for_random_order():
    rng = np.random.default_rng(42)
    actual = rng.exponential(50, size=20_000) * (rng.random(20_000) < 0.3)
    assert abs(normalized_gini(actual, rng.random(20_000))) < 0.05


def test_normalized_gini_of_constant_prediction_is_exactly_0():
    # Ties count as one segment, so the input order cannot make a constant look skilful.
    assert normalized_gini([100, 50, 0, 0], [1, 1, 1, 1]) == pytest.approx(0.0, abs=1e-12)


def test_decile_table_shape_and_sums():
    y, score = _informative(n=1003)
    table = decile_table(y, score)
    assert list(table.columns) == [
        "decile", "customers", "mean_score", "actual_rate", "lift", "cumulative_capture"]
    assert table["decile"].tolist() == list(range(1, 11))
    assert table["customers"].sum() == 1003
    assert table["customers"].max() - table["customers"].min() <= 1
    assert table["cumulative_capture"].iloc[-1] == 1.0


def test_decile_table_first_decile_has_highest_lift_for_informative_score():
    y, score = _informative()
    table = decile_table(y, score)
    assert table["lift"].idxmax() == 0 and table["lift"].iloc[0] > 1.5
    assert table["mean_score"].is_monotonic_decreasing
    assert table["cumulative_capture"].is_monotonic_increasing


def test_decile_table_breaks_ties_by_input_order():
    # All scores tie: the stable sort keeps input order, so the buyers in front land in decile 1.
    table = decile_table([1, 1, 0, 0], [0.5] * 4, deciles=2)
    assert table["actual_rate"].tolist() == [1.0, 0.0]
    assert table["lift"].tolist() == [2.0, 0.0]


def test_decile_table_drops_empty_deciles_when_rows_are_few():
    table = decile_table([1, 0, 1], [0.9, 0.1, 0.5], deciles=10)
    assert table["decile"].tolist() == [1, 2, 3]
    assert table["cumulative_capture"].tolist() == [0.5, 1.0, 1.0]


def test_roc_points_are_downsampled_and_span_the_corners():
    y, score = _informative(n=20_000)
    points = roc_points(y, score, max_points=50)
    assert 2 < len(points["fpr"]) == len(points["tpr"]) <= 50
    assert (points["fpr"][0], points["tpr"][0]) == (0.0, 0.0)
    assert (points["fpr"][-1], points["tpr"][-1]) == (1.0, 1.0)
    assert points["fpr"] == sorted(points["fpr"])


def test_roc_points_of_single_class_are_empty():
    assert roc_points([0, 0, 0], [0.1, 0.2, 0.3]) == {"fpr": [], "tpr": []}


BASELINES = {"recency": {"roc_auc": 0.74}, "purchase_rate": {"roc_auc": 0.77}}


def test_beats_baseline_when_better_than_every_baseline():
    ok, why = beats_baseline({"roc_auc": 0.81}, BASELINES, "roc_auc")
    assert ok and why == "roc_auc 0.81 beats recency 0.74 and purchase_rate 0.77"


def test_beats_baseline_false_names_the_baselines_not_beaten():
    ok, why = beats_baseline({"roc_auc": 0.75}, BASELINES, "roc_auc")
    assert not ok and why == "roc_auc 0.75 does not beat purchase_rate 0.77"


def test_beats_baseline_margin_must_be_exceeded():
    ok, why = beats_baseline({"roc_auc": 0.78}, BASELINES, "roc_auc", margin=0.02)
    assert not ok and why == "roc_auc 0.78 does not beat purchase_rate 0.77 by more than 0.02"


def test_beats_baseline_lower_is_better():
    baselines = {"mean": {"rmse": 12.5}, "last_year": {"rmse": 11.0}}
    assert beats_baseline({"rmse": 10.0}, baselines, "rmse", higher_is_better=False) == (
        True, "rmse 10 beats mean 12.5 and last_year 11")
    assert not beats_baseline({"rmse": 11.5}, baselines, "rmse", higher_is_better=False)[0]


def test_beats_baseline_none_counts_as_not_beating():
    ok, why = beats_baseline({"roc_auc": None}, BASELINES, "roc_auc")
    assert not ok and why == (
        "roc_auc is None for the model, so it does not beat recency 0.74 and purchase_rate 0.77")
    ok, why = beats_baseline({"roc_auc": 0.9}, {"recency": {"roc_auc": None}}, "roc_auc")
    assert not ok and why == "roc_auc 0.9 does not beat recency None"


def test_beats_baseline_without_baselines_is_not_a_win():
    assert beats_baseline({"roc_auc": 0.9}, {}, "roc_auc") == (
        False, "roc_auc 0.9 has no baselines to beat")

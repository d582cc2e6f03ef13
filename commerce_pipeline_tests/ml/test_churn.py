import numpy as np
import pytest

from commerce_pipeline.ml.churn import train_churn
from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline.ml.training_sets import build_training_set, category_levels, holdout_split
from commerce_pipeline_tests.ml.synthetic import REFERENCE, features_at_cutoffs, transaction_log

SETTINGS = ModelSettings(churn_window_days=90, value_window_days=180)


@pytest.fixture(scope="module")
def log():
    return transaction_log(3000, seed=11)


@pytest.fixture(scope="module")
def cutoffs(log):
    return features_at_cutoffs(log, SETTINGS.feature_cutoff_offsets())


@pytest.fixture(scope="module")
def trained(log, cutoffs):
    return train_churn("acme", cutoffs, log, REFERENCE, SETTINGS)


def test_churn_model_beats_both_baselines_held_out_and_forward_in_time(trained):
    model, _ = trained
    assert model.status == "promoted", model.reason
    for split in ("holdout", "forward"):
        auc = model.metrics[split]["model"]["roc_auc"]
        assert auc > model.metrics[split]["recency"]["roc_auc"]
        assert auc > model.metrics[split]["purchase_rate"]["roc_auc"]


def test_churn_metrics_report_every_classification_measure(trained):
    model, _ = trained
    for key in ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "brier"):
        assert 0.0 <= model.metrics["forward"]["model"][key] <= 1.0


def test_the_model_is_trained_one_window_before_the_reference_date(trained):
    model, _ = trained
    assert model.data_window["training_cutoff"] == "2026-04-01"
    assert model.data_window["window_days"] == 90


def test_a_model_that_cannot_split_is_refused_promotion_and_the_reason_names_the_baseline(log, cutoffs):
    broken, _ = train_churn("acme", cutoffs, log, REFERENCE, SETTINGS,
                            parameters={"min_child_samples": 1_000_000})
    assert broken.trained and broken.status == "rejected"
    assert "does not beat" in broken.reason and "recency" in broken.reason


def test_too_few_customers_skips_training_with_the_reason(log):
    few = log[log["profile_id"] < "p00100"]
    small, details = train_churn("tiny", features_at_cutoffs(few, SETTINGS.feature_cutoff_offsets()),
                                 few, REFERENCE, SETTINGS)
    assert small.status == "skipped" and not small.trained and details == {}
    assert "fewer than the minimum of 200" in small.reason


def test_predictions_of_the_same_model_on_the_same_rows_are_identical(trained, cutoffs):
    model, _ = trained
    now = cutoffs[cutoffs["cutoff_offset_days"] == 0]
    assert np.array_equal(model.predict(now), model.predict(now.sample(frac=1.0, random_state=3).sort_index()))


def test_bgnbd_is_reported_as_a_reference_but_does_not_gate_promotion(trained):
    model, _ = trained
    for split in ("holdout", "forward"):
        assert 0.5 < model.metrics[split]["bgnbd"]["roc_auc"] <= 1.0
        assert f"{split}: roc_auc" in model.reason
    assert "reference bgnbd" in model.reason and "beats recency" in model.reason


def test_the_model_uses_the_bgnbd_fitted_at_its_cutoff_as_features(trained):
    model, _ = trained
    assert model.bgnbd is not None
    assert {"bgnbd_p_alive", "bgnbd_p_no_purchase", "bgnbd_expected_purchases"} <= set(model.features)


def test_the_bgnbd_reference_is_the_fit_whose_outputs_are_the_models_features(trained, log, cutoffs):
    model, details = trained
    current = build_training_set(cutoffs, log, 90, 90, category_levels(cutoffs))
    _, test_rows = holdout_split(current.profile_ids, SETTINGS.holdout_share, SETTINGS.seed)
    expected = model.bgnbd.p_no_purchase(current.X.iloc[test_rows], 90)
    np.testing.assert_array_equal(details["holdout"]["bgnbd"], expected)

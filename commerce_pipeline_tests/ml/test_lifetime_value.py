import pytest

from commerce_pipeline.ml.lifetime_value import train_lifetime_value
from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline_tests.ml.synthetic import REFERENCE, features_at_cutoffs, transaction_log

SETTINGS = ModelSettings(churn_window_days=90, value_window_days=180)


@pytest.fixture(scope="module")
def trained():
    log = transaction_log(3000, seed=12)
    return train_lifetime_value("acme", features_at_cutoffs(log, SETTINGS.feature_cutoff_offsets()),
                                log, REFERENCE, SETTINGS)


def test_value_model_beats_both_baselines_on_spearman_held_out_and_forward(trained):
    model, _ = trained
    assert model.status == "promoted", model.reason
    for split in ("holdout", "forward"):
        metrics = model.metrics[split]
        assert metrics["model"]["spearman"] > metrics["historical_rate"]["spearman"]
        assert metrics["model"]["spearman"] > metrics["previous_window"]["spearman"]


def test_value_metrics_include_error_ranking_and_totals(trained):
    model, _ = trained
    forward = model.metrics["forward"]["model"]
    for key in ("rmse", "mae", "r2", "mape_buyers", "spearman", "normalized_gini", "predicted_total",
                "actual_total"):
        assert forward[key] is not None
    assert 0.5 < forward["predicted_total"] / forward["actual_total"] < 2.0


def test_predicted_values_are_never_negative(trained):
    model, _ = trained
    log = transaction_log(200, seed=5)
    now = features_at_cutoffs(log, [0])
    assert (model.predict(now) >= 0).all()

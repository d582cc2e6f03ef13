"""The model assets end to end on a simulator store: ingestion, staging, identity and dbt
features built for real, then training, the registry, scoring and Customer 360."""

import json

import pandas as pd
import pytest

from commerce_pipeline_tests.stores import build_tenant, commerce_env

MODEL_STORE = ("model-store", 5, 2000)  # shop, seed, customers


@pytest.fixture(scope="module")
def tenant(tmp_path_factory):
    """Built through the dbt models, then every model asset, scoring and Customer 360 once."""
    from commerce_pipeline.simulator import generate_store

    shop, seed, customers = MODEL_STORE
    built = build_tenant(tmp_path_factory.mktemp("models"), {}, generate_store(shop, seed=seed, customers=customers),
                         "model-shop", ground_truth=True)
    built.first_models = built.materialize_models()
    assert built.first_models.success
    return built


def _metadata(result, key: str) -> dict:
    [event] = [m for m in result.get_asset_materialization_events()
               if m.asset_key.to_user_string() == key]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_churn_model_beats_recency_and_purchase_rate_forward_in_time(tenant):
    meta = _metadata(tenant.first_models, "churn_model")
    assert meta["status"] == "promoted", meta["reason"]
    assert meta["forward_model_roc_auc"] > meta["forward_recency_roc_auc"]
    assert meta["forward_model_roc_auc"] > meta["forward_purchase_rate_roc_auc"]
    assert meta["holdout_model_roc_auc"] > meta["holdout_recency_roc_auc"]


def test_value_model_beats_its_baselines_on_spearman_forward_in_time(tenant):
    meta = _metadata(tenant.first_models, "lifetime_value_model")
    assert meta["status"] == "promoted", meta["reason"]
    assert meta["forward_model_spearman"] > meta["forward_historical_rate_spearman"]
    assert meta["forward_model_spearman"] > meta["forward_previous_window_spearman"]


def test_predictions_are_measured_against_the_simulators_future_purchases(tenant):
    meta = _metadata(tenant.first_models, "customer_predictions")
    assert meta["ground_truth_churn_roc_auc"] > 0.7
    assert meta["ground_truth_churn_roc_auc"] > meta["ground_truth_churn_recency_baseline_roc_auc"]
    assert meta["ground_truth_value_spearman"] > 0.3


def test_model_metadata_shows_roc_lift_importance_and_segment_plots(tenant):
    churn = _metadata(tenant.first_models, "churn_model")
    for plot in ("roc_curve", "lift_chart", "feature_importance"):
        assert churn[plot].startswith(f"![{plot.replace('_', ' ')}](data:image/png;base64,")
    segments = _metadata(tenant.first_models, "segment_model")
    assert segments["segment_sizes_plot"].startswith("![segment sizes](data:image/png;base64,")
    assert 3 <= segments["k"] <= 8 and segments["silhouette"] >= 0.15


def test_model_inputs_are_the_warehouse_rows_with_decimals_as_floats(tenant):
    from commerce_pipeline.ml.data import scoring_inputs, training_inputs
    from commerce_pipeline.warehouse import query_frame

    with commerce_env(tenant.env):
        cutoffs, orders, _ = training_inputs(tenant.tenant)
        features, profiles, _ = scoring_inputs(tenant.tenant)
        rows = {name: query_frame(tenant.tenant, f"select * from {name}")
                for name in ("customer_features_at_cutoffs", "customer_features")}
    decimals = {"monetary": "float64", "average_order_value": "float64"}
    pd.testing.assert_frame_equal(cutoffs, rows["customer_features_at_cutoffs"].astype(decimals))
    pd.testing.assert_frame_equal(features, rows["customer_features"].astype(decimals))
    assert orders["order_date"].map(type).eq(type(cutoffs["cutoff_date"].iloc[0])).all()
    assert profiles["profile_strength"].dtype == "int64"


def test_every_training_is_recorded_in_the_registry_with_its_artifact(tenant):
    rows = {r["model"]: r for r in tenant.versions()}
    assert set(rows) == {"churn_model", "lifetime_value_model", "segment_model"}
    churn = rows["churn_model"]
    assert churn["promoted"] and churn["window_days"] == 90
    assert json.loads(churn["features"])[0] == "recency_days"
    assert "forward" in json.loads(churn["metrics"])


def test_customer_360_shows_every_profile_with_its_predictions(tenant):
    profiles = tenant.table("customer_profile")
    c360 = tenant.table("customer_360")
    predictions = tenant.table("customer_predictions")
    assert len(c360) == len(profiles) and c360["profile_id"].is_unique
    scored = c360.dropna(subset=["segment"])
    assert set(scored["profile_id"]) == set(predictions["profile_id"])
    assert set(scored["churn_risk_band"]) <= {"low", "medium", "high"}
    assert set(scored["segment_source"]) == {"kmeans"} and set(scored["churn_source"]) == {"model"}


def test_scoring_again_with_the_same_models_and_data_gives_identical_predictions(tenant):
    columns = ["profile_id", "churn_probability", "churn_risk_band", "predicted_value", "segment",
               "churn_model_version", "value_model_version", "segment_model_version"]
    before = tenant.table("customer_predictions")[columns].sort_values("profile_id", ignore_index=True)
    assert tenant.materialize_models(["customer_predictions"]).success
    after = tenant.table("customer_predictions")[columns].sort_values("profile_id", ignore_index=True)
    pd.testing.assert_frame_equal(before, after)


def test_training_again_before_the_cadence_is_due_records_no_new_version(tenant):
    before = len(tenant.versions("churn_model"))
    result = tenant.materialize_models(["churn_model"])
    assert _metadata(result, "churn_model")["status"] == "not_due"
    assert "retrains every 7 days" in _metadata(result, "churn_model")["reason"]
    assert len(tenant.versions("churn_model")) == before


def test_a_broken_retrain_is_refused_and_scoring_keeps_the_promoted_version(tenant):
    promoted = [r["version"] for r in tenant.versions("churn_model") if r["promoted"]][-1]
    config = {"force_retrain": True, "parameters": {"min_child_samples": 1_000_000}}
    result = tenant.materialize_models(["churn_model", "customer_predictions"], {"churn_model": config})
    meta = _metadata(result, "churn_model")
    assert meta["status"] == "rejected" and "does not beat" in meta["reason"]
    latest = tenant.versions("churn_model")[-1]
    assert not latest["promoted"] and latest["version"] > promoted
    used = tenant.table("customer_predictions")["churn_model_version"].unique().tolist()
    assert used == [promoted]

"""A tenant too small to train (60 customers) still gets predictions, from the RFM rules."""

import pytest



@pytest.fixture(scope="module")
def small(duckdb_store):
    result = duckdb_store.materialize_models()
    assert result.success
    return duckdb_store, result


def _metadata(result, key):
    [event] = [m for m in result.get_asset_materialization_events() if m.asset_key.to_user_string() == key]
    return {k: v.value for k, v in event.materialization.metadata.items()}


@pytest.mark.parametrize("model", ["churn_model", "lifetime_value_model", "segment_model"])
def test_each_model_is_skipped_with_the_reason_in_its_metadata(small, model):
    _, result = small
    meta = _metadata(result, model)
    assert meta["status"] == "skipped"
    assert "customers have ordered, fewer than the minimum of 200" in meta["reason"]


def test_skipped_trainings_are_in_the_registry_without_an_artifact(small):
    tenant, _ = small
    rows = tenant.versions()
    assert {r["status"] for r in rows} == {"skipped"} and len(rows) >= 3
    assert all(r["artifact_location"] is None and not r["promoted"] for r in rows)


def test_predictions_fall_back_to_the_rfm_segments(small):
    tenant, result = small
    predictions = tenant.table("customer_predictions")
    features = tenant.table("customer_features")
    assert sorted(predictions["profile_id"]) == sorted(features["profile_id"])
    assert set(predictions["segment_source"]) == {"rfm_rules"} and set(predictions["churn_source"]) == {"rfm_rules"}
    merged = predictions.merge(features[["profile_id", "rfm_segment"]], on="profile_id", suffixes=("", "_f"))
    assert (merged["segment"] == merged["rfm_segment_f"]).all()
    assert predictions["churn_probability"].isna().all()
    assert _metadata(result, "customer_predictions")["segment_source"] == "rfm_rules"


def test_customer_360_shows_the_fallback_segment(small):
    tenant, _ = small
    c360 = tenant.table("customer_360").dropna(subset=["segment"])
    assert len(c360) > 0 and set(c360["segment_source"]) == {"rfm_rules"}

"""The model registry on a real tenant warehouse (DuckDB through dlt) and artifact files."""

from datetime import UTC, datetime, timedelta

import pytest

from commerce_pipeline.ml.assets import retrain_due
from commerce_pipeline.ml.churn import train_churn
from commerce_pipeline.ml.registry import latest_promoted, record, versions
from commerce_pipeline.ml.settings import ModelSettings, ModelSettingsStore
from commerce_pipeline.ml.trained import TrainedModel
from commerce_pipeline_tests.ml.synthetic import REFERENCE, features_at_cutoffs, transaction_log

SETTINGS = ModelSettings()


@pytest.fixture(scope="module")
def fitted():
    log = transaction_log(1500, seed=4)
    cutoffs = features_at_cutoffs(log, SETTINGS.feature_cutoff_offsets())
    good, _ = train_churn("shop-a", cutoffs, log, REFERENCE, SETTINGS)
    broken, _ = train_churn("shop-a", cutoffs, log, REFERENCE, SETTINGS,
                            parameters={"min_child_samples": 1_000_000})
    return good, broken


def test_every_training_is_a_numbered_version_with_its_window_metrics_and_artifact(fitted):
    good, broken = fitted
    record(good, run_id="run-1")
    record(broken, run_id="run-2")
    rows = versions("shop-a", "churn_model")
    assert [(r["version"], r["status"], r["promoted"]) for r in rows] == [
        (1, "promoted", True), (2, "rejected", False)]
    assert rows[0]["training_cutoff"] == "2026-04-01" and rows[0]["window_days"] == 90
    assert '"roc_auc"' in rows[0]["metrics"] and "recency_days" in rows[0]["features"]
    assert rows[1]["run_id"] == "run-2" and "does not beat" in rows[1]["reason"]
    assert all(r["artifact_location"].endswith(f"churn_model/v{r['version']}.pkl") for r in rows)


def test_scoring_gets_the_latest_promoted_version_not_a_newer_rejected_one(fitted):
    good, broken = fitted
    record(good, run_id="run-1")
    record(broken, run_id="run-2")
    loaded = latest_promoted("shop-a", "churn_model")
    assert loaded.version == 1 and loaded.status == "promoted"
    now = features_at_cutoffs(transaction_log(50, seed=9), [0])
    assert (loaded.predict(now) == good.predict(now)).all()


def test_no_promoted_version_means_no_model():
    assert latest_promoted("shop-b", "churn_model") is None
    record(TrainedModel("churn_model", "shop-b", "skipped", "not trained: too small"), run_id="r")
    assert latest_promoted("shop-b", "churn_model") is None
    assert versions("shop-b")[0]["artifact_location"] is None


def test_a_promoted_version_whose_artifact_is_gone_fails_loudly(fitted):
    good, _ = fitted
    row = record(good, run_id="run-1")
    from pathlib import Path

    Path(row["artifact_location"]).unlink()
    with pytest.raises(FileNotFoundError, match="shop-a.*churn_model version 1 is promoted"):
        latest_promoted("shop-a", "churn_model")


def test_retraining_waits_for_the_tenants_cadence_but_never_after_a_skipped_attempt(fitted):
    good, _ = fitted
    now = datetime.now(UTC)
    assert retrain_due("shop-a", "churn_model", SETTINGS, now) is None  # nothing trained yet
    record(TrainedModel("churn_model", "shop-a", "skipped", "too small", trained_at=now), run_id="r0")
    assert retrain_due("shop-a", "churn_model", SETTINGS, now) is None
    good.trained_at = now
    record(good, run_id="r1")
    assert "retrains every 7 days" in retrain_due("shop-a", "churn_model", SETTINGS, now + timedelta(days=6))
    assert retrain_due("shop-a", "churn_model", SETTINGS, now + timedelta(days=7)) is None


def test_tenant_settings_changes_are_kept_per_tenant_and_the_latest_wins(commerce_home):
    url = f"sqlite:///{commerce_home}/control.db"
    commerce_home.mkdir(parents=True, exist_ok=True)
    with ModelSettingsStore(url) as store:
        store.set("shop-a", {"churn_window_days": "60"}, "ana")
        store.set("shop-a", {"churn_window_days": "45", "retrain_every_days": "1"}, "ben")
        assert store.get("shop-a").churn_window_days == 45
        assert store.get("shop-a").retrain_every_days == 1
        assert store.get("shop-b") == ModelSettings()


def test_the_registry_works_the_same_on_a_postgres_warehouse(fitted, postgres_url, monkeypatch):
    import uuid

    from commerce_pipeline.storage import tenant_warehouse
    from commerce_pipeline_tests.helpers import drop_pg_schema

    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", postgres_url.replace("+psycopg2", ""))
    good, broken = fitted
    tenant = f"reg-{uuid.uuid4().hex[:8]}"
    for model in (good, broken):
        model.tenant_id = tenant
    try:
        record(good, run_id="run-1")
        record(broken, run_id="run-2")
        assert [(r["version"], r["promoted"]) for r in versions(tenant, "churn_model")] == [(1, True), (2, False)]
        assert latest_promoted(tenant, "churn_model").version == 1
    finally:
        for model in (good, broken):
            model.tenant_id = "shop-a"
        drop_pg_schema(postgres_url, tenant_warehouse(tenant).schema)

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from commerce_pipeline.ml.churn import train_churn
from commerce_pipeline.ml.lifetime_value import train_lifetime_value
from commerce_pipeline.ml.scoring import RULE_RISK, risk_band, score
from commerce_pipeline.ml.segment_training import train_segments
from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline_tests.ml.synthetic import REFERENCE, features_at_cutoffs, transaction_log

SETTINGS = ModelSettings()
AT = datetime(2026, 7, 1, tzinfo=UTC)
SEGMENTS = ["Champions", "Lost", "At Risk", "New", "Hibernating"]


@pytest.fixture(scope="module")
def tenant():
    log = transaction_log(1500, seed=8)
    cutoffs = features_at_cutoffs(log, SETTINGS.feature_cutoff_offsets())
    features = cutoffs[cutoffs["cutoff_offset_days"] == 0].drop(columns=["cutoff_offset_days", "cutoff_date"])
    features = features.assign(rfm_segment=[SEGMENTS[i % len(SEGMENTS)] for i in range(len(features))])
    profiles = pd.DataFrame({"profile_id": features["profile_id"], "profile_strength": 60})
    churn, _ = train_churn("shop", cutoffs, log, REFERENCE, SETTINGS)
    value, _ = train_lifetime_value("shop", cutoffs, log, REFERENCE, SETTINGS)
    segments = train_segments("shop", features, profiles, REFERENCE, SETTINGS, None)
    for version, model in enumerate((churn, value, segments), start=1):
        model.version = version
    return features, profiles, churn, value, segments


def test_every_profile_with_an_order_gets_one_row_from_the_models(tenant):
    features, profiles, churn, value, segments = tenant
    out = score(features, profiles, churn, value, segments, SETTINGS, AT, "run")
    assert sorted(out["profile_id"]) == sorted(features["profile_id"]) and out["profile_id"].is_unique
    assert set(out["churn_source"]) == {"model"} and set(out["segment_source"]) == {"kmeans"}
    assert out["churn_probability"].between(0, 1).all() and (out["predicted_value"] >= 0).all()
    assert set(out["segment"]) <= set(segments.estimator.names.values())
    assert (out["churn_model_version"] == 1).all() and (out["segment_model_version"] == 3).all()


def test_risk_bands_follow_the_tenants_thresholds():
    bands = risk_band(np.array([0.1, 0.4, 0.69, 0.7, 0.95]), SETTINGS)
    assert bands.tolist() == ["low", "medium", "medium", "high", "high"]


def test_without_promoted_models_scoring_falls_back_to_the_rfm_rules(tenant):
    features, profiles, *_ = tenant
    out = score(features, profiles, None, None, None, SETTINGS, AT, "run")
    assert (out["segment"] == out["rfm_segment"]).all()
    assert set(out["segment_source"]) == {"rfm_rules"} and set(out["churn_source"]) == {"rfm_rules"}
    assert out["churn_probability"].isna().all() and out["predicted_value"].isna().all()
    expected = out["rfm_segment"].map(RULE_RISK).fillna("low")
    assert (out["churn_risk_band"] == expected).all()
    assert out["churn_model_version"].isna().all()


def test_scoring_again_with_the_same_models_and_data_gives_identical_rows(tenant):
    features, profiles, churn, value, segments = tenant
    first = score(features, profiles, churn, value, segments, SETTINGS, AT, "run")
    shuffled = features.sample(frac=1.0, random_state=1)
    second = score(shuffled, profiles, churn, value, segments, SETTINGS, AT, "run")
    pd.testing.assert_frame_equal(first, second)


def test_segments_are_promoted_only_with_enough_customers(tenant):
    features, profiles, *_ = tenant
    small = train_segments("shop", features.head(50), profiles, REFERENCE, SETTINGS, None)
    assert small.status == "skipped" and "fewer than the minimum of 200" in small.reason
    assert "RFM rule segments are used instead" in small.reason

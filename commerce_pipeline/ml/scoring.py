"""Scoring: one row of predictions per profile from the promoted models, with the rule-based
RFM answer wherever a model is missing (a tenant too small to train, or no version passed its
gate). Pure: the same models and features always give the same rows."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline.ml.trained import TrainedModel

# RFM segments read as churn risk where no churn model is promoted.
RULE_RISK = {"Lost": "high", "Hibernating": "high", "At Risk": "high", "Can't Lose Them": "high",
             "About to Sleep": "medium", "Need Attention": "medium"}
PREDICTION_COLUMNS = (
    "profile_id", "reference_date", "churn_probability", "churn_risk_band", "churn_source",
    "predicted_value", "value_window_days", "segment", "segment_source", "rfm_segment",
    "churn_model_version", "value_model_version", "segment_model_version", "scored_at", "run_id")


def risk_band(probability: np.ndarray, settings: ModelSettings) -> np.ndarray:
    return np.where(probability >= settings.high_risk_probability, "high",
                    np.where(probability >= settings.medium_risk_probability, "medium", "low"))


def _version(model: TrainedModel | None):
    return model.version if model is not None else None


def score(features: pd.DataFrame, profiles: pd.DataFrame, churn: TrainedModel | None,
          value: TrainedModel | None, segments: TrainedModel | None, settings: ModelSettings,
          scored_at: datetime, run_id: str) -> pd.DataFrame:
    """`features`: customer_features (one row per profile with an order); `profiles`:
    profile_id and profile_strength from customer_profile."""
    frame = (features.assign(profile_id=features["profile_id"].astype(str))
             .merge(profiles[["profile_id", "profile_strength"]].astype({"profile_id": str}),
                    on="profile_id", how="left")
             .sort_values("profile_id", kind="stable").reset_index(drop=True))
    out = pd.DataFrame({"profile_id": frame["profile_id"],
                        "reference_date": frame["reference_date"].astype(str),
                        "rfm_segment": frame["rfm_segment"]})
    if churn is not None:
        probability = np.round(churn.predict(frame), 6)
        out["churn_probability"] = probability
        out["churn_risk_band"] = risk_band(probability, settings)
        out["churn_source"] = "model"
    else:
        out["churn_probability"] = None
        out["churn_risk_band"] = frame["rfm_segment"].map(RULE_RISK).fillna("low")
        out["churn_source"] = "rfm_rules"
    out["predicted_value"] = np.round(value.predict(frame), 2) if value is not None else None
    out["value_window_days"] = value.data_window["window_days"] if value is not None else None
    if segments is not None:
        strength = frame.assign(profile_strength=frame["profile_strength"].fillna(0))
        out["segment"] = segments.estimator.assign(strength).reindex(frame["profile_id"]).to_numpy()
        out["segment_source"] = "kmeans"
    else:
        out["segment"] = frame["rfm_segment"]
        out["segment_source"] = "rfm_rules"
    out["churn_model_version"] = _version(churn)
    out["value_model_version"] = _version(value)
    out["segment_model_version"] = _version(segments)
    out["scored_at"] = scored_at
    out["run_id"] = run_id
    return out[list(PREDICTION_COLUMNS)]

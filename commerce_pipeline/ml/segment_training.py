"""Segments: KMeans on scaled RFM and profile strength, named by their centroids, names kept
stable across retrains by matching to the previous promoted model's clusters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from commerce_pipeline.ml.segments import SEGMENT_FEATURES, fit_segments
from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline.ml.trained import TrainedModel

# Below this, clusters overlap so much that the names mean little: keep the RFM rule segments.
MIN_SILHOUETTE = 0.15


def segment_frame(features: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    frame = features[["profile_id", "recency_days", "frequency", "monetary"]].merge(
        profiles[["profile_id", "profile_strength"]], on="profile_id", how="left")
    frame["profile_strength"] = frame["profile_strength"].fillna(0)
    for name in SEGMENT_FEATURES:
        frame[name] = pd.to_numeric(frame[name]).astype("float64")
    return frame.assign(profile_id=frame["profile_id"].astype(str)).sort_values("profile_id", kind="stable")


def train_segments(tenant_id: str, features: pd.DataFrame, profiles: pd.DataFrame,
                   reference_date: date, settings: ModelSettings, previous: TrainedModel | None,
                   now: datetime | None = None) -> TrainedModel:
    k_range = (settings.segments_k_min, settings.segments_k_max)
    result = TrainedModel("segment_model", tenant_id, "skipped", "", features=SEGMENT_FEATURES,
                          parameters={"k_range": list(k_range), "seed": settings.seed,
                                      "min_silhouette": MIN_SILHOUETTE},
                          data_window={"reference_date": str(reference_date)},
                          trained_at=now or datetime.now(UTC))
    frame = segment_frame(features, profiles)
    if len(frame) < settings.min_customers:
        result.reason = (f"not trained: {len(frame)} customers have ordered, fewer than the minimum of "
                         f"{settings.min_customers}; the RFM rule segments are used instead")
        return result
    try:
        model = fit_segments(frame, k_range=k_range, seed=settings.seed,
                             previous=previous.estimator if previous is not None else None)
    except ValueError as exc:
        result.reason = f"not trained: {exc}"
        return result
    sizes = model.centroids.set_index("name")["size"].astype(int).to_dict()
    result.estimator = model
    result.metrics = {"k": model.k, "silhouette": round(float(model.silhouette), 4),
                      "inertia": round(float(model.inertia), 2),
                      "silhouette_by_k": {str(k): round(float(v), 4) for k, v in model.silhouette_by_k.items()},
                      "segment_sizes": sizes}
    result.data_window["customers"] = len(frame)
    if model.silhouette >= MIN_SILHOUETTE:
        result.status = "promoted"
        result.reason = f"silhouette {model.silhouette:.3f} at k={model.k} (minimum {MIN_SILHOUETTE})"
    else:
        result.status = "rejected"
        result.reason = (f"silhouette {model.silhouette:.3f} at k={model.k} is below the minimum "
                         f"{MIN_SILHOUETTE}: clusters overlap too much to name")
    return result

"""What a training step hands to the model registry: the fitted estimator and its record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from commerce_pipeline.ml.btyd import augment
from commerce_pipeline.ml.training_sets import model_matrix

STATUSES = ("promoted", "rejected", "skipped", "not_due")


@dataclass
class TrainedModel:
    model: str  # the model asset: churn_model | lifetime_value_model | segment_model
    tenant_id: str
    status: str  # promoted: passed its quality gate; rejected: trained, failed it; skipped: too little data
    reason: str
    estimator: Any = None
    features: tuple[str, ...] = ()
    categories: list[str] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    data_window: dict = field(default_factory=dict)
    trained_at: datetime | None = None
    version: int | None = None  # set by the registry when the version is recorded
    bgnbd: object = None  # the BG/NBD fitted at the training cutoff, whose outputs are features

    def matrix(self, features: pd.DataFrame) -> pd.DataFrame:
        X = model_matrix(features, self.categories)
        if self.bgnbd is not None:
            X = augment(X, self.bgnbd, self.data_window["window_days"])
        return X

    @property
    def trained(self) -> bool:
        return self.estimator is not None

    def predict(self, features: pd.DataFrame):
        """Churn probability or window value per row of `features` (dbt feature columns)."""
        X = self.matrix(features)
        if self.model == "churn_model":
            return self.estimator.predict_proba(X)[:, 1]
        return self.estimator.predict(X).clip(min=0.0)

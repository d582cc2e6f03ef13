"""Predictions against what really happened next, where a tenant ships ground truth (the
simulator's stores know every person's purchases after the data ends)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from commerce_pipeline.ml.metrics import classification_metrics, regression_metrics


def future_outcomes(truth_path: Path, members: pd.DataFrame, reference_date: date,
                    window_days: int) -> pd.DataFrame | None:
    """Per profile (mapped to the true person most of its customer accounts belong to): did
    that person buy in (reference_date, reference_date + window], and for how much."""
    if not truth_path.exists():
        return None
    truth = json.loads(truth_path.read_text())
    if "future_purchases" not in truth or "customer_person" not in truth:
        return None
    person_of = {f"shopify:{cid}": person for cid, person in truth["customer_person"].items()}
    accounts = members.assign(person=members["source_key"].map(person_of)).dropna(subset=["person"])
    person = (accounts.groupby(["profile_id", "person"]).size().rename("n").reset_index()
              .sort_values(["profile_id", "n", "person"], ascending=[True, False, True])
              .drop_duplicates("profile_id").set_index("profile_id")["person"])
    purchases = pd.DataFrame(truth["future_purchases"], columns=["person_id", "at", "net_amount"])
    day = pd.to_datetime(purchases["at"]).dt.date
    end = reference_date + timedelta(days=window_days)
    inside = purchases[(day > reference_date) & (day <= end)]
    spent = inside.groupby("person_id")["net_amount"].sum()
    value = person.map(spent).fillna(0.0)
    return pd.DataFrame({"bought": value > 0, "value": value.astype("float64")})


def evaluate_predictions(predictions: pd.DataFrame, churn_truth: pd.DataFrame | None,
                         value_truth: pd.DataFrame | None) -> dict:
    """Churn ROC-AUC and value Spearman of the scored rows against the future, next to the
    recency baseline (days since the last order) on the same rows."""
    out: dict = {}
    frame = predictions.set_index("profile_id")
    if churn_truth is not None and frame["churn_probability"].notna().all():
        joined = frame.join(churn_truth, how="inner")
        churned = (~joined["bought"]).astype(int)
        out["churn"] = classification_metrics(churned, joined["churn_probability"].astype(float))
        if "recency_days" in joined:
            out["churn_recency_baseline"] = classification_metrics(
                churned, joined["recency_days"].rank(pct=True))
    if value_truth is not None and frame["predicted_value"].notna().all():
        joined = frame.join(value_truth, how="inner")
        out["value"] = regression_metrics(joined["value"], joined["predicted_value"].astype(float))
    return out

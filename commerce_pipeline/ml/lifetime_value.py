"""Lifetime value: a customer's net revenue in the window after the cutoff. A LightGBM regressor
with a Tweedie loss (most customers spend nothing in a window, a few spend a lot), against two
simple baselines, gated on Spearman rank correlation."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from lightgbm import LGBMRegressor

from commerce_pipeline.ml.metrics import regression_metrics
from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline.ml.supervised import Task, reference, train
from commerce_pipeline.ml.training_sets import NotTrainable, TrainingSet, orders_between

PARAMETERS = {"objective": "tweedie", "tweedie_variance_power": 1.3, "n_estimators": 400,
              "learning_rate": 0.02, "num_leaves": 4, "min_child_samples": 50, "subsample": 0.8,
              "subsample_freq": 1, "colsample_bytree": 0.8, "reg_lambda": 1.0}


def fit_regressor(X: pd.DataFrame, y: pd.Series, seed: int, **overrides) -> LGBMRegressor:
    # One thread, as for churn (see fit_classifier): faster here, and the same trees.
    model = LGBMRegressor(**{**PARAMETERS, **overrides}, random_state=seed, deterministic=True,
                          force_row_wise=True, n_jobs=1, verbose=-1)
    return model.fit(X, y.clip(lower=0.0))  # Tweedie needs non-negative targets


def baseline_values(ts: TrainingSet, rows: np.ndarray, orders: pd.DataFrame) -> dict[str, np.ndarray]:
    """historical_rate: past net revenue per day of tenure (at least one window) times the
    window; previous_window: gross order value in the window before the cutoff (gross, because
    net would count refunds issued after the cutoff)."""
    X = ts.X.iloc[rows]
    tenure = np.maximum(X["tenure_days"].to_numpy(), ts.window_days)
    rate = X["monetary"].to_numpy() / tenure * ts.window_days
    start = ts.cutoff_date - timedelta(days=ts.window_days)
    before = orders_between(orders, start, ts.cutoff_date)
    spent = before.groupby(before["profile_id"].astype(str))["total_price"].sum().astype("float64")
    return {"historical_rate": rate.clip(min=0.0),
            "previous_window": spent.reindex(X.index).fillna(0.0).to_numpy()}


def check_buyers(ts: TrainingSet, settings: ModelSettings, what: str) -> None:
    buyers = int((ts.window_value > 0).sum())
    if buyers < settings.min_positives:
        raise NotTrainable(f"{what}: {buyers} customers bought in the {ts.window_days} days after "
                           f"{ts.cutoff_date}; at least {settings.min_positives} are needed")


def evaluate(model, train_ts: TrainingSet, train_rows, test_ts: TrainingSet, test_rows, orders, bgnbd):
    truth = test_ts.window_value.iloc[test_rows].to_numpy()
    test_X = test_ts.X.iloc[test_rows]
    scores = {"model": model.predict(test_X).clip(min=0.0), **baseline_values(test_ts, test_rows, orders)}
    scores.update(reference(lambda fit: fit.expected_value(test_X, test_ts.window_days), bgnbd))
    return {name: regression_metrics(truth, s) for name, s in scores.items()}, scores


LIFETIME_VALUE = Task(model="lifetime_value_model", window=lambda s: s.value_window_days,
                      parameters=PARAMETERS, gate_metric="spearman", target=lambda ts: ts.window_value,
                      check=check_buyers, fit=fit_regressor, evaluate=evaluate,
                      describe=lambda ts: {"buyers": int((ts.window_value > 0).sum())})


def train_lifetime_value(tenant_id, features_at_cutoffs, orders, reference_date, settings, now=None,
                         parameters=None):
    return train(LIFETIME_VALUE, tenant_id, features_at_cutoffs, orders, reference_date, settings, now,
                 parameters)

"""Churn: will a customer buy again within the window after the cutoff? A LightGBM classifier
against two one-column baselines (recency alone; historical purchase rate), gated on ROC-AUC."""

from __future__ import annotations

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier
from sklearn.linear_model import LogisticRegression

from commerce_pipeline.ml.metrics import classification_metrics
from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline.ml.supervised import Task, reference, train
from commerce_pipeline.ml.training_sets import NotTrainable, TrainingSet

# Small trees, slowly: customer tables are small and noisy; deeper or more trees overfit below
# recency alone (and below BG/NBD, whose outputs are features too) on held-out customers
# (checked on synthetic buy-till-you-die logs and simulator stores).
PARAMETERS = {"n_estimators": 200, "learning_rate": 0.02, "num_leaves": 4, "min_child_samples": 50,
              "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8, "reg_lambda": 1.0}


def fit_classifier(X: pd.DataFrame, y: pd.Series, seed: int, **overrides) -> LGBMClassifier:
    # deterministic + row-wise + fixed seed: the same data always gives the same trees. One
    # thread: trees this small spend more time synchronising two threads than building (4x the
    # CPU at 60k rows on 2 cores), and the trees are the same with either.
    model = LGBMClassifier(**{**PARAMETERS, **overrides}, random_state=seed, deterministic=True,
                           force_row_wise=True, n_jobs=1, verbose=-1)
    return model.fit(X, y)


def baseline_columns(X: pd.DataFrame) -> dict[str, np.ndarray]:
    """One-feature baselines: days since the last order, and the historical purchase rate."""
    return {"recency": X[["recency_days"]].to_numpy(),
            "purchase_rate": np.log(X[["purchase_rate"]].to_numpy())}


def check_classes(ts: TrainingSet, settings: ModelSettings, what: str) -> None:
    churned = int(ts.churned.sum())
    stayed = len(ts) - churned
    if min(churned, stayed) < settings.min_positives:
        raise NotTrainable(f"{what}: {churned} churned and {stayed} bought again after {ts.cutoff_date}; "
                           f"each needs at least {settings.min_positives}")


def evaluate(model, train_ts: TrainingSet, train_rows, test_ts: TrainingSet, test_rows, orders, bgnbd):
    """The model and each baseline (a logistic regression on its one column, fitted on the
    training rows) scored on the same test rows."""
    train_X, train_y = train_ts.X.iloc[train_rows], train_ts.churned.iloc[train_rows]
    test_X, test_y = test_ts.X.iloc[test_rows], test_ts.churned.iloc[test_rows]
    train_cols, test_cols = baseline_columns(train_X), baseline_columns(test_X)
    scores = {"model": model.predict_proba(test_X)[:, 1],
              **{name: LogisticRegression().fit(train_cols[name], train_y).predict_proba(test_cols[name])[:, 1]
                 for name in train_cols}}
    scores.update(reference(lambda fit: fit.p_no_purchase(test_X, test_ts.window_days), bgnbd))
    return {name: classification_metrics(test_y, s) for name, s in scores.items()}, scores


CHURN = Task(model="churn_model", window=lambda s: s.churn_window_days, parameters=PARAMETERS,
             gate_metric="roc_auc", target=lambda ts: ts.churned, check=check_classes,
             fit=fit_classifier, evaluate=evaluate,
             describe=lambda ts: {"churn_rate": round(float(ts.churned.mean()), 4)})


def train_churn(tenant_id, features_at_cutoffs, orders, reference_date, settings, now=None, parameters=None):
    return train(CHURN, tenant_id, features_at_cutoffs, orders, reference_date, settings, now, parameters)

"""The one training procedure churn and lifetime value share: build the training set one window
back, fit on 80% of its customers and test on the rest, fit again two windows back and test on
the latest window (forward in time), and promote only if the model beats every baseline in both.
What differs per model (target, checks, estimator, baselines, metrics) is a `Task`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from commerce_pipeline.ml.btyd import BGNBD, augment
from commerce_pipeline.ml.metrics import beats_baseline
from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline.ml.trained import TrainedModel
from commerce_pipeline.ml.training_sets import (
    FEATURES,
    NotTrainable,
    TrainingSet,
    build_training_set,
    category_levels,
    check_customers,
    check_history,
    holdout_split,
)


@dataclass(frozen=True)
class Task:
    model: str  # the model asset's name
    window: Callable[[ModelSettings], int]
    parameters: dict  # LightGBM defaults
    gate_metric: str
    target: Callable[[TrainingSet], pd.Series]
    check: Callable[[TrainingSet, ModelSettings, str], None]  # enough of each class? else NotTrainable
    fit: Callable[..., object]  # (X, y, seed, **overrides) -> fitted estimator
    # (model, train set, train rows, test set, test rows, orders, BG/NBD fitted on the train rows
    # or None) -> (metrics, scores) per name
    evaluate: Callable[..., tuple[dict, dict]]
    describe: Callable[[TrainingSet], dict]  # extra data-window facts for the record


# Reported beside the model, never gating it: the classical model a data scientist would try
# first. Baselines gate; references inform.
REFERENCES = ("bgnbd",)


def reference(score, bgnbd: BGNBD | None) -> dict[str, np.ndarray]:
    """{"bgnbd": score(bgnbd)}, or {} where the fit failed (None) or scoring fails. `bgnbd` is
    the fit the model's features came from: the same training rows, so it is not fitted twice."""
    if bgnbd is None:
        return {}
    try:
        scores = score(bgnbd)
    except (ValueError, FloatingPointError, ZeroDivisionError):
        return {}
    return {"bgnbd": scores} if np.isfinite(scores).all() else {}


def _fit_bgnbd(X: pd.DataFrame) -> BGNBD | None:
    try:
        return BGNBD.fit(X)
    except (ValueError, FloatingPointError, ZeroDivisionError):
        return None  # the model trains on the plain features


def _with_bgnbd(ts: TrainingSet, bgnbd: BGNBD | None) -> TrainingSet:
    if bgnbd is None:
        return ts
    return replace(ts, X=augment(ts.X, bgnbd, ts.window_days))


def _check(task: Task, ts: TrainingSet, settings: ModelSettings, what: str) -> None:
    if len(ts) < settings.min_customers:
        raise NotTrainable(f"{what}: {len(ts)} customers had ordered by {ts.cutoff_date}, fewer than "
                           f"the minimum of {settings.min_customers}")
    task.check(ts, settings, what)


def _verdicts(task: Task, results: dict, margin: float) -> tuple[bool, list[str]]:
    verdicts = []
    for split, metrics in results.items():
        baselines = {name: m for name, m in metrics.items() if name != "model" and name not in REFERENCES}
        ok, why = beats_baseline(metrics["model"], baselines, task.gate_metric, margin=margin)
        for name in REFERENCES:
            value = metrics.get(name, {}).get(task.gate_metric)
            why += f" (reference {name} {value:.4g})" if value is not None else ""
        verdicts.append((ok, f"{split}: {why}"))
    return all(ok for ok, _ in verdicts), [why for _, why in verdicts]


# One BLAS/OpenMP thread: the one-column logistic-regression baselines are far too small to
# share out, and on two busy cores the second thread made them several times slower.
@threadpool_limits.wrap(limits=1)
def train(task: Task, tenant_id: str, features_at_cutoffs: pd.DataFrame, orders: pd.DataFrame,
          reference_date: date, settings: ModelSettings, now: datetime | None = None,
          parameters: dict | None = None) -> tuple[TrainedModel, dict]:
    """(the trained model with its record, evaluation details for plots); `parameters`
    override the task's LightGBM defaults."""
    window, overrides = task.window(settings), parameters or {}
    result = TrainedModel(task.model, tenant_id, "skipped", "", features=FEATURES,
                          parameters={**task.parameters, **overrides}, trained_at=now or datetime.now(UTC),
                          data_window={"reference_date": str(reference_date), "window_days": window})
    try:
        check_customers(features_at_cutoffs, settings.min_customers)
        check_history(orders, reference_date, window)
        categories = category_levels(features_at_cutoffs)
        current = build_training_set(features_at_cutoffs, orders, window, window, categories)
        _check(task, current, settings, "training window")
    except NotTrainable as exc:
        result.reason = f"not trained: {exc}"
        return result, {}
    train_rows, test_rows = holdout_split(current.profile_ids, settings.holdout_share, settings.seed)
    bgnbd = _fit_bgnbd(current.X.iloc[train_rows])
    current = _with_bgnbd(current, bgnbd)
    y = task.target(current)
    model = task.fit(current.X.iloc[train_rows], y.iloc[train_rows], settings.seed, **overrides)
    results, details, notes = {}, {}, []
    results["holdout"], details["holdout"] = task.evaluate(
        model, current, train_rows, current, test_rows, orders, bgnbd)
    details["holdout_truth"] = y.iloc[test_rows].to_numpy()
    try:
        earlier = build_training_set(features_at_cutoffs, orders, 2 * window, window, categories)
        _check(task, earlier, settings, "forward-in-time training window")
        everyone = np.arange(len(earlier))
        earlier_bgnbd = _fit_bgnbd(earlier.X)
        earlier, later = _with_bgnbd(earlier, earlier_bgnbd), _with_bgnbd(current, earlier_bgnbd)
        forward = task.fit(earlier.X, task.target(earlier), settings.seed, **overrides)
        results["forward"], details["forward"] = task.evaluate(
            forward, earlier, everyone, later, np.arange(len(later)), orders, earlier_bgnbd)
        details["forward_truth"] = y.to_numpy()
    except NotTrainable as exc:
        notes.append(f"no forward-in-time evaluation: {exc}")
    passed, verdicts = _verdicts(task, results, settings.promotion_margin)
    result.estimator, result.categories, result.metrics = model, categories, results
    result.bgnbd, result.features = bgnbd, tuple(current.X.columns)
    result.data_window.update(training_cutoff=str(current.cutoff_date), customers=len(current),
                              **task.describe(current))
    result.status = "promoted" if passed else "rejected"
    result.reason = "; ".join(verdicts + notes)
    gains = model.booster_.feature_importance("gain").round(1).tolist()
    details["importance"] = dict(zip(current.X.columns, gains))
    return result, details

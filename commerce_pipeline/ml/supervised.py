"""The one training procedure churn and lifetime value share: build the training set one window
back, fit on 80% of its customers and test on the rest, fit again two windows back and test on
the latest window (forward in time), and promote only if the model beats every baseline in both.
What differs per model (target, checks, estimator, baselines, metrics) is a `Task`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

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
    # (model, train set, train rows, test set, test rows, orders) -> (metrics, scores) per name
    evaluate: Callable[..., tuple[dict, dict]]
    describe: Callable[[TrainingSet], dict]  # extra data-window facts for the record


def _check(task: Task, ts: TrainingSet, settings: ModelSettings, what: str) -> None:
    if len(ts) < settings.min_customers:
        raise NotTrainable(f"{what}: {len(ts)} customers had ordered by {ts.cutoff_date}, fewer than "
                           f"the minimum of {settings.min_customers}")
    task.check(ts, settings, what)


def _verdicts(task: Task, results: dict, margin: float) -> tuple[bool, list[str]]:
    verdicts = []
    for split, metrics in results.items():
        baselines = {name: m for name, m in metrics.items() if name != "model"}
        ok, why = beats_baseline(metrics["model"], baselines, task.gate_metric, margin=margin)
        verdicts.append((ok, f"{split}: {why}"))
    return all(ok for ok, _ in verdicts), [why for _, why in verdicts]


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
    y = task.target(current)
    model = task.fit(current.X.iloc[train_rows], y.iloc[train_rows], settings.seed, **overrides)
    results, details, notes = {}, {}, []
    results["holdout"], details["holdout"] = task.evaluate(model, current, train_rows, current, test_rows, orders)
    details["holdout_truth"] = y.iloc[test_rows].to_numpy()
    try:
        earlier = build_training_set(features_at_cutoffs, orders, 2 * window, window, categories)
        _check(task, earlier, settings, "forward-in-time training window")
        everyone = np.arange(len(earlier))
        forward = task.fit(earlier.X, task.target(earlier), settings.seed, **overrides)
        results["forward"], details["forward"] = task.evaluate(
            forward, earlier, everyone, current, np.arange(len(current)), orders)
        details["forward_truth"] = y.to_numpy()
    except NotTrainable as exc:
        notes.append(f"no forward-in-time evaluation: {exc}")
    passed, verdicts = _verdicts(task, results, settings.promotion_margin)
    result.estimator, result.categories, result.metrics = model, categories, results
    result.data_window.update(training_cutoff=str(current.cutoff_date), customers=len(current),
                              **task.describe(current))
    result.status = "promoted" if passed else "rejected"
    result.reason = "; ".join(verdicts + notes)
    gains = model.booster_.feature_importance("gain").round(1).tolist()
    details["importance"] = dict(zip(current.X.columns, gains))
    return result, details

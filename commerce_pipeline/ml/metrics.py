"""Evaluation metrics for the purchase (classifier) and value (regressor) models.

Every function is pure. Dict results hold plain Python numbers rounded to 6 decimals with NaN
turned into None, so they can go straight into Dagster metadata or JSON; metrics that are
undefined for the input (AUC with one class, Spearman of a constant) are None, not exceptions,
because a small tenant must still get an evaluation report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import spearmanr
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

DECIMALS = 6


def _clean(value: Any) -> float | None:
    """A JSON-safe float: numpy scalars become Python floats, NaN/inf become None."""
    if value is None:
        return None
    value = float(value)
    return round(value, DECIMALS) if math.isfinite(value) else None


def _pair(y_true: ArrayLike, other: ArrayLike, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Both inputs as 1-d float arrays of the same non-zero length, with finite values."""
    y = np.asarray(y_true, dtype=float).ravel()
    x = np.asarray(other, dtype=float).ravel()
    if y.shape != x.shape:
        raise ValueError(f"y_true has {y.size} rows but {name} has {x.size}")
    if y.size == 0:
        raise ValueError("cannot evaluate on zero rows")
    if not (np.isfinite(y).all() and np.isfinite(x).all()):
        raise ValueError(f"y_true and {name} must not contain NaN or infinity")
    return y, x


def classification_metrics(y_true: ArrayLike, probability: ArrayLike,
                           threshold: float = 0.5) -> dict[str, Any]:
    """Threshold metrics at `threshold`, ranking metrics (ROC AUC, average precision) and Brier.

    Keys: accuracy, precision, recall, f1, roc_auc, pr_auc, brier, positives, n, base_rate,
    plus "note" when y_true holds a single class (roc_auc and pr_auc are then None).
    """
    y, p = _pair(y_true, probability, "probability")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y_true must be 0/1")
    y = y.astype(int)
    predicted = (p >= threshold).astype(int)
    two_classes = np.unique(y).size == 2
    out: dict[str, Any] = {
        "accuracy": _clean(accuracy_score(y, predicted)),
        # zero_division=0: no predicted positives means no correct positive predictions.
        "precision": _clean(precision_score(y, predicted, zero_division=0)),
        "recall": _clean(recall_score(y, predicted, zero_division=0)),
        "f1": _clean(f1_score(y, predicted, zero_division=0)),
        "roc_auc": _clean(roc_auc_score(y, p)) if two_classes else None,
        "pr_auc": _clean(average_precision_score(y, p)) if two_classes else None,
        "brier": _clean(np.mean((p - y) ** 2)),
        "positives": int(y.sum()),
        "n": int(y.size),
        "base_rate": _clean(y.mean()),
    }
    if not two_classes:
        out["note"] = (f"y_true has only class {int(y[0])}: "
                       "roc_auc and pr_auc are undefined")
    return out


def _gini(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Area between the diagonal and the Lorenz curve of `actual` sorted by `predicted`, descending.

    Rows with tied predictions form one segment of the curve (a straight line), which equals
    averaging over every order of the tie: a constant prediction scores 0 instead of whatever
    the input order happens to give. Without ties this is the usual Kaggle formula.
    """
    total = actual.sum()
    if total == 0:
        return math.nan
    # np.unique sorts ascending, so negate to walk from the highest prediction down.
    values, inverse = np.unique(-predicted, return_inverse=True)
    counts = np.bincount(inverse, minlength=values.size)
    sums = np.bincount(inverse, weights=actual, minlength=values.size)
    x = np.concatenate(([0.0], np.cumsum(counts) / actual.size))
    y = np.concatenate(([0.0], np.cumsum(sums) / total))
    area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))
    return area - 0.5


def normalized_gini(y_true: ArrayLike, predicted: ArrayLike) -> float:
    """Gini of the predicted ordering over the Gini of the perfect ordering.

    1 = predictions rank customers exactly as their actual values, 0 = no better than random,
    negative = worse than random. NaN when undefined (actual values all equal or summing to 0).
    """
    y, p = _pair(y_true, predicted, "predicted")
    perfect = _gini(y, y)
    if not math.isfinite(perfect) or perfect == 0:
        return math.nan
    return _gini(y, p) / perfect


def regression_metrics(y_true: ArrayLike, predicted: ArrayLike) -> dict[str, Any]:
    """Error, ranking and calibration-in-total metrics for the value model.

    Keys: rmse, mae, r2, mape_buyers (mean |error| / actual as a fraction, over rows with
    actual > 0 only, since non-buyers have no percentage error), spearman, normalized_gini,
    predicted_total, actual_total, total_ratio, n, buyers.
    """
    y, p = _pair(y_true, predicted, "predicted")
    error = p - y
    buyers = y > 0
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    # Spearman is undefined for a constant input; check first rather than let scipy warn.
    constant = np.ptp(y) == 0 or np.ptp(p) == 0
    actual_total, predicted_total = float(y.sum()), float(p.sum())
    return {
        "rmse": _clean(np.sqrt(np.mean(error**2))),
        "mae": _clean(np.mean(np.abs(error))),
        "r2": _clean(1 - np.sum(error**2) / ss_tot) if ss_tot > 0 else None,
        "mape_buyers": (_clean(np.mean(np.abs(error[buyers]) / y[buyers]))
                        if buyers.any() else None),
        "spearman": None if constant else _clean(spearmanr(y, p).statistic),
        "normalized_gini": _clean(normalized_gini(y, p)),
        "predicted_total": _clean(predicted_total),
        "actual_total": _clean(actual_total),
        "total_ratio": _clean(predicted_total / actual_total) if actual_total != 0 else None,
        "n": int(y.size),
        "buyers": int(buyers.sum()),
    }


def decile_table(y_true: ArrayLike, score: ArrayLike, deciles: int = 10) -> pd.DataFrame:
    """Customers sorted by score (highest first) cut into `deciles` groups of near-equal size.

    Columns: decile (1 = highest scores), customers, mean_score, actual_rate (mean y_true),
    lift (actual_rate / overall mean), cumulative_capture (share of total y_true so far).
    Ties keep their input order (stable sort) so the table is reproducible. With fewer rows
    than deciles the empty groups are left out; lift and capture are NaN when y_true sums to 0.
    """
    if deciles < 1:
        raise ValueError("deciles must be at least 1")
    y, s = _pair(y_true, score, "score")
    order = np.argsort(-s, kind="stable")
    overall, total = y.mean(), y.sum()
    rows, captured = [], 0.0
    for number, index in enumerate(np.array_split(order, deciles), start=1):
        if index.size == 0:
            continue
        captured += y[index].sum()
        rate = y[index].mean()
        rows.append({
            "decile": number,
            "customers": int(index.size),
            "mean_score": s[index].mean(),
            "actual_rate": rate,
            "lift": rate / overall if overall != 0 else math.nan,
            "cumulative_capture": captured / total if total != 0 else math.nan,
        })
    # Rounding makes the last cumulative_capture exactly 1.0 despite float summation.
    return pd.DataFrame(rows).round(DECIMALS)


def roc_points(y_true: ArrayLike, probability: ArrayLike,
               max_points: int = 200) -> dict[str, list[float]]:
    """ROC curve as {"fpr": [...], "tpr": [...]}, at most `max_points` long, from (0,0) to (1,1).

    Evenly spaced points along sklearn's curve are kept, always including both ends, so the
    result is small enough for metadata. Empty lists when y_true holds a single class.
    """
    if max_points < 2:
        raise ValueError("max_points must be at least 2 (the two ends)")
    y, p = _pair(y_true, probability, "probability")
    if np.unique(y).size < 2:
        return {"fpr": [], "tpr": []}
    fpr, tpr, _ = roc_curve(y, p)
    if fpr.size > max_points:
        keep = np.unique(np.round(np.linspace(0, fpr.size - 1, max_points)).astype(int))
        fpr, tpr = fpr[keep], tpr[keep]
    return {"fpr": [round(float(v), DECIMALS) for v in fpr],
            "tpr": [round(float(v), DECIMALS) for v in tpr]}


def _number(value: Any) -> float | None:
    try:
        return _clean(value)
    except (TypeError, ValueError):
        return None


def _fmt(value: float | None) -> str:
    if value is None:
        return "None"
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def beats_baseline(model: Mapping[str, Any], baselines: Mapping[str, Mapping[str, Any]],
                   metric: str, *, higher_is_better: bool = True,
                   margin: float = 0.0) -> tuple[bool, str]:
    """Whether the model's `metric` beats every baseline's by more than `margin`, and why.

    A missing or None value on either side counts as not beating: an honest report does not
    claim a win it cannot show. No baselines at all is also not a win, for the same reason.
    """
    mine = _number(model.get(metric))
    head = f"{metric} {_fmt(mine)}"
    if not baselines:
        return False, f"{head} has no baselines to beat"
    if mine is None:
        listed = _join([f"{name} {_fmt(_number(b.get(metric)))}"
                        for name, b in baselines.items()])
        return False, f"{metric} is None for the model, so it does not beat {listed}"
    beaten, lost = [], []
    for name, baseline in baselines.items():
        theirs = _number(baseline.get(metric))
        wins = theirs is not None and (mine > theirs + margin if higher_is_better
                                       else mine < theirs - margin)
        (beaten if wins else lost).append(f"{name} {_fmt(theirs)}")
    by = f" by more than {_fmt(margin)}" if margin > 0 else ""
    if lost:
        return False, f"{head} does not beat {_join(lost)}{by}"
    return True, f"{head} beats {_join(beaten)}{by}"

"""Training sets built by time: features as of a cutoff, labels from the window after it.

Features come from dbt (`customer_features_at_cutoffs`: every feature recomputed from orders
and refunds on or before each cutoff), labels from the counted orders after the cutoff
(`feature_orders`). A cutoff is only usable for training when its whole label window lies
inside the data, i.e. cutoff + window <= the reference date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

NUMERIC_FEATURES = (
    "recency_days", "frequency", "monetary", "tenure_days", "average_order_value",
    "interpurchase_days_mean", "interpurchase_days_std", "interpurchase_days_min",
    "interpurchase_days_max", "refund_rate", "refunded_order_share", "discount_usage",
    "top_category_share", "r_score", "f_score", "m_score",
)
# Ratios a buy-till-you-die model reasons with; trees find them hard to build from the parts.
DERIVED_FEATURES = ("purchase_rate", "average_gap_days", "recency_to_gap")
CATEGORICAL_FEATURES = ("top_category",)
FEATURES = NUMERIC_FEATURES + DERIVED_FEATURES + CATEGORICAL_FEATURES


class NotTrainable(Exception):
    """Too little data to train honestly; the message says what is missing."""


@dataclass
class TrainingSet:
    cutoff_date: date
    window_days: int
    profile_ids: pd.Index
    X: pd.DataFrame
    churned: pd.Series  # 1 = no counted order within the window after the cutoff
    window_value: pd.Series  # net revenue of the orders placed within the window

    def __len__(self) -> int:
        return len(self.profile_ids)


def model_matrix(features: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    """Feature columns in a fixed order and dtype; categories fixed at training time so a
    category first seen when scoring is unknown (NaN) rather than silently renumbered."""
    X = features[list(NUMERIC_FEATURES)].apply(pd.to_numeric, errors="coerce").astype("float64")
    # Orders per day of tenure (a month's floor keeps one-order newcomers finite); the mean gap
    # between first and last order; how many of those gaps have passed since the last order.
    X["purchase_rate"] = X["frequency"] / (X["tenure_days"] + 30.0)
    repeat = X["frequency"] > 1
    X["average_gap_days"] = ((X["tenure_days"] - X["recency_days"]) / (X["frequency"] - 1)).where(repeat)
    X["recency_to_gap"] = X["recency_days"] / X["average_gap_days"].clip(lower=1.0)
    for name in CATEGORICAL_FEATURES:
        values = features[name].astype("object")
        X[name] = pd.Categorical(values.where(values.isin(categories)), categories=categories)
    return X.set_axis(features["profile_id"].astype(str).to_numpy())


def category_levels(features: pd.DataFrame) -> list[str]:
    return sorted(features[CATEGORICAL_FEATURES[0]].dropna().astype(str).unique().tolist())


def orders_between(orders: pd.DataFrame, after: date, until: date) -> pd.DataFrame:
    """The orders placed on a day in (after, until]."""
    # Compared as numpy days: the same answer as datetime.date objects, ~5x faster at 400k orders.
    days = pd.to_datetime(orders["order_date"]).to_numpy().astype("datetime64[D]")
    return orders[(days > np.datetime64(after, "D")) & (days <= np.datetime64(until, "D"))]


def window_outcomes(orders: pd.DataFrame, cutoff: date, window_days: int) -> pd.DataFrame:
    """Per profile: orders and net revenue placed in (cutoff, cutoff + window]."""
    inside = orders_between(orders, cutoff, cutoff + timedelta(days=window_days))
    grouped = inside.groupby(inside["profile_id"].astype(str))
    return pd.DataFrame({"orders": grouped.size(),
                         "net_revenue": grouped["net_revenue"].sum().astype("float64")})


def cutoff_date_of(features_at_cutoffs: pd.DataFrame, offset_days: int) -> date | None:
    rows = features_at_cutoffs[features_at_cutoffs["cutoff_offset_days"] == offset_days]
    return pd.Timestamp(rows["cutoff_date"].iloc[0]).date() if len(rows) else None


def build_training_set(features_at_cutoffs: pd.DataFrame, orders: pd.DataFrame,
                       offset_days: int, window_days: int, categories: list[str]) -> TrainingSet:
    """Profiles with an order on or before the cutoff `offset_days` before the reference date,
    labelled by the `window_days` after it."""
    if offset_days < window_days:
        raise ValueError(f"a cutoff {offset_days} days back cannot be labelled by a {window_days}-day window")
    rows = features_at_cutoffs[features_at_cutoffs["cutoff_offset_days"] == offset_days]
    if rows.empty:
        raise NotTrainable(f"no features at the cutoff {offset_days} days before the reference date "
                           "(no customer had ordered by then, or dbt ran without that cutoff offset)")
    cutoff = pd.Timestamp(rows["cutoff_date"].iloc[0]).date()
    rows = rows.sort_values("profile_id", kind="stable")
    X = model_matrix(rows, categories)
    outcomes = window_outcomes(orders, cutoff, window_days).reindex(X.index)
    bought = outcomes["orders"].fillna(0).to_numpy()
    return TrainingSet(cutoff, window_days, X.index, X,
                       pd.Series((bought == 0).astype(np.int8), index=X.index, name="churned"),
                       pd.Series(outcomes["net_revenue"].fillna(0.0).to_numpy(), index=X.index,
                                 name="window_value"))


def check_customers(features_at_cutoffs: pd.DataFrame, minimum: int) -> None:
    """The tenant's size today, checked first so a small tenant hears the real reason."""
    now = int((features_at_cutoffs["cutoff_offset_days"] == 0).sum())
    if now < minimum:
        raise NotTrainable(f"{now} customers have ordered, fewer than the minimum of {minimum}")


def history_days(orders: pd.DataFrame, reference_date: date) -> int:
    if orders.empty:
        return 0
    return (reference_date - pd.to_datetime(orders["order_date"]).min().date()).days


def check_history(orders: pd.DataFrame, reference_date: date, window_days: int) -> None:
    """Training one window back and testing forward in time needs two whole windows of history."""
    span = history_days(orders, reference_date)
    if span < 2 * window_days:
        raise NotTrainable(f"the order history spans {span} days, shorter than the 2 x {window_days} "
                           "days needed to train one window back and test forward in time")


def holdout_split(index: pd.Index, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A random held-out share of customers; the same customers for the same ids and seed."""
    rng = np.random.default_rng(seed)
    test = rng.random(len(index)) < share
    return np.flatnonzero(~test), np.flatnonzero(test)

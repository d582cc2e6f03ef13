"""A synthetic transaction log from a buy-till-you-die process, and features at cutoffs
computed from it the way dbt defines them (only what the model tests need), so the model
code is tested without building a warehouse."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

REFERENCE = date(2026, 6, 30)


def transaction_log(customers: int, seed: int, days: int = 730) -> pd.DataFrame:
    """profile_id, order_date, total_price, net_revenue: each customer buys at their own rate
    and may drop out after any purchase, so recency and frequency both carry signal."""
    rng = np.random.default_rng(seed)
    rows = []
    start = REFERENCE - timedelta(days=days)
    for c in range(customers):
        rate = rng.gamma(1.0, 1 / 40)  # purchases per day
        dropout = rng.beta(1.0, 4.0)
        spend = rng.lognormal(3.5, 0.6)
        day = rng.uniform(0, days)
        while day <= days:
            rows.append((f"p{c:05d}", start + timedelta(days=int(day)), round(spend * rng.uniform(0.7, 1.3), 2)))
            if rng.random() < dropout:
                break
            day += rng.exponential(1 / rate)
    log = pd.DataFrame(rows, columns=["profile_id", "order_date", "total_price"])
    return log.assign(net_revenue=log["total_price"])


def features_at(log: pd.DataFrame, cutoff: date, offset: int) -> pd.DataFrame:
    seen = log[log["order_date"] <= cutoff]
    g = seen.groupby("profile_id")
    out = pd.DataFrame({
        "recency_days": g["order_date"].max().map(lambda d: (cutoff - d).days),
        "frequency": g.size(),
        "monetary": g["net_revenue"].sum(),
        "tenure_days": g["order_date"].min().map(lambda d: (cutoff - d).days),
    }).reset_index()
    out["average_order_value"] = out["monetary"] / out["frequency"]
    for name in ("interpurchase_days_mean", "interpurchase_days_std", "interpurchase_days_min",
                 "interpurchase_days_max", "refund_rate", "refunded_order_share", "discount_usage",
                 "top_category_share"):
        out[name] = np.nan
    out["top_category"] = np.where(out["frequency"] > 1, "Apparel", "Home")
    for score, column, ascending in (("r_score", "recency_days", False), ("f_score", "frequency", True),
                                     ("m_score", "monetary", True)):
        ranks = out[column].rank(method="first", ascending=ascending)
        out[score] = np.ceil(ranks * 5 / len(out)).astype(int)
    return out.assign(cutoff_offset_days=offset, cutoff_date=cutoff, reference_date=REFERENCE)


def features_at_cutoffs(log: pd.DataFrame, offsets: list[int]) -> pd.DataFrame:
    return pd.concat([features_at(log, REFERENCE - timedelta(days=o), o) for o in offsets],
                     ignore_index=True)

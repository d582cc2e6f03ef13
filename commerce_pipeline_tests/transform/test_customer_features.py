"""Features as of a reference date, against an independent pandas computation from the store's
raw records; and leakage safety: orders and refunds after the date never change them."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from commerce_pipeline_tests.transform.conftest import EARLIER, gid_number, raw_orders

# The RFM rule grid, restated from the documented table: rows R 5..1, columns FM 1..5.
GRID = {
    5: ["New", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
    4: ["Promising", "Potential Loyalist", "Potential Loyalist", "Loyal", "Loyal"],
    3: ["About to Sleep", "About to Sleep", "Need Attention", "Loyal", "Loyal"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    1: ["Lost", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
}


def quintiles(values: pd.Series, descending: bool = False) -> pd.Series:
    """ntile(5): sort by value (then profile id), cut into 5 groups, the first n % 5 one larger."""
    frame = values.rename("v").reset_index()
    frame = frame.sort_values(["v", "profile_id"], ascending=[not descending, True])
    scores = np.concatenate([np.full(len(chunk), i + 1) for i, chunk in enumerate(np.array_split(frame.index, 5))])
    return pd.Series(scores, index=frame.profile_id.values).sort_index()


def expected_features(store, members: dict, reference_date) -> pd.DataFrame:
    orders = raw_orders(store, members)
    orders = orders[orders.counted & (orders.order_date <= reference_date)].copy()
    orders["refunded_by_then"] = orders.refunds.apply(lambda rs: sum(a for d, a in rs if d <= reference_date))
    category = {gid_number(p["id"]): (p.get("category") or {}).get("name") or "Uncategorized"
                for p in store.records("products")}
    rows = {}
    for profile, own in orders.groupby("profile_id"):
        days = sorted(own.order_date)
        gaps = np.diff([d.toordinal() for d in days])
        spend = pd.Series([t for lines in own.lines for _, _, t in lines],
                          index=[category[p] for lines in own.lines for p, _, _ in lines]).groupby(level=0).sum()
        top = sorted(spend.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        rows[profile] = {
            "recency_days": (reference_date - days[-1]).days, "frequency": len(own),
            "monetary": (own.total - own.refunded_by_then).sum(), "tenure_days": (reference_date - days[0]).days,
            "average_order_value": own.total.mean(),
            "refund_rate": own.refunded_by_then.sum() / own.total.sum(),
            "refunded_order_share": (own.refunded_by_then > 0).mean(), "discount_usage": (own.discounts > 0).mean(),
            "interpurchase_days_mean": gaps.mean() if len(gaps) else np.nan,
            "interpurchase_days_std": gaps.std() if len(gaps) else np.nan,
            "interpurchase_days_min": gaps.min() if len(gaps) else np.nan,
            "interpurchase_days_max": gaps.max() if len(gaps) else np.nan,
            "top_category": top[0], "top_category_share": top[1] / spend.sum(),
        }
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("profile_id").sort_index()
    out["r_score"] = quintiles(out.recency_days, descending=True)
    out["f_score"] = quintiles(out.frequency)
    out["m_score"] = quintiles(out.monetary)
    fm = np.floor((out.f_score + out.m_score + 1) / 2).astype(int)
    out["rfm_segment"] = [GRID[r][f - 1] for r, f in zip(out.r_score, fm)]
    return out


def assert_features_match(actual: pd.DataFrame, expected: pd.DataFrame):
    actual = actual.set_index("profile_id").sort_index()
    assert list(actual.index) == list(expected.index)
    for column in expected.columns:
        got, want = actual[column], expected[column]
        if not pd.api.types.is_numeric_dtype(want):
            assert got.tolist() == want.tolist(), column
        else:
            # money is stored with 4 decimals; ratios and day statistics are doubles
            tolerance = 1e-4 if column in ("monetary", "average_order_value") else 1e-9
            assert got.astype(float).values == pytest.approx(want.astype(float).values, abs=tolerance, nan_ok=True), column


@pytest.fixture(scope="module")
def features(duckdb_store) -> pd.DataFrame:
    return duckdb_store.table("customer_features")


def test_reference_date_defaults_to_the_latest_counted_order_date(duckdb_store, features):
    orders = raw_orders(duckdb_store.store, duckdb_store.members())
    latest = orders.loc[orders.counted, "order_date"].max()
    assert set(pd.to_datetime(features.reference_date).dt.date) == {latest}


def test_features_match_an_independent_computation_from_raw_orders(duckdb_store, features):
    orders = raw_orders(duckdb_store.store, duckdb_store.members())
    latest = orders.loc[orders.counted, "order_date"].max()
    expected = expected_features(duckdb_store.store, duckdb_store.members(), latest)
    assert expected.interpurchase_days_mean.notna().any() and expected.interpurchase_days_mean.isna().any()
    assert_features_match(features, expected)


def test_rfm_scores_are_quintiles_of_near_equal_size(features):
    n = len(features)
    for column in ("r_score", "f_score", "m_score"):
        sizes = features[column].value_counts().sort_index()
        assert list(sizes.index) == [1, 2, 3, 4, 5]
        assert sizes.tolist() == [len(c) for c in np.array_split(range(n), 5)]


def test_more_recent_buyers_never_get_a_lower_r_score(features):
    ordered = features.sort_values(["recency_days", "r_score"])
    assert ordered.r_score.is_monotonic_decreasing


def copy_children(con, parents: str, suffix: str, id_offset: int = 0):
    """Copy the line items, refunds and discount codes of the order versions in `parents` to the
    versions whose _dlt_id is theirs + `suffix` (children belong to one version of an order)."""
    for child in ("line_items", "refunds", "discount_codes"):
        new_id = f"id + {id_offset} as id, " if child != "discount_codes" else ""
        con.execute(f"""insert into shopify_orders__{child} select * replace ({new_id}
            _dlt_parent_id || '{suffix}' as _dlt_parent_id, _dlt_id || '{suffix}' as _dlt_id)
            from shopify_orders__{child} where _dlt_parent_id in (select _dlt_id from {parents})""")


def add_later_orders_and_refunds(built, reference_date: str) -> int:
    """Append, as later syncs would: copies of recent customer orders dated 200 days on, and a new
    version of five older orders refunded 10 days after the reference date."""
    date = f"timestamptz '{reference_date}'"
    con = duckdb.connect(str(built.warehouse.duckdb_path))
    try:
        con.execute(f"set schema '{built.warehouse.schema}'")
        con.execute(f"""create temp table later as select * from shopify_orders
            where customer_id is not null and cancelled_at is null
              and created_at between {date} - interval 60 day and {date}""")
        con.execute("""insert into shopify_orders select * replace (id + 1000000000000 as id,
            created_at + interval 200 day as created_at, processed_at + interval 200 day as processed_at,
            updated_at + interval 200 day as updated_at, _dlt_id || '-later' as _dlt_id) from later""")
        copy_children(con, "later", "-later", id_offset=1000000000000)
        con.execute(f"""create temp table refunded as select * from shopify_orders
            where customer_id is not null and cancelled_at is null and created_at < {date} - interval 30 day
            qualify count(*) over (partition by id) = 1 order by id limit 5""")
        con.execute(f"""insert into shopify_orders select * replace (
            greatest(updated_at, {date} + interval 10 day) + interval 1 second as updated_at,
            coalesce(total_refunded, 0) + 7.5 as total_refunded, _dlt_id || '-v2' as _dlt_id) from refunded""")
        copy_children(con, "refunded", "-v2")
        con.execute(f"""insert into shopify_orders__refunds (id, created_at, note, total_refunded, _dlt_parent_id, _dlt_list_idx, _dlt_id)
            select id + 2000000000000, {date} + interval 10 day, 'late return', 7.5, _dlt_id || '-v2', 99, _dlt_id || '-late'
            from refunded""")
        return len(con.execute("select * from later").fetchall())
    finally:
        con.close()


def test_features_at_an_earlier_date_ignore_orders_and_refunds_after_it(leakage_store,
                                                                       features_as_of_earlier):
    before = features_as_of_earlier
    cutoff = pd.Timestamp(EARLIER).date()
    assert_features_match(before, expected_features(leakage_store.store, leakage_store.members(), cutoff))

    assert add_later_orders_and_refunds(leakage_store, EARLIER) > 0
    assert leakage_store.build_models(reference_date=EARLIER).success
    after = leakage_store.table("customer_features").sort_values("profile_id", ignore_index=True)
    pd.testing.assert_frame_equal(before, after)

    # the additions are really there: the default reference date moves to the latest copied order
    late = "select count(*) as n from stg_shopify__refunds where note = 'late return'"
    assert leakage_store.frame(late).n[0] == 5
    assert leakage_store.build_models().success
    moved = leakage_store.frame("select reference_date from feature_reference_date").reference_date[0]
    assert pd.Timestamp(moved).date() > pd.Timestamp("2026-06-30").date()

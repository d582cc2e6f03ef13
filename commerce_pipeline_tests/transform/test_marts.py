"""Commerce marts against an independent pandas computation from the store's raw records:
cancelled and test orders (and refunds of them) never count."""

from __future__ import annotations

import pandas as pd
import pytest

from commerce_pipeline_tests.transform.conftest import gid_number, raw_orders


@pytest.fixture(scope="module")
def orders(duckdb_store) -> pd.DataFrame:
    return raw_orders(duckdb_store.store, duckdb_store.members())


@pytest.fixture(scope="module")
def daily(duckdb_store) -> pd.DataFrame:
    frame = duckdb_store.table("daily_commerce_metrics")
    frame["metric_date"] = pd.to_datetime(frame.metric_date).dt.date
    return frame.set_index("metric_date").sort_index()


def expected_daily(orders: pd.DataFrame) -> pd.DataFrame:
    counted = orders[orders.counted].copy()
    counted["first_date"] = counted.groupby("profile_id").order_date.transform("min")
    by_day = counted.groupby("order_date").agg(
        orders=("order_id", "count"), gross_revenue=("total", "sum"), discounts=("discounts", "sum"),
        customers=("profile_id", "nunique"))
    by_day["new_customers"] = counted[counted.order_date == counted.first_date].groupby("order_date").profile_id.nunique()
    by_day["returning_customers"] = counted[counted.order_date > counted.first_date].groupby("order_date").profile_id.nunique()
    refunds = pd.DataFrame([r for rs in counted.refunds for r in rs], columns=["day", "amount"])
    refund_days = refunds.groupby("day").agg(refund_count=("amount", "count"), refunds=("amount", "sum"))
    out = by_day.join(refund_days, how="outer").fillna(0)
    out["net_revenue"] = out.gross_revenue - out.refunds
    return out.rename_axis("metric_date").sort_index()


def test_daily_metrics_match_the_raw_orders_and_refunds(daily, orders):
    expected = expected_daily(orders)
    assert list(daily.index) == list(expected.index)
    for column in ("orders", "customers", "new_customers", "returning_customers", "refund_count"):
        assert daily[column].tolist() == expected[column].astype(int).tolist(), column
    for column in ("gross_revenue", "discounts", "refunds", "net_revenue"):
        assert daily[column].astype(float).values == pytest.approx(expected[column].values, abs=1e-6), column
    assert expected.returning_customers.sum() > 0 and expected.refunds.sum() > 0


def test_daily_average_order_value_is_gross_revenue_per_order(daily):
    with_orders = daily[daily.orders > 0]
    aov = (with_orders.gross_revenue.astype(float) / with_orders.orders).values
    assert with_orders.average_order_value.astype(float).values == pytest.approx(aov, abs=1e-4)
    assert daily.loc[daily.orders == 0, "average_order_value"].isna().all()


def test_each_profile_is_new_exactly_once(daily, orders):
    assert daily.new_customers.sum() == orders.loc[orders.counted, "profile_id"].nunique()


def test_cancelled_orders_and_their_refunds_are_left_out_of_the_daily_numbers(daily, orders):
    cancelled = orders[~orders.counted]
    assert len(cancelled) > 0 and any(cancelled.refunds.apply(len))
    every_order = orders.groupby("order_date").order_id.count()
    assert daily.orders.sum() == orders.counted.sum() < every_order.sum()
    all_refunds = sum(a for rs in orders.refunds for _, a in rs)
    assert float(daily.refunds.sum()) < all_refunds


def test_top_customers_rank_profiles_by_lifetime_value(duckdb_store, orders):
    top = duckdb_store.table("top_customers").sort_values("ltv_rank")
    counted = orders[orders.counted]
    ltv = (counted.total - counted.refunded).groupby(counted.profile_id).sum().reset_index(name="ltv")
    ltv = ltv.sort_values(["ltv", "profile_id"], ascending=[False, True]).head(100)
    assert top.profile_id.tolist() == ltv.profile_id.tolist()
    assert top.lifetime_value.astype(float).values == pytest.approx(ltv.ltv.values, abs=1e-6)
    assert top.ltv_rank.tolist() == list(range(1, len(ltv) + 1))


def test_top_products_rank_by_revenue_and_by_units(duckdb_store, orders):
    top = duckdb_store.table("top_products").set_index("shopify_product_id").sort_index()
    lines = pd.DataFrame([line for ls in orders.loc[orders.counted, "lines"] for line in ls],
                         columns=["product", "quantity", "total"])
    sales = lines.groupby("product").agg(units=("quantity", "sum"), revenue=("total", "sum"))
    revenue_rank = sales.reset_index().sort_values(["revenue", "product"], ascending=[False, True])["product"]
    units_rank = sales.reset_index().sort_values(["units", "product"], ascending=[False, True])["product"]
    listed = sorted(set(revenue_rank.head(50)) | set(units_rank.head(50)))
    assert list(top.index) == listed
    assert top.units.tolist() == sales.loc[listed, "units"].tolist()
    assert top.revenue.astype(float).values == pytest.approx(sales.loc[listed, "revenue"].values, abs=1e-6)
    ranks = {p: i + 1 for i, p in enumerate(revenue_rank)}
    assert top.revenue_rank.to_dict() == {p: ranks[p] for p in listed}
    titles = {gid_number(p["id"]): p["title"] for p in duckdb_store.store.records("products")}
    assert top.title.to_dict() == {p: titles[p] for p in listed}

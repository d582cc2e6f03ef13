"""A large first sync runs as consecutive bulk operations over updated_at windows, and loads
exactly what one operation would."""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime, timedelta

import dlt
import pytest

from commerce_pipeline.ingest.shopify.bulk_windows import (
    LAST_SHARE, AdaptiveWindows, next_window_records, split_windows, window_count,
)
from commerce_pipeline.ingest.shopify.client import ShopifyConnection, ShopifyGraphQLClient
from commerce_pipeline.ingest.shopify.source import SyncReport, shopify_source
from commerce_pipeline.simulator import SimulatorServer, generate_store


def test_windows_cover_the_sync_window_once_in_order():
    windows = split_windows(None, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 5, tzinfo=UTC), 4)
    assert windows == [(None, "2024-01-02T00:00:00Z"), ("2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"),
                       ("2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z"), ("2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z")]


def test_a_later_sync_keeps_its_cursor_as_the_first_lower_bound():
    windows = split_windows("2023-12-31T10:00:00Z", datetime(2024, 1, 1, tzinfo=UTC),
                            datetime(2024, 1, 3, tzinfo=UTC), 2)
    assert windows[0][0] == "2023-12-31T10:00:00Z" and windows[-1][1] == "2024-01-03T00:00:00Z"


def test_a_span_shorter_than_a_second_per_window_is_one_window():
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    assert split_windows(None, moment, moment, 8) == [(None, "2024-01-01T00:00:00Z")]


@pytest.mark.parametrize("records,expected", [(0, 1), (1, 1), (20_000, 1), (20_001, 2), (10**7, 8)])
def test_window_count_grows_with_the_store_up_to_a_limit(records, expected):
    assert window_count(records) == expected


@pytest.fixture
def served(tmp_path):
    store = generate_store("windows-store", seed=3, customers=300)
    with SimulatorServer([store], data_dir=tmp_path / "sim", bucket_size=10**6, restore_rate=1e6) as server:
        yield server, store


def test_the_simulator_counts_matching_records_like_shopify(served):
    server, store = served
    client = ShopifyGraphQLClient(ShopifyConnection("w", server.graphql_url(store.shop), store.access_token))
    data = client.execute("{ ordersCount(limit: null) { count precision } "
                          "capped: ordersCount(limit: 10) { count precision } "
                          "recent: ordersCount(query: \"updated_at:>'2999-01-01'\") { count } }", operation="count")
    assert data["ordersCount"] == {"count": store.count("orders"), "precision": "EXACT"}
    assert data["capped"] == {"count": 10, "precision": "AT_LEAST"}
    assert data["recent"] == {"count": 0}


def _sync(server, store, tmp_path, name: str, **options) -> dict[str, list[int]]:
    connection = ShopifyConnection("w", server.graphql_url(store.shop), store.access_token)
    source = shopify_source(connection, sync_lag_seconds=0, mode="bulk", report=SyncReport(),
                            bulk_poll_interval=0.01, **options)
    pipeline = dlt.pipeline(pipeline_name=name, pipelines_dir=str(tmp_path / "dlt"),
                            destination=dlt.destinations.duckdb(str(tmp_path / f"{name}.duckdb")),
                            dataset_name="raw")
    pipeline.run(source, loader_file_format="parquet").raise_on_failed_jobs()
    with pipeline.sql_client() as sql:
        return {table: sorted(row[0] for row in sql.execute_sql(f"select id from {table}"))
                for table in ("shopify_orders", "shopify_customers", "shopify_orders__line_items")}


def test_windowed_bulk_sync_loads_exactly_what_one_operation_loads(served, tmp_path):
    server, store = served
    one = _sync(server, store, tmp_path, "one")
    before = server.stats(store.shop)["bulk_operations"]
    windowed = _sync(server, store, tmp_path, "windowed", bulk_window_records=100)
    operations = server.stats(store.shop)["bulk_operations"] - before
    assert windowed == one
    assert len(one["shopify_orders"]) == store.count("orders")
    # orders and customers are split (more than 100 each), products (30) are not
    assert operations > 3


def _growing_stamps(records: int) -> list[str]:
    """updatedAt stamps of a shop whose activity grows (a record every 1000 s at first, every
    10 s at the end) and then stops, months before the sync."""
    stamps, moment = [], datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(records):
        moment += timedelta(seconds=1000 - 990 * i // records)
        stamps.append(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return stamps


def _run_windows(stamps: list[str], after: str | None, upto: str, parts: int) -> list[tuple]:
    """(lower, upper, records) of each window, the shop's counts fed back as a runner does."""
    matching = [s for s in stamps if (after is None or s > after) and s <= upto]
    windows = AdaptiveWindows(after, upto, datetime.fromisoformat(matching[0]),
                              datetime.fromisoformat(matching[-1]), len(matching), parts)
    out = []
    for lower, upper in windows.windows():
        records = bisect_right(stamps, upper) - (bisect_right(stamps, lower) if lower else 0)
        windows.finished(records)
        out.append((lower, upper, records))
    return out


def test_adaptive_windows_cover_the_sync_window_once_in_order():
    stamps = _growing_stamps(50_000)
    after, upto = stamps[99], "2026-12-01T00:00:00Z"
    windows = _run_windows(stamps, after, upto, 8)
    assert windows[0][0] == after and windows[-1][1] == upto
    assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))
    assert sum(records for *_, records in windows) == len(stamps) - 100


def test_adaptive_windows_keep_the_last_window_small_and_none_empty():
    stamps = _growing_stamps(80_000)
    windows = _run_windows(stamps, None, "2026-12-01T00:00:00Z", 8)
    sizes = [records for *_, records in windows]
    # equal spans of time gave the growing end's windows most of the records, then empty ones
    equal_spans = split_windows(None, datetime.fromisoformat(stamps[0]),
                                datetime(2026, 12, 1, tzinfo=UTC), 8)
    assert any(bisect_right(stamps, upper) == bisect_right(stamps, lower or "") for lower, upper in equal_spans)
    assert min(sizes) > 0
    assert sizes[-1] <= 10_000 * LAST_SHARE * 1.2
    assert max(sizes) <= 10_000 * 1.6
    assert len(windows) <= 8 + 3


@pytest.mark.parametrize("remaining,expected", [(30_000, 10_000), (15_000, 7_500), (6_000, None), (0, None)])
def test_next_window_takes_a_full_window_then_halves_the_rest(remaining, expected):
    assert next_window_records(remaining, 10_000) == expected

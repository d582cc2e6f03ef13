"""The paginated path hands dlt the bulk path's batches, not a table per page: dlt checks a
yielded table's hints at a fixed cost per table (bench/RESULTS.md: ingestion alone)."""

import dlt

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.ingest.shopify.client import ShopifyConnection
from commerce_pipeline.ingest.shopify.source import SyncReport, shopify_source
from commerce_pipeline.simulator import SimulatorServer, generate_store


def _customer_tables(store, server, tmp_path) -> list[int]:
    """Rows of each Arrow table a paginated sync yields for the customers table."""
    connection = ShopifyConnection("batches", server.graphql_url(store.shop), store.access_token)
    report = SyncReport()
    source = shopify_source(connection, sync_lag_seconds=0, mode="pages", report=report)
    rows: list[int] = []
    customers = source.resources["shopify_customers"].add_map(
        lambda table: rows.append(table.num_rows) or table)
    pipeline = dlt.pipeline(pipeline_name="page_batches", pipelines_dir=str(tmp_path / "dlt"),
                            destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
                            dataset_name="raw")
    pipeline.extract(customers)
    assert report.mode["customers"] == "pages" and report.fetched["customers"] == sum(rows)
    return rows


def test_a_paginated_sync_yields_several_pages_of_customers_as_one_table(tmp_path):
    store = generate_store("batches", seed=3, customers=300)
    assert store.count("customers") > 2 * queries.PAGE_SIZE  # three pages at least
    with SimulatorServer([store], data_dir=tmp_path / "sim", bucket_size=1000,
                         restore_rate=20000.0) as server:
        assert _customer_tables(store, server, tmp_path) == [store.count("customers")]

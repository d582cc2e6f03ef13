"""`query_if_exists`: a query of a table that may not exist yet, over one read-only connection."""

from __future__ import annotations

import uuid

import pytest

from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.ingest.shopify.columns import column_hints
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.warehouse import query_if_exists
from commerce_pipeline_tests.helpers import drop_pg_schema

COLUMNS = column_hints(("key",), key="text")


@pytest.fixture(params=["duckdb", "postgres"])
def tenant(request, monkeypatch):
    """A tenant on each kind of warehouse (a fresh Postgres schema, dropped afterwards)."""
    name = f"w-{uuid.uuid4().hex[:8]}"
    if request.param == "duckdb":
        yield name
        return
    postgres_url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", postgres_url.replace("+psycopg2", ""))
    yield name
    drop_pg_schema(postgres_url, tenant_warehouse(name).schema)


def test_a_tenant_without_a_warehouse_has_no_table(tenant):
    assert query_if_exists(tenant_warehouse(tenant), "facts", "select key from facts") is None


def test_a_table_not_written_yet_gives_none_beside_one_that_was(tenant):
    write_tables(tenant, "facts", {"other": ([{"key": "a"}], "replace", COLUMNS)})
    assert query_if_exists(tenant_warehouse(tenant), "facts", "select key from facts") is None


def test_an_existing_table_gives_the_querys_columns_and_rows(tenant):
    write_tables(tenant, "facts", {"facts": ([{"key": "a"}, {"key": "b"}], "replace", COLUMNS)})
    assert query_if_exists(tenant_warehouse(tenant), "facts", "select key from facts order by key") == \
        (["key"], [("a",), ("b",)])

"""Derived tables written straight into the warehouse (ingest/table_writes.py) come out as a
dlt run made them, on DuckDB and Postgres, and a load is all or nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import dlt
import duckdb
import pytest

from commerce_pipeline.ingest.pipelines import _write_with_dlt, write_tables
from commerce_pipeline.ingest.shopify.columns import column_hints
from commerce_pipeline.ingest.table_writes import DLT_TYPES
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.warehouse import existing_tables, query_readonly
from commerce_pipeline_tests.helpers import drop_pg_schema

COLUMNS = column_hints(("key",), key="text", count="bigint", score="double", flag="bool", seen_at="timestamp")
ROWS = [
    {"key": "a", "count": 3, "score": 0.1, "flag": True, "seen_at": datetime(2025, 5, 1, 12, 30, 0, 123456, tzinfo=UTC)},
    {"key": "b", "count": None, "score": None, "flag": None, "seen_at": None},
    {"key": "", "count": -7, "score": 1e-300, "flag": False, "seen_at": datetime(2026, 1, 2, tzinfo=UTC)},
    {"key": 'q"u,o\nte', "count": 2**62, "score": -2.5e17, "flag": False, "seen_at": None},
]


def described(tenant: str, table: str) -> tuple[list, list]:
    """The table's columns (name, type, nullable) and rows without dlt's columns, and a check
    that every row's load is recorded in `_dlt_loads`."""
    warehouse = tenant_warehouse(tenant)
    _, columns = query_readonly(warehouse, "select column_name, data_type, is_nullable from information_schema.columns "
                                f"where table_schema = '{warehouse.schema}' and table_name = '{table}' "
                                "order by ordinal_position")
    _, rows = query_readonly(warehouse, f"select key, count, score, flag, seen_at from {table} order by key")
    _, unrecorded = query_readonly(warehouse, f"select count(*) from {table} where _dlt_load_id not in "
                                   "(select load_id from _dlt_loads where status = 0)")
    assert unrecorded == [(0,)]
    return columns, rows


@pytest.fixture
def on_postgres(postgres_url, monkeypatch):
    """Tenants' warehouses in Postgres; yields a list the test adds its tenants to, for cleanup."""
    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", postgres_url.replace("+psycopg2", ""))
    tenants: list[str] = []
    yield tenants
    for tenant in tenants:
        drop_pg_schema(postgres_url, tenant_warehouse(tenant).schema)


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
def test_column_types_are_the_ones_dlts_type_mapper_gives(kind):
    mapper = getattr(dlt.destinations, kind)().capabilities().get_type_mapper()
    table = {"name": "t", "columns": {}}
    assert DLT_TYPES[kind] == {data_type: mapper.to_destination_type({"name": "c", "data_type": data_type}, table)
                               for data_type in DLT_TYPES[kind]}


def test_a_postgres_table_comes_out_as_a_dlt_run_loads_it(on_postgres):
    direct, by_dlt = f"direct-{uuid.uuid4().hex[:8]}", f"bydlt-{uuid.uuid4().hex[:8]}"
    on_postgres += [direct, by_dlt]
    write_tables(direct, "facts", {"facts": (ROWS, "replace", COLUMNS)})
    _write_with_dlt(by_dlt, "facts", {"facts": (ROWS, "replace", COLUMNS)}, {"facts": None})
    assert described(direct, "facts") == described(by_dlt, "facts")


@pytest.mark.parametrize("warehouse", ["duckdb", "postgres"])
def test_replace_keeps_only_the_new_rows_and_append_adds_to_them(warehouse, request):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    if warehouse == "postgres":
        request.getfixturevalue("on_postgres").append(tenant)
    write_tables(tenant, "facts", {"facts": (ROWS, "replace", COLUMNS)})
    write_tables(tenant, "facts", {"facts": (ROWS[:1], "replace", COLUMNS)})
    write_tables(tenant, "facts", {"facts": (ROWS[1:2], "append", COLUMNS)})
    assert [row[0] for row in described(tenant, "facts")[1]] == ["a", "b"]


def test_no_rows_create_no_table_and_replacing_with_none_empties_one():
    write_tables("t1", "facts", {"empty": ([], "replace", COLUMNS), "facts": (ROWS, "replace", COLUMNS)})
    assert "empty" not in existing_tables(tenant_warehouse("t1"))
    write_tables("t1", "facts", {"facts": ([], "replace", COLUMNS)})
    assert described("t1", "facts")[1] == []


def test_a_failed_load_changes_no_table():
    write_tables("t2", "facts", {"facts": (ROWS, "replace", COLUMNS),
                                 "other": (ROWS, "replace", COLUMNS)})
    with pytest.raises(duckdb.ConstraintException):  # `key` is required
        write_tables("t2", "facts", {"facts": (ROWS[:1], "replace", COLUMNS),
                                     "other": ([{"key": None}], "replace", COLUMNS)})
    assert len(described("t2", "facts")[1]) == len(ROWS)


def test_rows_for_dlt_load_into_a_table_written_directly_and_back():
    write_tables("t3", "facts", {"facts": (ROWS, "replace", COLUMNS)})
    write_tables("t3", "facts", {"facts": ([{"key": "x", "seen_at": "2025-05-01T12:00:00Z"}], "append", COLUMNS)})
    write_tables("t3", "facts", {"facts": (ROWS[:1], "append", COLUMNS)})
    assert [row[0] for row in described("t3", "facts")[1]] == ["", "a", "a", "b", 'q"u,o\nte', "x"]

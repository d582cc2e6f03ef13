"""`write_tables` loads rows that fit their declared columns as Arrow, and the tables come out as
dlt's own normalizer made them from dicts (the way they were loaded before)."""

from __future__ import annotations

from datetime import UTC, datetime

import dlt
import duckdb
import pytest

from commerce_pipeline.column_rows import ColumnRows
from commerce_pipeline.ingest.pipelines import _as_arrow, write_tables
from commerce_pipeline.ingest.shopify.columns import column_hints
from commerce_pipeline.storage import tenant_warehouse

COLUMNS = column_hints(("key",), key="text", count="bigint", score="double", flag="bool", seen_at="timestamp")
ROWS = [
    {"key": "a", "count": 3, "score": 0.25, "flag": True, "seen_at": datetime(2025, 5, 1, 12, 30, tzinfo=UTC)},
    {"key": "b", "count": None, "score": None, "flag": None, "seen_at": None},
    {"key": "c", "count": -7, "score": 1e-9, "flag": False, "seen_at": datetime(2026, 1, 2, tzinfo=UTC)},
]


def table_as_loaded(path, table: str) -> tuple[list, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        schema = con.execute("select table_schema from information_schema.tables where table_name = ?",
                             [table]).fetchone()[0]
        columns = con.execute("select column_name, data_type, is_nullable from information_schema.columns "
                              "where table_name = ? order by ordinal_position", [table]).fetchall()
        rows = con.execute(f"select key, count, score, flag, seen_at from {schema}.{table} order by key").fetchall()
        loads = con.execute(f"select count(*) from {schema}.{table} t join {schema}._dlt_loads l "
                            "on t._dlt_load_id = l.load_id").fetchone()[0]
    finally:
        con.close()
    assert loads == len(rows)  # every row carries the id of a load dlt recorded
    return columns, rows


def test_rows_fitting_their_columns_load_as_dlts_normalizer_loads_them(tmp_path):
    write_tables("t1", "facts", {"facts": (ROWS, "replace", COLUMNS)})
    by_dicts = dlt.pipeline(pipeline_name="dicts", pipelines_dir=str(tmp_path / "dlt"),
                            destination=dlt.destinations.duckdb(str(tmp_path / "dicts.duckdb")),
                            dataset_name="raw")
    by_dicts.run(dlt.resource(ROWS, name="facts", write_disposition="replace", columns=COLUMNS),
                 loader_file_format="jsonl").raise_on_failed_jobs()
    assert table_as_loaded(tenant_warehouse("t1").duckdb_path, "facts") == \
        table_as_loaded(tmp_path / "dicts.duckdb", "facts")


def test_replace_keeps_only_the_latest_rows():
    write_tables("t2", "facts", {"facts": (ROWS, "replace", COLUMNS)})
    write_tables("t2", "facts", {"facts": (ROWS[:1], "replace", COLUMNS)})
    assert [row[0] for row in table_as_loaded(tenant_warehouse("t2").duckdb_path, "facts")[1]] == ["a"]


@pytest.mark.parametrize("odd_row", [
    {"key": "x", "seen_at": "2025-05-01T12:00:00Z"},  # a timestamp as text: dlt parses it
    {"key": "x", "extra": 1},  # a field no column declares: dlt adds the column
])
def test_rows_dlt_has_to_interpret_go_as_dicts(odd_row):
    assert _as_arrow([*ROWS, odd_row], COLUMNS) is None


def test_a_timestamp_as_text_still_loads():
    write_tables("t3", "facts", {"facts": ([{"key": "x", "seen_at": "2025-05-01T12:00:00Z"}], "replace", COLUMNS)})
    rows = table_as_loaded(tenant_warehouse("t3").duckdb_path, "facts")[1]
    assert rows[0][4] == datetime(2025, 5, 1, 12, tzinfo=UTC)


def test_pandas_missing_values_load_as_null_without_a_dlt_run():
    import pandas as pd

    rows = [{"key": "a", "count": float("nan"), "score": 0.5, "flag": float("nan"), "seen_at": pd.NaT},
            {"key": "b", "count": 2, "score": 1.5, "flag": True, "seen_at": pd.Timestamp("2025-05-01", tz="UTC")}]
    write_tables("t4", "facts", {"facts": (rows, "replace", COLUMNS)})
    assert table_as_loaded(tenant_warehouse("t4").duckdb_path, "facts")[1] == [
        ("a", None, 0.5, None, None), ("b", 2, 1.5, True, datetime(2025, 5, 1, tzinfo=UTC))]
    assert not (tenant_warehouse("t4").duckdb_path.parent / "dlt").exists()  # no dlt pipeline ran


def _as_columns(rows: list[dict]) -> ColumnRows:
    return ColumnRows({name: [row.get(name) for row in rows] for name in COLUMNS})


def test_rows_kept_as_columns_load_as_the_same_rows_as_dicts_do():
    write_tables("t5", "facts", {"facts": (ROWS, "replace", COLUMNS)})
    write_tables("t6", "facts", {"facts": (_as_columns(ROWS), "replace", COLUMNS)})
    assert table_as_loaded(tenant_warehouse("t6").duckdb_path, "facts") == \
        table_as_loaded(tenant_warehouse("t5").duckdb_path, "facts")


def test_rows_kept_as_columns_that_dlt_has_to_interpret_still_load():
    rows = _as_columns([{"key": "x", "seen_at": "2025-05-01T12:00:00Z"}])  # a timestamp as text
    write_tables("t7", "facts", {"facts": (rows, "replace", COLUMNS)})
    assert table_as_loaded(tenant_warehouse("t7").duckdb_path, "facts")[1] == [
        ("x", None, None, None, datetime(2025, 5, 1, 12, tzinfo=UTC))]

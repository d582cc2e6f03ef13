"""Derived tables (identity, model registry, predictions, audiences) written straight into the
tenant's warehouse, in one transaction, as dlt would have loaded them.

A dlt run costs about 1.1 s whatever its size (config resolution, state sync, load package
files, three DuckDB opens with a commit each; bench/RESULTS.md), and a tiny tenant's run made
seven of them. Here a write is one connection and one transaction: tables keep dlt's column
types (DLT_TYPES, checked against dlt's type mapper by a test), its `_dlt_load_id`/`_dlt_id`
columns and a `_dlt_loads` row per load; `replace` empties the table and `append` adds to it in
the same transaction as the insert, so readers see the old rows or the new, never none. Shopify
ingestion still goes through dlt (cursors, state, nested tables); so do rows whose columns
need dlt to interpret them (ingest/pipelines.py decides).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pyarrow as pa

from commerce_pipeline.storage import TenantWarehouse

# dlt's destination types for the column types we declare (dlt's type mappers give these).
DLT_TYPES = {
    "duckdb": {"text": "VARCHAR", "bigint": "BIGINT", "bool": "BOOLEAN", "double": "DOUBLE",
               "timestamp": "TIMESTAMP WITH TIME ZONE", "decimal": "DECIMAL(38,9)"},
    "postgres": {"text": "varchar", "bigint": "bigint", "bool": "boolean", "double": "double precision",
                 "timestamp": "timestamp with time zone", "decimal": "numeric(38,9)"},
}
# dlt's table of completed loads, as dlt creates it.
LOADS_TABLE = "_dlt_loads"
LOADS_COLUMNS = {
    "load_id": {"data_type": "text", "nullable": False},
    "schema_name": {"data_type": "text", "nullable": True},
    "status": {"data_type": "bigint", "nullable": False},
    "inserted_at": {"data_type": "timestamp", "nullable": False},
    "schema_version_hash": {"data_type": "text", "nullable": True},
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_sql(kind: str, name: str, hint: dict) -> str:
    not_null = " NOT NULL" if hint.get("nullable", True) is False else ""
    return f"{_q(name)} {DLT_TYPES[kind][hint['data_type']]}{not_null}"


def table_sql(kind: str, schema: str, table: str, columns: dict[str, dict],
              existing: list[str] | None) -> list[str]:
    """CREATE for a new table, else ALTER ... ADD for the columns it lacks (dlt's schema
    evolution: columns are added, never dropped or retyped)."""
    qualified = f"{_q(schema)}.{_q(table)}"
    if existing is None:
        body = ",\n".join(column_sql(kind, name, hint) for name, hint in columns.items())
        return [f"CREATE TABLE {qualified} (\n{body})"]
    # a column added to rows already there cannot be NOT NULL (dlt adds them nullable too)
    return [f"ALTER TABLE {qualified} ADD COLUMN {column_sql(kind, name, {**hint, 'nullable': True})}"
            for name, hint in columns.items() if name not in existing]


def stamped(table: pa.Table, load_id: str) -> pa.Table:
    """`table` with this load's `_dlt_load_id`, before `_dlt_id`, where dlt's normalizer puts it."""
    return table.add_column(table.num_columns - 1, pa.field("_dlt_load_id", pa.string(), nullable=False),
                            pa.array([load_id] * table.num_rows, pa.string()))


def loads_row(load_id: str, schema_name: str) -> pa.Table:
    """The `_dlt_loads` row of a completed load (status 0, as dlt writes it)."""
    return pa.table({"load_id": [load_id], "schema_name": [schema_name], "status": [0],
                     "inserted_at": pa.array([datetime.now(UTC)], pa.timestamp("us", tz="UTC")),
                     "schema_version_hash": pa.array([None], pa.string())})


def write(warehouse: TenantWarehouse, schema_name: str, load_id: str,
          tables: dict[str, tuple[pa.Table | None, str, dict]]) -> None:
    """Write {table: (arrow rows or None for none, disposition, column hints with dlt's)} and the
    load's `_dlt_loads` row in one transaction. As with dlt, no rows creates no table, and
    `replace` with no rows empties an existing one."""
    writer = _DuckDB(warehouse) if warehouse.kind == "duckdb" else _Postgres(warehouse)
    with writer:
        writer.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(warehouse.schema)}")
        existing = writer.columns()
        for name, (rows, disposition, columns) in [*tables.items(),
                                                   (LOADS_TABLE, (loads_row(load_id, schema_name), "append",
                                                                  LOADS_COLUMNS))]:
            if rows is None or rows.num_rows == 0:
                if disposition == "replace" and name in existing:
                    writer.execute(f"TRUNCATE TABLE {_q(warehouse.schema)}.{_q(name)}")
                continue
            for statement in table_sql(warehouse.kind, warehouse.schema, name, columns, existing.get(name)):
                writer.execute(statement)
            if disposition == "replace" and name in existing:
                writer.execute(f"TRUNCATE TABLE {_q(warehouse.schema)}.{_q(name)}")
            writer.insert(name, rows)


class _Transaction:
    """One connection and one transaction on the tenant's warehouse: committed if the block
    ends normally, rolled back if it raises; closed either way."""

    def __init__(self, warehouse: TenantWarehouse):
        self.warehouse = warehouse

    def __exit__(self, exc_type, *_):
        try:
            self.con.rollback() if exc_type else self.con.commit()
        finally:
            self.con.close()


class _DuckDB(_Transaction):
    def __enter__(self):
        import duckdb

        self.warehouse.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.warehouse.duckdb_path))
        self.con.begin()
        return self

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def columns(self) -> dict[str, list[str]]:
        rows = self.con.execute("select table_name, column_name from information_schema.columns "
                                "where table_schema = ? order by ordinal_position",
                                [self.warehouse.schema]).fetchall()
        return _by_table(rows)

    def insert(self, table: str, rows: pa.Table) -> None:
        names = ", ".join(_q(n) for n in rows.column_names)
        self.con.register("incoming_rows", rows)  # on failure the connection is rolled back and closed
        # by name: a table dlt loaded earlier may order or extend its columns differently
        self.con.execute(f"INSERT INTO {_q(self.warehouse.schema)}.{_q(table)} ({names}) "
                         f"SELECT {names} FROM incoming_rows")
        self.con.unregister("incoming_rows")


class _Postgres(_Transaction):
    def __enter__(self):
        import psycopg2

        self.con = psycopg2.connect(self.warehouse.pg_url)  # a transaction until commit
        self.cur = self.con.cursor()
        return self

    def execute(self, sql: str) -> None:
        self.cur.execute(sql)

    def columns(self) -> dict[str, list[str]]:
        self.cur.execute("select table_name, column_name from information_schema.columns "
                         "where table_schema = %s order by ordinal_position", (self.warehouse.schema,))
        return _by_table(self.cur.fetchall())

    def insert(self, table: str, rows: pa.Table) -> None:
        """COPY from CSV: strings come quoted and nulls unquoted, so COPY tells '' from NULL."""
        from pyarrow import csv

        buffer = io.BytesIO()
        csv.write_csv(rows, buffer, csv.WriteOptions(include_header=False))
        buffer.seek(0)
        names = ", ".join(_q(n) for n in rows.column_names)
        self.cur.copy_expert(f"COPY {_q(self.warehouse.schema)}.{_q(table)} ({names}) FROM STDIN "
                             "WITH (FORMAT csv)", buffer)


def _by_table(rows) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out

"""Read-only SQL against one tenant's warehouse (the `sql` CLI and tests use it)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from commerce_pipeline.storage import TenantWarehouse, tenant_warehouse


class WarehouseUnavailable(RuntimeError):
    pass


def query_readonly(warehouse: TenantWarehouse, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` with the tenant's schema first on the search path; writes are refused."""
    if warehouse.kind == "duckdb":
        return _duckdb(warehouse, sql)
    return _postgres(warehouse, sql)


def query_frame(tenant_id: str, sql: str):
    """A read-only query of a tenant's warehouse as a pandas DataFrame; profile ids stay text."""
    import pandas as pd  # here, not at the top: the `sql` CLI imports this module and needs no pandas

    columns, rows = query_readonly(tenant_warehouse(tenant_id), sql)
    out = pd.DataFrame(rows, columns=columns)
    if "profile_id" in out:
        out["profile_id"] = out["profile_id"].astype(str)
    return out


def existing_tables(warehouse: TenantWarehouse) -> set[str]:
    """Names of the tables in the tenant's schema (dlt creates one only once it has a row);
    none while a DuckDB tenant has no warehouse file yet."""
    if warehouse.kind == "duckdb" and not warehouse.duckdb_path.exists():
        return set()
    _, rows = query_readonly(
        warehouse,
        f"select table_name from information_schema.tables where table_schema = '{warehouse.schema}'",
    )
    return {r[0] for r in rows}


def query_if_exists(warehouse: TenantWarehouse, table: str, sql: str):
    """`query_readonly(warehouse, sql)`, or None where `table` does not exist yet, asked over
    one connection (a read-only DuckDB open costs ~20 ms; existing_tables then a query made two)."""
    if warehouse.kind == "duckdb" and not warehouse.duckdb_path.exists():
        return None
    exists = ("select count(*) from information_schema.tables "
              f"where table_schema = '{warehouse.schema}' and table_name = '{table}'")
    run = _duckdb if warehouse.kind == "duckdb" else _postgres
    return run(warehouse, sql, unless_zero=exists)


@contextmanager
def readonly_duckdb(warehouse: TenantWarehouse):
    """A read-only connection to the tenant's DuckDB file, or WarehouseUnavailable saying why."""
    import duckdb

    try:
        con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    except duckdb.IOException as exc:  # a run holds the write lock
        raise WarehouseUnavailable(
            f"tenant '{warehouse.tenant_id}' warehouse is busy (a run is writing to it): {exc}"
        ) from exc
    try:
        yield con
    finally:
        con.close()


def _duckdb(warehouse: TenantWarehouse, sql: str, unless_zero: str | None = None):
    if not warehouse.duckdb_path.exists():
        raise WarehouseUnavailable(
            f"tenant '{warehouse.tenant_id}' has no warehouse yet ({warehouse.duckdb_path}): run a sync first"
        )
    with readonly_duckdb(warehouse) as con:
        schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
        if warehouse.schema in schemas:
            con.execute(f"set search_path = '{warehouse.schema}'")
        if unless_zero and not con.execute(unless_zero).fetchone()[0]:
            return None
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()


def _postgres(warehouse: TenantWarehouse, sql: str, unless_zero: str | None = None):
    import psycopg2

    con = psycopg2.connect(warehouse.pg_url, options="-c default_transaction_read_only=on")
    try:
        with con.cursor() as cur:
            cur.execute("select set_config('search_path', %s, false)", (warehouse.schema,))
            if unless_zero:
                cur.execute(unless_zero)
                if not cur.fetchone()[0]:
                    return None
            cur.execute(sql)
            columns = [d[0] for d in cur.description or []]
            return columns, cur.fetchall() if cur.description else []
    finally:
        con.rollback()
        con.close()

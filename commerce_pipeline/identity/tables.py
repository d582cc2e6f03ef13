"""The identity tables of one tenant's warehouse: their column hints, and reading them back."""

from __future__ import annotations

import pandas as pd

from commerce_pipeline.ingest.shopify.columns import column_hints
from commerce_pipeline.storage import TenantWarehouse
from commerce_pipeline.warehouse import existing_tables, query_readonly, readonly_duckdb

_T, _TS, _I = "text", "timestamp", "bigint"
IDENTIFIER_COLUMNS = column_hints(
    ("source_key", "kind", "value"), source_key=_T, source_kind=_T, channel=_T, kind=_T, value=_T,
    match_key=_T, given_name=_T, priority=_I, excluded_reason=_T)
MEMBER_COLUMNS = column_hints(
    ("source_key", "profile_id"), source_key=_T, source_kind=_T, channel=_T, profile_id=_T,
    linked_by=_T, resolved_at=_TS, resolved_run_id=_T)
QUEUE_COLUMNS = column_hints(
    ("group_key", "status"), group_key=_T, status=_T, accounts=_I, source_keys=_T, evidence=_T,
    decided_by=_T, decided_at=_TS, queued_run_id=_T)
HISTORY_COLUMNS = column_hints(
    ("event_id", "event"), event_id=_T, event=_T, profile_id=_T, related_profile_ids=_T,
    source_keys=_T, identifier_kind=_T, identifier_value=_T, decided_by=_T, reason=_T, at=_TS,
    run_id=_T)


def read_table(warehouse: TenantWarehouse, table: str) -> pd.DataFrame | None:
    """The whole table, or None where it does not exist yet (a tenant's first run)."""
    if table not in existing_tables(warehouse):
        return None
    columns, rows = query_readonly(warehouse, f"select * from {table}")
    return pd.DataFrame(rows, columns=columns)


def read_identifiers(warehouse: TenantWarehouse) -> pd.DataFrame | None:
    """customer_identifiers, as read_table gives it; from DuckDB a column at a time, since
    building a frame from a tuple per row costs about a second per 400k rows."""
    if warehouse.kind != "duckdb" or "customer_identifiers" not in existing_tables(warehouse):
        return read_table(warehouse, "customer_identifiers")
    with readonly_duckdb(warehouse) as con:
        con.execute(f"set search_path = '{warehouse.schema}'")
        return con.execute("select * from customer_identifiers").df()

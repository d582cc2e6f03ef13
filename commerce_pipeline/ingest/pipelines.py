"""dlt pipelines: one per tenant and source, so cursors and state never collide."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.common.normalizers.utils import generate_dlt_ids
from dlt.common.storages.load_package import create_load_id

from commerce_pipeline.column_rows import ColumnRows
from commerce_pipeline.ingest import table_writes
from commerce_pipeline.ingest.shopify.arrow_tables import (
    ROOT_DLT_COLUMNS,
    rows_table,
    upgrade_version_log_schema,
)
from commerce_pipeline.settings import Settings
from commerce_pipeline.storage import tenant_home, tenant_warehouse


def pipeline_name(source: str, tenant_id: str) -> str:
    return f"{source}_{tenant_id.replace('-', '_')}"


def tenant_pipeline(source: str, tenant_id: str, settings: Settings | None = None) -> dlt.Pipeline:
    warehouse = tenant_warehouse(tenant_id, settings)
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name(source, tenant_id),
        pipelines_dir=str(tenant_home(tenant_id, settings) / "dlt"),
        destination=warehouse.dlt_destination(),
        dataset_name=warehouse.schema,
    )
    if source == "shopify":
        upgrade_version_log_schema(pipeline)
    return pipeline


def _as_arrow(rows: list[dict], columns: dict):
    """The rows as an Arrow table of the declared columns plus the `_dlt_id` dlt's normalizer
    gives dict rows (`_dlt_load_id` is added where dlt knows it), or None where dlt has to
    decide: a field no column declares, a value the declared type does not take as it is (a
    timestamp as text, say)."""
    names = set(columns)
    fields = rows.data.keys() if isinstance(rows, ColumnRows) else None
    if not rows or (fields - names if fields is not None else any(r.keys() - names for r in rows)):
        return None
    ids = {"_dlt_id": generate_dlt_ids(len(rows))}
    try:
        return rows_table(rows, columns, ids, ROOT_DLT_COLUMNS)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        pass
    try:  # rows from pandas mark a missing value NaN or NaT, which Arrow takes only as a double
        return rows_table(_pandas_missing_as_none(rows, columns), columns, ids, ROOT_DLT_COLUMNS)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return None


def _pandas_missing_as_none(rows: list[dict], columns: dict) -> list[dict]:
    """NaN and NaT as None outside double columns: dlt loaded a NaN there as NULL too (and a NaT
    as NULL beside a stray `<column>__v_text` column); a double keeps its NaN, as Arrow did."""
    def missing(value) -> bool:
        return isinstance(value, (float, datetime)) and value != value  # NaN and NaT only

    cleared = [name for name, hint in columns.items() if hint["data_type"] != "double"]
    return [{**row, **{name: None for name in cleared if missing(row.get(name))}} for row in rows]


def _stamped(table):
    """Yield `table` with this load's id, which only exists once dlt's extract has begun."""
    yield table_writes.stamped(table, dlt.current.load_package_state()["load_id"])


def write_tables(tenant_id: str, source: str,
                 tables: dict[str, tuple[list[dict] | ColumnRows, str, dict]]) -> None:
    """Load {table: (rows, write_disposition, columns)} as one load into the tenant's warehouse
    (identity, model and marketing tables; the Shopify source loads itself).

    Rows that fit their declared columns (the usual case) are written straight into the
    warehouse in one transaction (ingest/table_writes.py: a dlt run costs ~1 s whatever its
    size); a load with rows dlt has to interpret (an undeclared field, a timestamp as text)
    goes through a dlt run of the tenant's pipeline for `source`. The tables come out the
    same either way."""
    arrow = {name: _as_arrow(rows, columns) for name, (rows, _, columns) in tables.items()}
    if all(arrow[name] is not None or not rows for name, (rows, _, _) in tables.items()):
        load_id = create_load_id()
        table_writes.write(tenant_warehouse(tenant_id), pipeline_name(source, tenant_id), load_id, {
            name: (None if arrow[name] is None else table_writes.stamped(arrow[name], load_id),
                   disposition, {**columns, **ROOT_DLT_COLUMNS})
            for name, (_, disposition, columns) in tables.items()})
        return
    _write_with_dlt(tenant_id, source, tables, arrow)


def _write_with_dlt(tenant_id: str, source: str, tables: dict, arrow: dict) -> None:
    """The load as a dlt run: rows that fit their columns as Arrow, the rest as dicts."""
    by_format: dict[bool, list] = {True: [], False: []}
    for name, (rows, disposition, columns) in tables.items():
        data = _stamped(arrow[name]) if arrow[name] is not None else list(rows)
        hints = {**columns, **ROOT_DLT_COLUMNS} if arrow[name] is not None else columns
        by_format[arrow[name] is not None].append(
            dlt.resource(data, name=name, write_disposition=disposition, columns=hints))
    warehouse = tenant_warehouse(tenant_id)
    pipeline = tenant_pipeline(source, tenant_id)
    for is_arrow, resources in by_format.items():
        if resources:
            pipeline.run(resources, loader_file_format=warehouse.loader_file_format(is_arrow)
                         ).raise_on_failed_jobs()


def definitions_pipeline(source: str) -> dlt.Pipeline:
    """The pipeline @dlt_assets reads asset specs from; runs always use `tenant_pipeline`."""
    return dlt.pipeline(
        pipeline_name=f"{source}_definitions",
        pipelines_dir=str(Path(tempfile.gettempdir()) / "commerce_pipeline_dlt_definitions"),
        destination="duckdb",
        dataset_name=source,
    )

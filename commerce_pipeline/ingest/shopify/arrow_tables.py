"""Mapped Shopify rows as Arrow tables: a version log's root table and its child tables.

Handed dicts, dlt walks every row in Python twice (writing them out, then its normalizer
flattening lists into child tables and typing each value); handed Arrow tables it writes
them as they are. So the source builds here the tables dlt's normalizer would have built
from the same rows: the same names (`shopify_orders__line_items`), declared columns and
types, and dlt's own row columns made dlt's way: `_dlt_id` random for a root row
(`generate_dlt_ids`); `_dlt_parent_id`, `_dlt_list_idx` and a `_dlt_id` hashed from them on
a child row (`get_nested_row_hash`); `_dlt_load_id` on a root row only. Tables loaded by
dlt's normalizer before take these after `upgrade_version_log_schema`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa
from dlt.common.normalizers.json.helpers import get_nested_row_hash
from dlt.common.normalizers.utils import generate_dlt_ids

from commerce_pipeline.column_rows import ColumnRows
from commerce_pipeline.ingest.shopify.columns import COLUMNS, NESTED_COLUMNS

ARROW_TYPES = {
    "text": pa.string(), "bigint": pa.int64(), "bool": pa.bool_(), "double": pa.float64(),
    "timestamp": pa.timestamp("us", tz="UTC"), "decimal": pa.decimal128(38, 9),
}
# dlt's own columns, with the hints its normalizer gives them.
ROOT_DLT_COLUMNS = {
    "_dlt_load_id": {"data_type": "text", "nullable": False},
    "_dlt_id": {"data_type": "text", "nullable": False, "unique": True, "row_key": True},
}
CHILD_DLT_COLUMNS = {
    "_dlt_parent_id": {"data_type": "text", "nullable": False},
    "_dlt_list_idx": {"data_type": "bigint", "nullable": False},
    "_dlt_id": {"data_type": "text", "nullable": False, "unique": True, "row_key": True},
}


class UnexpectedFields(ValueError):
    """A mapped row carries a field no declared column or child table holds."""


def child_table_name(table: str, path: tuple[str, ...]) -> str:
    return "__".join((table, *path))


def _arrow_schema(columns: Mapping[str, dict], dlt_columns: Mapping[str, dict]) -> pa.Schema:
    fields = [pa.field(name, ARROW_TYPES[c["data_type"]], nullable=c.get("nullable", True))
              for name, c in {**columns, **dlt_columns}.items()]
    return pa.schema(fields)


# NESTED_COLUMNS with every child path as a tuple ("line_items" -> ("line_items",)).
_NESTED = {resource: {(p if isinstance(p, tuple) else (p,)): columns for p, columns in paths.items()}
           for resource, paths in NESTED_COLUMNS.items()}


def _children_of(resource: str, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The child paths directly under `path` (a root's when path is ())."""
    return [p for p in _NESTED.get(resource, {}) if len(p) == len(path) + 1 and p[:len(path)] == path]


def _check_fields(rows: Sequence[Mapping], allowed: set[str], table: str) -> None:
    extra = set().union(*map(Mapping.keys, rows)) - allowed if rows else set()
    if extra:
        raise UnexpectedFields(f"{table}: mapped rows carry undeclared fields {sorted(extra)}")


def rows_table(rows: Sequence[Mapping], columns: Mapping[str, dict], dlt_values: dict[str, list],
               dlt_columns: Mapping[str, dict]) -> pa.Table:
    """Rows (dicts, or ColumnRows: their lists as they are) as an Arrow table of `columns` (dlt
    hints) then dlt's own `dlt_values` columns."""
    if isinstance(rows, ColumnRows):
        data = {name: rows.data.get(name) or [None] * len(rows) for name in columns}
    else:
        data = {name: [row.get(name) for row in rows] for name in columns}
    dlt_columns = {name: dlt_columns[name] for name in dlt_values}
    return pa.Table.from_pydict({**data, **dlt_values}, schema=_arrow_schema(columns, dlt_columns))


def _child_tables(resource, root, path, parents, parent_ids, out) -> None:
    name = child_table_name(root, path)
    key = path[-1]
    rows, parent_of, index = [], [], []
    for parent, parent_id in zip(parents, parent_ids):
        for i, item in enumerate(parent.get(key) or ()):
            rows.append(item)
            parent_of.append(parent_id)
            index.append(i)
    columns = _NESTED[resource][path]
    below = _children_of(resource, path)
    _check_fields(rows, set(columns) | {p[-1] for p in below}, name)
    ids = [get_nested_row_hash(p, name, i) for p, i in zip(parent_of, index)]
    dlt_values = {"_dlt_parent_id": parent_of, "_dlt_list_idx": index, "_dlt_id": ids}
    out.append((name, rows_table(rows, columns, dlt_values, CHILD_DLT_COLUMNS)))
    for child in below:
        _child_tables(resource, root, child, rows, ids, out)


def table_hints(resource: str, table: str) -> dict[str, dict]:
    """{table: declared columns with dlt's} for a root table and each of its child tables."""
    hints = {table: {**COLUMNS[resource], **ROOT_DLT_COLUMNS}}
    for path, columns in _NESTED.get(resource, {}).items():
        hints[child_table_name(table, path)] = {**columns, **CHILD_DLT_COLUMNS}
    return hints


def version_tables(resource: str, table: str, rows: Sequence[Mapping],
                   load_id: str) -> list[tuple[str, pa.Table]]:
    """[(table name, Arrow table)] for one batch of mapped rows, the root table first; a child
    table is there (perhaps empty) for every declared path."""
    columns = COLUMNS[resource]
    below = _children_of(resource, ())
    _check_fields(rows, set(columns) | {p[-1] for p in below}, table)
    ids = generate_dlt_ids(len(rows))
    dlt_values = {"_dlt_load_id": [load_id] * len(rows), "_dlt_id": ids}
    out = [(table, rows_table(rows, columns, dlt_values, ROOT_DLT_COLUMNS))]
    for child in below:
        _child_tables(resource, table, child, rows, ids, out)
    return out


def upgrade_version_log_schema(pipeline) -> list[str]:
    """Make child tables that dlt's normalizer created (nested, with a parent, in tenants loaded
    before the source yielded Arrow) the resource's own tables, as Arrow loads declare them: dlt
    refuses to merge tables whose parents differ. Returns the tables changed."""
    changed = []
    for schema_name in pipeline.schema_names:  # "shopify" for the source, else the pipeline's
        schema = pipeline.schemas[schema_name]
        tables = [name for name, table in schema.tables.items()
                  if name.startswith("shopify_") and "__" in name and table.get("parent")]
        for name in tables:
            table = schema.tables[name]
            del table["parent"]
            table["resource"] = name.split("__")[0]  # the root table's name is its resource's
            table["write_disposition"] = "append"
        if tables:
            pipeline.schemas.save_schema(schema)
        changed += tables
    return changed

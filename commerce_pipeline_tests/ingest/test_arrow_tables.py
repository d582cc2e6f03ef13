"""Mapped Shopify rows become the Arrow tables dlt's own normalizer would have built from them,
and tenants loaded the old way (dlt's nested tables) take Arrow loads after an upgrade."""

from __future__ import annotations

import dlt
import duckdb
import pytest

from commerce_pipeline.ingest.shopify.arrow_tables import (
    UnexpectedFields,
    upgrade_version_log_schema,
    version_tables,
)
from commerce_pipeline.ingest.shopify.columns import COLUMNS, NESTED_COLUMNS
from commerce_pipeline.ingest.shopify.mappers import map_records
from commerce_pipeline.ingest.shopify.source import version_log_resource
from commerce_pipeline_tests.ingest.test_mappers import order_with_refund, records

CHILDREN = {  # child table -> its parent table
    "shopify_orders__line_items": "shopify_orders",
    "shopify_orders__refunds": "shopify_orders",
    "shopify_orders__discount_codes": "shopify_orders",
    "shopify_orders__refunds__refund_line_items": "shopify_orders__refunds",
    "shopify_products__variants": "shopify_products",
}


def mapped(resource: str) -> list[dict]:
    source = {"orders": [order_with_refund(), *records("orders.json")],
              "products": records("products.json"), "customers": records("customers_search.json")}
    rows, bad = map_records(resource, source[resource])
    assert rows and not bad
    return rows


def load_with(pipeline_dir, database, resources) -> duckdb.DuckDBPyConnection:
    pipeline = dlt.pipeline(pipeline_name="arrow_parity", pipelines_dir=str(pipeline_dir),
                            destination=dlt.destinations.duckdb(str(database)), dataset_name="raw")
    upgrade_version_log_schema(pipeline)
    for resource in resources:
        pipeline.run(resource, loader_file_format="parquet").raise_on_failed_jobs()
    return duckdb.connect(str(database))


def by_dlt_normalizer(resource: str, rows: list[dict]):
    """The way rows were loaded before: dicts with the declared columns, nested lists flattened
    into nested tables by dlt."""
    nested = {path: dlt.mark.make_nested_hints(columns=columns)
              for path, columns in NESTED_COLUMNS.get(resource, {}).items()}
    return dlt.resource(rows, name=f"shopify_{resource}", write_disposition="append",
                        columns=COLUMNS[resource], nested_hints=nested or None)


def columns(con, table: str) -> list[tuple]:
    return con.execute("select column_name, data_type, is_nullable from information_schema.columns "
                       "where table_schema = 'raw' and table_name = ? order by column_name",
                       [table]).fetchall()


def canonical(con, table: str) -> list[tuple]:
    """A table's rows with the dlt ids replaced by the chain of parent row ids, so two loads that
    link the same children to the same parents compare equal whatever their random ids."""
    columns = [c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' "
        f"and table_name = '{table}' and column_name not like '\\_dlt%' escape '\\' "
        "order by column_name").fetchall()]
    parent = CHILDREN.get(table)
    if parent is None:
        return sorted(con.execute(f"select {', '.join(columns)} from raw.{table}").fetchall())
    grandparent = CHILDREN.get(parent)
    parent_key = "p.id" if grandparent is None else "gp.id || '/' || p.id"
    join_gp = "" if grandparent is None else f"join raw.{grandparent} gp on p._dlt_parent_id = gp._dlt_id"
    return sorted(con.execute(
        f"select {parent_key}, c._dlt_list_idx, {', '.join('c.' + c for c in columns)} "
        f"from raw.{table} c join raw.{parent} p on c._dlt_parent_id = p._dlt_id {join_gp}").fetchall(),
        key=repr)


@pytest.mark.parametrize("resource", ["orders", "products", "customers"])
def test_arrow_tables_load_the_rows_dlts_normalizer_loads(tmp_path, resource):
    rows = mapped(resource)
    old = load_with(tmp_path / "a", tmp_path / "a.duckdb", [by_dlt_normalizer(resource, rows)])
    new = load_with(tmp_path / "b", tmp_path / "b.duckdb", [version_log_resource(resource, rows)])
    tables = [t for (t,) in old.execute("select table_name from information_schema.tables "
                                        "where table_schema = 'raw' and table_name like 'shopify%'").fetchall()]
    assert tables and any("__" in t for t in tables) == (resource != "customers")
    for table in tables:
        assert columns(new, table) == columns(old, table), table
        assert canonical(new, table) == canonical(old, table), table
    stamped = new.execute(f"select count(*) from raw.shopify_{resource} r join raw._dlt_loads l "
                          "on r._dlt_load_id = l.load_id").fetchone()[0]
    assert stamped == len(rows)


def test_child_rows_point_at_their_parent_row_and_position():
    order = mapped("orders")[0]
    tables = dict(version_tables("orders", "shopify_orders", [order], "load-1"))
    root = tables["shopify_orders"].to_pylist()[0]
    lines = tables["shopify_orders__line_items"].to_pylist()
    assert [line["_dlt_parent_id"] for line in lines] == [root["_dlt_id"]] * len(order["line_items"])
    assert [line["_dlt_list_idx"] for line in lines] == list(range(len(order["line_items"])))
    assert [line["id"] for line in lines] == [item["id"] for item in order["line_items"]]
    refund = tables["shopify_orders__refunds"].to_pylist()[0]
    refund_lines = tables["shopify_orders__refunds__refund_line_items"].to_pylist()
    assert refund_lines and {r["_dlt_parent_id"] for r in refund_lines} == {refund["_dlt_id"]}


def test_a_field_no_column_holds_is_refused_rather_than_dropped():
    order = {**mapped("orders")[0], "surprise": 1}
    with pytest.raises(UnexpectedFields, match="surprise"):
        version_tables("orders", "shopify_orders", [order], "load-1")


def test_a_tenant_loaded_by_dlts_normalizer_takes_arrow_loads_after_the_upgrade(tmp_path):
    order = mapped("orders")[0]  # with line items, a refund and its lines
    load_with(tmp_path / "p", tmp_path / "w.duckdb", [by_dlt_normalizer("orders", [order])]).close()
    con = load_with(tmp_path / "p", tmp_path / "w.duckdb", [version_log_resource("orders", [order])])
    assert con.execute("select count(*) from raw.shopify_orders").fetchone() == (2,)  # two versions
    loaded = con.execute("select count(*) from raw.shopify_orders__line_items").fetchone()
    assert loaded == (2 * len(order["line_items"]),)
    orphans = con.execute("select count(*) from raw.shopify_orders__line_items l left join "
                          "raw.shopify_orders o on l._dlt_parent_id = o._dlt_id where o.id is null").fetchone()
    assert orphans == (0,)

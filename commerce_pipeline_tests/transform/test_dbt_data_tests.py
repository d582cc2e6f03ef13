"""The dbt data tests: each model checks its not-null columns in one `not_null_columns` test and
its value rules (ranges, accepted values) in one `column_values` test (dbt_project/tests/generic/),
so one dbt node and one Dagster asset check per model and kind rather than one per column; a
broken rule fails that check naming the column (and the rule)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb

from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.storage import tenant_dbt_target, tenant_warehouse
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.transform.project import dbt_project
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import sync

# Unique keys that may be null: a cutoff's date is null while the tenant has no counted order.
NULLABLE_KEYS = {("feature_cutoffs", "cutoff_date")}


def data_tests() -> dict[str, dict]:
    """The project's generic data tests by name (singular tests have no test_metadata)."""
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    return {node["name"]: node for node in manifest["nodes"].values()
            if node["resource_type"] == "test" and node.get("test_metadata")}


def checked_node(test: dict) -> str:
    """The model or source table a test checks."""
    return test["depends_on"]["nodes"][0].rsplit(".", 1)[-1]


def test_each_model_checks_its_not_null_columns_in_one_test():
    tests = data_tests().values()
    assert [t["name"] for t in tests if t["test_metadata"]["name"] == "not_null"] == []
    per_model = Counter(checked_node(t) for t in tests if t["test_metadata"]["name"] == "not_null_columns")
    assert per_model and max(per_model.values()) == 1


def test_every_unique_key_is_checked_not_null():
    not_null, keys = set(), set()
    for test in data_tests().values():
        name, kwargs = test["test_metadata"]["name"], test["test_metadata"]["kwargs"]
        if name == "not_null_columns":
            not_null |= {(checked_node(test), column) for column in kwargs["columns"]}
        elif name == "unique":
            keys.add((checked_node(test), kwargs["column_name"]))
        elif name == "unique_combination":
            keys |= {(checked_node(test), column) for column in kwargs["columns"]}
    assert keys - NULLABLE_KEYS <= not_null
    assert NULLABLE_KEYS <= keys - not_null


CHECK = "not_null_columns_stg_shopify__orders_shopify_order_id__discount_code_count"


def staging_after_raw_orders_change(instance, tenant: str, *statements: str):
    """Sync the tenant and build staging, run `statements` ({raw} names the raw orders table) on
    its DuckDB file, build staging again: (the failed checks, each as (asset name, check name,
    failed rows), and a function giving a check's failing rows by running its compiled SQL)."""
    assert sync(instance, tenant, assets=(shopify_assets, commerce_dbt_staging)).success
    warehouse = tenant_warehouse(tenant)
    with duckdb.connect(str(warehouse.duckdb_path)) as con:
        for statement in statements:
            con.execute(statement.format(raw=f"{warehouse.schema}.shopify_orders"))
    result = sync(instance, tenant, assets=(commerce_dbt_staging,), raise_on_error=False)
    assert not result.success
    failed = [(c.asset_key.path[-1], c.check_name, c.metadata["dagster_dbt/failed_row_count"].value)
              for c in result.get_asset_check_evaluations() if not c.passed]

    def failing_rows(check: str) -> list[tuple]:
        compiled = next(tenant_dbt_target(tenant).glob(f"compiled/**/{data_tests()[check]['path']}"))
        return query_readonly(warehouse, compiled.read_text())[1]

    return failed, failing_rows


def test_a_null_key_fails_the_models_not_null_check_naming_the_column(tenants, dagster_instance):
    failed, failing_rows = staging_after_raw_orders_change(
        dagster_instance, tenants[0],
        "alter table {raw} alter column id drop not null",  # dlt declares the id not null
        "insert into {raw} (id, updated_at, _dlt_load_id, _dlt_id) values (null, now(), 'null-key', 'null-key')")
    assert failed == [("stg_shopify__orders", CHECK, 1)]
    # its failing row names the column (discount_code_count, the other column checked, has no null)
    assert failing_rows(CHECK) == [("shopify_order_id", 1)]


def test_each_model_checks_its_value_rules_in_one_test():
    tests = data_tests().values()
    per_column = [t["name"] for t in tests if t["test_metadata"]["name"] in ("accepted_values", "value_between")]
    assert per_column == []
    per_model = Counter(checked_node(t) for t in tests if t["test_metadata"]["name"] == "column_values")
    assert {"stg_shopify__orders", "customer_features", "customer_360"} <= set(per_model)
    assert max(per_model.values()) == 1


def test_a_value_outside_the_accepted_ones_fails_the_models_values_check_naming_column_and_rule(
        tenants, dagster_instance):
    failed, failing_rows = staging_after_raw_orders_change(  # every stored version of one order
        dagster_instance, tenants[1],
        "update {raw} set financial_status = 'SETTLED' where id = (select min(id) from {raw})")
    assert [(asset, check) for asset, check, _ in failed] == [("stg_shopify__orders", "stg_shopify__orders_values")]
    [(column, rule, rows)] = failing_rows("stg_shopify__orders_values")
    assert (column, rows) == ("financial_status", 1)
    assert rule.startswith("one of authorized, expired, paid")

"""DuckDB and Postgres build the same profiles, features and marts from the same store, and
the project's dbt unit tests (which tenant runs skip) pass on both.

Tables are compared whole. Profile ids are compared through the profile's smallest member key
(so the check holds whatever id scheme identity resolution uses); non-integer numbers (money
with 4 decimals, doubles) to 6 decimals, timestamps in UTC."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from commerce_pipeline.storage import tenant_dbt_target
from commerce_pipeline.transform.project import DBT_PROJECT_DIR
from commerce_pipeline.transform.vars import dbt_vars_arg
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.stores import commerce_env

TABLES = {  # table -> the columns that identify a row
    "customer_profile": ["profile_id"],
    "customer_features": ["profile_id"],
    "customer_features_at_cutoffs": ["cutoff_date", "profile_id"],
    "daily_commerce_metrics": ["metric_date"],
    "top_customers": ["ltv_rank"],
    "top_products": ["shopify_product_id"],
}
PROFILE_COLUMNS = ("profile_id",)  # source_keys lists are member keys: the same on both


def canonical_profiles(built) -> dict[str, str]:
    members = built.frame("select profile_id, min(source_key) as anchor from profile_members group by profile_id")
    return dict(members.itertuples(index=False))


def normalise(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (decimal.Decimal, float)):
        return round(float(value), 6)
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value).tz_convert("UTC") if value.tzinfo else pd.Timestamp(value, tz="UTC")
    return value


def comparable(built, table: str) -> list[dict]:
    columns, rows = query_readonly(built.warehouse, f"select * from {table}")
    anchors = canonical_profiles(built)
    out = []
    for values in rows:
        row = {k: normalise(v) for k, v in zip(columns, values)}
        for column in PROFILE_COLUMNS:
            if column in row:
                row[column] = anchors[row[column]]
        out.append(row)
    return sorted(out, key=lambda r: tuple(str(r[k]) for k in TABLES[table]))


@pytest.mark.parametrize("table", list(TABLES))
def test_duckdb_and_postgres_build_the_same_table(duckdb_store, postgres_store, table):
    assert postgres_store.warehouse.kind == "postgres" and duckdb_store.warehouse.kind == "duckdb"
    on_duckdb, on_postgres = comparable(duckdb_store, table), comparable(postgres_store, table)
    assert len(on_duckdb) > 0
    assert [sorted(r) for r in on_duckdb] == [sorted(r) for r in on_postgres], "same columns"
    mismatches = [(d, p) for d, p in zip(on_duckdb, on_postgres) if d != p]
    assert not mismatches, f"{len(mismatches)} rows differ, first: {mismatches[0]}"
    assert len(on_duckdb) == len(on_postgres)


def test_both_warehouses_resolve_the_same_profiles(duckdb_store, postgres_store):
    def groups(built):
        members = built.frame("select profile_id, source_key from profile_members")
        return sorted(tuple(sorted(g.source_key)) for _, g in members.groupby("profile_id"))

    assert groups(duckdb_store) == groups(postgres_store)


def run_dbt_unit_tests(built) -> subprocess.CompletedProcess:
    """`dbt test` of the unit tests in a built tenant's warehouse, pointed at it the way Dagster
    points a run (its vars and target folder; the tenant's models give the inputs' columns)."""
    with commerce_env(built.env):
        env = {**os.environ, "DBT_TARGET_PATH": str(tenant_dbt_target(built.tenant))}
        vars_arg = dbt_vars_arg(built.tenant)
    dbt = Path(sys.executable).parent / "dbt"
    return subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--profiles-dir", ".", *vars_arg],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("store", ["duckdb_store", "postgres_store"])
def test_dbt_unit_tests_pass_on_each_warehouse(request, store):
    result = run_dbt_unit_tests(request.getfixturevalue(store))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = re.search(r"PASS=(\d+) .*TOTAL=(\d+)", result.stdout)
    assert summary and summary[1] == summary[2] and int(summary[2]) >= 4, result.stdout[-2000:]

"""dbt run in the Dagster process (transform/in_process.py): the same Dagster events as the `dbt`
subprocess, the tenant's DuckDB file released after each step, and failures that name the tenant."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
from dagster import materialize

from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.resources import build_resources
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.transform.project import dbt_project
from commerce_pipeline.transform.resource import CommerceDbtCliResource
from commerce_pipeline_tests.helpers import sync, test_sync_resource


def build_staging(instance, tenant, in_process: bool, raise_on_error=True):
    resources = {**build_resources(), "shopify_sync": test_sync_resource(),
                 "dbt": CommerceDbtCliResource(project_dir=dbt_project, in_process=in_process)}
    return materialize([commerce_dbt_staging], partition_key=tenant, instance=instance,
                       resources=resources, raise_on_error=raise_on_error,
                       selection=[commerce_dbt_staging])


def dagster_events(result) -> dict:
    """What Dagster recorded for the dbt step, without timings: each materialized asset with its
    metadata keys and each asset check with its outcome."""
    materialized = {tuple(e.asset_key.path): sorted(e.materialization.metadata)
                    for e in result.get_asset_materialization_events()}
    checks = {(tuple(c.asset_key.path), c.check_name): (c.passed, c.severity)
              for c in result.get_asset_check_evaluations()}
    return {"materialized": materialized, "checks": checks}


def test_in_process_dbt_yields_the_same_materializations_and_checks_as_the_subprocess(
        tenants, dagster_instance):
    tenant = tenants[0]
    assert sync(dagster_instance, tenant).success
    by_subprocess = dagster_events(build_staging(dagster_instance, tenant, in_process=False))
    in_process = dagster_events(build_staging(dagster_instance, tenant, in_process=True))
    assert by_subprocess["materialized"] and by_subprocess["checks"]
    assert in_process == by_subprocess


def test_after_an_in_process_dbt_step_another_process_can_write_the_tenants_duckdb_file(
        tenants, dagster_instance):
    tenant = tenants[0]
    assert sync(dagster_instance, tenant).success
    assert build_staging(dagster_instance, tenant, in_process=True).success
    path = tenant_warehouse(tenant).duckdb_path
    writer = "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('create table t_free (x int)')"
    subprocess.run([sys.executable, "-c", writer, str(path)], check=True, timeout=60)


def test_tenants_built_one_after_another_in_one_process_each_get_their_own_data(
        simulator, tenants, dagster_instance):
    for tenant in tenants:
        assert sync(dagster_instance, tenant).success
        assert build_staging(dagster_instance, tenant, in_process=True).success
    for tenant in tenants:
        with duckdb.connect(str(tenant_warehouse(tenant).duckdb_path), read_only=True) as con:
            orders = con.execute("select count(*) from commerce.stg_shopify__orders").fetchone()[0]
        assert orders == simulator.stores[tenant].count("orders")


def test_a_failing_dbt_model_fails_the_step_naming_the_tenant(tenants, dagster_instance):
    tenant = tenants[0]
    assert sync(dagster_instance, tenant).success
    with duckdb.connect(str(tenant_warehouse(tenant).duckdb_path)) as con:
        con.execute("alter table commerce.shopify_customers drop column email")
    with pytest.raises(Exception, match=f"dbt build failed for tenant '{tenant}'"):
        build_staging(dagster_instance, tenant, in_process=True)
    # and the next step can still open the file
    with duckdb.connect(str(tenant_warehouse(tenant).duckdb_path)) as con:
        con.execute("select 1")

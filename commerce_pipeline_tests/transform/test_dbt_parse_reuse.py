"""Tenant dbt runs reuse a saved parse where that is correct, and write only their tenant's data.

dbt re-parses the whole project (seconds) unless a run's vars and profile match those of the
parse it finds in its target folder. DuckDB tenants (a file each, the same schema in it) all
match `make prepare`'s parse, which dagster-dbt copies into a new tenant's target folder.
Postgres tenants name their schema in the vars, so each parses once into its own folder and
reuses that parse afterwards.
"""

from __future__ import annotations

import json
import uuid

import pytest

from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.storage import tenant_dbt_target, tenant_warehouse
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.transform.project import DBT_PROJECT_DIR
from commerce_pipeline_tests.helpers import scalar, sync

STAGING = (shopify_assets, commerce_dbt_staging)


def parses(tenant: str) -> list[str]:
    """How each dbt step of the tenant so far got its parse, from the log in its target folder:
    "full" where dbt said why it could not reuse a saved parse (it always does), else "reused".
    In process (transform/in_process.py) a step's parse is a `dbt parse` invocation of its own
    just before it (it reports its perf_info file), or none at all when the process kept one."""
    invocations = []  # [parse only?, how it got its parse]
    for line in (tenant_dbt_target(tenant) / "dbt.log").read_text().splitlines():
        try:
            name = json.loads(line)["info"]["name"]
        except (ValueError, KeyError, TypeError):
            continue
        if name == "MainReportVersion":  # "Running with dbt=...": an invocation starts
            invocations.append([False, "reused"])
        elif name == "UnableToPartialParse":
            invocations[-1][1] = "full"
        elif name == "ParsePerfInfoPath":
            invocations[-1][0] = True
    steps, parsed_for_next = [], None
    for parse_only, how in invocations:
        if parse_only:
            parsed_for_next = how
        else:
            steps.append(parsed_for_next or how)
            parsed_for_next = None
    return steps


def test_the_project_parse_exists_for_tenant_runs_to_reuse():
    assert (DBT_PROJECT_DIR / "target" / "partial_parse.msgpack").exists(), "run `make prepare`"


def test_duckdb_tenants_first_dbt_steps_reuse_the_project_parse_and_write_their_own_files(
        simulator, tenants, dagster_instance):
    for tenant in tenants:
        assert sync(dagster_instance, tenant, assets=STAGING).success
    for tenant in tenants:
        assert parses(tenant) == ["reused"], "stale project parse? run `make prepare`"
        orders = simulator.stores[tenant].count("orders")
        assert scalar(tenant, "select count(*) from stg_shopify__orders") == orders
    paths = {tenant_warehouse(t).duckdb_path for t in tenants}
    assert len(paths) == len(tenants) and all(p.exists() for p in paths)


@pytest.fixture
def pg_tenants(simulator, registry, dagster_instance, postgres_url, monkeypatch):
    """Two tenants on the Postgres warehouse, one per simulator store: [(tenant, store)]."""
    from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
    from commerce_pipeline_tests.helpers import drop_pg_schema

    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", postgres_url.replace("+psycopg2", ""))
    out = []
    for store in simulator.stores.values():
        tenant = f"pgp-{uuid.uuid4().hex[:8]}"
        registry.add(tenant, display_name=tenant, shop_domain=f"{store.shop}.myshopify.com",
                     api_base_url=simulator.base_url(store.shop), access_token=store.access_token)
        out.append((tenant, store))
    dagster_instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [t for t, _ in out])
    yield out
    for tenant, _ in out:
        drop_pg_schema(postgres_url, tenant_warehouse(tenant).schema)


def test_two_postgres_tenants_built_one_after_the_other_land_in_their_own_schemas(
        pg_tenants, dagster_instance):
    (a, store_a), (b, store_b) = pg_tenants
    for tenant in (a, b, a):
        assert sync(dagster_instance, tenant, assets=STAGING).success
    # query_readonly puts only the tenant's schema on the search path
    assert scalar(a, "select count(*) from stg_shopify__orders") == store_a.count("orders")
    assert scalar(b, "select count(*) from stg_shopify__orders") == store_b.count("orders")
    assert store_a.count("orders") != store_b.count("orders")
    schemas = {tenant_warehouse(t).schema for t in (a, b)}
    built_in = scalar(a, "select string_agg(distinct table_schema, ',') from information_schema.views "
                         "where table_name = 'stg_shopify__orders' and table_schema in "
                         f"({', '.join(repr(s) for s in sorted(schemas))})")
    assert set(built_in.split(",")) == schemas
    # A's second run reuses the parse its first made, though B's run came in between.
    assert parses(a) == ["full", "reused"] and parses(b) == ["full"]

"""A simulator store built end to end (ingestion, staging, identity, profiles/features/marts)
once per test session per warehouse, and readers for its tables.

Building takes about a minute (four Dagster steps, three of them dbt), so the profile, feature,
mart and parity tests share one build instead of paying for it per test.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, materialize

from commerce_pipeline.simulator import SimulatorServer, Store, generate_store
from commerce_pipeline.storage import TenantWarehouse, tenant_warehouse
from commerce_pipeline.warehouse import query_readonly

STORE = ("profile-store", 31, 60)  # shop, seed, customers (a seed with profiles that never bought)
_ENV = ("COMMERCE_HOME", "COMMERCE_SECRET_KEY", "COMMERCE_CONTROL_DB_URL", "COMMERCE_WAREHOUSE",
        "COMMERCE_PG_URL", "DAGSTER_HOME")


@dataclass
class BuiltTenant:
    tenant: str
    store: Store
    warehouse: TenantWarehouse
    home: Path
    env: dict
    model_build: object = None  # the Dagster result of the last full build of the dbt models

    def frame(self, sql: str) -> pd.DataFrame:
        columns, rows = query_readonly(self.warehouse, sql)
        return pd.DataFrame(rows, columns=columns)

    def table(self, name: str) -> pd.DataFrame:
        return self.frame(f"select * from {name}")

    def members(self) -> dict[str, str]:
        """source_key -> profile_id, as identity resolution wrote it."""
        return dict(self.frame("select source_key, profile_id from profile_members").itertuples(index=False))

    def build_models(self, reference_date: str | None = None):
        """Rebuild the dbt models downstream of identity, optionally as of `reference_date`."""
        from commerce_pipeline.resources import build_resources
        from commerce_pipeline.transform.assets import commerce_dbt_models

        config = {"reference_date": reference_date} if reference_date else {}
        with commerce_env(self.env):
            instance = DagsterInstance.ephemeral()
            _add_partition(instance, self.tenant)
            return materialize([commerce_dbt_models], partition_key=self.tenant, instance=instance,
                               resources=build_resources(),
                               run_config={"ops": {"commerce_dbt_models": {"config": config}}})


@contextmanager
def commerce_env(env: dict):
    with pytest.MonkeyPatch.context() as patch:
        for name in _ENV:
            patch.delenv(name, raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        yield


def _add_partition(instance, tenant):
    from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME

    instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [tenant])


def build_tenant(home: Path, env: dict, store: Store, tenant: str) -> BuiltTenant:
    """Sync `store` into `tenant` and build every asset from ingestion to the marts."""
    from commerce_pipeline.identity.assets import customer_identifiers, identity_resolution
    from commerce_pipeline.ingest.assets import shopify_assets
    from commerce_pipeline.settings import get_settings
    from commerce_pipeline.tenants.crypto import ensure_key_file
    from commerce_pipeline.tenants.registry import TenantRegistry
    from commerce_pipeline.transform.assets import commerce_dbt_staging
    from commerce_pipeline_tests.helpers import sync

    env = {"COMMERCE_HOME": str(home), **env}
    server = SimulatorServer([store], bucket_size=1000, restore_rate=20000.0, data_dir=home / "sim")
    server.start()
    try:
        with commerce_env(env):
            settings = get_settings()
            ensure_key_file(settings)
            registry = TenantRegistry(settings.control_db_url)
            registry.add(tenant, display_name=tenant, shop_domain=f"{store.shop}.myshopify.com",
                         api_base_url=server.base_url(store.shop), access_token=store.access_token)
            registry.close()
            instance = DagsterInstance.ephemeral()
            _add_partition(instance, tenant)
            upstream = (shopify_assets, commerce_dbt_staging, customer_identifiers, identity_resolution)
            assert sync(instance, tenant, assets=upstream).success
            built = BuiltTenant(tenant, store, tenant_warehouse(tenant), home, env)
    finally:
        server.stop()
    built.model_build = built.build_models()
    assert built.model_build.success
    return built


def make_store() -> Store:
    shop, seed, customers = STORE
    return generate_store(shop, seed=seed, customers=customers)


@pytest.fixture(scope="session")
def duckdb_store(tmp_path_factory) -> BuiltTenant:
    """The test store built on DuckDB with the default reference date."""
    return build_tenant(tmp_path_factory.mktemp("duckdb_store"), {}, make_store(), "profile-duck")


@pytest.fixture(scope="session")
def postgres_store(tmp_path_factory, postgres_url) -> BuiltTenant:
    """The same store built on Postgres (schema dropped afterwards)."""
    tenant = f"profile-pg-{uuid.uuid4().hex[:8]}"
    env = {"COMMERCE_WAREHOUSE": "postgres", "COMMERCE_PG_URL": postgres_url.replace("+psycopg2", "")}
    built = build_tenant(tmp_path_factory.mktemp("postgres_store"), env, make_store(), tenant)
    yield built
    from commerce_pipeline_tests.helpers import drop_pg_schema

    drop_pg_schema(postgres_url, built.warehouse.schema)


# -- the store's raw records, flattened for the independent pandas computations ------------------
def gid_number(gid: str) -> int:
    return int(gid.rsplit("/", 1)[1])


def _money(node: dict, field: str) -> float:
    return float(node[field]["shopMoney"]["amount"])


def member_key(order: dict) -> str:
    """The profile_members source key of an order: its customer account, else the guest order."""
    if order["customer"]:
        return f"shopify:{gid_number(order['customer']['id'])}"
    return f"shopify-guest-order:{gid_number(order['id'])}"


def raw_orders(store: Store, members: dict[str, str]) -> pd.DataFrame:
    """Every order of the store with its profile, UTC order date and money, from the raw records."""
    rows = []
    for order in store.records("orders"):
        created = pd.Timestamp(order["createdAt"])
        rows.append({
            "order_id": gid_number(order["id"]), "profile_id": members[member_key(order)],
            "created_at": created, "order_date": created.date(),
            "counted": order["cancelledAt"] is None and not order["test"],
            "source_name": order["sourceName"], "total": _money(order, "totalPriceSet"),
            "refunded": _money(order, "totalRefundedSet"), "discounts": _money(order, "totalDiscountsSet"),
            "refunds": [(pd.Timestamp(r["createdAt"]).date(), _money(r, "totalRefundedSet")) for r in order["refunds"]],
            "lines": [(gid_number(li["product"]["id"]), li["quantity"], _money(li, "discountedTotalSet"))
                      for li in order["lineItems"]],
        })
    return pd.DataFrame(rows)

"""Simulator stores built end to end through the real pipeline (simulator -> dlt -> dbt ->
identity -> dbt models, then the model assets), shared by the transform and model tests."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, materialize

from commerce_pipeline.simulator import SimulatorServer, Store, generate_store, write_ground_truth
from commerce_pipeline.storage import TenantWarehouse, tenant_ground_truth, tenant_warehouse
from commerce_pipeline.warehouse import query_readonly

STORE = ("profile-store", 39, 60)  # shop, seed, customers (a seed with profiles that never bought)
# The store's latest counted order is on 2026-06-29 (its reference date). 90 days before it is
# EARLIER, the date the leakage tenant is also built as of; at 110 (2026-03-11) an order placed on
# 2026-03-02 is in and its refund of 2026-03-18 is not yet.
CUTOFF_OFFSETS = [0, 30, 90, 110]
EARLIER = "2026-03-31"
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
    first_models: object = None  # the Dagster result of the first materialization of the model assets

    def frame(self, sql: str) -> pd.DataFrame:
        columns, rows = query_readonly(self.warehouse, sql)
        return pd.DataFrame(rows, columns=columns)

    def table(self, name: str) -> pd.DataFrame:
        return self.frame(f"select * from {name}")

    def versions(self, model: str | None = None) -> list[dict]:
        """The tenant's model registry rows (read in the tenant's own environment)."""
        from commerce_pipeline.ml.registry import versions

        with commerce_env(self.env):
            return versions(self.tenant, model)

    def members(self) -> dict[str, str]:
        """source_key -> profile_id, as identity resolution wrote it."""
        return dict(self.frame("select source_key, profile_id from profile_members").itertuples(index=False))

    def build_models(self, reference_date: str | None = None,
                     feature_cutoff_offsets: list[int] | None = None):
        """Rebuild the dbt models downstream of identity, optionally as of `reference_date` and
        with features also at `feature_cutoff_offsets` days before it."""
        from commerce_pipeline.resources import build_resources
        from commerce_pipeline.transform.assets import commerce_dbt_models

        config = {"reference_date": reference_date} if reference_date else {}
        if feature_cutoff_offsets is not None:
            config["feature_cutoff_offsets"] = feature_cutoff_offsets
        with commerce_env(self.env):
            instance = DagsterInstance.ephemeral()
            _add_partition(instance, self.tenant)
            return materialize([commerce_dbt_models], partition_key=self.tenant, instance=instance,
                               resources=build_resources(),
                               run_config={"ops": {"commerce_dbt_models": {"config": config}}})

    def materialize_models(self, keys: list[str] | None = None, config: dict | None = None,
                           instance: DagsterInstance | None = None):
        """Materialize the model assets (all of them, then Customer 360, unless `keys` names
        some), with run config per asset in `config`, in `instance` if given."""
        from commerce_pipeline.ml.assets import model_assets
        from commerce_pipeline.resources import build_resources
        from commerce_pipeline.transform.assets import commerce_dbt_serving

        assets = [*model_assets, commerce_dbt_serving]
        selection = keys or [a.key.to_user_string() for a in model_assets] + ["customer_360"]
        ops = {name: {"config": c} for name, c in (config or {}).items()}
        with commerce_env(self.env):
            if instance is None:
                instance = DagsterInstance.ephemeral()
                _add_partition(instance, self.tenant)
            return materialize(assets, partition_key=self.tenant, instance=instance, selection=selection,
                               resources=build_resources(), run_config={"ops": ops})


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


def build_tenant(home: Path, env: dict, store: Store, tenant: str,
                 feature_cutoff_offsets: list[int] | None = None, ground_truth: bool = False) -> BuiltTenant:
    """Sync `store` into `tenant` and build every asset from ingestion to the marts (with the
    store's ground truth where the identity and model assets measure themselves, if asked)."""
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
            if ground_truth:
                write_ground_truth(store, tenant_ground_truth(tenant, settings))
            instance = DagsterInstance.ephemeral()
            _add_partition(instance, tenant)
            upstream = (shopify_assets, commerce_dbt_staging, customer_identifiers, identity_resolution)
            assert sync(instance, tenant, assets=upstream).success
            built = BuiltTenant(tenant, store, tenant_warehouse(tenant), home, env)
    finally:
        server.stop()
    built.model_build = built.build_models(feature_cutoff_offsets=feature_cutoff_offsets)
    assert built.model_build.success
    return built


def make_store() -> Store:
    shop, seed, customers = STORE
    return generate_store(shop, seed=seed, customers=customers)

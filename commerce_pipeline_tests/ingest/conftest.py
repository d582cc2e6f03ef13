"""A running Shopify simulator with stores registered as tenants, and a way to sync them."""

import pytest
from dagster import materialize

from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.resources import ShopifySyncResource, build_resources
from commerce_pipeline.simulator import SimulatorServer, generate_store
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
from commerce_pipeline.warehouse import query_readonly

STORES = {"alpha-store": (11, 60), "beta-store": (12, 40)}  # tenant -> (seed, customers)


@pytest.fixture
def simulator(tmp_path):
    stores = [generate_store(name, seed=seed, customers=n) for name, (seed, n) in STORES.items()]
    # Shopify's bucket size with a fast restore keeps these tests quick; the pacing
    # test runs its own server with a small, slow bucket.
    server = SimulatorServer(stores, bucket_size=1000, restore_rate=20000.0, data_dir=tmp_path / "sim")
    server.start()
    server.stores = {s.shop: s for s in stores}
    yield server
    server.stop()


@pytest.fixture
def tenants(simulator, registry, dagster_instance):
    for shop, store in simulator.stores.items():
        registry.add(shop, display_name=shop, shop_domain=f"{shop}.myshopify.com",
                     api_base_url=simulator.base_url(shop), access_token=store.access_token)
    dagster_instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, list(simulator.stores))
    return list(simulator.stores)


def sync(instance, tenant_id, mode="auto", raise_on_error=True):
    resources = {
        **build_resources(),
        "shopify_sync": ShopifySyncResource(
            sync_lag_seconds=0, mode=mode, bulk_poll_interval=0.05, backoff_base_seconds=0.05
        ),
    }
    return materialize([shopify_assets], partition_key=tenant_id, instance=instance,
                       resources=resources, raise_on_error=raise_on_error)


def asset_metadata(result, asset_name):
    for event in result.get_asset_materialization_events():
        if event.asset_key.path[-1] == asset_name:
            return {k: v.value for k, v in event.materialization.metadata.items()}
    raise AssertionError(f"no materialization of {asset_name}")


def scalar(tenant_id, sql):
    return query_readonly(tenant_warehouse(tenant_id), sql)[1][0][0]

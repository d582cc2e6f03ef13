"""Helpers for tests that sync simulator stores through Dagster and read the warehouse."""

from dagster import materialize

from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.resources import ShopifySyncResource, build_resources
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.warehouse import query_readonly

STORES = {"alpha-store": (11, 60), "beta-store": (12, 40)}  # tenant -> (seed, customers)


def test_sync_resource(mode="auto"):
    return ShopifySyncResource(
        sync_lag_seconds=0, mode=mode, bulk_poll_interval=0.05, backoff_base_seconds=0.05
    )


test_sync_resource.__test__ = False  # a helper, not a test


def sync(instance, tenant_id, mode="auto", raise_on_error=True, assets=(shopify_assets,)):
    resources = {**build_resources(), "shopify_sync": test_sync_resource(mode)}
    return materialize(list(assets), partition_key=tenant_id, instance=instance,
                       resources=resources, raise_on_error=raise_on_error)


def asset_metadata(result, asset_name):
    for event in result.get_asset_materialization_events():
        if event.asset_key.path[-1] == asset_name:
            return {k: v.value for k, v in event.materialization.metadata.items()}
    raise AssertionError(f"no materialization of {asset_name}")


def drop_pg_schema(postgres_url: str, schema: str) -> None:
    """Drop a test's Postgres schema with everything in it."""
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as con:
            con.execute(sa.text(f'drop schema if exists "{schema}" cascade'))
    finally:
        engine.dispose()


def scalar(tenant_id, sql):
    return query_readonly(tenant_warehouse(tenant_id), sql)[1][0][0]

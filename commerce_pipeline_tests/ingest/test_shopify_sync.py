"""Shopify ingestion end to end: simulator over HTTP -> client -> dlt -> the tenant's DuckDB."""

import pytest

from commerce_pipeline.simulator import SimulatorServer, generate_store
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import asset_metadata, scalar, sync

RESOURCES = ("customers", "orders", "products")


def _expected(store):
    return {
        "shopify_customers": store.count("customers"),
        "shopify_orders": store.count("orders"),
        "shopify_products": store.count("products"),
        "shopify_orders__line_items": sum(len(o["lineItems"]) for o in store.records("orders")),
        "shopify_products__variants": sum(len(p["variants"]) for p in store.records("products")),
    }


def test_three_assets_land_every_record_for_two_tenants(simulator, tenants, dagster_instance):
    for tenant_id in tenants:
        result = sync(dagster_instance, tenant_id)
        assert result.success
        expected = _expected(simulator.stores[tenant_id])
        landed = {table: scalar(tenant_id, f"select count(*) from {table}") for table in expected}
        assert landed == expected
        assert scalar(tenant_id, "select count(distinct id) from shopify_orders") == expected["shopify_orders"]


def test_first_sync_uses_bulk_operations(simulator, tenants, dagster_instance):
    result = sync(dagster_instance, tenants[0])
    for resource in RESOURCES:
        meta = asset_metadata(result, f"shopify_{resource}")
        assert meta["sync_mode"] == "bulk"
        assert meta["records_fetched"] == simulator.stores[tenants[0]].count(resource)
        assert meta["records_quarantined"] == 0


def test_second_sync_without_changes_fetches_nothing(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    sync(dagster_instance, tenant)
    result = sync(dagster_instance, tenant)
    for resource in RESOURCES:
        meta = asset_metadata(result, f"shopify_{resource}")
        assert (meta["sync_mode"], meta["records_fetched"]) == ("pages", 0)
    assert scalar(tenant, "select count(*) from shopify_orders") == simulator.stores[tenant].count("orders")


def test_updated_orders_are_fetched_and_appended_as_new_versions(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    store = simulator.stores[tenant]
    sync(dagster_instance, tenant)
    changed = store.update_records("orders", 10)
    result = sync(dagster_instance, tenant)
    assert asset_metadata(result, "shopify_orders")["records_fetched"] == 10
    assert asset_metadata(result, "shopify_customers")["records_fetched"] == 0
    # The raw table is a version log: the first version of every order plus the 10 new ones.
    assert scalar(tenant, "select count(*) from shopify_orders") == store.count("orders") + 10
    assert scalar(tenant, "select count(distinct id) from shopify_orders") == store.count("orders")
    by_id = {int(n["id"].rsplit("/", 1)[1]): n for n in store.records("orders")}
    ids = ", ".join(str(i) for i in changed)
    _, rows = query_readonly(
        tenant_warehouse(tenant),
        "select id, count(*), strftime(max(updated_at), '%Y-%m-%dT%H:%M:%SZ') "
        f"from shopify_orders where id in ({ids}) group by id",
    )
    assert {row[0]: (row[1], row[2]) for row in rows} == {i: (2, by_id[i]["updatedAt"]) for i in changed}


def test_paginated_first_sync_drains_a_300_line_item_order(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    store = simulator.stores[tenant]
    biggest = max(store.records("orders"), key=lambda o: len(o["lineItems"]))
    assert len(biggest["lineItems"]) == 300
    assert sync(dagster_instance, tenant, mode="pages").success
    order_id = int(biggest["id"].rsplit("/", 1)[1])
    assert scalar(
        tenant,
        "select count(*) from shopify_orders__line_items li join shopify_orders o "
        f"on li._dlt_parent_id = o._dlt_id where o.id = {order_id}",
    ) == 300


def test_paced_client_is_never_throttled_in_normal_operation(tmp_path, registry, dagster_instance):
    store = generate_store("paced-store", seed=5, customers=25)
    # A bucket small enough that an unpaced client would be throttled within a few pages.
    with SimulatorServer([store], bucket_size=300, restore_rate=900.0, data_dir=tmp_path / "sim") as server:
        registry.add(store.shop, display_name="paced", shop_domain="paced-store.myshopify.com",
                     api_base_url=server.base_url(store.shop), access_token=store.access_token)
        dagster_instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [store.shop])
        assert sync(dagster_instance, store.shop, mode="pages").success
        stats = server.stats(store.shop)
    assert stats["requests"] > 20
    assert stats["throttled"] == 0
    assert stats["min_available"] >= 0
    assert scalar(store.shop, "select count(*) from shopify_orders") == store.count("orders")


@pytest.mark.parametrize("fault", ["429", "throttled", "5xx", "truncated"])
def test_fault_bursts_are_survived_without_loss_or_duplicates(simulator, tenants, dagster_instance, fault):
    tenant = tenants[1]
    simulator.inject_fault(tenant, fault, count=3, retry_after="0.1")
    assert sync(dagster_instance, tenant, mode="pages").success
    expected = _expected(simulator.stores[tenant])
    for table, count in expected.items():
        assert scalar(tenant, f"select count(*) from {table}") == count
    assert scalar(tenant, "select count(distinct id) from shopify_customers") == expected["shopify_customers"]


def test_persistent_server_errors_fail_the_run_naming_tenant_and_cause(simulator, tenants, dagster_instance):
    tenant = tenants[1]
    simulator.inject_fault(tenant, "5xx", count=1000)
    result = sync(dagster_instance, tenant, mode="pages", raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.to_string()
    assert f"tenant '{tenant}'" in message and "HTTP 50" in message

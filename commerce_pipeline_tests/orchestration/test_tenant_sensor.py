"""The registry sensor keeps partitions equal to the registered tenants and starts first syncs."""

from dagster import build_sensor_context

from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
from commerce_pipeline.tenants.sensors import reconcile_partitions, tenant_registry_sensor


def _tick(instance):
    context = build_sensor_context(
        instance=instance, resources={"tenant_registry": TenantRegistryResource()}
    )
    return tenant_registry_sensor(context)


def _apply(instance, result):
    for request in result.dynamic_partitions_requests:
        if type(request).__name__ == "AddDynamicPartitionsRequest":
            instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, list(request.partition_keys))
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(TENANTS_PARTITION_NAME, key)


def test_reconcile_adds_new_and_deletes_removed_tenants():
    changes = reconcile_partitions({"a-shop", "b-shop"}, {"b-shop", "gone-shop"})
    assert changes.add == ["a-shop"] and changes.delete == ["gone-shop"]


def test_new_tenants_get_a_partition_and_one_first_sync(dagster_instance, registry):
    registry.add("alpha", display_name="Alpha", shop_domain="alpha.myshopify.com")
    registry.add("beta", display_name="Beta", shop_domain="beta.myshopify.com", status="paused")
    result = _tick(dagster_instance)
    added = [k for r in result.dynamic_partitions_requests for k in r.partition_keys]
    assert sorted(added) == ["alpha", "beta"]
    # a paused tenant gets its partition but no sync
    assert [(r.partition_key, r.tags["tenant"]) for r in result.run_requests] == [("alpha", "alpha")]
    assert result.run_requests[0].run_key.startswith("first-sync:alpha:")


def test_second_tick_without_registry_changes_requests_nothing(dagster_instance, registry):
    registry.add("alpha", display_name="Alpha", shop_domain="alpha.myshopify.com")
    _apply(dagster_instance, _tick(dagster_instance))
    result = _tick(dagster_instance)
    assert result.dynamic_partitions_requests == [] and result.run_requests == []


def test_removed_tenant_loses_its_partition(dagster_instance, registry):
    registry.add("alpha", display_name="Alpha", shop_domain="alpha.myshopify.com")
    _apply(dagster_instance, _tick(dagster_instance))
    registry.remove("alpha")
    result = _tick(dagster_instance)
    assert [type(r).__name__ for r in result.dynamic_partitions_requests] == ["DeleteDynamicPartitionsRequest"]
    assert list(result.dynamic_partitions_requests[0].partition_keys) == ["alpha"]

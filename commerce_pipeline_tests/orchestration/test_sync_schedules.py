"""A plan's schedule tick requests one run per active tenant on that plan, and none for others."""

from datetime import datetime, timezone

from dagster import SkipReason, build_schedule_context

from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.schedules import sync_schedules
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
from commerce_pipeline.tenants.plans import SYNC_PLANS

TICK = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def _schedule(plan):
    return next(s for s in sync_schedules if s.name == f"shopify_sync_{plan}")


def _tick(instance, plan):
    context = build_schedule_context(
        instance=instance,
        scheduled_execution_time=TICK,
        resources={"tenant_registry": TenantRegistryResource()},
    )
    return _schedule(plan)(context)


def _register(registry, instance, tenant_id, plan, status="active"):
    registry.add(tenant_id, display_name=tenant_id, shop_domain=f"{tenant_id}.myshopify.com",
                 sync_plan=plan, status=status)
    instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [tenant_id])


def test_every_plan_with_a_cron_has_a_schedule():
    assert {s.name for s in sync_schedules} == {f"shopify_sync_{p}" for p in SYNC_PLANS}
    assert _schedule("hourly").cron_schedule == SYNC_PLANS["hourly"]


def test_tick_requests_one_run_per_active_tenant_on_its_plan(dagster_instance, registry):
    _register(registry, dagster_instance, "daily-one", "daily")
    _register(registry, dagster_instance, "daily-two", "daily")
    _register(registry, dagster_instance, "hourly-one", "hourly")
    _register(registry, dagster_instance, "daily-paused", "daily", status="paused")
    _register(registry, dagster_instance, "by-hand", "manual")
    requests = list(_tick(dagster_instance, "daily"))
    assert sorted(r.partition_key for r in requests) == ["daily-one", "daily-two"]
    assert all(r.tags["tenant"] == r.partition_key and r.tags["sync_plan"] == "daily" for r in requests)
    assert len({r.run_key for r in requests}) == 2


def test_tick_skips_with_a_reason_when_no_tenant_is_on_the_plan(dagster_instance, registry):
    _register(registry, dagster_instance, "daily-one", "daily")
    result = _tick(dagster_instance, "weekly")
    assert isinstance(result, SkipReason) and "weekly" in result.skip_message


def test_tenant_without_partition_yet_is_left_to_the_sensor(dagster_instance, registry):
    registry.add("fresh", display_name="Fresh", shop_domain="fresh.myshopify.com", sync_plan="hourly")
    assert isinstance(_tick(dagster_instance, "hourly"), SkipReason)

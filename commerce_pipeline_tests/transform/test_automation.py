"""A tenant's fresh ingestion makes its (and only its) downstream models due."""

from dagster import AssetKey, evaluate_automation_conditions

from commerce_pipeline.definitions import defs
from commerce_pipeline_tests.helpers import sync


def test_sync_of_one_tenant_requests_its_staging_models_only(simulator, tenants, dagster_instance):
    synced, idle = tenants
    # eager() reacts to changes since the previous tick, as the running sensor sees them
    baseline = evaluate_automation_conditions(defs=defs, instance=dagster_instance)
    assert sync(dagster_instance, synced).success
    result = evaluate_automation_conditions(defs=defs, instance=dagster_instance, cursor=baseline.cursor)
    requested = result.get_requested_partitions(AssetKey("stg_shopify__orders"))
    assert requested == {synced}
    assert result.get_requested_partitions(AssetKey("shopify_orders")) == set()

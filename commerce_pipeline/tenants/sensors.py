"""Keep the `tenants` partitions in step with the registry, and start first syncs."""


from dataclasses import dataclass

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, sensor

from commerce_pipeline.ingest.assets import shopify_sync_job
from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME, tenant_run_tags, tenants_partitions


@dataclass(frozen=True)
class PartitionChanges:
    add: list[str]
    delete: list[str]


def reconcile_partitions(registered: set[str], existing: set[str]) -> PartitionChanges:
    """Partitions to add (new tenants) and delete (removed tenants), sorted for stable output."""
    return PartitionChanges(add=sorted(registered - existing), delete=sorted(existing - registered))


def first_sync_requests(tenants, new_ids: list[str]) -> list[RunRequest]:
    """A first sync for each new, active tenant; the run key makes a repeat impossible."""
    by_id = {t.id: t for t in tenants}
    return [
        RunRequest(
            partition_key=tenant_id,
            run_key=f"first-sync:{tenant_id}:{by_id[tenant_id].created_at.isoformat()}",
            tags=tenant_run_tags(tenant_id, trigger="first_sync"),
        )
        for tenant_id in new_ids
        if by_id[tenant_id].status == "active"
    ]


@sensor(
    job=shopify_sync_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Adds/removes tenant partitions as the registry changes and starts each new tenant's first sync.",
)
def tenant_registry_sensor(context: SensorEvaluationContext, tenant_registry: TenantRegistryResource):
    tenants = tenant_registry.registry().list()
    existing = set(context.instance.get_dynamic_partitions(TENANTS_PARTITION_NAME))
    changes = reconcile_partitions({t.id for t in tenants}, existing)
    requests = []
    if changes.add:
        requests.append(tenants_partitions.build_add_request(changes.add))
    if changes.delete:
        requests.append(tenants_partitions.build_delete_request(changes.delete))
    return SensorResult(
        run_requests=first_sync_requests(tenants, changes.add),
        dynamic_partitions_requests=requests,
    )

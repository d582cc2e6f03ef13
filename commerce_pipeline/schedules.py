"""One schedule per sync plan, each requesting a sync run for every active tenant on it.

`build_schedule_from_partitioned_job` refuses dynamic partitions, so each schedule
loops over the registry itself.
"""


from datetime import datetime

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from commerce_pipeline.ingest.assets import shopify_sync_job
from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME, tenant_run_tags
from commerce_pipeline.tenants.plans import SYNC_PLANS


def sync_run_requests(tenants, partitions: set[str], plan: str, scheduled: datetime) -> list[RunRequest]:
    """Runs for active tenants on `plan` that already have a partition."""
    return [
        RunRequest(
            partition_key=t.id,
            run_key=f"{plan}:{t.id}:{scheduled.isoformat()}",
            tags=tenant_run_tags(t.id, sync_plan=plan, trigger="schedule"),
        )
        for t in tenants
        if t.sync_plan == plan and t.status == "active" and t.id in partitions
    ]


def build_sync_schedule(plan: str, cron: str):
    @schedule(
        name=f"shopify_sync_{plan}",
        cron_schedule=cron,
        job=shopify_sync_job,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description=f"Syncs every active tenant on the '{plan}' plan.",
    )
    def _sync_schedule(context: ScheduleEvaluationContext, tenant_registry: TenantRegistryResource):
        tenants = tenant_registry.registry().list(plan=plan, status="active")
        partitions = set(context.instance.get_dynamic_partitions(TENANTS_PARTITION_NAME))
        requests = sync_run_requests(tenants, partitions, plan, context.scheduled_execution_time)
        return requests or SkipReason(f"no active tenant with a partition is on the '{plan}' plan")

    return _sync_schedule


sync_schedules = [build_sync_schedule(plan, cron) for plan, cron in SYNC_PLANS.items()]

"""`marketing_email_sensor`: fresh predictions for a tenant launch that tenant's email job.

It reads every `customer_predictions` materialization after its cursor (a storage id), so
several tenants finishing between two ticks are all seen (an `asset_sensor` looks only at the
latest event: dagster issue 32853). The run key names the tenant and the newest materialization
it answers, so a tick evaluated twice over the same event cannot launch a second run.
"""

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from commerce_pipeline.marketing.assets import marketing_email_job
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME, tenant_run_tags

WATCHED = AssetKey("customer_predictions")
PAGE = 1000


def run_requests(events: list[tuple[int, str | None]], tenants: set[str]) -> list[RunRequest]:
    """(storage id, tenant) per materialization -> one run per tenant still registered (a
    removed tenant's partition is gone), keyed by its newest event."""
    newest: dict[str, int] = {}
    for storage_id, tenant in events:
        if tenant in tenants:
            newest[tenant] = max(storage_id, newest.get(tenant, storage_id))
    return [RunRequest(run_key=f"marketing:{tenant}:{storage_id}", partition_key=tenant,
                       tags=tenant_run_tags(tenant, trigger="marketing_email_sensor"))
            for tenant, storage_id in sorted(newest.items())]


@sensor(job=marketing_email_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
        description="Launches marketing_email_job for each tenant whose customer_predictions were "
        "materialized since the last tick (dry run into the outbox unless SENDGRID_API_KEY is set).")
def marketing_email_sensor(context: SensorEvaluationContext) -> SensorResult:
    after = int(context.cursor) if context.cursor else None
    events: list[tuple[int, str | None]] = []
    while True:
        page = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=WATCHED, after_storage_id=after), limit=PAGE, ascending=True)
        events += [(r.storage_id, r.partition_key) for r in page.records]
        if not page.records:
            break
        after = page.records[-1].storage_id
        if len(page.records) < PAGE:
            break
    cursor = str(after) if after is not None else context.cursor
    tenants = set(context.instance.get_dynamic_partitions(TENANTS_PARTITION_NAME))
    return SensorResult(run_requests=run_requests(events, tenants), cursor=cursor)

"""Shopify ingestion assets: `shopify_customers`, `shopify_orders`, `shopify_products`.

One multi-asset (subsettable) partitioned by tenant. Each run builds the tenant's
own dlt pipeline and source from the registry, so nothing is shared between tenants.
"""


from datetime import datetime, timezone

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Failure,
    MaterializeResult,
    MetadataValue,
    define_asset_job,
)
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from commerce_pipeline.ingest.pipelines import definitions_pipeline, tenant_pipeline
from commerce_pipeline.ingest.shopify.client import ShopifyAPIError, ShopifyConnection
from commerce_pipeline.ingest.shopify.source import (
    QUARANTINE_TABLE,
    SyncReport,
    quarantine_resource,
    shopify_source,
)
from commerce_pipeline.resources import ShopifySyncResource, TenantRegistryResource
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.partitions import tenants_partitions

_VERSION_LOG = (
    "Raw, as loaded by dlt: an append-only log with one row per fetched version "
    "(staging keeps the latest updated_at per id)."
)
DESCRIPTIONS = {
    "shopify_customers": f"Shopify customers of the tenant's store. {_VERSION_LOG}",
    "shopify_orders": f"Shopify orders with line items, refunds and discount codes. {_VERSION_LOG}",
    "shopify_products": f"Shopify products with variants and category. {_VERSION_LOG}",
}


class ShopifyTranslator(DagsterDltTranslator):
    def get_asset_spec(self, data: DltResourceTranslatorData):
        spec = super().get_asset_spec(data)
        name = data.resource.name
        return spec.replace_attributes(
            key=AssetKey(name),
            deps=[],
            group_name="shopify",
            description=DESCRIPTIONS.get(name, spec.description),
            kinds={"dlt", "shopify"},
            tags={"channel": "shopify"},
        )


def _root_cause(exc: BaseException) -> BaseException:
    seen = exc
    while seen is not None:
        if isinstance(seen, ShopifyAPIError):
            return seen
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "exception", None)
    return exc


def shopify_connection(tenant, token: str | None) -> ShopifyConnection:
    if not token:
        raise Failure(
            description=f"Tenant '{tenant.id}' has no Shopify access token: "
            f"add one with `commerce-pipeline tenants add` or `tenants set-token`"
        )
    return ShopifyConnection(tenant_id=tenant.id, graphql_url=tenant.graphql_url, access_token=token)


@dlt_assets(
    dlt_source=shopify_source(),
    dlt_pipeline=definitions_pipeline("shopify"),
    name="shopify",
    dagster_dlt_translator=ShopifyTranslator(),
    partitions_def=tenants_partitions,
)
def shopify_assets(
    context: AssetExecutionContext,
    dlt: DagsterDltResource,
    tenant_registry: TenantRegistryResource,
    shopify_sync: ShopifySyncResource,
):
    tenant_id = context.partition_key
    registry = tenant_registry.registry()
    tenant = registry.get(tenant_id)
    connection = shopify_connection(tenant, registry.access_token(tenant_id))
    report = SyncReport()
    source = shopify_source(
        connection,
        sync_lag_seconds=shopify_sync.lag(),
        mode=shopify_sync.mode,
        report=report,
        bulk_poll_interval=shopify_sync.bulk_poll_interval,
        client_factory=shopify_sync.client_factory(),
    )
    pipeline = tenant_pipeline("shopify", tenant_id)
    warehouse = tenant_warehouse(tenant_id)
    try:
        results = list(dlt.run(context=context, dlt_source=source, dlt_pipeline=pipeline,
                               loader_file_format=warehouse.loader_file_format()))
        if report.quarantine_rows:
            pipeline.run(quarantine_resource(report.quarantine_rows),
                         loader_file_format=warehouse.loader_file_format(arrow=False)).raise_on_failed_jobs()
            context.log.warning(
                f"{len(report.quarantine_rows)} Shopify record(s) quarantined for tenant '{tenant_id}' "
                f"(see table {QUARANTINE_TABLE})"
            )
    except Exception as exc:
        cause = _root_cause(exc)
        registry.record_sync(tenant_id, success=False, at=datetime.now(timezone.utc), error=str(cause))
        if isinstance(cause, ShopifyAPIError):
            message = f"({cause.operation}): {cause.cause}"
        else:
            message = f": {type(cause).__name__}: {cause}"
        raise Failure(
            description=f"Shopify sync failed for tenant '{tenant_id}' {message}",
            metadata={"tenant": tenant_id, "cause": str(cause)},
        ) from exc
    registry.record_sync(tenant_id, success=True, at=datetime.now(timezone.utc))
    warehouse = tenant_warehouse(tenant_id)
    for result in results:
        resource = result.asset_key.path[-1].removeprefix("shopify_")
        yield MaterializeResult(
            asset_key=result.asset_key,
            metadata={
                **(result.metadata or {}),
                **report.metadata(resource),
                "write_disposition": "append",  # versions are kept; staging picks the latest
                "tenant": tenant_id,
                "warehouse": MetadataValue.text(warehouse.describe()),
            },
        )


shopify_sync_job = define_asset_job(
    "shopify_sync",
    selection=AssetSelection.assets(shopify_assets),
    description="Pull a tenant's Shopify customers, orders and products.",
)

"""`customer_identifiers`: normalised identifiers per source record, for identity resolution.

Phone numbers need `phonenumbers` (E.164 with the tenant's default country), which
SQL cannot do, so this step is Python between dbt staging and the identity graph.
"""

from collections import Counter

import dlt
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AutomationCondition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from commerce_pipeline.identity.identifiers import IdentifierRules, extract_identifiers
from commerce_pipeline.ingest.pipelines import tenant_pipeline
from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.partitions import tenants_partitions
from commerce_pipeline.warehouse import query_readonly

COLUMNS = {
    "source_key": {"data_type": "text", "nullable": False},
    "channel": {"data_type": "text"},
    "kind": {"data_type": "text", "nullable": False},
    "value": {"data_type": "text", "nullable": False},
    "priority": {"data_type": "bigint"},
    "excluded_reason": {"data_type": "text", "nullable": True},
}


def _rows(warehouse, sql: str) -> list[dict]:
    columns, rows = query_readonly(warehouse, sql)
    return [dict(zip(columns, row)) for row in rows]


@asset(
    partitions_def=tenants_partitions,
    deps=[AssetKey("stg_shopify__customers"), AssetKey("stg_shopify__orders")],
    automation_condition=AutomationCondition.eager(),
    group_name="identity",
    kinds={"python", "dlt"},
    description="Normalised identifiers (email, E.164 phone, source ids) per customer record and guest "
    "order, each with the reason it must not link (junk, blocklist, hub) where there is one.",
)
def customer_identifiers(context: AssetExecutionContext, tenant_registry: TenantRegistryResource):
    tenant_id = context.partition_key
    tenant = tenant_registry.registry().get(tenant_id)
    warehouse = tenant_warehouse(tenant_id)
    customers = _rows(warehouse, "select source_customer_key, email_raw, phone_raw from stg_shopify__customers")
    orders = _rows(warehouse, "select shopify_order_id, shopify_customer_id, email_raw, phone_raw from stg_shopify__orders")
    rows = extract_identifiers(customers, orders, IdentifierRules(default_country=tenant.default_country))
    resource = dlt.resource(rows, name="customer_identifiers", write_disposition="replace", columns=COLUMNS)
    tenant_pipeline("identity", tenant_id).run(resource).raise_on_failed_jobs()
    excluded = Counter(r["excluded_reason"].split(" (")[0] for r in rows if r["excluded_reason"])
    return MaterializeResult(
        metadata={
            "tenant": tenant_id,
            "identifiers": len(rows),
            "source_records": len({r["source_key"] for r in rows}),
            "by_kind": MetadataValue.json(dict(Counter(r["kind"] for r in rows))),
            "excluded_by_reason": MetadataValue.json(dict(excluded)),
        }
    )

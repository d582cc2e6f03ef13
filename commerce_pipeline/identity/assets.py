"""Identity assets: `customer_identifiers`, then the profile graph (`profile_members`,
`manual_merge_queue`, `merge_history`).

Phone numbers need `phonenumbers` (E.164 with the tenant's default country) and stable ids
need the previous run's answer, neither of which SQL does well, so this step is Python
between dbt staging and the dbt profile models.
"""

from collections import Counter

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    AutomationCondition,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from commerce_pipeline.identity.blocklist import Blocklist
from commerce_pipeline.identity.control import IdentityControl
from commerce_pipeline.identity.identifiers import IdentifierRules, extract_identifiers
from commerce_pipeline.identity.resolution_run import run_resolution
from commerce_pipeline.identity.tables import IDENTIFIER_COLUMNS
from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.partitions import tenants_partitions
from commerce_pipeline.warehouse import query_readonly

EAGER = AutomationCondition.eager()


# A customer's repeat orders mostly carry the email and phone as written before, and add no
# identifier row, so each (customer, email, phone) is read once; guest orders are records of
# their own and all read. (extract_identifiers gives the same rows either way; this only saves
# reading and skipping ~300k repeats at medium size. Staging's order is not stable anyway.)
ORDER_IDENTIFIERS_SQL = (
    "select distinct case when shopify_customer_id is null then shopify_order_id end as shopify_order_id, "
    "shopify_customer_id, email_raw, phone_raw from stg_shopify__orders")


def _rows(warehouse, sql: str) -> list[dict]:
    columns, rows = query_readonly(warehouse, sql)
    return [dict(zip(columns, row)) for row in rows]


@asset(
    partitions_def=tenants_partitions,
    deps=[AssetKey("stg_shopify__customers"), AssetKey("stg_shopify__orders")],
    automation_condition=EAGER,
    group_name="identity",
    kinds={"python", "dlt"},
    description="Normalised identifiers (email, E.164 phone, name + street + postcode, source ids) per customer "
    "record and guest order, each with the reason it must not link (junk, blocklist, hub) where there is one.",
)
def customer_identifiers(context: AssetExecutionContext, tenant_registry: TenantRegistryResource):
    tenant_id = context.partition_key
    tenant = tenant_registry.registry().get(tenant_id)
    warehouse = tenant_warehouse(tenant_id)
    customers = _rows(warehouse, "select source_customer_key, first_name, last_name, address_line1, "
                                 "address_zip, email_raw, phone_raw from stg_shopify__customers")
    orders = _rows(warehouse, ORDER_IDENTIFIERS_SQL)
    with IdentityControl(tenant_registry.control_db_url_or_default()) as control:
        values, patterns = control.blocklist(tenant_id)
    rules = IdentifierRules(default_country=tenant.default_country,
                            blocklist=Blocklist(values, patterns, tenant.default_country))
    rows = extract_identifiers(customers, orders, rules)
    write_tables(tenant_id, "identity", {"customer_identifiers": (rows, "replace", IDENTIFIER_COLUMNS)})
    excluded = Counter(r["excluded_reason"].split(" (")[0] for r in rows if r["excluded_reason"])
    return MaterializeResult(
        metadata={
            "tenant": tenant_id,
            "identifiers": len(rows),
            "source_records": len({r["source_key"] for r in rows}),
            "by_kind": MetadataValue.json(dict(Counter(r["kind"] for r in rows))),
            "excluded_by_reason": MetadataValue.json(dict(excluded)),
            "tenant_blocklist_entries": len(values) + len(patterns),
        }
    )


@multi_asset(
    specs=[
        AssetSpec("profile_members", deps=[customer_identifiers], automation_condition=EAGER,
                  group_name="identity", kinds={"python", "dlt"},
                  description="Every source record (customer account or guest order) with its stable "
                  "unified profile id and the identifier that linked it."),
        AssetSpec("manual_merge_queue", deps=[customer_identifiers], automation_condition=EAGER,
                  group_name="identity", kinds={"python", "dlt"},
                  description="Groups that would merge more than the allowed number of accounts, with "
                  "their evidence and review status (decide with `commerce-pipeline identity decide`)."),
        AssetSpec("merge_history", deps=[customer_identifiers], automation_condition=EAGER,
                  group_name="identity", kinds={"python", "dlt"},
                  description="Append-only log of every profile merge and split: what, by which "
                  "identifier, when, which run."),
    ],
    partitions_def=tenants_partitions,
    name="identity_resolution",
)
def identity_resolution(context: AssetExecutionContext, tenant_registry: TenantRegistryResource):
    tenant_id = context.partition_key
    metadata = run_resolution(tenant_id, tenant_registry.control_db_url_or_default(), context.run.run_id)
    context.log.info(f"identity for tenant '{tenant_id}': {metadata['summary']}")
    for key in ("profile_members", "manual_merge_queue", "merge_history"):
        yield MaterializeResult(asset_key=key, metadata=metadata[key])

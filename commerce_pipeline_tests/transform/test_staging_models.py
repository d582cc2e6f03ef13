"""dbt staging models run per tenant, downstream of ingestion, on the tenant's own warehouse."""

import re

from dagster import AssetKey

from commerce_pipeline.definitions import defs
from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import scalar, sync


def test_staging_models_follow_ingestion_automatically():
    graph = defs.resolve_asset_graph()
    node = graph.get(AssetKey("stg_shopify__orders"))
    assert AssetKey("shopify_orders") in node.parent_keys
    assert node.automation_condition is not None


def test_staging_builds_for_a_tenant_with_its_dbt_tests_passing(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    store = simulator.stores[tenant]
    result = sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging))
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    assert scalar(tenant, "select count(*) from stg_shopify__orders") == store.count("orders")
    lines = sum(len(o["lineItems"]) for o in store.records("orders"))
    assert scalar(tenant, "select count(*) from stg_shopify__order_lines") == lines
    # emails: trimmed, lower-cased, and null where the syntax is invalid (computed here independently)
    expected = {}
    for customer in store.records("customers"):
        raw = customer.get("email")
        clean = raw.strip().lower() if raw else None
        valid = clean and re.fullmatch(r"[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}", clean)
        expected[int(customer["id"].rsplit("/", 1)[1])] = clean if valid else None
    _, rows = query_readonly(tenant_warehouse(tenant), "select shopify_customer_id, email from stg_shopify__customers")
    assert dict(rows) == expected
    assert any(v is None for v in expected.values()) and any(v for v in expected.values())


def _num(gid):
    return int(gid.rsplit("/", 1)[1])


def _lower(value):
    return value.lower() if value else None


def test_staging_customers_carry_address_and_consent_columns(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    assert sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging)).success
    expected = {}
    for c in simulator.stores[tenant].records("customers"):
        address = c.get("defaultAddress") or {}
        sms, email = c.get("smsMarketingConsent") or {}, c.get("emailMarketingConsent") or {}
        expected[_num(c["id"])] = (
            address.get("city"), address.get("zip"), address.get("province"),
            _lower(sms.get("marketingState")), _lower(email.get("marketingOptInLevel")),
        )
    _, rows = query_readonly(tenant_warehouse(tenant), (
        "select shopify_customer_id, address_city, address_zip, address_province, "
        "sms_marketing_state, email_marketing_opt_in_level from stg_shopify__customers"))
    assert {r[0]: tuple(r[1:]) for r in rows} == expected
    assert any(v[0] for v in expected.values()) and any(v[3] for v in expected.values())


def test_updated_records_keep_one_staging_row_each_with_the_latest_version(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    store = simulator.stores[tenant]
    assets = (shopify_assets, commerce_dbt_staging)
    assert sync(dagster_instance, tenant, assets=assets).success
    changed = store.update_records("orders", 10)
    store.update_records("customers", 5)
    result = sync(dagster_instance, tenant, assets=assets)
    assert result.success
    assert all(c.passed for c in result.get_asset_check_evaluations())
    # raw holds every version; staging one row per record
    assert scalar(tenant, "select count(*) from shopify_orders") == store.count("orders") + 10
    assert scalar(tenant, "select count(*) from shopify_customers") == store.count("customers") + 5
    assert scalar(tenant, "select count(*) from stg_shopify__orders") == store.count("orders")
    assert scalar(tenant, "select count(*) from stg_shopify__customers") == store.count("customers")
    orders = store.records("orders")
    _, rows = query_readonly(tenant_warehouse(tenant), (
        "select shopify_order_id, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ'), financial_status "
        "from stg_shopify__orders"))
    assert {r[0]: (r[1], r[2]) for r in rows} == {
        _num(o["id"]): (o["updatedAt"], o["displayFinancialStatus"].lower()) for o in orders}
    assert {_num(o["id"]) for o in orders if o["updatedAt"] > o["createdAt"]} >= set(changed)
    # children come from the latest version only, so they are not doubled by the updates
    assert scalar(tenant, "select count(*) from stg_shopify__order_lines") == sum(
        len(o["lineItems"]) for o in orders)
    _, rows = query_readonly(tenant_warehouse(tenant), "select shopify_refund_id, shopify_order_id from stg_shopify__refunds")
    refunds = {_num(r["id"]): _num(o["id"]) for o in orders for r in o["refunds"]}
    assert dict(rows) == refunds and refunds
    _, rows = query_readonly(tenant_warehouse(tenant), "select shopify_order_id, discount_code_count from stg_shopify__orders")
    codes = {_num(o["id"]): len(o["discountCodes"]) for o in orders}
    assert dict(rows) == codes and any(codes.values())


def test_staging_builds_on_postgres_in_the_tenant_schema(pg_tenant, dagster_instance):
    tenant, store = pg_tenant
    result = sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging))
    assert result.success
    assert scalar(tenant, "select count(*) from stg_shopify__orders") == store.count("orders")

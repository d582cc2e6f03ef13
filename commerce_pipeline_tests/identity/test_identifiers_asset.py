"""`customer_identifiers` materializes per tenant after staging, flagging the store's junk."""

from collections import Counter

from commerce_pipeline.identity.assets import customer_identifiers
from commerce_pipeline.identity.identifiers import IdentifierRules, extract_identifiers
from commerce_pipeline.identity.normalize import normalize_email, normalize_phone
from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import asset_metadata, scalar, sync


def test_identifiers_land_with_e164_phones_and_junk_excluded(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    store = simulator.stores[tenant]
    result = sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging, customer_identifiers))
    assert result.success
    customers = store.count("customers")
    assert scalar(tenant, "select count(*) from customer_identifiers where kind = 'source_id' "
                          "and source_key like 'shopify:%'") == customers
    bad_phones = scalar(tenant, "select count(*) from customer_identifiers where kind = 'phone' "
                                "and excluded_reason is null and not regexp_full_match(value, '\\+[1-9][0-9]{6,14}')")
    assert bad_phones == 0
    _, rows = query_readonly(tenant_warehouse(tenant), "select value, excluded_reason from customer_identifiers")
    reasons = dict(rows)
    # As stored: emails normalised, phones in E.164 where they parse, else as typed.
    junk = [normalize_email(v) or normalize_phone(v) or v for v in store.ground_truth["junk_identifiers"]]
    assert junk and all(reasons[v] for v in junk)
    assert asset_metadata(result, "customer_identifiers")["identifiers"] == len(rows)


def _staged(warehouse, table):
    columns, rows = query_readonly(warehouse, f"select * from {table}")
    return [dict(zip(columns, row)) for row in rows]


def test_identifiers_table_holds_the_rows_of_every_staged_order(simulator, tenants, registry, dagster_instance):
    tenant = tenants[0]
    assert sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging, customer_identifiers)).success
    warehouse = tenant_warehouse(tenant)
    customers, orders = _staged(warehouse, "stg_shopify__customers"), _staged(warehouse, "stg_shopify__orders")
    # Repeat orders (same customer, email and phone as written) are what the asset reads once.
    assert len({(o["shopify_customer_id"], o["email_raw"], o["phone_raw"]) for o in orders}) < len(orders)
    expected = extract_identifiers(customers, orders, IdentifierRules(
        default_country=registry.get(tenant).default_country))
    columns = list(expected[0])
    _, stored = query_readonly(warehouse, f"select {', '.join(columns)} from customer_identifiers")
    assert Counter(stored) == Counter(tuple(r[c] for c in columns) for r in expected)

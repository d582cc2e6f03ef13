"""Staging reads the raw version logs: the latest `updated_at` wins whatever order versions
arrive in, a re-fetched version counts once, and a tenant with no orders still builds.

Late versions go through the tenant's real dlt pipeline as webhooks will: REST payloads ->
the Shopify mapper -> the same append-only resource hints as the sync."""

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.ingest.pipelines import tenant_pipeline
from commerce_pipeline.ingest.shopify.columns import COLUMNS, NESTED_COLUMNS
from commerce_pipeline.ingest.shopify.mappers import map_records
from commerce_pipeline.ingest.shopify.source import version_log_resource
from commerce_pipeline.simulator import SimulatorServer, Store, generate_store
from commerce_pipeline.simulator.store import RESOURCES
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import drop_pg_schema, scalar, sync

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
CUSTOMER_ID, ORDER_ID = 990001, 880001
CREATED = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
OLDER, NEWER = CREATED + timedelta(days=1), CREATED + timedelta(days=2)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rest_customer(updated: datetime, email: str, city: str, sms: str) -> dict:
    return {
        "id": CUSTOMER_ID, "created_at": _iso(CREATED), "updated_at": _iso(updated),
        "first_name": city, "last_name": "Version", "email": email, "phone": None, "tags": "",
        "email_marketing_consent": {"state": "subscribed", "opt_in_level": "single_opt_in"},
        "sms_marketing_consent": {"state": sms},
        "default_address": {"city": city, "zip": f"{city[:3].upper()}-1", "province": city,
                            "country_code": "US"},
    }


def rest_order(updated: datetime, status: str, lines: dict[int, int], refund_ids: list[int],
               codes: list[str]) -> dict:
    """An order whose line items are {line id: quantity} at 10.00 each."""
    return {
        "id": ORDER_ID, "created_at": _iso(CREATED), "updated_at": _iso(updated),
        "customer": {"id": CUSTOMER_ID}, "email": "order@example.com", "name": "#9001",
        "financial_status": status, "currency": "USD",
        "total_price": f"{10 * sum(lines.values())}.00", "subtotal_price": "0.00",
        "line_items": [{"id": lid, "quantity": qty, "price": "10.00", "title": f"line {lid}"}
                       for lid, qty in lines.items()],
        "refunds": [{"id": rid, "created_at": _iso(updated), "refund_line_items": [],
                     "transactions": [{"kind": "refund", "status": "success", "amount": "5.00"}]}
                    for rid in refund_ids],
        "discount_codes": [{"code": code, "amount": "1.00", "type": "fixed_amount"} for code in codes],
    }


def load_versions(tenant: str, resource: str, payloads: list[dict]) -> None:
    rows, refused = map_records(resource, payloads)
    assert refused == []
    tenant_pipeline("shopify", tenant).run(version_log_resource(resource, rows)).raise_on_failed_jobs()


def rows_of(tenant: str, sql: str) -> list[tuple]:
    return query_readonly(tenant_warehouse(tenant), sql)[1]


def build_staging(instance, tenant: str):
    result = sync(instance, tenant, assets=(commerce_dbt_staging,))
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks), [c.check_name for c in checks if not c.passed]
    return result


NEW_CUSTOMER = rest_customer(NEWER, "newer@example.com", "Boston", "subscribed")
OLD_CUSTOMER = rest_customer(OLDER, "older@example.com", "Denver", "not_subscribed")
NEW_ORDER = rest_order(NEWER, "partially_refunded", {7001: 1}, [6001], ["SAVE1"])
OLD_ORDER = rest_order(OLDER, "pending", {7001: 3, 7002: 2}, [], ["SAVE1", "OLD2"])


def test_a_late_arriving_older_version_never_overwrites_a_newer_one(tenants, dagster_instance):
    tenant = tenants[0]
    assert sync(dagster_instance, tenant).success  # the store's own records, through the API
    load_versions(tenant, "customers", [NEW_CUSTOMER])
    load_versions(tenant, "orders", [NEW_ORDER])
    load_versions(tenant, "customers", [OLD_CUSTOMER])  # delivered late
    load_versions(tenant, "orders", [OLD_ORDER])
    build_staging(dagster_instance, tenant)

    assert rows_of(tenant, "select email, first_name, address_city, address_zip, address_province, "
                           "sms_marketing_state, email_marketing_opt_in_level, updated_at "
                           f"from stg_shopify__customers where shopify_customer_id = {CUSTOMER_ID}") == [
        ("newer@example.com", "Boston", "Boston", "BOS-1", "Boston", "subscribed", "single_opt_in", NEWER)]
    assert rows_of(tenant, "select financial_status, total_price, total_refunded, discount_code_count, "
                           f"has_discount, updated_at from stg_shopify__orders where shopify_order_id = {ORDER_ID}") == [
        ("partially_refunded", 10, 5, 1, True, NEWER)]
    assert rows_of(tenant, "select shopify_line_item_id, quantity from stg_shopify__order_lines "
                           f"where shopify_order_id = {ORDER_ID}") == [(7001, 1)]
    assert rows_of(tenant, "select shopify_refund_id, total_refunded from stg_shopify__refunds "
                           f"where shopify_order_id = {ORDER_ID}") == [(6001, 5)]
    # both versions are still in the raw log
    assert scalar(tenant, f"select count(*) from shopify_orders where id = {ORDER_ID}") == 2


def test_the_same_version_fetched_twice_gives_one_staging_row(tenants, dagster_instance):
    tenant = tenants[0]
    for _ in range(2):  # e.g. overlapping windows, or a retried sync
        load_versions(tenant, "customers", [NEW_CUSTOMER])
        load_versions(tenant, "orders", [NEW_ORDER])
    assert scalar(tenant, f"select count(*) from shopify_orders where id = {ORDER_ID}") == 2
    assert scalar(tenant, "select count(*) from shopify_orders__line_items") == 2
    build_staging(dagster_instance, tenant)

    assert scalar(tenant, "select count(*) from stg_shopify__customers") == 1
    assert rows_of(tenant, "select shopify_order_id, discount_code_count from stg_shopify__orders") == [
        (ORDER_ID, 1)]
    assert rows_of(tenant, "select shopify_line_item_id from stg_shopify__order_lines") == [(7001,)]
    assert rows_of(tenant, "select shopify_refund_id from stg_shopify__refunds") == [(6001,)]


# -- a tenant whose store has customers but no orders and no products yet -------------------
STAGING_SHAPE = ("select table_name, column_name, data_type from information_schema.columns "
                 "where table_name like 'stg_shopify%' and table_schema = '{schema}' "
                 "order by table_name, ordinal_position")
EMPTY_MODELS = ("stg_shopify__orders", "stg_shopify__order_lines", "stg_shopify__refunds",
                "stg_shopify__products", "stg_shopify__product_variants")


@pytest.fixture
def orderless_store():
    full = generate_store("orderless-store", seed=21, customers=20)
    records = {"customers": full.records("customers"), "orders": [], "products": []}
    return Store(full.shop, full.seed, full.info, records, full.ground_truth,
                 {resource: [] for resource in RESOURCES})


@pytest.fixture
def orderless_server(orderless_store, tmp_path):
    server = SimulatorServer([orderless_store], bucket_size=1000, restore_rate=20000.0,
                             data_dir=tmp_path / "orderless-sim")
    with server:
        yield server


def register(registry, instance, server, store, tenant: str) -> str:
    registry.add(tenant, display_name=tenant, shop_domain=f"{store.shop}.myshopify.com",
                 api_base_url=server.base_url(store.shop), access_token=store.access_token)
    instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [tenant])
    return tenant


@pytest.fixture
def orderless_tenant(orderless_server, orderless_store, registry, dagster_instance):
    return register(registry, dagster_instance, orderless_server, orderless_store, "orderless")


@pytest.fixture
def orderless_pg_tenant(orderless_server, orderless_store, registry, dagster_instance,
                        postgres_url, monkeypatch):
    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", postgres_url.replace("+psycopg2", ""))
    tenant = register(registry, dagster_instance, orderless_server, orderless_store,
                      f"pg-orderless-{uuid.uuid4().hex[:8]}")
    yield tenant
    drop_pg_schema(postgres_url, tenant_warehouse(tenant).schema)


def assert_staging_builds_empty(instance, tenant: str, store) -> None:
    result = sync(instance, tenant, assets=(shopify_assets, commerce_dbt_staging))
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    assert scalar(tenant, "select count(*) from stg_shopify__customers") == store.count("customers")
    assert {model: scalar(tenant, f"select count(*) from {model}") for model in EMPTY_MODELS} == (
        dict.fromkeys(EMPTY_MODELS, 0))


def test_a_tenant_with_no_orders_builds_staging_with_zero_rows(orderless_tenant, orderless_store,
                                                              dagster_instance):
    assert_staging_builds_empty(dagster_instance, orderless_tenant, orderless_store)
    # dlt created no table for the empty resources: staging read the typed stand-ins
    assert scalar(orderless_tenant, "select count(*) from information_schema.tables "
                                    "where table_name like 'shopify_orders%'") == 0


def test_a_tenant_with_no_orders_builds_staging_with_zero_rows_on_postgres(
        orderless_pg_tenant, orderless_store, dagster_instance):
    assert_staging_builds_empty(dagster_instance, orderless_pg_tenant, orderless_store)


def test_empty_stand_ins_are_typed_like_the_tables_dlt_creates(orderless_tenant, dagster_instance):
    tenant = orderless_tenant
    shape = STAGING_SHAPE.format(schema=tenant_warehouse(tenant).schema)
    assert sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging)).success
    from_stand_ins = rows_of(tenant, shape)
    load_versions(tenant, "orders", [NEW_ORDER])  # now dlt creates the order tables
    load_versions(tenant, "products", [{
        "id": 550001, "created_at": _iso(CREATED), "updated_at": _iso(NEWER), "title": "Hat",
        "variants": [{"id": 440001, "price": "9.50", "inventory_quantity": 3}]}])
    build_staging(dagster_instance, tenant)
    assert scalar(tenant, "select count(*) from stg_shopify__product_variants") == 1
    assert {row[0] for row in from_stand_ins} >= set(EMPTY_MODELS)
    assert rows_of(tenant, shape) == from_stand_ins


def test_dbt_declares_the_raw_columns_dlt_is_told_to_create():
    """The empty stand-ins are built from the dbt source declarations; they must be dlt's."""
    doc = yaml.safe_load((DBT_PROJECT / "models/staging/_shopify__sources.yml").read_text())
    tables = {t["name"]: t for t in doc["sources"][0]["tables"]}
    for resource, columns in COLUMNS.items():
        table = tables[f"shopify_{resource}"]
        declared = {c["name"]: c["data_type"] for c in table["columns"]}
        assert declared == {name: hint["data_type"] for name, hint in columns.items()}
        children = {
            "__".join(path) if isinstance(path, tuple) else path:
                {name: hint["data_type"] for name, hint in child.items()}
            for path, child in NESTED_COLUMNS.get(resource, {}).items()
        }
        assert table["meta"].get("dlt_children", {}) == children

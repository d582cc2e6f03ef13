"""REST-shaped records (Shopify's own sample payloads, also what webhooks deliver) map to rows."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from commerce_pipeline.ingest.shopify.columns import COLUMNS, NESTED_COLUMNS
from commerce_pipeline.ingest.shopify.mappers import (
    MappingError, map_customer, map_order, map_product, map_records, unwrap_rest_payload,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "shopify"
REST_FIXTURES = [
    ("orders", "order.json"), ("orders", "orders.json"),
    ("customers", "customer.json"), ("customers", "customers_search.json"),
    ("customers", "customer_saved_search_customers.json"),
    ("products", "product.json"), ("products", "products.json"),
]


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def records(name: str) -> list[dict]:
    return unwrap_rest_payload(load(name))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def order_with_refund() -> dict:
    """order.json carrying refund.json's refund, as an orders/updated webhook would."""
    order = load("order.json")["order"]
    order["refunds"] = [load("refund.json")["refund"]]
    return order


@pytest.mark.parametrize("resource,name", REST_FIXTURES)
def test_every_rest_fixture_maps_without_quarantine(resource, name):
    rows, quarantined = map_records(resource, records(name))
    assert quarantined == []
    assert rows and all(isinstance(row["id"], int) for row in rows)


@pytest.mark.parametrize("resource,name", REST_FIXTURES)
def test_row_columns_match_the_declared_warehouse_columns(resource, name):
    row = map_records(resource, records(name))[0][0]
    scalars = {key for key, value in row.items() if not isinstance(value, list)}
    assert scalars == set(COLUMNS[resource])
    for path, columns in NESTED_COLUMNS.get(resource, {}).items():
        parents = [row]
        for step in (path if isinstance(path, tuple) else (path,)):
            parents = [item for parent in parents for item in parent[step]]
        for item in parents:
            assert {k for k, v in item.items() if not isinstance(v, list)} == set(columns)


def test_rest_order_money_is_decimal_from_the_fixture_strings():
    row = map_order(records("order.json")[0])
    assert row["total_price"] == Decimal("409.94")
    assert (row["subtotal_price"], row["total_tax"]) == (Decimal("398.00"), Decimal("11.94"))
    assert isinstance(row["total_discounts"], Decimal)


def test_rest_order_offset_timestamps_become_utc():
    row = map_order(records("order.json")[0])
    assert row["created_at"] == utc(2008, 1, 10, 16, 0, 0)
    assert row["created_at"].utcoffset().total_seconds() == 0
    assert row["updated_at"] == utc(2008, 1, 10, 16, 0, 0)


def test_rest_order_keeps_line_item_ids_and_references():
    items = map_order(records("order.json")[0])["line_items"]
    assert [item["id"] for item in items] == [466157049, 518995019, 703073504]
    assert [item["variant_id"] for item in items] == [39072856, 49148385, 457924702]
    assert {item["product_id"] for item in items} == {632910392}
    assert items[0]["sku"] == "IPOD2008GREEN" and items[0]["quantity"] == 1


def test_rest_line_item_discounted_total_is_price_times_quantity_minus_discount():
    order = records("order.json")[0]
    order["line_items"][0].update(quantity=3, total_discount="50.00")
    items = map_order(order)["line_items"]
    assert items[0]["price"] == Decimal("199.00")
    assert items[0]["discounted_total"] == Decimal("547.00")
    assert items[1]["discounted_total"] == Decimal("199.00")  # no total_discount: none taken


def test_rest_order_discount_code_keeps_code_amount_and_type():
    order = records("order.json")[0]
    assert map_order(order)["discount_codes"] == [
        {"code": "TENOFF", "amount": Decimal("10.00"), "type": None}
    ]
    order["discount_codes"][0]["type"] = "fixed_amount"
    assert map_order(order)["discount_codes"][0]["type"] == "fixed_amount"


def test_rest_order_customer_id_comes_from_the_nested_customer():
    assert map_order(records("order.json")[0])["customer_id"] == 207119551
    order = records("order.json")[0]
    order["customer"] = None  # guest checkout
    assert map_order(order)["customer_id"] is None


def test_rest_order_without_a_refunds_list_has_unknown_total_refunded():
    # orders.json is partially_refunded but omits refunds: 0 would be a false claim.
    row = map_order(records("orders.json")[0])
    assert row["financial_status"] == "partially_refunded"
    assert row["total_refunded"] is None and row["refunds"] == []


def test_rest_order_with_an_empty_refunds_list_refunded_nothing():
    order = records("order.json")[0]
    order["refunds"] = []
    assert map_order(order)["total_refunded"] == Decimal("0")


def test_rest_null_fulfillment_status_reads_as_graphql_unfulfilled():
    assert map_order(records("order.json")[0])["fulfillment_status"] == "unfulfilled"
    order = records("order.json")[0]
    order["fulfillment_status"] = "partial"
    assert map_order(order)["fulfillment_status"] == "partially_fulfilled"


def test_rest_order_keeps_raw_phone_and_admin_graphql_api_id():
    row = map_order(records("orders.json")[0])
    assert row["phone"] == "+557734881234"
    assert row["admin_graphql_api_id"] == "gid://shopify/Order/450789469"
    assert row["processed_at"] == utc(2008, 1, 10, 16, 0, 0)


def test_rest_order_without_admin_graphql_api_id_gets_one_built():
    row = map_order(records("order.json")[0])
    assert row["admin_graphql_api_id"] == "gid://shopify/Order/450789469"


def test_refund_fixture_maps_through_an_order_wrapper():
    (refund,) = map_order(order_with_refund())["refunds"]
    assert refund["id"] == 509562969
    assert refund["created_at"] == utc(2016, 6, 20, 17, 35, 6)
    assert refund["note"] == "it broke during shipping"
    assert [(line["line_item_id"], line["quantity"]) for line in refund["refund_line_items"]] == [
        (703073504, 1), (466157049, 1)
    ]


def test_rest_refund_total_is_its_successful_refund_transactions():
    row = map_order(order_with_refund())
    assert row["refunds"][0]["total_refunded"] == Decimal("209.00")
    assert row["total_refunded"] == Decimal("209.00")


def test_rest_refund_ignores_failed_and_non_refund_transactions():
    order = order_with_refund()
    (tx,) = order["refunds"][0]["transactions"]
    order["refunds"][0]["transactions"] += [
        {**tx, "id": 1, "status": "failure"}, {**tx, "id": 2, "kind": "capture"},
    ]
    assert map_order(order)["total_refunded"] == Decimal("209.00")


def test_rest_refund_without_transactions_sums_its_line_subtotals():
    order = order_with_refund()
    refund = order["refunds"][0]
    refund["transactions"] = []
    for line, subtotal in zip(refund["refund_line_items"], ["199.00", "10.50"], strict=True):
        line["subtotal"] = subtotal
    row = map_order(order)
    assert row["refunds"][0]["refund_line_items"][1]["subtotal"] == Decimal("10.50")
    assert row["total_refunded"] == Decimal("209.50")


def test_rest_refund_with_neither_transactions_nor_subtotals_refunded_zero():
    order = order_with_refund()
    order["refunds"][0]["transactions"] = []
    assert map_order(order)["total_refunded"] == Decimal("0")


def test_rest_customer_keeps_contact_fields_raw_and_flattens_the_default_address():
    row = map_customer(records("customer.json")[0])
    assert (row["id"], row["email"], row["phone"]) == (207119551, "bob.norman@hostmail.com", None)
    assert (row["orders_count"], row["total_spent"]) == (1, Decimal("41.94"))
    assert row["address_phone"] == "555-625-1199" and row["address_country_code"] == "US"
    assert (row["state"], row["verified_email"], row["tags"]) == ("disabled", True, "")


def test_rest_customer_accepts_marketing_comes_from_the_legacy_flag():
    (john,) = records("customer_saved_search_customers.json")
    row = map_customer(john)
    assert row["accepts_marketing"] is True
    assert row["tags"] == "Buyer, Canadian" and row["address_zip"] == "K2H 0A0"


def test_rest_customer_email_marketing_consent_wins_over_the_legacy_flag():
    customer = records("customer.json")[0]
    customer["email_marketing_consent"] = {
        "state": "subscribed", "opt_in_level": "confirmed_opt_in",
        "consent_updated_at": "2022-04-01T12:00:00-04:00",
    }
    row = map_customer(customer)
    assert row["accepts_marketing"] is True and row["email_marketing_state"] == "subscribed"
    assert row["email_marketing_opt_in_level"] == "confirmed_opt_in"
    assert row["email_consent_updated_at"] == utc(2022, 4, 1, 16, 0, 0)


def test_rest_product_maps_variants_and_keeps_tags_as_given():
    row = map_product(records("product.json")[0])
    assert (row["id"], row["handle"], row["vendor"]) == (632910392, "ipod-nano", "Apple")
    assert row["tags"] == "Emotive, Flash Memory, MP3, Music"
    assert [(v["id"], v["inventory_quantity"]) for v in row["variants"]] == [
        (808950810, 10), (49148385, 20), (39072856, 30), (457924702, 40)
    ]
    assert row["variants"][0]["price"] == Decimal("199.00")


def test_rest_product_has_no_category():
    row = map_product(records("product.json")[0])
    assert (row["category_id"], row["category_name"], row["category_full_name"]) == (None,) * 3


def test_products_list_fixture_maps_every_product():
    rows, _ = map_records("products", records("products.json"))
    assert [row["id"] for row in rows] == [1, 2, 3, 4]


def test_unwrap_accepts_singular_plural_and_bare_payloads():
    assert [r["id"] for r in unwrap_rest_payload(load("order.json"))] == [450789469]
    assert [r["id"] for r in unwrap_rest_payload(load("customers_search.json"))] == [207119551]
    assert len(unwrap_rest_payload(load("products.json"))) == 4
    webhook_body = load("order.json")["order"]
    assert unwrap_rest_payload(webhook_body) == [webhook_body]


def test_unwrap_refuses_a_document_that_is_not_a_payload():
    with pytest.raises(MappingError, match="not a REST payload"):
        unwrap_rest_payload({"orders": [], "customers": []})


def test_mapping_does_not_modify_the_input_record():
    order = order_with_refund()
    before = copy.deepcopy(order)
    map_order(order)
    assert order == before

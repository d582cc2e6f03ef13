"""GraphQL Admin API records (the fields of queries.py, in every nested form the readers
produce) map to the same rows as the REST shape of the same objects."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from commerce_pipeline.ingest.shopify.mappers import map_customer, map_order, map_product

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "shopify"
GID = "gid://shopify"
ORDER_LINES = [  # (id, sku, variant id): order.json's line items
    (466157049, "IPOD2008GREEN", 39072856), (518995019, "IPOD2008RED", 49148385),
    (703073504, "IPOD2008BLACK", 457924702),
]
VARIANTS = [  # (id, sku, title, inventory): product.json's variants
    (808950810, "IPOD2008PINK", "Pink", 10), (49148385, "IPOD2008RED", "Red", 20),
    (39072856, "IPOD2008GREEN", "Green", 30), (457924702, "IPOD2008BLACK", "Black", 40),
]


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def bag(amount: str) -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


def connection(items: list, form: str):
    """A nested connection as the page reader (nodes), a raw edges query or bulk (list) gives it."""
    if form == "nodes":
        return {"pageInfo": {"hasNextPage": False, "endCursor": "eyJsYXN0In0="}, "nodes": items}
    if form == "edges":
        return {"edges": [{"node": item} for item in items]}
    return items


def gql_order(form: str = "nodes") -> dict:
    """Order 450789469 (order.json + refund.json) as the GraphQL Admin API returns it."""
    lines = [
        {"id": f"{GID}/LineItem/{line_id}", "sku": sku, "title": "IPod Nano - 8gb", "quantity": 1,
         "variant": {"id": f"{GID}/ProductVariant/{variant_id}"},
         "product": {"id": f"{GID}/Product/632910392"},
         "originalUnitPriceSet": bag("199.00"), "discountedTotalSet": bag("199.00")}
        for line_id, sku, variant_id in ORDER_LINES
    ]
    refund_lines = [
        {"quantity": 1, "lineItem": {"id": f"{GID}/LineItem/{line_id}"},
         "subtotalSet": bag("104.50")}
        for line_id in (703073504, 466157049)
    ]
    return {
        "id": f"{GID}/Order/450789469", "name": "#1001", "email": "bob.norman@hostmail.com",
        "phone": None, "createdAt": "2008-01-10T16:00:00Z", "updatedAt": "2008-01-10T16:00:00Z",
        "processedAt": None, "cancelledAt": None, "closedAt": None, "cancelReason": None,
        "currencyCode": "USD", "displayFinancialStatus": "AUTHORIZED",
        "displayFulfillmentStatus": "UNFULFILLED", "sourceName": "web", "tags": [], "test": False,
        "discountCodes": ["TENOFF"], "customer": {"id": f"{GID}/Customer/207119551"},
        "totalPriceSet": bag("409.94"), "subtotalPriceSet": bag("398.00"),
        "totalDiscountsSet": bag("0.00"), "totalTaxSet": bag("11.94"),
        "totalRefundedSet": bag("209.00"),
        "refunds": [{
            "id": f"{GID}/Refund/509562969", "createdAt": "2016-06-20T17:35:06Z",
            "note": "it broke during shipping", "totalRefundedSet": bag("209.00"),
            "refundLineItems": connection(refund_lines, form),
        }],
        "lineItems": connection(lines, form),
    }


def gql_customer() -> dict:
    """customer.json's customer as the GraphQL Admin API returns it."""
    return {
        "id": f"{GID}/Customer/207119551", "firstName": "Bob", "lastName": "Norman",
        "email": "bob.norman@hostmail.com", "phone": None, "state": "DISABLED",
        "verifiedEmail": True, "tags": [], "note": None, "createdAt": "2015-05-27T22:11:24Z",
        "updatedAt": "2015-05-27T22:11:24Z", "numberOfOrders": "1",  # UnsignedInt64 is a string
        "amountSpent": {"amount": "41.94", "currencyCode": "USD"},
        "emailMarketingConsent": {
            "marketingState": "NOT_SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN",
            "consentUpdatedAt": "2015-05-27T22:11:24Z",
        },
        "smsMarketingConsent": None,
        "defaultAddress": {"address1": "Chestnut Street 92", "city": "Louisville",
                           "province": "Kentucky", "country": "United States",
                           "countryCodeV2": "US", "zip": "40202", "phone": "555-625-1199"},
    }


def gql_product(form: str = "nodes") -> dict:
    """product.json's product as the GraphQL Admin API returns it."""
    variants = [
        {"id": f"{GID}/ProductVariant/{vid}", "sku": sku, "title": title, "price": "199.00",
         "inventoryQuantity": stock, "createdAt": "2011-10-20T18:05:13Z",
         "updatedAt": "2011-10-20T18:05:13Z"}
        for vid, sku, title, stock in VARIANTS
    ]
    return {
        "id": f"{GID}/Product/632910392", "title": "IPod Nano - 8GB", "handle": "ipod-nano",
        "productType": "Cult Products", "vendor": "Apple", "status": "ACTIVE",
        "tags": ["Emotive", "Flash Memory", "MP3", "Music"],
        "createdAt": "2011-10-20T18:05:13Z", "updatedAt": "2011-10-20T18:05:13Z",
        "category": {"id": f"{GID}/TaxonomyCategory/el-7-7", "name": "MP3 Players",
                     "fullName": "Electronics > Audio > Audio Players & Recorders > MP3 Players"},
        "variants": connection(variants, form),
    }


def without(row: dict, *fields: str) -> dict:
    return {key: value for key, value in row.items() if key not in fields}


@pytest.mark.parametrize("form", ["nodes", "edges", "list"])
def test_graphql_order_accepts_every_nested_connection_form(form):
    row = map_order(gql_order(form))
    assert row["line_items"] == map_order(gql_order("nodes"))["line_items"]
    assert [item["id"] for item in row["line_items"]] == [line[0] for line in ORDER_LINES]
    assert [line["line_item_id"] for line in row["refunds"][0]["refund_line_items"]] == [
        703073504, 466157049
    ]


@pytest.mark.parametrize("form", ["nodes", "edges", "list"])
def test_graphql_product_accepts_every_nested_connection_form(form):
    variants = map_product(gql_product(form))["variants"]
    assert [(v["id"], v["inventory_quantity"]) for v in variants] == [
        (vid, stock) for vid, _, _, stock in VARIANTS
    ]


def test_graphql_order_has_the_same_row_shape_as_rest():
    graphql, rest = map_order(gql_order()), map_order(load("order.json")["order"])
    assert graphql.keys() == rest.keys()
    assert graphql["line_items"][0].keys() == rest["line_items"][0].keys()


def test_graphql_ids_are_the_numeric_part_of_the_gid_and_the_gid_is_kept():
    row = map_order(gql_order())
    assert (row["id"], row["admin_graphql_api_id"]) == (450789469, f"{GID}/Order/450789469")
    assert row["customer_id"] == 207119551
    assert row["line_items"][0]["variant_id"] == 39072856


def test_graphql_money_bags_become_shop_currency_decimals():
    row = map_order(gql_order())
    assert row["total_price"] == Decimal("409.94") and row["total_refunded"] == Decimal("209.00")
    assert row["refunds"][0]["refund_line_items"][0]["subtotal"] == Decimal("104.50")


def test_graphql_enums_become_lower_snake_case():
    order = gql_order()
    order.update(displayFinancialStatus="PARTIALLY_REFUNDED", cancelReason="CUSTOMER")
    row = map_order(order)
    assert (row["financial_status"], row["cancel_reason"]) == ("partially_refunded", "customer")
    assert row["fulfillment_status"] == "unfulfilled"


def test_graphql_discount_codes_are_codes_without_amount_or_type():
    assert map_order(gql_order())["discount_codes"] == [
        {"code": "TENOFF", "amount": None, "type": None}
    ]


def test_graphql_tag_list_becomes_one_comma_separated_string():
    assert map_product(gql_product())["tags"] == "Emotive, Flash Memory, MP3, Music"


def test_graphql_customer_consent_sets_accepts_marketing():
    customer = gql_customer()
    assert map_customer(customer)["accepts_marketing"] is False
    customer["emailMarketingConsent"]["marketingState"] = "SUBSCRIBED"
    row = map_customer(customer)
    assert row["accepts_marketing"] is True and row["email_marketing_state"] == "subscribed"


def test_graphql_customer_without_consent_has_unknown_accepts_marketing():
    customer = gql_customer()
    customer["emailMarketingConsent"] = None
    row = map_customer(customer)
    assert row["accepts_marketing"] is None and row["email_marketing_opt_in_level"] is None


def test_graphql_product_keeps_the_taxonomy_category_as_text():
    row = map_product(gql_product())
    assert row["category_id"] == f"{GID}/TaxonomyCategory/el-7-7"
    assert row["category_name"] == "MP3 Players" and row["status"] == "active"


def test_graphql_and_rest_order_agree_on_shared_fields():
    rest_order = load("order.json")["order"]
    rest_order["refunds"] = [load("refund.json")["refund"]]
    graphql, rest = map_order(gql_order()), map_order(rest_order)
    # order.json predates REST's tags; GraphQL has no discount amounts; refund.json no subtotals.
    skip = ("tags", "discount_codes", "refunds")
    assert without(graphql, *skip) == without(rest, *skip)
    codes = [[code["code"] for code in row["discount_codes"]] for row in (graphql, rest)]
    assert codes[0] == codes[1] == ["TENOFF"]
    for g, r in zip(graphql["refunds"], rest["refunds"], strict=True):
        assert without(g, "refund_line_items") == without(r, "refund_line_items")
        assert [without(line, "subtotal") for line in g["refund_line_items"]] == [
            without(line, "subtotal") for line in r["refund_line_items"]
        ]


def test_graphql_and_rest_customer_agree_on_shared_fields():
    # customer.json predates the consent object and the currency field.
    skip = ("currency", "email_marketing_state", "email_marketing_opt_in_level",
            "email_consent_updated_at")
    graphql = map_customer(gql_customer())
    rest = map_customer(load("customer.json")["customer"])
    assert without(graphql, *skip) == without(rest, *skip)


def test_graphql_and_rest_product_agree_on_shared_fields():
    skip = ("status", "category_id", "category_name", "category_full_name")  # not in product.json
    graphql, rest = map_product(gql_product("list")), map_product(load("product.json")["product"])
    assert without(graphql, *skip) == without(rest, *skip)

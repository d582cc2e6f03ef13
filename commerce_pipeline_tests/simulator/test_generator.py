import json
import re
import time
from collections import Counter
from decimal import Decimal

import numpy as np

from commerce_pipeline.simulator import generate_store
from commerce_pipeline.simulator.generator import END, accounts_per_person
from commerce_pipeline_tests.simulator import shared_store

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
END_ISO = END.strftime("%Y-%m-%dT%H:%M:%SZ")


def amount(bag):
    return Decimal(bag["shopMoney"]["amount"])


def test_same_arguments_give_identical_stores():
    a, b = generate_store("x", 5, 120), generate_store("x", 5, 120)
    for resource in ("customers", "orders", "products"):
        assert json.dumps(a.records(resource)) == json.dumps(b.records(resource))
    assert json.dumps(a.ground_truth, default=str) == json.dumps(b.ground_truth, default=str)
    assert a.access_token == b.access_token


def test_different_seeds_give_different_stores():
    one, two = generate_store("x", 1, 60), generate_store("x", 2, 60)
    assert one.records("orders") != two.records("orders")


def test_customer_count_is_exact():
    assert shared_store().count("customers") == 300
    assert accounts_per_person(np.random.default_rng(3), 1000).sum() == 1000


def test_numeric_ids_are_unique_per_store():
    store = shared_store()
    ids = [n["id"] for r in ("customers", "orders", "products") for n in store.records(r)]
    ids += [li["id"] for o in store.records("orders") for li in o["lineItems"]]
    ids += [v["id"] for p in store.records("products") for v in p["variants"]]
    numbers = [int(i.rsplit("/", 1)[1]) for i in ids]
    assert len(set(numbers)) == len(numbers)


def test_records_are_plain_json_with_shopify_scalars():
    store = shared_store()
    for resource in ("customers", "orders", "products"):
        for node in store.records(resource):
            json.dumps(node)  # no numpy types slip through
            assert ISO.match(node["createdAt"]) and ISO.match(node["updatedAt"])
            assert isinstance(node["tags"], list)
    order = store.records("orders")[0]
    assert MONEY.match(order["totalPriceSet"]["shopMoney"]["amount"])
    assert order["totalPriceSet"]["shopMoney"]["currencyCode"] == "USD"


def test_order_totals_are_consistent():
    for order in shared_store().records("orders"):
        lines = sum(amount(li["discountedTotalSet"]) for li in order["lineItems"])
        assert amount(order["subtotalPriceSet"]) == lines
        total = amount(order["subtotalPriceSet"]) + amount(order["totalTaxSet"])
        assert amount(order["totalPriceSet"]) == total
        refunds = sum(amount(r["totalRefundedSet"]) for r in order["refunds"])
        assert amount(order["totalRefundedSet"]) == refunds


def test_refund_and_cancel_statuses_match_their_amounts():
    for order in shared_store().records("orders"):
        status = order["displayFinancialStatus"]
        if order["cancelledAt"]:
            assert status in ("VOIDED", "REFUNDED") and order["cancelReason"]
        elif order["refunds"]:
            full = amount(order["totalRefundedSet"]) == amount(order["totalPriceSet"])
            assert status == ("REFUNDED" if full else "PARTIALLY_REFUNDED")


def test_order_mix_has_discounts_refunds_cancellations_and_guests():
    orders = generate_store("mix", 4, 1500).records("orders")
    n = len(orders)
    share = lambda pred: sum(1 for o in orders if pred(o)) / n
    assert 0.10 < share(lambda o: o["discountCodes"]) < 0.20
    assert 0.03 < share(lambda o: o["refunds"] and not o["cancelledAt"]) < 0.08
    assert 0.015 < share(lambda o: o["cancelledAt"]) < 0.05
    assert 0.015 < share(lambda o: o["customer"] is None) < 0.05
    assert {o["sourceName"] for o in orders} == {"web", "pos", "shopify_draft_order"}


def test_order_names_follow_creation():
    orders = shared_store().records("orders")
    assert orders[0]["name"] == "#1001"
    assert [o["createdAt"] for o in orders] == sorted(o["createdAt"] for o in orders)


def test_exactly_one_order_has_the_big_line_item_count():
    counts = Counter(len(o["lineItems"]) for o in shared_store().records("orders"))
    assert counts[300] == 1 and max(counts) == 300


def test_big_order_can_be_disabled():
    orders = generate_store("small", 3, 60, big_order_line_items=0).records("orders")
    assert max(len(o["lineItems"]) for o in orders) <= 5


def test_customers_agree_with_their_orders():
    store = shared_store()
    by_customer = {}
    for order in store.records("orders"):
        if order["customer"]:
            by_customer.setdefault(order["customer"]["id"], []).append(order)
    for customer in store.records("customers"):
        mine = by_customer.get(customer["id"], [])
        assert int(customer["numberOfOrders"]) == len(mine)
        paid = sum((Decimal(0) if o["displayFinancialStatus"] == "VOIDED" else
                    amount(o["totalPriceSet"]) - amount(o["totalRefundedSet"])) for o in mine)
        assert Decimal(customer["amountSpent"]["amount"]) == paid
        if mine:
            assert customer["createdAt"] <= min(o["createdAt"] for o in mine)
        assert customer["createdAt"] <= customer["updatedAt"] <= END_ISO


def test_email_consent_mix_is_roughly_as_specified():
    customers = generate_store("consent", 8, 2000).records("customers")
    states = Counter(c["emailMarketingConsent"]["marketingState"]
                     for c in customers if c["emailMarketingConsent"])
    total = sum(states.values())
    assert 0.50 < states["SUBSCRIBED"] / total < 0.60
    assert 0.30 < states["NOT_SUBSCRIBED"] / total < 0.40
    assert 0.06 < states["UNSUBSCRIBED"] / total < 0.14


def test_catalog_has_categories_variants_and_statuses():
    products = generate_store("cat", 2, 3000).records("products")
    assert len(products) == 60
    assert len({p["category"]["id"] for p in products}) >= 6
    assert all(p["category"]["id"].startswith("gid://shopify/TaxonomyCategory/") for p in products)
    assert all(1 <= len(p["variants"]) <= 5 for p in products)
    assert {p["status"] for p in products} >= {"ACTIVE", "ARCHIVED"}


def test_nothing_is_dated_after_the_end():
    store = shared_store()
    for resource in ("customers", "orders", "products"):
        assert max(n["updatedAt"] for n in store.records(resource)) <= END_ISO


def test_ten_thousand_customers_generate_in_seconds():
    started = time.perf_counter()
    store = generate_store("big", 1, 10_000)
    assert time.perf_counter() - started < 20
    assert 30_000 < store.count("orders") < 70_000

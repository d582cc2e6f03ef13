from graphql import parse

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator.schema import SCHEMA
from commerce_pipeline.simulator.throttle import (
    LeakyBucket,
    actual_cost,
    max_cost_body,
    requested_cost,
    throttled_body,
)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def cost(query, variables=None):
    return requested_cost(SCHEMA, parse(query), None, variables or {})


def test_scalars_are_free_and_objects_cost_one():
    assert cost("{ shop { name currencyCode } }") == 1


def test_connection_costs_two_plus_first_times_node():
    # 2 + 10 x (1 customer + 1 amountSpent object)
    assert cost("{ customers(first: 10) { nodes { id amountSpent { amount } } } }") == 22


def test_first_is_read_from_variables():
    query = "query Q($n: Int) { customers(first: $n) { edges { node { id } } } }"
    assert cost(query, {"n": 7}) == 2 + 7


def test_order_page_query_cost_counts_nested_connections_and_lists():
    # per order: 1 + customer 1 + five money bags x 2 + refunds (1 + 2 + refundLineItems
    # 2 + 5 x 4) + lineItems (2 + 10 x 7) = 109
    assert cost(queries.page_query("orders"), {"first": 3}) == 2 + 3 * 109


def test_mutation_costs_ten():
    assert cost(queries.BULK_RUN_MUTATION, {"query": "{ x }"}) == 10


def test_fragments_on_different_types_cost_the_most_expensive():
    query = """{ node(id: "x") { ... on Customer { amountSpent { amount } }
                                 ... on Order { totalPriceSet { shopMoney { amount } } } } }"""
    assert cost(query) == 1 + 2


def test_actual_cost_uses_the_nodes_returned():
    query = parse("{ customers(first: 10) { nodes { id amountSpent { amount } } } }")
    result = {"customers": {"nodes": [{"id": "a", "amountSpent": {"amount": "1"}}] * 3}}
    total, counts = actual_cost(SCHEMA, query, None, {}, result)
    assert total == 2 + 3 * 2
    assert counts["top"]["customers"] == 3


def test_actual_cost_counts_nested_nodes_separately():
    query = parse("{ products(first: 5) { nodes { id variants(first: 5) { nodes { id } } } } }")
    result = {"products": {"nodes": [{"id": "p", "variants": {"nodes": [{"id": "v"}] * 2}}]}}
    total, counts = actual_cost(SCHEMA, query, None, {}, result)
    assert total == 2 + 1 * (1 + 2 + 2 * 1)
    assert counts["nested"]["variants"] == 2


def test_bucket_deducts_when_enough_is_available():
    bucket = LeakyBucket(100, 10, Clock())
    assert bucket.take(60) == (True, 40)


def test_bucket_refuses_without_deducting_when_short():
    bucket = LeakyBucket(100, 10, Clock())
    bucket.take(60)
    assert bucket.take(60) == (False, 40)
    assert bucket.available() == 40


def test_bucket_restores_over_time_up_to_its_size():
    clock = Clock()
    bucket = LeakyBucket(100, 10, clock)
    bucket.take(100)
    clock.now += 2.5
    assert bucket.available() == 25
    clock.now += 100
    assert bucket.available() == 100


def test_bucket_gives_back_unused_cost():
    bucket = LeakyBucket(100, 10, Clock())
    bucket.take(80)
    assert bucket.give_back(30) == 50


def test_throttled_body_has_shopify_shape():
    body = throttled_body(52, {"maximumAvailable": 100.0, "currentlyAvailable": 40,
                               "restoreRate": 10.0})
    assert body["errors"][0]["message"] == "Throttled"
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 52
    assert body["extensions"]["cost"]["actualQueryCost"] is None


def test_max_cost_body_names_the_limit():
    body = max_cost_body(1502, 1000, {})
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert "1502" in body["errors"][0]["message"]


def test_last_is_used_when_first_is_null():
    query = "query Q($f: Int, $l: Int) { customers(first: $f, last: $l) { nodes { id } } }"
    assert cost(query, {"f": None, "l": 4}) == 2 + 4

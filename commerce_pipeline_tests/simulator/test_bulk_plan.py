"""A compiled bulk plan answers exactly as graphql-core does, or declines and leaves it to it."""

from __future__ import annotations

import copy

import pytest
from graphql import execute_sync, parse

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator.bulk_plan import Irregular, compile_plan
from commerce_pipeline.simulator.schema import SCHEMA, RequestContext
from commerce_pipeline.simulator.store import Store
from commerce_pipeline_tests.simulator import shared_store

CUSTOM = """{ orders(query: "updated_at:>'2024-01-01T00:00:00Z'", reverse: true) { edges { cursor
  node { id n: name customer { id email displayName } totalPriceSet { presentmentMoney { amount
  currencyCode } } lineItems { pageInfo { hasNextPage } edges { cursor node { id
  variant { id price } product { title } } } } refunds { id refundLineItems(first: 2) {
  nodes { quantity } pageInfo { hasNextPage endCursor } } } } } pageInfo { endCursor } } }"""


def _both(store: Store, document):
    """(plan's data, graphql-core's data), each from a fresh bulk context."""
    planned = compile_plan(SCHEMA, document)(RequestContext(store=store, bulk=True))
    result = execute_sync(SCHEMA, document, context_value=RequestContext(store=store, bulk=True))
    assert not result.errors
    return planned, result.data


@pytest.mark.parametrize("query", [
    *(queries.bulk_query(resource, None) for resource in ("customers", "orders", "products")),
    queries.bulk_query("customers", "updated_at:<='2030-01-01T00:00:00Z'"), CUSTOM,
], ids=["customers", "orders", "products", "searched", "aliases, references, edges"])
def test_compiled_plan_gives_graphql_cores_data(query):
    planned, expected = _both(shared_store(40, seed=12), parse(query))
    assert planned == expected
    assert list(planned) == list(expected)  # same key order, so the same JSON text


@pytest.mark.parametrize("query", [
    "{ customers { edges { node { ... on Customer { id } } } } }",
    "{ customers { edges { node { id @include(if: true) } } } }",
    "query Q($q: String) { customers(query: $q) { edges { node { id } } } }",
    "{ customers { edges { node { __typename id } } } }",
    "{ customers { edges { node { id id } } } }",
    "{ node(id: \"gid://shopify/Customer/1\") { id } }",
])
def test_plan_is_not_compiled_for_what_it_does_not_handle(query):
    assert compile_plan(SCHEMA, parse(query)) is None


@pytest.mark.parametrize("change", [{"state": "NOT_A_STATE"}, {"emailMarketingConsent": {}}],
                         ids=["value the enum refuses", "null for a non-null field"])
def test_irregular_value_is_left_to_graphql_core(change):
    store = shared_store(40, seed=12)
    customers = copy.deepcopy(store.records("customers"))
    customers[0].update(change)
    odd = Store("odd", 1, store.info, {"customers": customers}, {}, {})
    document = parse("{ customers { edges { node { id state emailMarketingConsent {"
                     " marketingState } } } } }")
    with pytest.raises(Irregular):
        compile_plan(SCHEMA, document)(RequestContext(store=odd, bulk=True))
    assert execute_sync(SCHEMA, document, context_value=RequestContext(store=odd, bulk=True)).errors

"""Query cost estimates follow Shopify's documented rule and round up, never down."""

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.ingest.shopify.cost import estimate_query_cost


def test_scalars_on_an_object_cost_one():
    assert estimate_query_cost("{ shop { name currencyCode } }") == 1


def test_connection_costs_two_plus_first_times_node_cost():
    # 2 for the connection + 10 nodes x (1 node + 1 nested object)
    query = "{ customers(first: 10) { nodes { id amountSpent { amount } } } }"
    assert estimate_query_cost(query) == 2 + 10 * 2


def test_page_info_is_charged_once_per_connection_not_per_node():
    with_info = "{ customers(first: 10) { pageInfo { hasNextPage } nodes { id } } }"
    without = "{ customers(first: 10) { nodes { id } } }"
    assert estimate_query_cost(with_info) - estimate_query_cost(without) == 1


def test_first_read_from_variables():
    query = "query($n: Int!) { customers(first: $n) { nodes { id } } }"
    assert estimate_query_cost(query, {"n": 50}) == 2 + 50


def test_nested_connections_multiply():
    query = "{ orders(first: 5) { edges { node { id lineItems(first: 10) { edges { node { id } } } } } } }"
    assert estimate_query_cost(query) == 2 + 5 * (1 + (2 + 10 * 1))


def test_mutation_costs_ten():
    assert estimate_query_cost(queries.BULK_RUN_MUTATION, {"query": "{ shop { name } }"}) == 10


def test_every_page_query_grows_with_page_size():
    for resource in queries.RESOURCES:
        query = queries.page_query(resource)
        assert estimate_query_cost(query, {"first": 2}) > estimate_query_cost(query, {"first": 1})

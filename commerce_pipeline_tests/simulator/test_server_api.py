"""The GraphQL endpoint over real HTTP: the pipeline's documents, paging, errors, auth."""

import pytest
import requests

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator import SimulatorServer
from commerce_pipeline_tests.simulator import data, page_all, post, shared_store, wait_bulk


@pytest.fixture(scope="module")
def server():
    # A bucket big enough that these tests never wait; test_throttling covers the limits.
    stores = [shared_store(), shared_store(40, seed=12)]
    with SimulatorServer(stores, bucket_size=100_000, restore_rate=100_000) as srv:
        yield srv


@pytest.fixture(scope="module")
def store():
    return shared_store()


def first_refund(store):
    return next(o for o in store.records("orders") if o["refunds"])["refunds"][0]


def big_order(store):
    return max(store.records("orders"), key=lambda o: len(o["lineItems"]))


@pytest.mark.parametrize("resource", ["customers", "orders", "products"])
def test_page_query_executes(server, store, resource):
    variables = {"first": 5, "after": None, "query": None}
    got = data(server, store, queries.page_query(resource), variables)
    assert len(got[resource]["nodes"]) == 5


@pytest.mark.parametrize("resource", ["customers", "orders", "products"])
def test_bulk_query_is_a_valid_bulk_operation(server, store, resource):
    payload = data(server, store, queries.BULK_RUN_MUTATION,
                   {"query": queries.bulk_query(resource, "updated_at:>'2025-01-01T00:00:00Z'")})
    assert payload["bulkOperationRunQuery"]["userErrors"] == []
    operation = payload["bulkOperationRunQuery"]["bulkOperation"]
    assert wait_bulk(server, store, operation["id"])["status"] == "COMPLETED"


@pytest.mark.parametrize("resource,connection,gid", [
    ("orders", "lineItems", lambda s: big_order(s)["id"]),
    ("products", "variants", lambda s: s.records("products")[0]["id"]),
    ("orders", "refundLineItems", lambda s: first_refund(s)["id"]),
])
def test_nested_page_query_executes(server, store, resource, connection, gid):
    got = data(server, store, queries.nested_page_query(resource, connection),
               {"id": gid(store), "first": 2, "after": None})
    assert got["node"][connection]["nodes"]


def test_shop_query_executes(server, store):
    shop = data(server, store, queries.SHOP_QUERY)["shop"]
    assert shop == {"name": store.shop, "myshopifyDomain": f"{store.shop}.myshopify.com",
                    "currencyCode": "USD", "ianaTimezone": "America/New_York"}


def test_bulk_status_query_of_an_unknown_operation_is_null(server, store):
    assert data(server, store, queries.BULK_STATUS_QUERY,
                {"id": "gid://shopify/BulkOperation/999999"})["node"] is None


@pytest.mark.parametrize("resource", ["customers", "orders", "products"])
def test_paging_yields_every_record_exactly_once(server, store, resource):
    ids = [n["id"] for n in page_all(server, store, resource, first=40)]
    assert len(ids) == len(set(ids)) == store.count(resource)


def test_pages_come_oldest_change_first(server, store):
    stamps = [n["updatedAt"] for n in page_all(server, store, "customers", first=60)]
    assert stamps == sorted(stamps)


def test_search_filters_pages(server, store):
    search = "updated_at:>'2025-06-01T00:00:00Z' AND updated_at:<='2025-12-31T00:00:00Z'"
    got = {n["id"] for n in page_all(server, store, "orders", search)}
    expected = {o["id"] for o in store.records("orders")
                if "2025-06-01T00:00:00Z" < o["updatedAt"] <= "2025-12-31T00:00:00Z"}
    assert got == expected and got
    assert search in server.stats(store.shop)["searches"]


def test_three_hundred_line_items_drain_through_node_pages(server, store):
    order = big_order(store)
    first = data(server, store, queries.page_query("orders"),
                 {"first": 1, "query": f"id:{order['id'].rsplit('/', 1)[1]}"})["orders"]["nodes"][0]
    connection, items = first["lineItems"], list(first["lineItems"]["nodes"])
    while connection["pageInfo"]["hasNextPage"]:
        connection = data(server, store, queries.nested_page_query("orders", "lineItems"),
                          {"id": order["id"], "first": 100,
                           "after": connection["pageInfo"]["endCursor"]})["node"]["lineItems"]
        items.extend(connection["nodes"])
    assert [li["id"] for li in items] == [li["id"] for li in order["lineItems"]]
    assert len(items) == 300


def test_edges_carry_cursors_and_page_info_both_ends(server, store):
    got = data(server, store, """{ customers(first: 3, sortKey: ID) {
        edges { cursor node { id } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""")
    conn = got["customers"]
    assert conn["pageInfo"]["startCursor"] == conn["edges"][0]["cursor"]
    assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]
    assert conn["pageInfo"]["hasNextPage"] and not conn["pageInfo"]["hasPreviousPage"]


def test_reverse_sorts_newest_first(server, store):
    query = "{ orders(first: 5, sortKey: CREATED_AT, reverse: true) { nodes { createdAt } } }"
    got = data(server, store, query)
    stamps = [n["createdAt"] for n in got["orders"]["nodes"]]
    assert stamps == sorted((o["createdAt"] for o in store.records("orders")), reverse=True)[:5]


def test_first_above_250_is_a_graphql_error(server, store):
    body = post(server, store, "{ products(first: 251) { nodes { id } } }").json()
    assert "250" in body["errors"][0]["message"]


def test_connection_without_first_or_last_is_a_graphql_error(server, store):
    body = post(server, store, "{ products { nodes { id } } }").json()
    assert "first or last" in body["errors"][0]["message"]


def test_syntax_error_comes_back_as_200_with_locations(server, store):
    response = post(server, store, "{ customers(first: 1) { nodes { id }")
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["message"] and error["locations"] and error["extensions"]["code"]


def test_unknown_field_is_a_validation_error(server, store):
    body = post(server, store, "{ shop { nope } }").json()
    assert "nope" in body["errors"][0]["message"]
    assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 100_000


def test_every_answer_reports_cost(server, store):
    body = post(server, store, queries.SHOP_QUERY).json()
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == cost["actualQueryCost"] == 1
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_actual_cost_is_refunded_when_fewer_nodes_return(server, store):
    body = post(server, store, queries.page_query("customers"),
                {"first": 10, "query": "created_at:<'2000-01-01'"}).json()
    assert body["extensions"]["cost"]["requestedQueryCost"] == 52
    assert body["extensions"]["cost"]["actualQueryCost"] == 2


def test_wrong_token_is_401(server, store):
    response = post(server, store, queries.SHOP_QUERY, token="shpat_wrong")
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token "
                                         "(unrecognized login or wrong password)"}


def test_token_of_another_store_is_401(server, store):
    other_token = shared_store(40, seed=12).access_token
    assert post(server, store, queries.SHOP_QUERY, token=other_token).status_code == 401


def test_unknown_shop_is_404(server, store):
    url = server.graphql_url(store.shop).replace(store.shop, "no-such-shop")
    assert requests.post(url, json={"query": "{ shop { name } }"}).status_code == 404


def test_bad_api_version_is_404(server, store):
    assert post(server, store, queries.SHOP_QUERY, version="2025-13").status_code == 404


def test_stores_are_isolated_on_one_port(server):
    other = shared_store(40, seed=12)
    assert data(server, other, queries.SHOP_QUERY)["shop"]["name"] == other.shop
    assert len(page_all(server, other, "customers")) == 40


def test_badly_typed_variable_is_a_graphql_error_not_a_crash(server, store):
    response = post(server, store, queries.page_query("products"), {"first": "many"})
    assert response.status_code == 200
    assert "first" in response.json()["errors"][0]["message"]

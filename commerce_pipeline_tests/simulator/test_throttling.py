"""The leaky bucket over HTTP: throttling when drained, restoring over time, the max cost."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator import SimulatorServer
from commerce_pipeline_tests.simulator import post, shared_store

CUSTOMERS_10 = {"first": 10, "after": None, "query": None}  # 2 + 10 x 5 = 52 points


@pytest.fixture
def server():
    with SimulatorServer([shared_store()], bucket_size=100, restore_rate=10) as srv:
        yield srv


@pytest.fixture
def store():
    return shared_store()


def test_query_within_budget_is_charged_its_actual_cost(server, store):
    body = post(server, store, queries.page_query("customers"), CUSTOMERS_10).json()
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == cost["actualQueryCost"] == 52
    assert 48 <= cost["throttleStatus"]["currentlyAvailable"] < 50


def test_drained_bucket_throttles(server, store):
    post(server, store, queries.page_query("customers"), CUSTOMERS_10)
    response = post(server, store, queries.page_query("customers"), CUSTOMERS_10)
    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == [{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
    assert "data" not in body
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 52 and cost["actualQueryCost"] is None
    assert cost["throttleStatus"] == {"maximumAvailable": 100.0, "currentlyAvailable": 48,
                                      "restoreRate": 10.0}


def test_throttled_request_deducts_nothing(server, store):
    post(server, store, queries.page_query("customers"), CUSTOMERS_10)
    post(server, store, queries.page_query("customers"), CUSTOMERS_10)
    assert server.states[store.shop].bucket.available() >= 48
    assert server.stats(store.shop)["throttled"] == 1


def test_bucket_restores_over_time(server, store):
    post(server, store, queries.page_query("customers"), CUSTOMERS_10)
    time.sleep(0.6)  # 48 + 6 points >= 52
    body = post(server, store, queries.page_query("customers"), CUSTOMERS_10).json()
    assert "errors" not in body
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 10


def test_query_above_the_bucket_size_is_max_cost_exceeded(server, store):
    body = post(server, store, queries.page_query("customers"),
                {"first": 20, "after": None, "query": None}).json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] == 102 and error["extensions"]["maxCost"] == 100
    assert server.states[store.shop].bucket.available() > 99  # nothing deducted


def test_concurrent_requests_never_overdraw_the_bucket(server, store):
    def one(_):
        return post(server, store, queries.page_query("customers"), CUSTOMERS_10).json()

    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(one, range(16)))
    served = [b for b in bodies if "errors" not in b]
    assert 1 <= len(served) <= 3  # 100 points plus a little restore, 52 a request
    stats = server.stats(store.shop)
    assert stats["min_available"] >= 0
    assert stats["throttled"] == 16 - len(served)
    assert all(b["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] >= 0 for b in bodies)


def test_bulk_mutation_costs_ten(server, store):
    body = post(server, store, queries.BULK_RUN_MUTATION,
                {"query": queries.bulk_query("products", None)}).json()
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10
    assert body["extensions"]["cost"]["actualQueryCost"] == 10

"""Injected faults, in-process and over the /_sim control endpoints."""

import time

import pytest
import requests

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator import SimulatorServer
from commerce_pipeline.simulator.faults import FaultQueue
from commerce_pipeline_tests.simulator import post, shared_store


@pytest.fixture
def store():
    return shared_store(40, seed=12)


@pytest.fixture
def server(store):
    with SimulatorServer([store]) as srv:
        yield srv


def control(server, store, path):
    return f"http://127.0.0.1:{server.port}/_sim/{store.shop}/{path}"


def test_429_carries_a_fractional_retry_after(server, store):
    server.inject_fault(store.shop, "429", retry_after="0.25")
    response = post(server, store, queries.SHOP_QUERY)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "0.25"
    assert response.json() == {"errors": "Exceeded 2 calls per second for api client. "
                                         "Reduce request rates to resume uninterrupted service."}


def test_429_defaults_to_one_second(server, store):
    server.inject_fault(store.shop, "429")
    assert post(server, store, queries.SHOP_QUERY).headers["Retry-After"] == "1.0"


def test_fault_affects_only_the_next_count_requests(server, store):
    server.inject_fault(store.shop, "429", count=2)
    codes = [post(server, store, queries.SHOP_QUERY).status_code for _ in range(3)]
    assert codes == [429, 429, 200]


def test_throttled_fault_answers_throttled_with_a_full_bucket(server, store):
    server.inject_fault(store.shop, "throttled")
    body = post(server, store, queries.SHOP_QUERY).json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 1000


def test_5xx_fault_cycles_through_server_errors(server, store):
    server.inject_fault(store.shop, "5xx", count=3)
    codes = [post(server, store, queries.SHOP_QUERY).status_code for _ in range(3)]
    assert codes == [500, 502, 503]


def test_slow_fault_delays_a_normal_answer(server, store):
    server.inject_fault(store.shop, "slow", seconds=0.3)
    started = time.perf_counter()
    response = post(server, store, queries.SHOP_QUERY)
    assert time.perf_counter() - started >= 0.3
    assert response.json()["data"]["shop"]["name"] == store.shop


def test_truncated_fault_cuts_the_json_body(server, store):
    server.inject_fault(store.shop, "truncated")
    response = post(server, store, queries.SHOP_QUERY)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert response.text.startswith('{"data"')


def test_unknown_fault_kind_is_refused():
    with pytest.raises(ValueError, match="unknown fault"):
        FaultQueue().inject("gremlins")


def test_faults_are_counted_in_stats(server, store):
    server.inject_fault(store.shop, "5xx", count=2)
    post(server, store, queries.SHOP_QUERY)
    stats = server.stats(store.shop)
    assert stats["faults_injected"] == 2
    assert stats["faults_served"] == {"5xx": 1}
    assert stats["status_codes"] == {"500": 1}


def test_faults_can_be_injected_over_http(server, store):
    response = requests.post(control(server, store, "faults"),
                             json={"kind": "429", "count": 1, "retry_after": "0.5"})
    assert response.status_code == 200
    assert post(server, store, queries.SHOP_QUERY).headers["Retry-After"] == "0.5"


def test_stats_over_http_and_reset(server, store):
    post(server, store, queries.SHOP_QUERY)
    stats = requests.get(control(server, store, "stats")).json()
    assert stats["requests"] == 1 and stats["status_codes"] == {"200": 1}
    assert requests.post(control(server, store, "stats/reset")).status_code == 200
    assert requests.get(control(server, store, "stats")).json()["requests"] == 0


def test_bad_control_request_is_400(server, store):
    assert requests.post(control(server, store, "faults"), json={"kind": "nope"}).status_code == 400

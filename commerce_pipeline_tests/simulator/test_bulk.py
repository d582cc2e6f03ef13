"""Bulk operations: JSONL in Shopify's layout, one at a time per store, failures."""

import json

import pytest
import requests

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator import SimulatorServer
from commerce_pipeline.simulator.bulk import check_bulk_query, flatten
from commerce_pipeline.simulator.schema import SCHEMA
from commerce_pipeline_tests.simulator import data, shared_store, wait_bulk


@pytest.fixture
def store():
    return shared_store(40, seed=12)


@pytest.fixture
def server(store, tmp_path):
    with SimulatorServer([store], bucket_size=100, restore_rate=10, data_dir=tmp_path) as srv:
        yield srv


def run(server, store, inner):
    return data(server, store, queries.BULK_RUN_MUTATION, {"query": inner})["bulkOperationRunQuery"]


def finished(server, store, resource, search=None):
    payload = run(server, store, queries.bulk_query(resource, search))
    assert payload["userErrors"] == [] and payload["bulkOperation"]["status"] == "CREATED"
    return wait_bulk(server, store, payload["bulkOperation"]["id"])


def lines_of(operation):
    return [json.loads(line) for line in requests.get(operation["url"]).text.splitlines()]


def test_orders_jsonl_has_parents_followed_by_their_line_items(server, store):
    operation = finished(server, store, "orders")
    lines = lines_of(operation)
    assert operation["status"] == "COMPLETED" and operation["errorCode"] is None
    assert int(operation["objectCount"]) == len(lines)
    parent = None
    for line in lines:
        if "__parentId" not in line:
            parent = line
            assert "lineItems" not in line
        else:
            assert line["__parentId"] == parent["id"]
            assert line["id"].startswith("gid://shopify/LineItem/")
    parents = [line for line in lines if "__parentId" not in line]
    assert [p["id"] for p in parents] == [o["id"] for o in store.records("orders")]
    children = len(lines) - len(parents)
    assert children == sum(len(o["lineItems"]) for o in store.records("orders"))


def test_refund_line_items_stay_inline_and_paginated(server, store):
    lines = lines_of(finished(server, store, "orders"))
    refunded = next(line for line in lines if line.get("refunds"))
    inline = refunded["refunds"][0]["refundLineItems"]
    assert set(inline) == {"pageInfo", "nodes"} and inline["nodes"]


def test_products_jsonl_has_variant_lines(server, store):
    lines = lines_of(finished(server, store, "products"))
    variants = [line for line in lines if "__parentId" in line]
    assert variants and all(v["id"].startswith("gid://shopify/ProductVariant/") for v in variants)


def test_bulk_result_is_written_under_the_data_dir_and_served(server, store, tmp_path):
    operation = finished(server, store, "customers")
    serial = operation["id"].rsplit("/", 1)[1]
    assert operation["url"] == f"http://127.0.0.1:{server.port}/bulk/{store.shop}/{serial}.jsonl"
    assert (tmp_path / "bulk" / store.shop / f"{serial}.jsonl").is_file()
    assert operation["partialDataUrl"] is None


def test_bulk_honours_the_search_filter(server, store):
    search = "updated_at:>'2025-06-01T00:00:00Z'"
    lines = lines_of(finished(server, store, "customers", search))
    expected = [c["id"] for c in store.records("customers")
                if c["updatedAt"] > "2025-06-01T00:00:00Z"]
    assert [line["id"] for line in lines] == expected
    assert search in server.stats(store.shop)["searches"]


def test_empty_result_has_no_url(server, store):
    operation = finished(server, store, "customers", "created_at:<'2000-01-01T00:00:00Z'")
    assert operation["status"] == "COMPLETED"
    assert operation["objectCount"] == "0" and operation["url"] is None


def test_bulk_does_not_draw_from_the_bucket(server, store):
    finished(server, store, "orders")
    assert server.states[store.shop].bucket.available() > 80
    assert server.stats(store.shop)["nodes"]["bulk"]["orders"] == store.count("orders")


def test_only_one_bulk_operation_runs_at_a_time(store, tmp_path):
    with SimulatorServer([store], data_dir=tmp_path, bulk_delay=0.5) as server:
        first = run(server, store, queries.bulk_query("customers", None))["bulkOperation"]
        second = run(server, store, queries.bulk_query("orders", None))
        assert second["bulkOperation"] is None
        assert second["userErrors"][0]["message"] == (
            "A bulk query operation for this app and shop is already in progress: "
            f"{first['id']}.")
        current = data(server, store, "{ currentBulkOperation { id status } }")
        assert current["currentBulkOperation"] == {"id": first["id"], "status": "RUNNING"}
        assert wait_bulk(server, store, first["id"])["status"] == "COMPLETED"
        assert run(server, store, queries.bulk_query("orders", None))["userErrors"] == []


def test_invalid_inner_query_is_a_user_error(server, store):
    payload = run(server, store, "{ customers { edges { node { nope } } } }")
    assert payload["bulkOperation"] is None
    assert payload["userErrors"][0]["field"] == ["query"]
    assert "nope" in payload["userErrors"][0]["message"]


def test_nested_connection_needs_the_parent_id(server, store):
    inner = "{ orders { edges { node { name lineItems { edges { node { id } } } } } } }"
    payload = run(server, store, inner)
    assert "'id'" in payload["userErrors"][0]["message"]


def test_injected_bulk_failure_ends_failed_then_recovers(server, store):
    server.inject_fault(store.shop, "bulk_failed")
    failed = finished(server, store, "products")
    assert failed["status"] == "FAILED" and failed["errorCode"] == "INTERNAL_SERVER_ERROR"
    assert failed["url"] is None
    assert finished(server, store, "products")["status"] == "COMPLETED"


def test_flatten_writes_children_after_each_parent():
    inner = "{ products { edges { node { id variants { edges { node { id } } } } } } }"
    _, connection, error = check_bulk_query(inner)
    assert error is None and connection.name.value == "products"
    selection = connection.selection_set.selections[0].selection_set.selections[0].selection_set
    nodes = [{"id": "P1", "variants": {"edges": [{"node": {"id": "V1"}}, {"node": {"id": "V2"}}]}},
             {"id": "P2", "variants": {"edges": []}}]
    assert list(flatten(SCHEMA.get_type("Product"), selection, nodes, "products")) == [
        ("products", {"id": "P1"}),
        ("variants", {"id": "V1", "__parentId": "P1"}),
        ("variants", {"id": "V2", "__parentId": "P1"}),
        ("products", {"id": "P2"}),
    ]


def test_page_arguments_in_a_bulk_query_are_ignored(server, store):
    payload = run(server, store, "{ customers(first: 5) { edges { node { id } } } }")
    operation = wait_bulk(server, store, payload["bulkOperation"]["id"])
    assert int(operation["objectCount"]) == store.count("customers")


def test_results_larger_than_one_chunk_are_complete_and_in_id_order(tmp_path):
    big = shared_store()  # 300 customers: more than one 250-node execution pass
    with SimulatorServer([big], data_dir=tmp_path) as server:
        lines = lines_of(finished(server, big, "customers"))
    assert [line["id"] for line in lines] == [c["id"] for c in big.records("customers")]

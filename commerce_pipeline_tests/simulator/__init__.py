"""Helpers shared by the simulator tests: a cached read-only store and GraphQL over HTTP."""

from __future__ import annotations

import time
from functools import cache

import requests

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator import SimulatorServer, Store, generate_store


@cache
def shared_store(customers: int = 300, seed: int = 11) -> Store:
    """A store several tests read; tests that update records generate their own."""
    return generate_store(f"shared-{seed}-{customers}", seed=seed, customers=customers)


def post(server: SimulatorServer, store: Store, query: str, variables: dict | None = None,
         token: str | None = None, version: str = "2025-01") -> requests.Response:
    return requests.post(
        server.graphql_url(store.shop, version),
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token or store.access_token},
        timeout=30,
    )


def data(server: SimulatorServer, store: Store, query: str, variables: dict | None = None) -> dict:
    response = post(server, store, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def page_all(server, store, resource: str, search: str | None = None, first: int = 50,
             after_page=None) -> list[dict]:
    """Every node of a resource through the pipeline's page query; `after_page(n)` runs
    after the n-th page (to change records mid-sync)."""
    nodes, after, page = [], None, 0
    while True:
        got = data(server, store, queries.page_query(resource),
                   {"first": first, "after": after, "query": search})[resource]
        nodes.extend(got["nodes"])
        page += 1
        if after_page:
            after_page(page)
        if not got["pageInfo"]["hasNextPage"]:
            return nodes
        after = got["pageInfo"]["endCursor"]


def wait_bulk(server, store, gid: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        node = data(server, store, queries.BULK_STATUS_QUERY, {"id": gid})["node"]
        if node["status"] in ("COMPLETED", "FAILED") or time.monotonic() > deadline:
            return node
        time.sleep(0.05)

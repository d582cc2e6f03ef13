"""What a store serves, as bytes: bulk JSONL files and paginated GraphQL responses.

Used to prove a change to the simulator's internals serves the same bytes: write a
snapshot with the old code, then compare with the new (same seed and size):

    python -m commerce_pipeline_tests.simulator.response_snapshot write DIR [customers]
    python -m commerce_pipeline_tests.simulator.response_snapshot compare DIR [customers]

The responses include ones served after `update_records` (stores are mutated by tests).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from graphql import execute_sync

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator import generate_store
from commerce_pipeline.simulator.bulk import BulkOperations
from commerce_pipeline.simulator.schema import SCHEMA, RequestContext, prepare

WINDOW = "updated_at:>'2025-06-01T00:00:00Z' AND updated_at:<='2026-01-01T00:00:00Z'"
DEEP = """{ orders(first: 30, sortKey: UPDATED_AT, reverse: true) { edges { cursor node {
  id customer { id email displayName numberOfOrders }
  lineItems(first: 3) { pageInfo { hasNextPage endCursor } nodes { id variant { id sku price }
    product { id title handle } } }
  refunds { id refundLineItems(first: 2) { nodes { lineItem { id sku quantity } } } } } } } }"""


def graphql(store, query: str, variables: dict | None = None) -> bytes:
    result = execute_sync(SCHEMA, prepare(query)[0], context_value=RequestContext(store=store),
                          variable_values=variables or {})
    errors = [e.formatted for e in result.errors or []]
    return json.dumps({"data": result.data, "errors": errors}, separators=(",", ":")).encode()


def bulk(store, query: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        ops = BulkOperations(Path(folder), lambda shop, n: f"file:{n}")
        started = ops.run(store, query)
        assert not started["userErrors"], started
        ops.join(600)
        path = Path(folder) / "bulk" / store.shop
        return b"".join(p.read_bytes() for p in sorted(path.glob("*.jsonl")))


def pages(store, resource: str, first: int, search: str | None, limit: int) -> bytes:
    out, after = [], None
    for _ in range(limit):
        body = graphql(store, queries.page_query(resource),
                       {"first": first, "after": after, "query": search})
        out.append(body)
        got = json.loads(body)["data"][resource]
        if not got["pageInfo"]["hasNextPage"]:
            break
        after = got["pageInfo"]["endCursor"]
    return b"\n".join(out)


def responses(customers: int, seed: int = 7) -> dict[str, bytes]:
    store = generate_store("snap", seed=seed, customers=customers)
    out: dict[str, bytes] = {}
    for resource in ("customers", "orders", "products"):
        out[f"bulk-{resource}"] = bulk(store, queries.bulk_query(resource, None))
        out[f"pages-{resource}"] = pages(store, resource, 50, WINDOW, 6)
    out["bulk-orders-window"] = bulk(store, queries.bulk_query("orders", WINDOW))
    big = max(store.records("orders"), key=lambda o: len(o["lineItems"]))
    out["nested-lineItems"] = graphql(store, queries.nested_page_query("orders", "lineItems"),
                                      {"id": big["id"], "first": 100, "after": None})
    out["deep"] = graphql(store, DEEP)
    out["counts"] = graphql(store, "query C($q: String) { ordersCount(query: $q, limit: null) {"
                            " count precision } customersCount { count } }", {"q": WINDOW})
    for resource in ("customers", "orders", "products"):
        store.update_records(resource, 25, now="2026-07-01T00:00:00Z")
    out["updated-pages-orders"] = pages(store, "orders", 20, "updated_at:>'2026-06-30T00:00:00Z'", 3)
    out["updated-bulk-customers"] = bulk(store, queries.bulk_query("customers", None))
    out["updated-deep"] = graphql(store, DEEP)
    return out


def main(argv: list[str]) -> int:
    mode, folder = argv[0], Path(argv[1])
    customers = int(argv[2]) if len(argv) > 2 else 2000
    got = responses(customers)
    if mode == "write":
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in got.items():
            (folder / name).write_bytes(body)
        print(f"wrote {len(got)} responses, {sum(map(len, got.values())):,} bytes")
        return 0
    bad = [n for n, body in got.items() if (folder / n).read_bytes() != body]
    print("identical" if not bad else f"DIFFERENT: {bad}",
          f"({len(got)} responses, {sum(map(len, got.values())):,} bytes)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

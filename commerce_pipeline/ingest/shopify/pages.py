"""Cursor pagination over a top-level connection, draining nested connections.

A page query fetches only the first few nested items per node (see
NESTED_PAGE_SIZES); any node whose nested connection has more pages is completed
through `node(id:)` queries, so an order with 300 line items loses none.
"""

from __future__ import annotations

from typing import Any, Iterator

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.ingest.shopify.client import ShopifyGraphQLClient


def search_filter(after: str | None, upto: str | None) -> str | None:
    """Shopify search syntax for an `updated_at` window (after, upto]."""
    terms = []
    if after:
        terms.append(f"updated_at:>'{after}'")
    if upto:
        terms.append(f"updated_at:<='{upto}'")
    return " AND ".join(terms) or None


def _drain_connection(
    client: ShopifyGraphQLClient, query: str, node_id: str, connection: dict, name: str
) -> list[dict]:
    items = list(connection.get("nodes") or [])
    page_info = connection.get("pageInfo") or {}
    first = client.page_size(query, queries.NESTED_PAGE_SIZE) if page_info.get("hasNextPage") else 0
    while page_info.get("hasNextPage"):
        data = client.execute(
            query,
            {"id": node_id, "first": first, "after": page_info.get("endCursor")},
            operation=f"drain {name} of {node_id}",
        )
        page = ((data.get("node") or {}).get(name)) or {}
        items.extend(page.get("nodes") or [])
        page_info = page.get("pageInfo") or {}
    return items


def drain_nested(client: ShopifyGraphQLClient, resource: str, node: dict[str, Any]) -> dict:
    """Complete every nested connection of `node` in place; returns the node."""
    _, _, nested = queries.RESOURCES[resource]
    for name in nested:
        connection = node.get(name)
        if isinstance(connection, dict) and "pageInfo" in connection:
            query = queries.nested_page_query(resource, name)
            node[name] = {"nodes": _drain_connection(client, query, node["id"], connection, name)}
    if resource == "orders":
        refund_query = queries.nested_page_query("orders", "refundLineItems")
        for refund in node.get("refunds") or []:
            connection = refund.get("refundLineItems")
            if isinstance(connection, dict) and "pageInfo" in connection:
                refund["refundLineItems"] = {
                    "nodes": _drain_connection(
                        client, refund_query, refund["id"], connection, "refundLineItems"
                    )
                }
    return node


def iter_pages(
    client: ShopifyGraphQLClient, resource: str, search: str | None
) -> Iterator[list[dict]]:
    """Yield lists of complete nodes, oldest change first."""
    connection_name = queries.RESOURCES[resource][0]
    query = queries.page_query(resource)
    first = client.page_size(query, queries.PAGE_SIZE)
    after = None
    while True:
        data = client.execute(
            query,
            {"first": first, "after": after, "query": search},
            operation=f"fetch {resource} page",
        )
        connection = data.get(connection_name) or {}
        nodes = [drain_nested(client, resource, n) for n in connection.get("nodes") or []]
        yield nodes
        page_info = connection.get("pageInfo") or {}
        if not page_info.get("hasNextPage"):
            return
        after = page_info.get("endCursor")

"""The executable schema: SDL from sdl.py plus resolvers over a Store.

Default resolution reads GraphQL-shaped dicts directly; resolvers exist only for
connections (paged from the store's sorted indexes or from a node's lists),
references to other records, `node(id:)`, `shop` and the bulk operation fields.
In bulk mode connections need no `first`: the top-level one is served in chunks
the bulk runner walks with `bulk_after`, nested ones whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from graphql import GraphQLError, build_schema, parse, validate
from graphql.language import DocumentNode

from commerce_pipeline.simulator.paging import (
    CursorError,
    Page,
    PageArgs,
    check_page_size,
    decode_cursor,
    encode_cursor,
    page_list,
)
from commerce_pipeline.simulator.sdl import SDL
from commerce_pipeline.simulator.search import compile_search
from commerce_pipeline.simulator.store import Store, gid_type

SCHEMA = build_schema(SDL)
BULK_CHUNK = 250  # top-level nodes per bulk execution pass
_SORT_ALIASES = {"PROCESSED_AT": "CREATED_AT"}  # processedAt == createdAt in generated data


@dataclass
class RequestContext:
    store: Store
    operations: Any = None  # the server's BulkOperations, for the mutation and node lookups
    bulk: bool = False
    bulk_after: str | None = None  # where the next bulk chunk starts
    bulk_next: str | None = None  # set by the top-level resolver when more chunks remain
    searches: list[str] = field(default_factory=list)


class Connection:
    """What a connection field resolves to; cursors, edges and pageInfo are built only when
    read (a bulk export reads a nested connection's edges without cursors, and of a chunk's
    page info only the end cursor)."""

    def __init__(self, sort: str, page: Page):
        self.nodes = page.items
        self._sort, self._page = sort, page

    @cached_property
    def cursors(self) -> list[str]:
        return [encode_cursor(self._sort, key) for key in self._page.keys]

    @cached_property
    def pageInfo(self) -> dict:
        keys = self._page.keys
        return {
            "hasNextPage": self._page.has_next, "hasPreviousPage": self._page.has_previous,
            "startCursor": encode_cursor(self._sort, keys[0]) if keys else None,
            "endCursor": encode_cursor(self._sort, keys[-1]) if keys else None,
        }

    @property
    def edges(self) -> list[dict]:
        return [{"cursor": c, "node": n} for c, n in zip(self.cursors, self.nodes)]


def _args(sort: str, first, after, last, before, reverse, required: bool) -> PageArgs:
    try:
        check_page_size(first, last, required)
        return PageArgs(first, decode_cursor(sort, after) if after else None, last,
                        decode_cursor(sort, before) if before else None, bool(reverse))
    except (ValueError, CursorError) as exc:
        raise GraphQLError(str(exc)) from exc


def _top_level(resource: str):
    def resolve(_root, info, first=None, after=None, last=None, before=None, reverse=False,
                query=None, sortKey=None):
        ctx: RequestContext = info.context
        if query is not None:
            ctx.searches.append(query)
        sort = _SORT_ALIASES.get(sortKey, sortKey) or "ID"
        sort = sort if sort in ("UPDATED_AT", "CREATED_AT") else "ID"
        if ctx.bulk:  # bulk reads everything: page arguments are ignored, chunks chained
            first, after, last, before = BULK_CHUNK, ctx.bulk_after, None, None
        args = _args(sort, first, after, last, before, reverse, required=not ctx.bulk)
        page = ctx.store.page(resource, sort, args, compile_search(query))
        connection = Connection(sort, page)
        if ctx.bulk:
            ctx.bulk_next = connection.pageInfo["endCursor"] if page.has_next else None
        return connection

    return resolve


def _count(resource: str):
    """Shopify's `ordersCount` etc.: records matching `query`, counted up to `limit` (null: all)."""
    def resolve(_root, info, query=None, limit=10000):
        ctx: RequestContext = info.context
        if query is not None:
            ctx.searches.append(query)
        matching = ctx.store.count(resource, compile_search(query))
        if limit is not None and matching > limit:
            return {"count": limit, "precision": "AT_LEAST"}
        return {"count": matching, "precision": "EXACT"}

    return resolve


def _nested(key: str):
    def resolve(obj, info, first=None, after=None, last=None, before=None, reverse=False):
        required = not info.context.bulk
        args = _args("POSITION", first, after, last, before, reverse, required)
        return Connection("POSITION", page_list(obj[key], args))

    return resolve


def _reference(key: str):
    """Follow a stored {"id": gid} to the current record, so any of its fields can be selected."""

    def resolve(obj, info):
        ref = obj.get(key)
        if ref is None:
            return None
        return info.context.store.lookup(ref["id"]) or ref

    def id_only(obj, info):
        """The same answer when only `id` is selected: the stored reference's own id."""
        ref = obj.get(key)
        if type(ref) is dict and type(ref.get("id")) is str and \
                info.context.store.resolves_to_itself(ref["id"]):
            return ref
        return resolve(obj, info)

    resolve.id_only = id_only  # used by compiled bulk plans (bulk_plan.py)
    return resolve


def _node(_root, info, id):
    ctx: RequestContext = info.context
    if gid_type(id) == "BulkOperation":
        return ctx.operations.get(ctx.store.shop, id) if ctx.operations else None
    if id == ctx.store.info["id"]:
        return ctx.store.info
    return ctx.store.lookup(id)


def _typed(kind: str):
    def resolve(root, info, id):
        return _node(root, info, id) if gid_type(id) == kind else None

    return resolve


def _run_bulk(_root, info, query):
    ctx: RequestContext = info.context
    if ctx.operations is None:
        raise GraphQLError("Bulk operations are not available here")
    return ctx.operations.run(ctx.store, query)


def _current_bulk(_root, info, type="QUERY"):
    ctx: RequestContext = info.context
    return ctx.operations.current(ctx.store.shop) if ctx.operations else None


def _install() -> None:
    fields = SCHEMA.query_type.fields
    for resource in ("customers", "orders", "products"):
        fields[resource].resolve = _top_level(resource)
        fields[f"{resource}Count"].resolve = _count(resource)
    fields["node"].resolve = _node
    fields["nodes"].resolve = lambda root, info, ids: [_node(root, info, i) for i in ids]
    fields["customer"].resolve = _typed("Customer")
    fields["order"].resolve = _typed("Order")
    fields["product"].resolve = _typed("Product")
    fields["shop"].resolve = lambda _root, info: info.context.store.info
    fields["currentBulkOperation"].resolve = _current_bulk
    SCHEMA.mutation_type.fields["bulkOperationRunQuery"].resolve = _run_bulk
    SCHEMA.get_type("Order").fields["lineItems"].resolve = _nested("lineItems")
    SCHEMA.get_type("Order").fields["customer"].resolve = _reference("customer")
    SCHEMA.get_type("Order").fields["refunds"].resolve = (
        lambda obj, info, first=None: obj["refunds"] if first is None else obj["refunds"][:first])
    SCHEMA.get_type("Product").fields["variants"].resolve = _nested("variants")
    SCHEMA.get_type("Refund").fields["refundLineItems"].resolve = _nested("refundLineItems")
    SCHEMA.get_type("RefundLineItem").fields["lineItem"].resolve = _reference("lineItem")
    SCHEMA.get_type("LineItem").fields["variant"].resolve = _reference("variant")
    SCHEMA.get_type("LineItem").fields["product"].resolve = _reference("product")
    # One currency per store: presentment money is shop money.
    SCHEMA.get_type("MoneyBag").fields["presentmentMoney"].resolve = (
        lambda obj, info: obj["shopMoney"])
    SCHEMA.get_type("Customer").fields["displayName"].resolve = (
        lambda obj, info: " ".join(p for p in (obj["firstName"], obj["lastName"]) if p) or "")
    SCHEMA.get_type("Node").resolve_type = lambda obj, info, _type: gid_type(obj["id"]) or None


_install()


@lru_cache(maxsize=512)
def prepare(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """Parse and validate once per distinct document (clients send the same few over and over)."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, (exc,)
    return document, tuple(validate(SCHEMA, document))

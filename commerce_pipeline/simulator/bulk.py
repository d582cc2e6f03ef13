"""Bulk operations: `bulkOperationRunQuery` run in a background thread, results as JSONL.

Flattening follows Shopify: every node of the top-level connection is a line
without its nested connections; every node of a connection directly on a node
is its own line carrying `"__parentId"`, written right after its parent (and
its own children after it). Connections anywhere else (e.g. inside the
`refunds` list) stay inline in their ordinary paginated form.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from graphql import execute_sync, get_named_type
from graphql.language import DocumentNode, FieldNode, OperationDefinitionNode, SelectionSetNode

from commerce_pipeline.simulator.bulk_plan import Irregular, compile_plan
from commerce_pipeline.simulator.schema import SCHEMA, RequestContext, prepare

DONE = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
_LINE = json.JSONEncoder(separators=(",", ":"))  # json.dumps(..., separators) without a new encoder


def _line(obj: dict) -> str:
    """One JSONL line: orjson (several times faster), json for what orjson refuses (ints past
    64 bits); the same JSON values either way."""
    try:
        return orjson.dumps(obj).decode()
    except TypeError:
        return _LINE.encode(obj)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _node_selection(connection: FieldNode) -> SelectionSetNode | None:
    for child in connection.selection_set.selections:
        if isinstance(child, FieldNode) and child.name.value == "nodes":
            return child.selection_set
        if isinstance(child, FieldNode) and child.name.value == "edges" and child.selection_set:
            for sub in child.selection_set.selections:
                if isinstance(sub, FieldNode) and sub.name.value == "node":
                    return sub.selection_set
    return None


def _connection_nodes(value: dict | None) -> list[dict]:
    if not value:
        return []
    if "nodes" in value:
        return value["nodes"]
    return [edge["node"] for edge in value.get("edges") or []]


_CHILDREN: dict[tuple[int, int], tuple] = {}  # (type, selection) ids -> (type, selection, out)


def _child_connections(type_, selection: SelectionSetNode) -> list[tuple[str, Any, Any]]:
    """Connections selected directly on nodes of `type_`: (response key, node type, selection);
    worked out once per selection (flatten asks for every node)."""
    cached = _CHILDREN.get((id(type_), id(selection)))
    if cached is not None and cached[0] is type_ and cached[1] is selection:
        return cached[2]
    out = _find_child_connections(type_, selection)
    if len(_CHILDREN) > 1024:  # a long-running server sees many documents
        _CHILDREN.clear()
    _CHILDREN[id(type_), id(selection)] = (type_, selection, out)
    return out


def _find_child_connections(type_, selection: SelectionSetNode) -> list[tuple[str, Any, Any]]:
    out = []
    for sel in selection.selections:
        if not isinstance(sel, FieldNode) or sel.name.value not in type_.fields:
            continue
        target = get_named_type(type_.fields[sel.name.value].type)
        if target.name.endswith("Connection") and sel.selection_set:
            node_type = get_named_type(target.fields["nodes"].type)
            out.append((_key(sel), node_type, _node_selection(sel)))
    return out


def flatten(type_, selection: SelectionSetNode, nodes: list[dict], name: str,
            parent_id: str | None = None) -> Iterator[tuple[str, dict]]:
    """(connection name, JSONL object) for `nodes` of GraphQL type `type_`, each followed by
    its children."""
    children = _child_connections(type_, selection)
    keys = {key for key, _, _ in children}
    for node in nodes:
        # The completed node is this export's own: without child connections it is the line.
        line = {k: v for k, v in node.items() if k not in keys} if keys else node
        if parent_id is not None:
            line["__parentId"] = parent_id
        yield name, line
        for key, child_type, child_selection in children:
            if child_selection is not None:
                yield from flatten(child_type, child_selection, _connection_nodes(node.get(key)),
                                   key, node.get("id"))


def _missing_parent_id(type_, selection: SelectionSetNode) -> bool:
    children = _child_connections(type_, selection)
    if not children:
        return False
    if "id" not in {s.name.value for s in selection.selections if isinstance(s, FieldNode)}:
        return True
    return any(sel is not None and _missing_parent_id(t, sel) for _, t, sel in children)


def _node_type(connection: FieldNode):
    root_type = get_named_type(SCHEMA.query_type.fields[connection.name.value].type)
    return get_named_type(root_type.fields["nodes"].type)


def check_bulk_query(query: str) -> tuple[DocumentNode | None, FieldNode | None, str | None]:
    """(document, the top-level connection field, an error message) for a bulk query."""
    document, errors = prepare(query)
    if errors:
        return None, None, "Invalid bulk query: " + "; ".join(e.message for e in errors)
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(ops) != 1 or ops[0].operation.value != "query":
        return None, None, "Bulk queries must contain exactly one query operation."
    fields = [s for s in ops[0].selection_set.selections if isinstance(s, FieldNode)]
    connections = [f for f in fields if f.name.value in ("customers", "orders", "products")]
    if len(connections) != 1 or len(fields) != 1:
        return None, None, "Bulk queries must contain exactly one top-level connection."
    selection = _node_selection(connections[0])
    if selection is None:
        return None, None, "Bulk queries must select the connection's nodes or edges."
    if _missing_parent_id(_node_type(connections[0]), selection):
        return None, None, ("The parent 'node' field for a nested connection must select "
                            "the 'id' field.")
    return document, connections[0], None


class BulkOperations:
    """Every store's bulk operations on one server; one running operation per store."""

    def __init__(self, data_dir: Path, url_for: Callable[[str, int], str], delay: float = 0.0,
                 on_done: Callable[[str, dict, list], None] | None = None):
        self.data_dir, self.url_for, self.delay = Path(data_dir), url_for, delay
        self.on_done = on_done  # stats hook: (shop, {connection: lines written}, search strings)
        self._lock = threading.Lock()
        self._ops: dict[str, dict] = {}  # gid -> operation node (replaced, never mutated)
        self._shop_of: dict[str, str] = {}
        self._current: dict[str, str] = {}
        self._fail_next: dict[str, int] = {}
        self._serial = 0
        self._threads: list[threading.Thread] = []

    def join(self, timeout: float = 10.0) -> None:
        """Wait for running operations (the server does before removing their files)."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    def fail_next(self, shop: str, count: int = 1) -> None:
        with self._lock:
            self._fail_next[shop] = self._fail_next.get(shop, 0) + count

    def get(self, shop: str, gid: str) -> dict | None:
        with self._lock:
            return self._ops.get(gid) if self._shop_of.get(gid) == shop else None

    def current(self, shop: str) -> dict | None:
        with self._lock:
            gid = self._current.get(shop)
            return self._ops.get(gid) if gid else None

    def _set(self, gid: str, **changes) -> None:
        with self._lock:
            self._ops[gid] = {**self._ops[gid], **changes}

    def run(self, store, query: str) -> dict:
        """The mutation's payload: {bulkOperation, userErrors}."""
        document, connection, error = check_bulk_query(query)
        if error:
            return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": error}]}
        with self._lock:
            running = self._ops.get(self._current.get(store.shop, ""))
            if running and running["status"] not in DONE:
                message = ("A bulk query operation for this app and shop is already in progress: "
                           f"{running['id']}.")
                return {"bulkOperation": None, "userErrors": [{"field": None, "message": message}]}
            self._serial += 1
            gid = f"gid://shopify/BulkOperation/{self._serial}"
            fail = self._fail_next.get(store.shop, 0) > 0
            if fail:
                self._fail_next[store.shop] -= 1
            self._ops[gid] = {
                "id": gid, "status": "CREATED", "errorCode": None, "objectCount": "0",
                "rootObjectCount": "0", "fileSize": None, "url": None, "partialDataUrl": None,
                "createdAt": _now(), "completedAt": None, "query": query, "type": "QUERY",
            }
            self._shop_of[gid], self._current[store.shop] = store.shop, gid
            serial, created = self._serial, self._ops[gid]
        thread = threading.Thread(target=self._execute, args=(store, gid, serial, document,
                                                              connection, fail), daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return {"bulkOperation": created, "userErrors": []}

    def _chunk(self, plan, document: DocumentNode, store, after: str | None):
        """(context, data) of one chunk: the compiled plan, else (or when it meets anything
        irregular) graphql-core itself, whose errors fail the operation."""
        if plan is not None:
            ctx = RequestContext(store=store, operations=self, bulk=True, bulk_after=after)
            try:
                return ctx, plan(ctx)
            except Irregular:
                pass
        ctx = RequestContext(store=store, operations=self, bulk=True, bulk_after=after)
        result = execute_sync(SCHEMA, document, context_value=ctx)
        if result.errors:
            raise RuntimeError(result.errors[0].message)
        return ctx, result.data

    def _execute(self, store, gid: str, serial: int, document: DocumentNode, connection: FieldNode,
                 fail: bool) -> None:
        self._set(gid, status="RUNNING")
        if self.delay:
            time.sleep(self.delay)
        path = self.data_dir / "bulk" / store.shop / f"{serial}.jsonl"
        node_type, selection = _node_type(connection), _node_selection(connection)
        lines = roots = 0
        per_connection: dict[str, int] = {}
        searches: list[str] = []
        try:
            plan = compile_plan(SCHEMA, document)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8") as out:
                after = None
                while True:
                    ctx, data = self._chunk(plan, document, store, after)
                    searches = searches or ctx.searches  # the same string on every chunk
                    nodes = _connection_nodes(data[_key(connection)])
                    roots += len(nodes)
                    chunk = []
                    for name, line in flatten(node_type, selection, nodes, connection.name.value):
                        chunk.append(_line(line))
                        per_connection[name] = per_connection.get(name, 0) + 1
                    if chunk:
                        out.write("\n".join(chunk) + "\n")
                    lines += len(chunk)
                    if ctx.bulk_next is None:
                        break
                    after = ctx.bulk_next
        except Exception:  # noqa: BLE001 - any failure is reported the way Shopify reports it
            fail = True
        if self.on_done:
            self.on_done(store.shop, per_connection, searches)
        if fail:
            self._set(gid, status="FAILED", errorCode="INTERNAL_SERVER_ERROR", completedAt=_now())
            return
        self._set(gid, status="COMPLETED", objectCount=str(lines), rootObjectCount=str(roots),
                  fileSize=str(path.stat().st_size) if lines else None,
                  url=self.url_for(store.shop, serial) if lines else None, completedAt=_now())

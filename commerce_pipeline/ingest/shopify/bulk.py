"""Bulk operations: a tenant's first (historic) sync without paging cost.

Flow (Shopify's documented one): `bulkOperationRunQuery`, poll the operation
until it finishes, stream the JSONL result. In the JSONL each nested-connection
item is its own line carrying `__parentId` and follows its parent, so parents can
be reassembled while streaming, without holding the file in memory.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import time
from typing import BinaryIO, Callable, Iterable, Iterator

import orjson
import requests

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.ingest.shopify.client import (
    ShopifyAPIError, ShopifyGraphQLClient, fast_loads, has_long_integers,
)
from commerce_pipeline.ingest.shopify.pages import drain_nested
from commerce_pipeline.ingest.shopify.prefetch import prefetched

# gid type of a JSONL child line -> the nested connection it belongs to
CHILD_CONNECTIONS = {"LineItem": "lineItems", "ProductVariant": "variants"}
_IN_PROGRESS = re.compile(r"already in progress[^:]*:\s*(\S+)", re.IGNORECASE)
_DONE = {"COMPLETED", "FAILED", "CANCELED", "EXPIRED"}
BLOCK_SIZE = 1 << 20  # bytes of JSONL read and checked at a time


def _gid_type(gid: str) -> str:
    # gid://shopify/LineItem/123 -> LineItem
    parts = gid.split("/")
    return parts[3] if len(parts) > 4 else ""


def _loads(line: str | bytes) -> dict:
    try:
        return fast_loads(line)
    except ValueError:  # what only the json module reads (or how it refuses): as before
        return json.loads(line.decode("utf-8") if isinstance(line, bytes) else line)


def _orjson_or_json(line: bytes) -> dict:
    """`_loads` for a line already known to hold no run of 19 digits."""
    try:
        return orjson.loads(line)
    except ValueError:
        return json.loads(line.decode("utf-8"))


def parse_lines(lines: Iterable[str | bytes]) -> Iterator[dict]:
    """Each non-blank JSONL line's value."""
    for line in lines:
        if line.strip():
            yield _loads(line)


def parse_jsonl(file: BinaryIO, block_size: int = BLOCK_SIZE) -> Iterator[dict]:
    """`parse_lines` over a binary file, read in blocks of whole lines: the check for integers
    past 64 bits (fast_loads) runs once per block instead of once per line (a run of digits
    never spans a newline)."""
    while True:
        block = file.read(block_size)
        if not block:
            return
        if not block.endswith(b"\n"):
            block += file.readline()  # to the end of the line the block cut
        lines = block.split(b"\n")  # as iterating the file splits it
        if has_long_integers(block):
            yield from parse_lines(lines)
            continue
        for line in lines:
            if line.strip():
                yield _orjson_or_json(line)


def _child_connection(gid: str, cache: dict[str, str | None]) -> str | None:
    # The type is in the part before the last "/": one lookup per type, not a split per line.
    prefix = gid.rpartition("/")[0]
    if prefix not in cache:
        cache[prefix] = CHILD_CONNECTIONS.get(_gid_type(gid))
    return cache[prefix]


def assemble(items: Iterable[dict]) -> Iterator[dict]:
    """Bulk JSONL values -> complete nodes with nested connections as lists."""
    parent: dict | None = None
    connections: dict[str, str | None] = {}
    for item in items:
        parent_id = item.pop("__parentId", None)
        if parent_id is None:
            if parent is not None:
                yield parent
            parent = item
            continue
        if parent is None or parent.get("id") != parent_id:
            raise ValueError(f"bulk JSONL child {item.get('id')} does not follow its parent {parent_id}")
        connection = _child_connection(str(item.get("id", "")), connections)
        if connection is None:
            raise ValueError(f"bulk JSONL child of unknown type: {item.get('id')}")
        parent.setdefault(connection, []).append(item)
    if parent is not None:
        yield parent


def reassemble(lines: Iterable[str | bytes]) -> Iterator[dict]:
    """Turn Shopify bulk JSONL (text or UTF-8 lines) into complete nodes with nested
    connections as lists."""
    return assemble(parse_lines(lines))


def next_poll_interval(interval: float, waited: float, maximum: float) -> float:
    """The pause before the next status poll: 1.5x the last, but at most a quarter of the time
    waited so far (a finished operation is noticed within about a quarter of its run time,
    not half) and at most `maximum`; never shorter than the last."""
    return min(maximum, interval * 1.5, max(interval, waited / 4))


class BulkRunner:
    def __init__(
        self,
        client: ShopifyGraphQLClient,
        poll_interval: float = 0.25,  # the first pause; see next_poll_interval
        max_poll_interval: float = 10.0,
        timeout_seconds: float = 6 * 3600,
        sleep: Callable[[float], None] = time.sleep,
        lock: contextlib.AbstractContextManager | None = None,
    ):
        self.client = client
        self.poll_interval, self.max_poll_interval = poll_interval, max_poll_interval
        self.timeout_seconds, self.sleep = timeout_seconds, sleep
        # Shared by a source's resources: its next operation starts as soon as this one is
        # done, while this one's result is still being read.
        self.lock = lock or contextlib.nullcontext()

    def _fail(self, operation: str, cause: str) -> ShopifyAPIError:
        return ShopifyAPIError(self.client.connection.tenant_id, operation, cause)

    def start(self, resource: str, search: str | None) -> str:
        for _ in range(2):
            data = self.client.execute(
                queries.BULK_RUN_MUTATION,
                {"query": queries.bulk_query(resource, search)},
                operation=f"start bulk {resource}",
            )
            result = data.get("bulkOperationRunQuery") or {}
            errors = result.get("userErrors") or []
            if not errors:
                return result["bulkOperation"]["id"]
            message = "; ".join(e.get("message", "") for e in errors)
            running = _IN_PROGRESS.search(message)
            if not running:
                raise self._fail(f"start bulk {resource}", message)
            # A previous run (perhaps killed) left an operation running: let it finish.
            self.wait(running.group(1).rstrip("."), resource)
        raise self._fail(f"start bulk {resource}", "another bulk operation keeps running")

    def wait(self, operation_id: str, resource: str) -> dict:
        deadline = time.monotonic() + self.timeout_seconds
        interval, waited = self.poll_interval, 0.0
        while True:
            data = self.client.execute(
                queries.BULK_STATUS_QUERY, {"id": operation_id}, operation=f"poll bulk {resource}"
            )
            op = data.get("node") or {}
            if op.get("status") in _DONE:
                return op
            if time.monotonic() > deadline:
                raise self._fail(f"bulk {resource}", f"operation {operation_id} timed out")
            self.sleep(interval)
            waited += interval
            interval = next_poll_interval(interval, waited, self.max_poll_interval)

    def _items(self, url: str, resource: str) -> Iterator[dict]:
        """Spool the result to a temporary file (retrying the download), then stream its
        values."""
        last_error = None
        for attempt in range(1, self.client.policy.max_attempts + 1):
            spool = tempfile.TemporaryFile(mode="w+b")
            try:
                with requests.get(url, stream=True, timeout=self.client.connection.timeout_seconds) as r:
                    r.raise_for_status()
                    for chunk in r.iter_content(chunk_size=1 << 20):
                        spool.write(chunk)
            except requests.RequestException as exc:
                spool.close()
                last_error = exc
                self.sleep(self.client.policy.backoff(attempt))
                continue
            spool.seek(0)
            with spool:
                yield from parse_jsonl(spool)
            return
        raise self._fail(f"download bulk {resource}", f"{type(last_error).__name__}: {last_error}")

    def _completed(self, resource: str, searches: Iterable[str | None]) -> Iterator[dict]:
        """Run the operations one after another (one per shop at a time), each finished one
        as soon as it is done. Searches with a `finished` method (bulk_windows.AdaptiveWindows)
        are told each operation's root object count."""
        finished = getattr(searches, "finished", None)
        for search in searches:
            with self.lock:  # one bulk operation at a time per shop
                operation_id = self.start(resource, search)
                op = self.wait(operation_id, resource)
            if op.get("status") != "COMPLETED":
                raise self._fail(
                    f"bulk {resource}",
                    f"operation {operation_id} ended {op.get('status')} ({op.get('errorCode')})",
                )
            if finished is not None:  # before the next window is chosen: sized from this count
                finished(int(op.get("rootObjectCount") or 0))
            yield op

    def fetch(self, resource: str, search: str | None) -> Iterator[dict]:
        """All nodes of `resource` matching `search`, as complete GraphQL-shaped dicts."""
        return self.fetch_all(resource, [search])

    def fetch_all(self, resource: str, searches: Iterable[str | None]) -> Iterator[dict]:
        """All nodes of `resource` matching any of `searches` (disjoint windows), read while the
        shop runs the next window's operation."""
        operations = self._completed(resource, searches)
        if not isinstance(searches, list) or len(searches) > 1:
            operations = prefetched(operations, ahead=1, name=f"bulk {resource}")
        for op in operations:
            if not op.get("url"):  # Shopify gives no file when nothing matched
                continue
            for node in assemble(self._items(op["url"], resource)):
                yield drain_nested(self.client, resource, node)

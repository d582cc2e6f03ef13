"""A generated store: its records, sorted indexes for paging, updates, and ground truth.

Records are treated as immutable: an update replaces a node dict with a changed
copy, so a response being serialised (or a bulk file being written) on another
thread always sees one consistent version. The lock guards the maps and indexes.
"""

from __future__ import annotations

import functools

import hashlib
import json
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commerce_pipeline.simulator.paging import Page, PageArgs, page_sorted

RESOURCES = ("customers", "orders", "products")
SORT_FIELDS = {"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt"}  # anything else sorts by id
UPDATE_TAG = "sim-update"


_TOP_LEVEL = {"Customer": "customers", "Order": "orders", "Product": "products"}


def numeric_id(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


@functools.lru_cache(maxsize=1 << 16)  # bulk renders look up the same product and variant gids
def gid_type(gid: str) -> str:
    parts = gid.split("/")
    return parts[3] if len(parts) == 5 and parts[:3] == ["gid:", "", "shopify"] else ""


def sort_key(node: Mapping, key: str) -> tuple:
    field = SORT_FIELDS.get(key)
    return (node[field] if field else numeric_id(node["id"]), numeric_id(node["id"]))


def access_token(shop: str, seed: int) -> str:
    return "shpat_" + hashlib.sha256(f"{shop}:{seed}".encode()).hexdigest()[:32]


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    def __init__(self, shop: str, seed: int, info: dict, records: dict[str, list[dict]],
                 ground_truth: dict, update_order: dict[str, list[int]]):
        self.shop, self.seed = shop, seed
        self.access_token = access_token(shop, seed)
        self.info = info  # the `shop` object: name, myshopifyDomain, currencyCode, ianaTimezone
        self.ground_truth = ground_truth
        self.lock = threading.RLock()
        self._nodes = {r: {numeric_id(n["id"]): n for n in records.get(r, [])} for r in RESOURCES}
        self._index: dict[tuple[str, str], list[tuple]] = {}
        for resource, nodes in self._nodes.items():
            for key in ("UPDATED_AT", "CREATED_AT", "ID"):
                self._index[resource, key] = sorted(sort_key(n, key) for n in nodes.values())
        # Children never change on update, so they are indexed once by gid for node(id:).
        self._children: dict[str, dict] = {}
        for order in self._nodes["orders"].values():
            self._children.update((li["id"], li) for li in order["lineItems"])
            self._children.update((rf["id"], rf) for rf in order["refunds"])
        for product in self._nodes["products"].values():
            self._children.update((v["id"], v) for v in product["variants"])
        self._update_order = update_order
        self._update_count = dict.fromkeys(RESOURCES, 0)

    # -- reading -----------------------------------------------------------------------------
    def count(self, resource: str) -> int:
        return len(self._nodes[resource])

    def records(self, resource: str) -> list[dict]:
        """All current records of a resource, in id order (a snapshot)."""
        with self.lock:
            return [self._nodes[resource][k[1]] for k in self._index[resource, "ID"]]

    def get(self, gid: str) -> dict | None:
        resource = _TOP_LEVEL.get(gid_type(gid))
        with self.lock:
            if resource:
                try:
                    return self._nodes[resource].get(numeric_id(gid))
                except ValueError:
                    return None
            return self._children.get(gid)

    def page(self, resource: str, sort: str, args: PageArgs,
             match: Callable[[Mapping], bool] | None = None) -> Page:
        sort = sort if sort in SORT_FIELDS else "ID"
        with self.lock:
            keys = self._index[resource, sort]
            nodes = self._nodes[resource]
            return page_sorted(keys, lambda pos: nodes[keys[pos][1]], args, match)

    # -- writing -----------------------------------------------------------------------------
    def update_records(self, resource: str, count: int,
                       now: datetime | str | None = None) -> list[int]:
        """Change `count` records (chosen by a per-store rotation) and bump their updatedAt."""
        if resource not in RESOURCES:
            raise ValueError(f"resource must be one of {RESOURCES}, got {resource!r}")
        if isinstance(now, datetime):
            now = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        stamp = now or utc_now()
        with self.lock:
            order = self._update_order[resource]
            count = min(max(count, 0), len(order))
            start = self._update_count[resource]
            self._update_count[resource] += count
            picked = [order[(start + i) % len(order)] for i in range(count)]
            for i, num in enumerate(picked):
                node = self._nodes[resource][num]
                self._replace(resource, _changed(resource, node, start + i, stamp))
        return picked

    def _replace(self, resource: str, node: dict) -> None:
        num = numeric_id(node["id"])
        old = self._nodes[resource][num]
        keys = self._index[resource, "UPDATED_AT"]
        del keys[bisect_left(keys, sort_key(old, "UPDATED_AT"))]
        insort(keys, sort_key(node, "UPDATED_AT"))
        self._nodes[resource][num] = node


def _changed(resource: str, node: dict, serial: int, stamp: str) -> dict:
    """A copy of `node` with a visible change: a rotating tag, a note, a settled payment."""
    new = dict(node)
    new["tags"] = sorted([t for t in node["tags"] if not t.startswith(UPDATE_TAG)]
                         + [f"{UPDATE_TAG}-{serial + 1}"])
    if resource == "customers":
        new["note"] = f"Updated by the simulator (change {serial + 1})"
    if resource == "orders" and node["displayFinancialStatus"] in ("PENDING", "AUTHORIZED"):
        new["displayFinancialStatus"] = "PAID"
    new["updatedAt"] = max(stamp, node["createdAt"])
    return new


def write_ground_truth(store: Store, path: str | Path) -> Path:
    """The store's latent truth as JSON (never served over the API)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_jsonable(store.ground_truth), indent=1, sort_keys=True))
    return path


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in (sorted(value) if isinstance(value, set) else value)]
    return value

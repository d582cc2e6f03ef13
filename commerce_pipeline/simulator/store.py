"""A generated store: its records, sorted indexes for paging, updates, and ground truth.

Records are kept packed (`packed.py`: compressed JSON, decoded per request), so each
read gets its own dict; an update replaces a record with a changed, packed copy, so
a response being serialised (or a bulk file being written) on another thread always
sees one consistent version. The lock guards the maps and indexes.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import numpy as np

from commerce_pipeline.simulator.packed import CHILD_LISTS, PackedRecords
from commerce_pipeline.simulator.paging import Page, PageArgs, keys_in_range, page_sorted
from commerce_pipeline.simulator.search import canonical

RESOURCES = ("customers", "orders", "products")
SORT_FIELDS = {"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt"}  # anything else sorts by id
UPDATE_TAG = "sim-update"


_TOP_LEVEL = {"Customer": "customers", "Order": "orders", "Product": "products"}
_TYPE_OF = {resource: kind for kind, resource in _TOP_LEVEL.items()}
_PARENTS = {"LineItem": ("orders",), "Refund": ("orders",), "ProductVariant": ("products",)}


def numeric_id(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


@functools.lru_cache(maxsize=1 << 16)  # bulk renders look up the same product and variant gids
def gid_type(gid: str) -> str:
    parts = gid.split("/")
    return parts[3] if len(parts) == 5 and parts[:3] == ["gid:", "", "shopify"] else ""


def access_token(shop: str, seed: int) -> str:
    return "shpat_" + hashlib.sha256(f"{shop}:{seed}".encode()).hexdigest()[:32]


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    def __init__(self, shop: str, seed: int, info: dict,
                 records: Mapping[str, list[dict] | PackedRecords], ground_truth: dict,
                 update_order: dict[str, list[int]]):
        self.shop, self.seed = shop, seed
        self.access_token = access_token(shop, seed)
        self.info = info  # the `shop` object: name, myshopifyDomain, currencyCode, ianaTimezone
        self.ground_truth = ground_truth
        self.lock = threading.RLock()
        self._packed: dict[str, PackedRecords] = {}
        self._nodes: dict[str, dict[int, tuple]] = {}  # num -> (createdAt, updatedAt, blob)
        self._index: dict[tuple[str, str], list[tuple]] = {}
        self._children: dict[str, tuple] = {}  # (child nums sorted, parent nums, odd gids)
        self._plain_children: dict[str, dict] = {}  # children of records kept as dicts, by gid
        self._canonical = {}  # resource -> whether all its ids are canonical gids
        # Records handed out by records()/get(): callers (tests) may change them in place, as
        # they could change the store's own dicts before records were packed; reads use them.
        self._live: dict[str, dict[int, dict]] = {r: {} for r in RESOURCES}
        for resource in RESOURCES:
            packed = records.get(resource, [])
            if not isinstance(packed, PackedRecords):  # products are few: kept as dicts
                packed = PackedRecords.of(resource, packed, compress=resource != "products")
            self._packed[resource] = packed
            self._nodes[resource] = dict(zip(packed.nums, zip(packed.created, packed.updated,
                                                              packed.blobs)))
            self._index[resource, "UPDATED_AT"] = sorted(zip(packed.updated, packed.nums))
            self._index[resource, "CREATED_AT"] = sorted(zip(packed.created, packed.nums))
            self._index[resource, "ID"] = sorted(zip(packed.nums, packed.nums))
            # Children never change on update, so they are indexed once for node(id:).
            self._children[resource] = (*packed.children(), packed.odd_children)
            self._canonical[resource] = packed.canonical
            if packed.codec is None:
                for blob in packed.blobs:
                    for key in CHILD_LISTS.get(resource, ()):
                        self._plain_children.update((c["id"], c) for c in blob.get(key) or ())
            packed.nums = packed.created = packed.updated = packed.blobs = []
        self._update_order = update_order
        self._update_count = dict.fromkeys(RESOURCES, 0)
        self._canonical_updates: dict[str, bool] = {}  # resource -> every updatedAt canonical
        self._windows: dict[tuple, frozenset] = {}  # (resource, window) -> ids, until a change

    def _read(self, resource: str, pairs: list[tuple[int, tuple]], keep: bool = False) -> list:
        """The records of (num, entry) pairs: one handed out before, else decoded (and kept as
        handed out when `keep`)."""
        live, unpack = self._live[resource], self._packed[resource].unpack
        keep = keep and self._packed[resource].codec is not None  # dicts are their own
        out = []
        for num, entry in pairs:
            record = live.get(num) if live else None
            if record is None:
                record = unpack(entry[2])
                if keep:
                    live[num] = record
            out.append(record)
        return out

    def _view(self, resource: str, num: int, entry: tuple) -> Mapping:
        """What a search term reads of a record (`search.py`: id, createdAt, updatedAt)."""
        live = self._live[resource]
        if live and num in live:
            return live[num]
        return {"id": f"gid://shopify/{_TYPE_OF[resource]}/{num}", "createdAt": entry[0],
                "updatedAt": entry[1]}

    def _window_ids(self, resource: str, match) -> frozenset | None:
        """The ids `match` accepts, from the updatedAt index, when `match` is an updatedAt
        window (search.updated_window) and the index answers it exactly: every stored updatedAt
        canonical (so compared as text, as the predicate would) and no record handed out (one
        changed in place is read as it is now). A bulk window's export checked every record of
        the resource with the predicate, once per window; None: use the predicate."""
        window = getattr(match, "updated_window", None)
        if window is None or self._live[resource]:
            return None
        keys = self._index[resource, "UPDATED_AT"]
        if resource not in self._canonical_updates:
            self._canonical_updates[resource] = all(canonical(key[0]) for key in keys)
        if not self._canonical_updates[resource]:
            return None
        if (resource, window) not in self._windows:
            if len(self._windows) >= 32:  # a window is asked for while a sync reads it
                self._windows.clear()
            self._windows[resource, window] = keys_in_range(keys, *window)
        return self._windows[resource, window]

    # -- reading -----------------------------------------------------------------------------
    def count(self, resource: str, match: Callable[[Mapping], bool] | None = None) -> int:
        """Records of a resource, or those `match` (a search on id and dates) accepts."""
        with self.lock:
            if match is None:
                return len(self._nodes[resource])
            if (ids := self._window_ids(resource, match)) is not None:
                return len(ids)
            return sum(1 for num, entry in self._nodes[resource].items()
                       if match(self._view(resource, num, entry)))

    def records(self, resource: str, keep: bool = True) -> list[dict]:
        """All current records of a resource, in id order (a snapshot). They stay the store's
        (a change made to one is served) unless `keep` is False."""
        with self.lock:
            nodes = self._nodes[resource]
            pairs = [(k[1], nodes[k[1]]) for k in self._index[resource, "ID"]]
            return self._read(resource, pairs, keep)

    def get(self, gid: str) -> dict | None:
        """The record (or child record) with this gid, the store's own (see `records`)."""
        return self.lookup(gid, keep=True)

    def lookup(self, gid: str, keep: bool = False) -> dict | None:
        """`get` for serving: a record not handed out before is decoded and not kept."""
        kind = gid_type(gid)
        resource = _TOP_LEVEL.get(kind)
        try:
            num = numeric_id(gid)
        except ValueError:
            num = None
        with self.lock:
            if resource:
                entry = None if num is None else self._nodes[resource].get(num)
                return None if entry is None else self._read(resource, [(num, entry)], keep)[0]
            if gid in self._plain_children:
                return self._plain_children[gid]
            parents = []
            for parent_resource in _PARENTS.get(kind, ()) or RESOURCES:
                nums, parent_nums, odd = self._children[parent_resource]
                found = [odd[gid]] if gid in odd else []
                if num is not None and nums.size and -(1 << 63) <= num < (1 << 63):
                    lo = int(np.searchsorted(nums, num, side="left"))
                    hi = int(np.searchsorted(nums, num, side="right"))
                    found += [int(p) for p in parent_nums[lo:hi]]
                parents += [(parent_resource, p, self._nodes[parent_resource].get(p))
                            for p in found]
            kept = [(r, self._read(r, [(p, e)], keep)[0]) for r, p, e in parents if e is not None]
        for parent_resource, parent in kept:
            for key in CHILD_LISTS[parent_resource]:
                for child in parent.get(key) or ():
                    if child["id"] == gid:
                        return child
        return None

    def resolves_to_itself(self, gid: str) -> bool:
        """Whether `get(gid)` gives None or a record whose id is `gid` itself (a reference
        selecting only `id` then needs no lookup)."""
        kind = gid_type(gid)
        resource = _TOP_LEVEL.get(kind)
        if resource is None:  # children are found by their exact gid
            return True
        digits = gid[15 + len(kind):]  # after "gid://shopify/<kind>/"
        if not (self._canonical[resource] and digits.isascii() and digits.isdigit()
                and digits[0] != "0"):
            return False
        live = self._live[resource]
        return not live or int(digits) not in live

    def page(self, resource: str, sort: str, args: PageArgs,
             match: Callable[[Mapping], bool] | None = None) -> Page:
        sort = sort if sort in SORT_FIELDS else "ID"
        with self.lock:
            keys = self._index[resource, sort]
            nodes = self._nodes[resource]
            # Search terms read only the id and dates: match on those, decode only the page.
            view = ((lambda pos: self._view(resource, keys[pos][1], nodes[keys[pos][1]]))
                    if match else (lambda pos: None))
            if (ids := self._window_ids(resource, match)) is not None:
                view, match = (lambda pos: keys[pos][1]), ids.__contains__
            got = page_sorted(keys, view, args, match)
            pairs = [(key[1], nodes[key[1]]) for key in got.keys]
            items = self._read(resource, pairs)
        return Page(got.keys, items, got.has_next, got.has_previous)

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
                node = self._read(resource, [(num, self._nodes[resource][num])])[0]
                self._replace(resource, _changed(resource, node, start + i, stamp))
        return picked

    def _replace(self, resource: str, node: dict) -> None:
        num = numeric_id(node["id"])
        old = self._nodes[resource][num]
        keys = self._index[resource, "UPDATED_AT"]
        del keys[bisect_left(keys, (old[1], num))]
        insort(keys, (node["updatedAt"], num))
        self._nodes[resource][num] = (node.get("createdAt"), node.get("updatedAt"),
                                      self._packed[resource].pack(node))
        self._windows.clear()
        if self._canonical_updates.get(resource):
            self._canonical_updates[resource] = canonical(node["updatedAt"])
        self._live[resource].pop(num, None)  # the old version is no longer the store's


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

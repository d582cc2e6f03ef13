"""Records kept as compressed JSON, decoded when served.

A store holds millions of records; as Python dicts an order with its line items and
money bags takes about 8 KB, so a 500k-customer store (2.1M orders) needed about
18 GB. Each record is kept instead as orjson bytes deflated against a preset
dictionary (the first few records of its resource: key names, money shapes, SKUs),
about 300 bytes an order. orjson reads back the same dict (keys in order, the same
str/int/float/bool/None values, lists for lists), so every response is the same.
A record orjson cannot write (an int past 64 bits, an odd object a test put there)
is kept as the dict itself.

`created`/`updated` are kept beside each record (shared with the sort indexes) so a
search on dates needs no decoding; `children` maps each child's numeric id (line
items, refunds, variants) to its parent's, for `node(id:)` lookups.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

import numpy as np
import orjson

SAMPLE = 32  # records that form the preset dictionary
WBITS, MEM_LEVEL, LEVEL = 14, 2, 1  # 16 KB window: a fast copy of the primed (de)compressor
CHILD_LISTS = {"orders": ("lineItems", "refunds"), "products": ("variants",)}
KINDS = {"customers": "Customer", "orders": "Order", "products": "Product"}


class Codec:
    """Deflate against a preset dictionary; primed (de)compressors are copied per record."""

    def __init__(self, sample: list[dict]):
        zdict = b"".join(_json(r) for r in sample)[-(1 << WBITS):] or b" "
        self._compress = zlib.compressobj(LEVEL, zlib.DEFLATED, -WBITS, MEM_LEVEL,
                                          zlib.Z_DEFAULT_STRATEGY, zdict)
        self._decompress = zlib.decompressobj(-WBITS, zdict)

    def pack(self, record: dict) -> bytes | dict:
        try:
            raw = orjson.dumps(record)
        except TypeError:  # orjson refuses it: keep the object as it is
            return record
        c = self._compress.copy()
        return c.compress(raw) + c.flush()

    def unpack(self, blob: bytes | dict) -> dict:
        if type(blob) is not bytes:
            return blob
        return orjson.loads(self._decompress.copy().decompress(blob))


def _json(record: dict) -> bytes:
    try:
        return orjson.dumps(record)
    except TypeError:
        return b""


def numeric(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


class PackedRecords:
    """One resource's records in insertion order; `add` packs each as it comes."""

    def __init__(self, resource: str, compress: bool = True):
        self.resource, self.compress = resource, compress
        self.nums: list[int] = []
        self.created: list[str] = []
        self.updated: list[str] = []
        self.blobs: list[Any] = []
        self.codec: Codec | None = None
        self._pending: list[dict] = []  # the first records, until they prime the codec
        self._child_num: list[int] = []
        self._child_parent: list[int] = []
        self.odd_children: dict[str, int] = {}  # child gids that are not plain numbers
        self.canonical = True  # every id is gid://shopify/<Kind>/<number>, as generated

    @classmethod
    def of(cls, resource: str, records: Iterable[dict], compress: bool = True) -> PackedRecords:
        packed = cls(resource, compress)
        for record in records:
            packed.add(record)
        return packed.finish()

    def add(self, record: dict) -> None:
        if not self.compress:
            self._keep(record, record)
        elif self.codec is None:
            self._pending.append(record)
            if len(self._pending) >= SAMPLE:
                self._flush()
        else:
            self._keep(record, self.codec.pack(record))

    def finish(self) -> PackedRecords:
        if self.compress and self.codec is None:
            self._flush()
        return self

    def _flush(self) -> None:
        self.codec = Codec(self._pending)
        pending, self._pending = self._pending, []
        for record in pending:
            self._keep(record, self.codec.pack(record))

    def _keep(self, record: dict, blob: Any) -> None:
        num = numeric(record["id"])
        if self.canonical and record["id"] != f"gid://shopify/{KINDS.get(self.resource)}/{num}":
            self.canonical = False
        self.nums.append(num)
        self.created.append(record.get("createdAt"))
        self.updated.append(record.get("updatedAt"))
        self.blobs.append(blob)
        for key in CHILD_LISTS.get(self.resource, ()):
            for child in record.get(key) or ():
                try:
                    child_num = numeric(child["id"])
                except ValueError:
                    self.odd_children[child["id"]] = num
                    continue
                self._child_num.append(child_num)
                self._child_parent.append(num)

    def unpack(self, blob: Any) -> dict:
        return self.codec.unpack(blob) if self.codec is not None else blob

    def pack(self, record: dict) -> Any:
        return self.codec.pack(record) if self.codec is not None else record

    def children(self) -> tuple[np.ndarray, np.ndarray]:
        """(child numeric ids sorted, parent numeric id of each)."""
        nums = np.array(self._child_num, dtype=np.int64)
        parents = np.array(self._child_parent, dtype=np.int64)
        self._child_num, self._child_parent = [], []
        order = np.argsort(nums, kind="stable")
        return nums[order], parents[order]

"""A large first sync as several bulk operations over consecutive `updated_at` windows.

One bulk operation over a whole large store leaves the pipeline idle until the shop has
exported everything, and then leaves the shop idle while the pipeline reads the file.
Split into windows run one after another (Shopify runs one bulk query per shop at a time),
the pipeline reads window i while the shop exports window i+1. Small stores keep one
operation: every operation costs at least a status poll.

Windows hold about equal numbers of records, not equal spans of time: a store's records
bunch up (a growing shop updates more of them lately, and none after its newest), and
equal spans made the last windows the largest or empty (medium store: 58k to 324k JSONL
lines, then an empty one). Each window is chosen when the one before has finished, sized
from the density (records per second of `updatedAt`) that one showed; the last one is kept
small, since the pipeline reads it after the shop has finished. The first window is open
below and the last ends at the search's upper end, so `(after, upto]` is covered exactly
once. A record updated while the sync runs moves past `upto` and comes with the next sync,
as with one operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from commerce_pipeline.ingest.shopify.client import ShopifyGraphQLClient
from commerce_pipeline.ingest.shopify.fields import parse_timestamp
from commerce_pipeline.ingest.shopify.pages import search_filter

RECORDS_PER_WINDOW = 20_000  # about 5 s of one core's reading per window
MAX_WINDOWS = 8  # each window costs the shop a pass over the resource
LAST_SHARE = 0.6  # the last window holds at most this share of the others' records

_SIZE_QUERY = """
query BulkWindowSize($query: String) {{
  {resource}Count(query: $query, limit: null) {{ count }}
  oldest: {resource}(first: 1, sortKey: UPDATED_AT, query: $query) {{ nodes {{ updatedAt }} }}
  newest: {resource}(first: 1, sortKey: UPDATED_AT, reverse: true, query: $query) {{
    nodes {{ updatedAt }} }}
}}"""


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def window_count(records: int, per_window: int = RECORDS_PER_WINDOW,
                 most: int = MAX_WINDOWS) -> int:
    return max(1, min(most, -(-records // per_window)))


def split_windows(after: str | None, oldest: datetime, upto: datetime,
                  parts: int) -> list[tuple[str | None, str]]:
    """`parts` consecutive (lower, upper] windows covering (after, upto]: equal spans from
    `oldest`, whole seconds, the first starting at `after`; fewer when the span is too short."""
    span = (upto - oldest).total_seconds()
    step = int(span // parts) if parts > 1 else 0
    if step < 1:
        return [(after, _stamp(upto))]
    bounds = [_stamp(oldest + timedelta(seconds=step * i)) for i in range(1, parts)]
    lowers = [after, *bounds]
    uppers = [*bounds, _stamp(upto)]
    return list(zip(lowers, uppers))


def next_window_records(remaining: float, target: float) -> float | None:
    """Records the next window should hold, or None when the rest is the last window: a
    full window while more than one and a half are left, then half of what is left."""
    if remaining <= target * LAST_SHARE:
        return None
    return target if remaining > 1.5 * target else remaining / 2


class AdaptiveWindows:
    """The `query:` filters of consecutive windows over (after, upto], each made when the
    operation before it has finished: the runner calls `finished(root records)` in between."""

    def __init__(self, after: str | None, upto: str, oldest: datetime, newest: datetime,
                 count: int, parts: int):
        self.after, self.upto, self.oldest, self.newest = after, upto, oldest, newest
        self.count, self.target = count, count / parts
        self._finished: list[int] = []

    def finished(self, records: int) -> None:
        self._finished.append(records)

    def windows(self) -> Iterator[tuple[str | None, str]]:
        lower, lower_text, done, local = self.oldest, self.after, 0, None
        while True:
            remaining = self.count - done
            want = next_window_records(remaining, self.target)
            # What is left, spread over what is left of the span: where the shop has more
            # records lately, the next window holds fewer than `want`, never many more.
            density = remaining / max(1.0, (self.newest - lower).total_seconds())
            if local:
                density = (density * local) ** 0.5
            upper = lower + timedelta(seconds=max(1, int(want / density))) if want else None
            if upper is None or upper >= self.newest:
                yield lower_text, self.upto
                return
            seen = len(self._finished)
            yield lower_text, _stamp(upper)
            if len(self._finished) > seen:  # the shop's own count of that window
                done += self._finished[-1]
                local = max(1, self._finished[-1]) / (upper - lower).total_seconds()
            lower, lower_text = upper, _stamp(upper)

    def __iter__(self) -> Iterator[str | None]:
        return (search_filter(lower, upper) for lower, upper in self.windows())


def bulk_searches(client: ShopifyGraphQLClient, resource: str, after: str | None, upto: str,
                  per_window: int = RECORDS_PER_WINDOW) -> list[str | None] | AdaptiveWindows:
    """The `query:` filters of the bulk operations for one resource's sync window."""
    search = search_filter(after, upto)
    data = client.execute(_SIZE_QUERY.format(resource=resource), {"query": search},
                          operation=f"size bulk {resource}")
    count = int((data.get(f"{resource}Count") or {}).get("count") or 0)
    oldest = (data.get("oldest") or {}).get("nodes") or []
    newest = (data.get("newest") or {}).get("nodes") or []
    parts = window_count(count, per_window)
    if parts == 1 or not oldest or not newest:
        return [search]
    return AdaptiveWindows(after, upto, parse_timestamp(oldest[0]["updatedAt"], "oldest.updatedAt"),
                           parse_timestamp(newest[0]["updatedAt"], "newest.updatedAt"), count, parts)

"""A large first sync as several bulk operations over consecutive `updated_at` windows.

One bulk operation over a whole large store leaves the pipeline idle until the shop has
exported everything, and then leaves the shop idle while the pipeline reads the file.
Split into windows run one after another (Shopify runs one bulk query per shop at a time),
the pipeline reads window i while the shop exports window i+1. Small stores keep one
operation: every operation costs at least a status poll.

Windows split the time from the oldest `updatedAt` in the search to its upper end into
equal spans, the first open below (so no record older than the oldest is ever missed, and
`(after, upto]` is covered exactly once). A record updated while the sync runs moves past
`upto` and comes with the next sync, as with one operation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from commerce_pipeline.ingest.shopify.client import ShopifyGraphQLClient
from commerce_pipeline.ingest.shopify.fields import parse_timestamp
from commerce_pipeline.ingest.shopify.pages import search_filter

RECORDS_PER_WINDOW = 20_000  # about 5 s of one core's reading per window
MAX_WINDOWS = 8

_SIZE_QUERY = """
query BulkWindowSize($query: String) {{
  {resource}Count(query: $query, limit: null) {{ count }}
  {resource}(first: 1, sortKey: UPDATED_AT, query: $query) {{ nodes {{ updatedAt }} }}
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


def bulk_searches(client: ShopifyGraphQLClient, resource: str, after: str | None, upto: str,
                  per_window: int = RECORDS_PER_WINDOW) -> list[str | None]:
    """The `query:` filters of the bulk operations for one resource's sync window."""
    search = search_filter(after, upto)
    data = client.execute(_SIZE_QUERY.format(resource=resource), {"query": search},
                          operation=f"size bulk {resource}")
    count = int((data.get(f"{resource}Count") or {}).get("count") or 0)
    nodes = (data.get(resource) or {}).get("nodes") or []
    parts = window_count(count, per_window)
    if parts == 1 or not nodes:
        return [search]
    oldest = parse_timestamp(nodes[0]["updatedAt"], f"{resource}.updatedAt")
    upper = parse_timestamp(upto, "upto")
    return [search_filter(lower, upper_) for lower, upper_ in
            split_windows(after, oldest, upper, parts)]

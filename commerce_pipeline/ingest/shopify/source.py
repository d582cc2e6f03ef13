"""The dlt source for one Shopify store: customers, orders and products.

Each raw table is an append-only version log: every fetched version of a record is
kept (child rows hang off their parent version through `_dlt_parent_id`), and the
dbt staging models pick the latest `updated_at` per id. A merge would let a
late-arriving older version (a webhook delivered late) overwrite a newer one.
Resources load incrementally on `updated_at` (the cursor lives in the tenant's own dlt
pipeline state). Batches go to dlt as Arrow tables (arrow_tables.py), which dlt writes
without a pass over every value in Python. The first sync of a
resource, with no cursor yet, uses a bulk operation; later syncs page through
records changed since the cursor. The window's upper end trails the clock by a
small lag so a record written in the same second as a sync is not skipped by the
next one (the lower end is exclusive).

Records the mapper refuses are kept on the `SyncReport` with the raw payload and
the reason while the rest of the page loads; `quarantine_resource` then loads them
into `shopify_quarantine` (their own resource, so the table has its own columns).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator

import dlt
from dlt.common.time import ensure_pendulum_datetime

from commerce_pipeline.gc_pacing import collector_paused
from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.ingest.shopify.arrow_tables import table_hints, version_tables
from commerce_pipeline.ingest.shopify.bulk import BulkRunner
from commerce_pipeline.ingest.shopify.bulk_windows import RECORDS_PER_WINDOW, bulk_searches
from commerce_pipeline.ingest.shopify.client import ShopifyConnection, ShopifyGraphQLClient
from commerce_pipeline.ingest.shopify.columns import QUARANTINE_COLUMNS
from commerce_pipeline.ingest.shopify.mappers import map_records
from commerce_pipeline.ingest.shopify.pages import iter_pages, search_filter
from commerce_pipeline.ingest.shopify.prefetch import prefetched

RESOURCES = ("customers", "orders", "products")
QUARANTINE_TABLE = "shopify_quarantine"
# Records per yielded batch (bulk and pages alike): dlt computes and checks a table's hints once per
# yielded Arrow table, so fewer, larger tables (about 1-3 MB each here) cost less.
BATCH_SIZE = 5_000


def table_name(resource: str) -> str:
    return f"shopify_{resource}"


def shopify_timestamp(value: datetime | str) -> str:
    # Restored dlt state may hand back the cursor as a string.
    moment = ensure_pendulum_datetime(value)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SyncReport:
    """What one sync did per resource, for asset metadata."""

    mode: dict[str, str] = field(default_factory=dict)
    fetched: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)
    window: dict[str, str] = field(default_factory=dict)
    quarantine_rows: list[dict] = field(default_factory=list)

    def add(self, resource: str, fetched: int, quarantined: int) -> None:
        self.fetched[resource] = self.fetched.get(resource, 0) + fetched
        self.quarantined[resource] = self.quarantined.get(resource, 0) + quarantined

    def metadata(self, resource: str) -> dict:
        return {
            "sync_mode": self.mode.get(resource, "not run"),
            "records_fetched": self.fetched.get(resource, 0),
            "records_quarantined": self.quarantined.get(resource, 0),
            "updated_at_window": self.window.get(resource, ""),
        }


def _batched(nodes: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for node in nodes:
        batch.append(node)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def quarantine_resource(rows: list[dict]):
    """Append-only load of refused records: a bad record is kept, never merged away."""
    return dlt.resource(
        rows, name=QUARANTINE_TABLE, write_disposition="append", columns=QUARANTINE_COLUMNS
    )


@dlt.source(name="shopify", max_table_nesting=2)
def shopify_source(
    connection: ShopifyConnection | None = None,
    sync_lag_seconds: float = 2.0,
    mode: str = "auto",
    report: SyncReport | None = None,
    client_factory: Callable[[ShopifyConnection], ShopifyGraphQLClient] = ShopifyGraphQLClient,
    bulk_poll_interval: float = 0.25,
    bulk_window_records: int = RECORDS_PER_WINDOW,
):
    """`mode`: "auto" (bulk first, then pages), "bulk" or "pages" (benchmarks use both).
    `bulk_window_records`: records per bulk operation of a large first sync (bulk_windows.py)."""
    if mode not in ("auto", "bulk", "pages"):
        raise ValueError(f"mode must be auto, bulk or pages, got {mode!r}")
    report = report if report is not None else SyncReport()
    shared: dict[str, ShopifyGraphQLClient] = {}
    locks = {"client": threading.Lock(), "bulk": threading.Lock()}

    def client() -> ShopifyGraphQLClient:
        # One client per source: the bucket belongs to the shop, not to a resource. Resources
        # run in parallel threads, so the first to get here creates it for all.
        with locks["client"]:
            if "client" not in shared:
                if connection is None:
                    raise RuntimeError(
                        "shopify_source was built without a connection (definitions only)")
                shared["client"] = client_factory(connection)
                shared["client"].execute(queries.SHOP_QUERY, operation="check shop")
        return shared["client"]

    return [
        _resource(resource, client, sync_lag_seconds, mode, report, bulk_poll_interval, connection,
                  locks["bulk"], bulk_window_records)
        for resource in RESOURCES
    ]


def version_log_resource(resource: str, rows: list[dict]):
    """Already-mapped rows (e.g. from a webhook payload) into the same version log, the same way
    (no primary key: ids repeat by design, one row per version)."""
    return dlt.resource(_arrow_items(resource, rows), name=table_name(resource),
                        write_disposition="append")


def _cursor(resource: str) -> dict:
    """The resource's `updated_at` cursor in its dlt state, where dlt.sources.incremental kept
    it before (so tenants synced then keep theirs). Kept by hand because an incremental step
    would look for `updated_at` in the child tables the resource also yields."""
    state = dlt.current.resource_state(table_name(resource))  # named: runs in a worker thread
    return state.setdefault("incremental", {}).setdefault("updated_at", {"last_value": None})


def _newest(rows: list[dict], current):
    stamps = [r["updated_at"] for r in rows if r.get("updated_at") is not None]
    newest = max(stamps, default=None)
    if current is None or (newest is not None and newest > ensure_pendulum_datetime(current)):
        return newest
    return current


def _arrow_items(resource: str, rows: list[dict]) -> Iterator:
    """The batch as Arrow tables, each with its own table's hints (a variant of the resource's:
    a variant starts from the resource's hints, so those carry no columns of their own). Child
    tables are top-level tables of the resource to dlt: it writes a nested table's files only
    from its own normalizer, never from extracted Arrow."""
    table = table_name(resource)
    hints = table_hints(resource, table)
    load_id = dlt.current.load_package_state()["load_id"]  # as dlt's normalizer stamps dicts
    for name, arrow in version_tables(resource, table, rows, load_id):
        if arrow.num_rows:
            yield dlt.mark.with_hints(
                arrow, dlt.mark.make_hints(table_name=name, columns=hints[name]),
                create_table_variant=True)


def _resource(resource, client, sync_lag_seconds, mode, report, bulk_poll_interval, connection,
              bulk_lock, bulk_window_records):
    # parallelized: each resource's generator runs in dlt's thread pool, so one resource's
    # records are mapped and extracted while the shop runs another's bulk operation or pages.
    @dlt.resource(name=table_name(resource), write_disposition="append", parallelized=True)
    def fetch():
        cursor = _cursor(resource)
        now = datetime.now(timezone.utc)
        upto = shopify_timestamp(now - timedelta(seconds=sync_lag_seconds))
        last = cursor.get("last_value")
        after = shopify_timestamp(last) if last else None
        use_bulk = mode == "bulk" or (mode == "auto" and after is None)
        report.mode[resource] = "bulk" if use_bulk else "pages"
        report.window[resource] = f"({after or '-inf'}, {upto}]"
        search = search_filter(after, upto)
        if use_bulk:
            runner = BulkRunner(client(), poll_interval=bulk_poll_interval, lock=bulk_lock)
            searches = bulk_searches(client(), resource, after, upto, bulk_window_records)
            batches = _batched(runner.fetch_all(resource, searches), BATCH_SIZE)
        else:
            pages = prefetched(iter_pages(client(), resource, search), name=f"pages {resource}")
            # Regrouped into BATCH_SIZE batches: at a page's hundred records or fewer, dlt's
            # check of each table's hints cost several times the records' own work.
            batches = _batched((node for page in pages for node in page), BATCH_SIZE)
        tenant_id = connection.tenant_id if connection else ""
        floor = ensure_pendulum_datetime(last) if last else None
        with collector_paused():  # gc_pacing.py: why a sync pauses the collector
            for batch in batches:
                rows, bad = map_records(resource, batch)
                report.add(resource, len(batch), len(bad))
                if floor is not None:  # the window's lower end is open, whatever the shop sends
                    rows = [r for r in rows if r.get("updated_at") is None or r["updated_at"] > floor]
                if rows:
                    yield from _arrow_items(resource, rows)
                    cursor["last_value"] = _newest(rows, cursor.get("last_value"))
                report.quarantine_rows.extend(
                    {**row, "tenant_id": tenant_id, "quarantined_at": now} for row in bad
                )

    return fetch

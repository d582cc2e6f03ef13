"""One identity run for a tenant: read, resolve, measure, write. Returns asset metadata."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from dagster import MetadataValue

from commerce_pipeline.identity.control import IdentityControl
from commerce_pipeline.identity.normalize import normalize_email, normalize_phone
from commerce_pipeline.identity.quality import identifier_leaks, load_ground_truth, pairwise_quality
from commerce_pipeline.identity.resolution import Resolution, resolve
from commerce_pipeline.identity.tables import (
    HISTORY_COLUMNS,
    MEMBER_COLUMNS,
    QUEUE_COLUMNS,
    read_table,
)
from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.storage import tenant_ground_truth, tenant_warehouse

MAX_ACCOUNTS_PER_AUTO_MERGE = 3


def _quality(tenant_id: str, result: Resolution, identifiers: pd.DataFrame) -> dict:
    truth = load_ground_truth(tenant_ground_truth(tenant_id))
    if truth is None:
        return {}
    quality = pairwise_quality(result.members, truth["account_person"])
    raw = truth["junk"] | truth["hubs"]
    values = {v for r in raw for v in (normalize_email(r), normalize_phone(r), r) if v}
    quality["junk_or_hub_merges"] = identifier_leaks(result.members, identifiers, values,
                                                     truth["account_person"])
    return quality


def run_resolution(tenant_id: str, control_db_url: str, run_id: str,
                   now: datetime | None = None) -> dict:
    warehouse = tenant_warehouse(tenant_id)
    identifiers = read_table(warehouse, "customer_identifiers")
    if identifiers is None:
        raise RuntimeError(f"tenant '{tenant_id}' has no customer_identifiers table: "
                           "materialize customer_identifiers first")
    previous = read_table(warehouse, "profile_members")
    with IdentityControl(control_db_url) as control:
        decisions = control.latest_decisions(tenant_id)
    now = now or datetime.now(UTC)
    result = resolve(identifiers, previous, decisions, max_accounts=MAX_ACCOUNTS_PER_AUTO_MERGE,
                     run_id=run_id, now=now)
    queue = [{**q, "queued_run_id": run_id} for q in result.queue]
    write_tables(tenant_id, "identity_resolution", {
        "profile_members": (result.members.to_dict("records"), "replace", MEMBER_COLUMNS),
        "manual_merge_queue": (queue, "replace", QUEUE_COLUMNS),
        "merge_history": (result.history, "append", HISTORY_COLUMNS),
    })
    quality = _quality(tenant_id, result, identifiers)
    sizes = result.members.groupby("profile_id").size().value_counts().sort_index()
    statuses = pd.Series([q["status"] for q in queue], dtype=object).value_counts().to_dict()
    return {
        "summary": result.stats,
        "profile_members": {"tenant": tenant_id, **result.stats, **quality,
                            "records_per_profile": MetadataValue.json(
                                {str(k): int(v) for k, v in sizes.items()})},
        "manual_merge_queue": {"tenant": tenant_id, "groups": len(queue),
                               "by_status": MetadataValue.json(statuses),
                               "max_accounts_per_auto_merge": MAX_ACCOUNTS_PER_AUTO_MERGE},
        "merge_history": {"tenant": tenant_id, "merges": result.stats["merges"],
                          "splits": result.stats["splits"]},
    }

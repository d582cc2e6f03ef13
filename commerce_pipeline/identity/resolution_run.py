"""One identity run for a tenant: read, resolve, measure, write. Returns asset metadata."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from dagster import MetadataValue

from commerce_pipeline.identity.control import IdentityControl
from commerce_pipeline.identity.codes import text_codes
from commerce_pipeline.identity.quality import load_ground_truth, resolution_quality
from commerce_pipeline.identity.resolution import Resolution, resolve
from commerce_pipeline.identity.tables import (
    HISTORY_COLUMNS,
    MEMBER_COLUMNS,
    QUEUE_COLUMNS,
    read_identifiers,
    read_table,
)
from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.storage import tenant_ground_truth, tenant_warehouse

MAX_ACCOUNTS_PER_AUTO_MERGE = 3


def _quality(tenant_id: str, result: Resolution, identifiers: pd.DataFrame) -> dict:
    truth = load_ground_truth(tenant_ground_truth(tenant_id))
    return {} if truth is None else resolution_quality(result.members, identifiers, truth)


def records_of(frame: pd.DataFrame) -> list[dict]:
    """frame.to_dict("records"), about three times faster: whole columns at a time, and a
    timestamp column (mostly one value) boxed once per distinct value, not once per row."""
    columns = []
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or column.dtype.kind == "M":
            codes, uniques = pd.factorize(column)
            column = np.array([*uniques.tolist(), pd.NaT], dtype=object)[codes]  # -1: NaT
        columns.append(column.tolist())
    names = list(frame.columns)
    return [dict(zip(names, row)) for row in zip(*columns)]


def _profile_sizes(members: pd.DataFrame) -> dict[str, int]:
    """How many profiles have 1, 2, ... records."""
    codes, _ = text_codes(members["profile_id"].to_numpy(dtype=object))
    sizes = pd.Series(np.bincount(codes[codes >= 0])).value_counts().sort_index()
    return {str(k): int(v) for k, v in sizes.items()}


def run_resolution(tenant_id: str, control_db_url: str, run_id: str,
                   now: datetime | None = None) -> dict:
    warehouse = tenant_warehouse(tenant_id)
    identifiers = read_identifiers(warehouse)
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
        "profile_members": (records_of(result.members), "replace", MEMBER_COLUMNS),
        "manual_merge_queue": (queue, "replace", QUEUE_COLUMNS),
        "merge_history": (result.history, "append", HISTORY_COLUMNS),
    })
    quality = _quality(tenant_id, result, identifiers)
    statuses = pd.Series([q["status"] for q in queue], dtype=object).value_counts().to_dict()
    return {
        "summary": result.stats,
        "profile_members": {"tenant": tenant_id, **result.stats, **quality,
                            "records_per_profile": MetadataValue.json(
                                _profile_sizes(result.members))},
        "manual_merge_queue": {"tenant": tenant_id, "groups": len(queue),
                               "by_status": MetadataValue.json(statuses),
                               "max_accounts_per_auto_merge": MAX_ACCOUNTS_PER_AUTO_MERGE},
        "merge_history": {"tenant": tenant_id, "merges": result.stats["merges"],
                          "splits": result.stats["splits"]},
    }

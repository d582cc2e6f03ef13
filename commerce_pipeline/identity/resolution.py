"""Identity resolution: source records -> unified profiles with stable ids.

`resolve` is pure: identifier rows, the previous run's assignment and the reviewers'
decisions in; profile members, the manual-merge queue and history events out. Rules:
- connected components of the identity graph (graph.py) are candidate profiles;
- a component joining more than `max_accounts` customer accounts is not merged on its own: it
  goes to the queue with its evidence, and until approved each account stays a profile of
  its own (held.py); an approved group merges on the next run, a rejected one stays apart;
- profile ids are stable: a profile keeps the id most of its members had; ids of new
  profiles derive from their members (so the same data gives the same ids on any warehouse);
- every merge and split is an event in `merge_history`; unchanged data gives no events.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from commerce_pipeline.identity.graph import components, linking_rows, star_edges
from commerce_pipeline.identity.held import hold_oversized
from commerce_pipeline.identity.identifiers import CUSTOMER
from commerce_pipeline.identity.stable_ids import assign_ids, history_events

MEMBER_COLUMNS = ["source_key", "source_kind", "channel", "profile_id", "linked_by", "resolved_at",
                  "resolved_run_id"]


@dataclass
class Resolution:
    members: pd.DataFrame  # MEMBER_COLUMNS, one row per source record
    queue: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def group_key(account_keys) -> str:
    """A queued group's identity: the accounts it would merge (a changed group is a new review)."""
    return "g_" + hashlib.sha1("\n".join(sorted(account_keys)).encode()).hexdigest()[:16]


def _linked_by(links: pd.DataFrame, node_of: pd.Series, group: np.ndarray) -> pd.Series:
    """Per record, the strongest identifier kind it shares with another member of its profile."""
    rows = links.assign(g=group[node_of.reindex(links["source_key"]).to_numpy()])
    shared = rows.groupby(["g", "kind", "match_key"])["source_key"].transform("size") > 1
    rows = rows[shared].sort_values(["priority", "kind"], kind="stable")
    return rows.drop_duplicates("source_key").set_index("source_key")["kind"]


def resolve(identifiers: pd.DataFrame, previous: pd.DataFrame | None = None,
            decisions: dict[str, str] | None = None, *, max_accounts: int = 3,
            run_id: str = "", now: datetime | None = None) -> Resolution:
    """`identifiers`: customer_identifiers rows; `previous`: last run's profile_members."""
    now = now or datetime.now().astimezone()
    records = identifiers[identifiers["kind"] == "source_id"][["source_key", "source_kind", "channel"]]
    records = records.drop_duplicates("source_key").sort_values("source_key", ignore_index=True)
    node_of = pd.Series(np.arange(len(records)), index=records["source_key"])
    links = linking_rows(identifiers)
    edges = star_edges(links, node_of)
    labels = components(len(records), edges)
    is_account = (records["source_kind"] == CUSTOMER).to_numpy()
    group, queue = hold_oversized(records, labels, is_account, links, node_of, decisions or {},
                                  max_accounts, group_key)
    prev_ids = _previous_ids(records, previous)
    ids = assign_ids(records["source_key"].to_numpy(), group, prev_ids)
    history = history_events(records, group, prev_ids, ids, edges, queue, run_id, now)
    members = records.assign(profile_id=ids[group],
                             linked_by=records["source_key"].map(_linked_by(links, node_of, group)))
    members = _carry_resolution_time(members, previous, run_id, now)
    stats = {"source_records": len(records), "profiles": int(len(np.unique(ids[group]))),
             "links": len(edges), "queued_groups": sum(q["status"] == "pending" for q in queue),
             "merges": sum(e["event"] == "merge" for e in history),
             "splits": sum(e["event"] == "split" for e in history)}
    return Resolution(members[MEMBER_COLUMNS], queue, history, stats)


def _previous_ids(records: pd.DataFrame, previous: pd.DataFrame | None) -> np.ndarray:
    if previous is None or previous.empty:
        return np.full(len(records), None, dtype=object)
    by_key = previous.drop_duplicates("source_key").set_index("source_key")["profile_id"]
    return records["source_key"].map(by_key).astype(object).where(lambda s: s.notna(), None).to_numpy()


def _carry_resolution_time(members: pd.DataFrame, previous: pd.DataFrame | None, run_id: str,
                           now: datetime) -> pd.DataFrame:
    """A record whose profile did not change keeps when (and by which run) it was resolved, so a
    re-run with no new data writes identical rows."""
    members = members.assign(resolved_at=pd.Timestamp(now), resolved_run_id=run_id)
    if previous is None or previous.empty:
        return members
    prev = previous.drop_duplicates("source_key").set_index("source_key")
    same = members["profile_id"].to_numpy() == members["source_key"].map(prev["profile_id"]).to_numpy()
    keys = members.loc[same, "source_key"]
    members.loc[same, "resolved_at"] = keys.map(prev["resolved_at"]).to_numpy()
    members.loc[same, "resolved_run_id"] = keys.map(prev["resolved_run_id"]).to_numpy()
    return members

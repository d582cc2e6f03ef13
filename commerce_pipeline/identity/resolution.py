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

It all runs on integer codes: each string column is hashed once on the way in
(codes.py), and only what is written out is turned back into text.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from commerce_pipeline.column_rows import ColumnRows
from commerce_pipeline.gc_pacing import collector_paused
from commerce_pipeline.identity.codes import first_per_code, text_codes
from commerce_pipeline.identity.graph import Links, components, identity_graph, star_edges
from commerce_pipeline.identity.held import hold_oversized
from commerce_pipeline.identity.identifiers import CUSTOMER
from commerce_pipeline.identity.stable_ids import assign_ids, history_events

MEMBER_COLUMNS = ["source_key", "source_kind", "channel", "profile_id", "linked_by", "resolved_at",
                  "resolved_run_id"]


@dataclass
class Resolution:
    members: pd.DataFrame  # MEMBER_COLUMNS, one row per source record
    queue: list[dict] = field(default_factory=list)
    history: ColumnRows = field(default_factory=lambda: ColumnRows({}))  # rows as columns
    stats: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)  # wall time per phase, for bench/identity.py


class _Phases:
    """Wall time per phase: `phases("name")` closes the phase that just ran."""

    def __init__(self):
        self.seconds, self._last = {}, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name], self._last = round(now - self._last, 4), now


def group_key(account_keys) -> str:
    """A queued group's identity: the accounts it would merge (a changed group is a new review)."""
    return "g_" + hashlib.sha1("\n".join(sorted(account_keys)).encode()).hexdigest()[:16]


def _text_column(texts: np.ndarray, at: np.ndarray):
    """texts[at] (-1 in `at`: missing) as pandas makes a column of them: made by Arrow from the
    distinct texts, several times quicker than pandas reading a million Python strings."""
    if not len(at):
        return np.full(0, np.nan, dtype=object)  # pandas keeps an empty column as objects
    if (at < 0).all():
        return np.full(len(at), np.nan)  # (a float column, as a map that found nothing gives)
    try:
        arrow = pa.array(texts, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: as pandas infers it
        return np.where(at >= 0, texts[np.maximum(at, 0)], np.nan)
    return pd.array(arrow.take(pa.array(at, mask=at < 0)), dtype="str")


def _linked_by(links: Links, group: np.ndarray, n_records: int):
    """Per record, the strongest identifier kind it shares with another member of its profile
    (NaN where none): the smallest (priority, kind) over its values held more than once there."""
    if not len(links.node):
        return _text_column(links.kinds, np.full(n_records, -1))
    # A value's holders are one component, so one profile unless it was held apart: count
    # per value, and per (profile, value) only for values whose holders were held apart.
    g, value = group[links.node], links.value
    lowest, highest = np.full(value.max() + 1, len(group)), np.full(value.max() + 1, -1)
    np.minimum.at(lowest, value, g)
    np.maximum.at(highest, value, g)
    shared = np.bincount(value)[value] > 1
    apart = np.flatnonzero(lowest[value] != highest[value])
    held = pd.factorize(g[apart] * (value.max() + 1) + value[apart])[0]
    shared[apart] = np.bincount(held)[held] > 1
    by_text = np.argsort(links.kinds, kind="stable")
    kind_rank = np.empty(len(by_text), dtype=np.int64)
    kind_rank[by_text] = np.arange(len(by_text))
    priority = pd.factorize(links.priority, sort=True)[0]
    strength = priority * len(by_text) + kind_rank[links.kind]  # by priority, then kind's name
    best = np.full(n_records, np.iinfo(np.int64).max)
    np.minimum.at(best, links.node[shared], strength[shared])
    kind = np.where(best < np.iinfo(np.int64).max, by_text[best % len(by_text)], -1)
    return _text_column(links.kinds, kind)


def _previous(keys: np.ndarray, previous: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Per record, its row in `previous` (first of its key; -1 for a new record)."""
    if previous is None or previous.empty:
        return np.full(len(keys), -1), np.zeros(0, dtype=np.int64)
    prev_keys = previous["source_key"].to_numpy(dtype=object)
    if len(prev_keys) == len(keys) and (prev_keys == keys).all():  # a re-run: the same records
        return np.arange(len(keys)), np.arange(len(keys))
    codes, _ = text_codes(np.concatenate([keys, prev_keys]))  # records' keys are codes 0..n-1
    theirs = codes[len(keys):]
    found = np.flatnonzero((theirs >= 0) & (theirs < len(keys)))
    first = first_per_code(theirs[found], len(keys))  # the first row of a key wins
    row = np.full(len(keys), -1)
    row[first >= 0] = found[first[first >= 0]]
    return row, np.flatnonzero(row >= 0)


def resolve(identifiers: pd.DataFrame, previous: pd.DataFrame | None = None,
            decisions: dict[str, str] | None = None, *, max_accounts: int = 3,
            run_id: str = "", now: datetime | None = None) -> Resolution:
    """`identifiers`: customer_identifiers rows; `previous`: last run's profile_members."""
    # A run makes a few hundred thousand small objects (ids, event rows) and no cycles worth
    # collecting meanwhile: the cyclic collector would walk the whole heap again and again.
    with collector_paused():
        return _resolve(identifiers, previous, decisions, max_accounts, run_id, now)


def _resolve(identifiers: pd.DataFrame, previous: pd.DataFrame | None,
             decisions: dict[str, str] | None, max_accounts: int, run_id: str,
             now: datetime | None) -> Resolution:
    now, phase = now or datetime.now().astimezone(), _Phases()
    records, links = identity_graph(identifiers)
    keys = records["source_key"].to_numpy(dtype=object)
    phase("graph")
    edges = star_edges(links)
    labels = components(len(records), edges)
    phase("components")
    is_account = (records["source_kind"] == CUSTOMER).to_numpy()
    group, queue = hold_oversized(keys, labels, is_account, links, decisions or {}, max_accounts,
                                  group_key)
    phase("queue")
    prev_row, known = _previous(keys, previous)
    prev, prev_text = np.full(len(keys), -1), np.zeros(0, dtype=object)
    if len(known):
        prev_ids = previous["profile_id"].to_numpy(dtype=object)[prev_row[known]]
        prev[known], prev_text = text_codes(prev_ids)
    ids = assign_ids(keys, group, prev, prev_text)
    phase("stable_ids")
    history = history_events(keys, group, prev, prev_text, ids, edges, links, queue, run_id, now)
    phase("history")
    members = records.assign(profile_id=_text_column(ids, group),
                             linked_by=_linked_by(links, group, len(records)))
    members = _carry_resolution_time(members, previous, prev_row, prev >= 0, run_id, now)
    events = history.data.get("event", [])  # (list.count: C loops over the many merges)
    stats = {"source_records": len(records), "profiles": int(np.count_nonzero(np.bincount(group))),
             "links": len(edges), "queued_groups": sum(q["status"] == "pending" for q in queue),
             "merges": events.count("merge"), "splits": events.count("split")}
    members = members[MEMBER_COLUMNS]
    phase("members")
    return Resolution(members, queue, history, stats, phase.seconds)


def _carry_resolution_time(members: pd.DataFrame, previous: pd.DataFrame | None,
                           prev_row: np.ndarray, had_id: np.ndarray, run_id: str,
                           now: datetime) -> pd.DataFrame:
    """A record whose profile did not change keeps when (and by which run) it was resolved, so a
    re-run with no new data writes identical rows."""
    members = members.assign(resolved_at=pd.Timestamp(now), resolved_run_id=run_id)
    if previous is None or previous.empty:
        return members
    same = had_id.copy()
    same[had_id] = (members["profile_id"].to_numpy(dtype=object)[had_id]
                    == previous["profile_id"].to_numpy(dtype=object)[prev_row[had_id]])
    rows = prev_row[same]
    at, dtype = previous["resolved_at"].take(rows), members["resolved_at"].dtype
    if isinstance(at.dtype, pd.DatetimeTZDtype) and at.dtype.unit == dtype.unit:
        at = at.dt.tz_convert(dtype.tz)  # the same instants (a warehouse may name UTC otherwise)
    # Of one dtype, times are copied as they are; through objects (any other dtype) is slow.
    at = at.array if at.dtype == dtype else at.to_numpy()
    members.loc[same, "resolved_at"] = at
    members.loc[same, "resolved_run_id"] = previous["resolved_run_id"].take(rows).to_numpy()
    return members

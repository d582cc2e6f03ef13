"""Stable profile ids across runs, and the merge/split events that explain every change.

A profile keeps the previous id most of its records had (ties: the smaller id); an id goes
to one profile only, so when a profile splits, the part holding most of its records keeps
it and the rest get new ids. A new id is derived from the profile's smallest source key,
never reusing an id that existed before, so the same data yields the same ids on DuckDB
and Postgres alike.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import numpy as np
import pandas as pd

from commerce_pipeline.identity.graph import shown_value


def new_profile_id(seed_key: str, salt: int = 0) -> str:
    text = seed_key if not salt else f"{seed_key}#{salt}"
    return "p_" + hashlib.sha1(text.encode()).hexdigest()[:16]


def assign_ids(keys: np.ndarray, group: np.ndarray, prev_ids: np.ndarray) -> np.ndarray:
    """Profile id per group label (indexable by `group`)."""
    ids = np.full(int(group.max()) + 1 if len(group) else 0, None, dtype=object)
    has = pd.notna(prev_ids)
    pairs = pd.DataFrame({"g": group[has], "p": prev_ids[has]}).value_counts().reset_index(name="n")
    per_group, per_id = pairs["g"].map(pairs["g"].value_counts()), pairs["p"].map(pairs["p"].value_counts())
    simple = (per_group == 1) & (per_id == 1)  # the steady state: nothing merged or split
    ids[pairs.loc[simple, "g"].to_numpy()] = pairs.loc[simple, "p"].to_numpy()
    used = set(pairs.loc[simple, "p"])
    contested = pairs[~simple].sort_values(["n", "p", "g"], ascending=[False, True, True])
    for g, p in zip(contested["g"], contested["p"]):
        if ids[g] is None and p not in used:
            ids[g] = p
            used.add(p)
    reserved = set(pairs["p"])
    first = np.full(len(ids), len(keys))
    np.minimum.at(first, group, np.arange(len(keys)))  # records come sorted by key: min index = min key
    needs = np.flatnonzero((first < len(keys)) & np.array([i is None for i in ids], dtype=bool))
    for g, seed in zip(needs, keys[first[needs]]):
        salt, pid = 0, new_profile_id(seed)
        while pid in reserved:
            salt += 1
            pid = new_profile_id(seed, salt)
        ids[g] = pid
        reserved.add(pid)
    return ids


def _event(kind, profile_id, related, keys, identifier, decided_by, reason, run_id, now) -> dict:
    digest = hashlib.sha1(f"{run_id}|{kind}|{profile_id}|{related}".encode()).hexdigest()[:16]
    return {"event_id": f"e_{digest}", "event": kind, "profile_id": profile_id,
            "related_profile_ids": json.dumps(related), "source_keys": json.dumps(keys),
            "identifier_kind": identifier[0], "identifier_value": identifier[1],
            "decided_by": decided_by, "reason": reason, "at": now, "run_id": run_id}


def _strongest_links(edges: pd.DataFrame, group: np.ndarray, unit: np.ndarray) -> dict:
    """Per group, the strongest edge that joins two different units (profiles or new records)."""
    src, dst = edges["src"].to_numpy(), edges["dst"].to_numpy()
    keep = (group[src] == group[dst]) & (unit[src] != unit[dst])
    joined = edges[keep].assign(g=group[src[keep]]).sort_values("priority", kind="stable")
    joined = joined.drop_duplicates("g")
    return {g: (k, shown_value(k, v))
            for g, k, v in zip(joined["g"], joined["kind"], joined["match_key"])}


def _runs(sorted_groups: np.ndarray) -> list[tuple[int, int, int]]:
    """(group, start, end) of each run of equal values in a sorted array."""
    if not len(sorted_groups):
        return []
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    ends = np.r_[starts[1:], len(sorted_groups)]
    return list(zip(sorted_groups[starts].tolist(), starts.tolist(), ends.tolist()))


def history_events(records: pd.DataFrame, group: np.ndarray, prev_ids: np.ndarray, ids: np.ndarray,
                   edges: pd.DataFrame, queue: list[dict], run_id: str, now: datetime) -> list[dict]:
    """A merge per profile that gained records or absorbed profiles; a split per previous
    profile whose records now sit in several profiles."""
    keys = records["source_key"].to_numpy()
    has_prev = pd.notna(prev_ids)
    unit = pd.factorize(np.where(has_prev, prev_ids, "record:" + records["source_key"]))[0]
    pairs = pd.DataFrame({"g": group, "u": unit}).drop_duplicates()
    multi = pairs["g"].value_counts()
    merged_groups = multi.index[multi.to_numpy() > 1].to_numpy()
    approved = {k for q in queue if q["status"] == "approved" for k in json.loads(q["source_keys"])}
    held = {k for q in queue if q["status"] != "approved" for k in json.loads(q["source_keys"])}
    events = []
    rows = np.flatnonzero(np.isin(group, merged_groups))
    rows = rows[np.argsort(group[rows], kind="stable")]  # by group, keys ascending within
    links = _strongest_links(edges, group, unit) if len(rows) else {}
    for g, start, end in _runs(group[rows]):
        part, pid = rows[start:end], ids[g]
        moved = part[prev_ids[part] != pid]
        absorbed = sorted({p for p in prev_ids[moved] if pd.notna(p)})
        by = "manual" if approved.intersection(keys[part]) else "rule"
        events.append(_event("merge", pid, absorbed, keys[moved].tolist(), links.get(g, (None, None)),
                             by, "approved in review" if by == "manual" else "shared identifier",
                             run_id, now))
    before = np.flatnonzero(has_prev)
    spread = pd.DataFrame({"p": prev_ids[before], "g": group[before]}).drop_duplicates()["p"].value_counts()
    split_ids = set(spread.index[spread.to_numpy() > 1])
    for prev in sorted(split_ids):
        part = before[prev_ids[before] == prev]
        left = part[ids[group[part]] != prev]
        reason = "held for review" if held.intersection(keys[left]) else "no longer linked"
        events.append(_event("split", prev, sorted(set(ids[group[left]])), keys[left].tolist(),
                             (None, None), "rule", reason, run_id, now))
    return events

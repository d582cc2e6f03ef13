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
    seeds = pd.Series(keys).groupby(group).min()
    for g, seed in seeds[[ids[g] is None for g in seeds.index]].items():
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
    joined = edges[keep].assign(g=group[src[keep]]).sort_values(["priority", "kind", "match_key"])
    joined = joined.drop_duplicates("g")
    return {g: (k, v.split("|")[0] if k != "name_zip" else v)
            for g, k, v in zip(joined["g"], joined["kind"], joined["match_key"])}


def history_events(records: pd.DataFrame, group: np.ndarray, prev_ids: np.ndarray, ids: np.ndarray,
                   edges: pd.DataFrame, queue: list[dict], run_id: str, now: datetime) -> list[dict]:
    keys = records["source_key"].to_numpy()
    unit = np.where(pd.notna(prev_ids), prev_ids, "record:" + records["source_key"]).astype(str)
    frame = pd.DataFrame({"g": group, "unit": unit, "prev": prev_ids, "key": keys})
    units = frame.groupby("g")["unit"].nunique()
    approved = {k for q in queue if q["status"] == "approved" for k in json.loads(q["source_keys"])}
    held = {k for q in queue if q["status"] != "approved" for k in json.loads(q["source_keys"])}
    events = []
    merged = frame[frame["g"].isin(units[units > 1].index)]
    links = _strongest_links(edges, group, unit) if len(merged) else {}
    for g, part in merged.groupby("g"):
        pid = ids[g]
        moved = part[part["prev"].to_numpy() != pid]
        absorbed = sorted({p for p in moved["prev"] if pd.notna(p)})
        by = "manual" if approved & set(part["key"]) else "rule"
        events.append(_event("merge", pid, absorbed, sorted(moved["key"]), links.get(g, (None, None)),
                             by, "approved in review" if by == "manual" else "shared identifier",
                             run_id, now))
    before = frame[pd.notna(prev_ids)]
    spread = before.groupby("prev")["g"].nunique()
    for prev, part in before[before["prev"].isin(spread[spread > 1].index)].groupby("prev"):
        left = part[ids[part["g"].to_numpy()] != prev]
        reason = "held for review" if held & set(left["key"]) else "no longer linked"
        events.append(_event("split", prev, sorted(set(ids[left["g"].to_numpy()])),
                             sorted(left["key"]), (None, None), "rule", reason, run_id, now))
    return events

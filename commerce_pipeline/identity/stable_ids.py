"""Stable profile ids across runs, and the merge/split events that explain every change.

A profile keeps the previous id most of its records had (ties: the smaller id); an id goes
to one profile only, so when a profile splits, the part holding most of its records keeps
it and the rest get new ids. A new id is derived from the profile's smallest source key,
never reusing an id that existed before, so the same data yields the same ids on DuckDB
and Postgres alike.

Previous ids come as codes (`prev`: index into `prev_text`, -1 for a new record), so the
bookkeeping runs on integers; strings are only touched for the ids and events written out.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from json.encoder import encode_basestring_ascii

import numpy as np
import pandas as pd

from commerce_pipeline.column_rows import ColumnRows
from commerce_pipeline.identity.digests import distinct_short_sha1, short_sha1
from commerce_pipeline.identity.graph import Edges, Links
from commerce_pipeline.identity.held import runs


def new_profile_id(seed_key: str, salt: int = 0) -> str:
    text = seed_key if not salt else f"{seed_key}#{salt}"
    return "p_" + hashlib.sha1(text.encode()).hexdigest()[:16]


def _distinct_pairs(a: np.ndarray, b: np.ndarray, b_size: int) -> tuple[np.ndarray, ...]:
    """The distinct (a, b) pairs of two non-negative integer arrays (in no particular order),
    and how often each occurs."""
    codes, pairs = pd.factorize(a.astype(np.int64) * b_size + b)
    return pairs // b_size, pairs % b_size, np.bincount(codes, minlength=len(pairs))


def assign_ids(keys: np.ndarray, group: np.ndarray, prev: np.ndarray,
               prev_text: np.ndarray) -> np.ndarray:
    """Profile id per group label (indexable by `group`)."""
    n_groups = int(group.max()) + 1 if len(group) else 0
    ids = np.full(n_groups, None, dtype=object)
    has = prev >= 0
    g, p, n = _distinct_pairs(group[has], prev[has], max(len(prev_text), 1))
    per_group = np.bincount(g, minlength=n_groups)[g]
    per_id = np.bincount(p, minlength=len(prev_text))[p]
    simple = (per_group == 1) & (per_id == 1)  # the steady state: nothing merged or split
    ids[g[simple]] = prev_text[p[simple]]
    used = np.zeros(len(prev_text), dtype=bool)
    used[p[simple]] = True
    contested = np.flatnonzero(~simple).tolist()
    for i in sorted(contested, key=lambda i: (-n[i], prev_text[p[i]], g[i])):
        if ids[g[i]] is None and not used[p[i]]:
            ids[g[i]], used[p[i]] = prev_text[p[i]], True
    reserved = set(prev_text[pd.unique(p)].tolist())
    first = np.full(n_groups, len(keys))
    np.minimum.at(first, group, np.arange(len(keys)))  # records are sorted: min index = min key
    needs = np.flatnonzero((first < len(keys)) & np.equal(ids, None))
    seeds = keys[first[needs]]
    fresh, distinct = distinct_short_sha1("p_", seeds)  # new_profile_id of each
    if distinct and (not reserved or reserved.isdisjoint(fresh.tolist())):
        ids[needs] = fresh  # no id to avoid: the loop below would give the same
        return ids
    for g_, seed in zip(needs.tolist(), seeds.tolist()):
        salt, pid = 0, new_profile_id(seed)
        while pid in reserved:
            salt += 1
            pid = new_profile_id(seed, salt)
        ids[g_] = pid
        reserved.add(pid)
    return ids


def json_list(texts: list[str]) -> str:
    """json.dumps of a list of strings, several times faster on the many short lists here."""
    return "[" + ", ".join(map(encode_basestring_ascii, texts)) + "]"


def json_lists(texts: list[str], starts: list[int], ends: list[int]) -> list[str]:
    """json_list(texts[start:end]) of each span, each text encoded once."""
    if _plain(texts):  # (source keys always are) no text needs escaping: only quotes around
        join = '", "'.join
        return ['["' + join(texts[start:end]) + '"]' if start < end else "[]"
                for start, end in zip(starts, ends)]
    encoded, join = list(map(encode_basestring_ascii, texts)), ", ".join
    return ["[" + join(encoded[start:end]) + "]" for start, end in zip(starts, ends)]


def _plain(texts: list[str]) -> bool:
    """Whether JSON writes every text as it is, between quotes: printable ASCII, without a
    quote or backslash (one pass in C over the texts joined)."""
    joined = "".join(texts)
    return joined.isascii() and joined.isprintable() and '"' not in joined and "\\" not in joined


def _events(kind: str, profile_ids: list, related: list, keys_json: list[str],
            identifiers: tuple[list, list], decisions: list, run_id: str, now: datetime
            ) -> ColumnRows:
    """History rows, one per entry of the lists (in step); `keys_json`: each event's source
    keys as a JSON list; identifiers: (kinds, shown values); decisions: (decided_by, reason). Kept as columns: a large first run
    writes one merge per linked profile."""
    prefix, n = f"{run_id}|{kind}|", len(profile_ids)
    event_ids = short_sha1("e_", [f"{prefix}{p}|{r}" if r else f"{prefix}{p}|[]"
                                  for p, r in zip(profile_ids, related)])
    kinds, values = identifiers
    decided_by, reasons = zip(*decisions) if n else ((), ())
    return ColumnRows({
        "event_id": event_ids, "event": [kind] * n, "profile_id": list(profile_ids),
        "related_profile_ids": [json_list(r) if r else "[]" for r in related],
        "source_keys": list(keys_json), "identifier_kind": list(kinds),
        "identifier_value": list(values), "decided_by": list(decided_by), "reason": list(reasons),
        "at": [now] * n, "run_id": [run_id] * n})


def _strongest_links(edges: Edges, links: Links, group: np.ndarray, unit: np.ndarray,
                     groups: np.ndarray) -> tuple[list, list]:
    """Per group of `groups` (ascending), the kind and the shown value of the strongest edge
    that joins two different units (profiles or new records) in it, the first such edge where
    several are as strong; None and None where there is none."""
    src, dst = edges.src, edges.dst
    joined = np.flatnonzero((group[src] == group[dst]) & (unit[src] != unit[dst]))
    joined = joined[np.argsort(links.priority[edges.link[joined]], kind="stable")]
    found, first = np.unique(group[src[joined]], return_index=True)
    link = edges.link[joined[first]]
    at = np.searchsorted(found, groups)
    has = (at < len(found)) & (found[np.minimum(at, len(found) - 1)] == groups) if len(found) \
        else np.zeros(len(groups), dtype=bool)
    kinds, values = np.full(len(groups), None, dtype=object), np.full(len(groups), None, dtype=object)
    kinds[has] = np.asarray(links.kind_text(link), dtype=object)[at[has]]
    values[has] = np.asarray(links.shown(link), dtype=object)[at[has]]
    return kinds.tolist(), values.tolist()


def _rows_holding(keys: np.ndarray, rows: np.ndarray, wanted: set) -> np.ndarray:
    if not wanted:
        return np.zeros(len(rows), dtype=bool)
    return np.fromiter((k in wanted for k in keys[rows].tolist()), bool, len(rows))


def _queued_keys(queue: list[dict], approved: bool) -> set[str]:
    return {k for q in queue if (q["status"] == "approved") == approved
            for k in json.loads(q["source_keys"])}


def _merges(keys, group, prev, prev_ids, ids, edges, links, queue, run_id, now) -> ColumnRows:
    """A merge per profile whose records come from more than one unit (a previous profile,
    or a record new to this run)."""
    unit = np.where(prev >= 0, prev, prev.max(initial=0) + 1 + np.arange(len(keys)))
    first_run = not (prev >= 0).any()  # every record is a unit of its own
    g = group if first_run else _distinct_pairs(group, unit, int(unit.max(initial=0)) + 1)[0]
    merged = np.flatnonzero(np.bincount(g, minlength=len(ids)) > 1)
    is_merged = np.zeros(len(ids), dtype=bool)
    is_merged[merged] = True
    rows = np.flatnonzero(is_merged[group])
    rows = rows[np.argsort(group[rows], kind="stable")]  # by group, keys ascending within
    strongest = _strongest_links(edges, links, group, unit, merged)
    by_hand = set(group[rows[_rows_holding(keys, rows, _queued_keys(queue, True))]].tolist())
    moved = rows if first_run else rows[prev_ids[rows] != ids[group[rows]]]
    moved_group = group[moved]
    absorbing = set(moved_group[prev[moved] >= 0].tolist())  # none on a first run
    starts = np.searchsorted(moved_group, merged, "left").tolist()
    ends = np.searchsorted(moved_group, merged, "right").tolist()
    merged = merged.tolist()
    absorbed = [[]] * len(merged)
    if absorbing:
        moved_prev = prev_ids[moved].tolist()
        absorbed = [sorted({p for p in moved_prev[start:end] if p is not None})
                    if g in absorbing else [] for g, start, end in zip(merged, starts, ends)]
    rule, manual = ("rule", "shared identifier"), ("manual", "approved in review")
    decided = [manual if g in by_hand else rule for g in merged] if by_hand else [rule] * len(merged)
    return _events("merge", ids[merged].tolist(), absorbed,
                   json_lists(keys[moved].tolist(), starts, ends), strongest, decided, run_id, now)


def _splits(keys, group, prev, prev_text, ids, queue, run_id, now) -> ColumnRows:
    """A split per previous profile whose records now sit in several profiles, by id."""
    before = np.flatnonzero(prev >= 0)
    p, _, _ = _distinct_pairs(prev[before], group[before], max(len(ids), 1))
    split = np.flatnonzero(np.bincount(p, minlength=len(prev_text)) > 1)
    rank = np.full(len(prev_text), -1)
    rank[split[np.argsort(prev_text[split], kind="stable")]] = np.arange(len(split))
    part = before[rank[prev[before]] >= 0]
    part = part[np.lexsort((part, rank[prev[part]]))]  # by previous id, then key
    held, olds, related, moved, decisions = _queued_keys(queue, False), [], [], [], []
    for _, start, end in runs(rank[prev[part]]):
        old = prev_text[prev[part[start]]]
        left = part[start:end][ids[group[part[start:end]]] != old]
        olds.append(old)
        related.append(sorted(set(ids[group[left]].tolist())))
        moved.append(json_list(keys[left].tolist()))
        decisions.append(("rule", "held for review" if _rows_holding(keys, left, held).any()
                          else "no longer linked"))
    nothing = [None] * len(olds)
    return _events("split", olds, related, moved, (nothing, nothing), decisions, run_id, now)


def history_events(keys: np.ndarray, group: np.ndarray, prev: np.ndarray, prev_text: np.ndarray,
                   ids: np.ndarray, edges: Edges, links: Links, queue: list[dict], run_id: str,
                   now: datetime) -> ColumnRows:
    """A merge per profile that gained records or absorbed profiles; a split per previous
    profile whose records now sit in several profiles."""
    prev_ids = np.full(len(keys), None, dtype=object)
    prev_ids[prev >= 0] = prev_text[prev[prev >= 0]]
    return (_merges(keys, group, prev, prev_ids, ids, edges, links, queue, run_id, now)
            + _splits(keys, group, prev, prev_text, ids, queue, run_id, now))

"""Groups too large to merge on their own: queued for a person, held apart until approved.

A component that would join more than `max_accounts` customer accounts is more often a
shared identifier nobody has blocklisted yet than one person with many accounts. Until a
reviewer approves it, each of its accounts stays a profile of its own, and a guest checkout
in it joins the one account it shares its strongest identifier with (or stays alone when
that is ambiguous). A rejected group stays held and is not asked about again; a group whose
accounts change is a new question (its key changes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from itertools import groupby

import numpy as np

from commerce_pipeline.identity.graph import Links, shown_value

STATUS = {"approve": "approved", "reject": "rejected"}


def runs(sorted_values: np.ndarray) -> list[tuple[int, int, int]]:
    """(value, start, end) of each run of equal values in a sorted array."""
    if not len(sorted_values):
        return []
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(sorted_values)]
    return list(zip(sorted_values[starts].tolist(), starts.tolist(), ends.tolist()))


def evidence_by_label(links: Links, labels: np.ndarray, wanted: np.ndarray,
                      keys: np.ndarray) -> dict[int, list[dict]]:
    """Per wanted component, the values shared inside it (what would merge it, and between
    whom), ordered by kind, match key and priority; a value held by one row only is none."""
    idx = np.flatnonzero(np.isin(labels[links.node], wanted))
    rows = sorted(zip(labels[links.node[idx]].tolist(), links.kind_text(idx), links.match_key(idx),
                      links.priority[idx].tolist(), keys[links.node[idx]].tolist()))
    out: dict[int, list[dict]] = {}
    for (label, kind, value, priority), items in groupby(rows, key=lambda r: r[:4]):
        holders = [r[4] for r in items]
        if len(holders) > 1:
            out.setdefault(label, []).append({"kind": kind, "value": shown_value(kind, value),
                                              "priority": int(priority), "source_keys": holders})
    return out


def _hold(nodes: np.ndarray, is_account: np.ndarray, keys: np.ndarray, evidence: list[dict],
          group: np.ndarray, next_label: int) -> int:
    """Each account its own profile; a guest follows its single strongest-linked account."""
    for node in nodes[is_account[nodes]]:
        group[node], next_label = next_label, next_label + 1
    account_node = {keys[n]: n for n in nodes[is_account[nodes]]}
    for node in nodes[~is_account[nodes]]:
        best, candidates = None, set()
        for item in sorted(evidence, key=lambda e: e["priority"]):
            if keys[node] not in item["source_keys"]:
                continue
            if best is not None and item["priority"] > best:
                break
            best = item["priority"]
            candidates |= {k for k in item["source_keys"] if k in account_node}
        if len(candidates) == 1:
            group[node] = group[account_node[candidates.pop()]]
        else:
            group[node], next_label = next_label, next_label + 1
    return next_label


def hold_oversized(keys: np.ndarray, labels: np.ndarray, is_account: np.ndarray, links: Links,
                   decisions: Mapping[str, Mapping], max_accounts: int,
                   key_fn: Callable) -> tuple[np.ndarray, list[dict]]:
    """(final group label per record, queue entries) after holding oversized components;
    `keys` are the records' source keys, ascending."""
    group = labels.copy()
    if not len(labels):
        return group, []
    accounts = np.bincount(labels, weights=is_account.astype(np.int64))
    oversized = np.flatnonzero(accounts > max_accounts)
    if not len(oversized):
        return group, []
    in_big = np.flatnonzero(np.isin(labels, oversized))
    in_big = in_big[np.argsort(labels[in_big], kind="stable")]  # by label, then key
    evidence_of = evidence_by_label(links, labels, oversized, keys)
    next_label, queue = int(labels.max()) + 1, []
    for label, start, end in runs(labels[in_big]):
        nodes = in_big[start:end]
        account_keys = keys[nodes[is_account[nodes]]].tolist()  # ascending, as records are
        gkey = key_fn(account_keys)
        decision = decisions.get(gkey, {})
        status = STATUS.get(decision.get("decision"), "pending")
        evidence = evidence_of.get(label, [])
        queue.append({"group_key": gkey, "status": status, "accounts": len(account_keys),
                      "source_keys": json.dumps(account_keys), "evidence": json.dumps(evidence),
                      "decided_by": decision.get("decided_by"),
                      "decided_at": decision.get("decided_at")})
        if status != "approved":
            next_label = _hold(nodes, is_account, keys, evidence, group, next_label)
    return group, queue

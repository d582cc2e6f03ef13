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

import numpy as np
import pandas as pd

from commerce_pipeline.identity.graph import shown_value

STATUS = {"approve": "approved", "reject": "rejected"}


def _evidence(comp_links: pd.DataFrame) -> list[dict]:
    """The values shared inside the group: what would merge it, and between whom."""
    shared = comp_links.groupby(["kind", "match_key", "priority"])["source_key"].agg(sorted)
    return [{"kind": kind, "value": shown_value(kind, value),
             "priority": int(priority), "source_keys": keys}
            for (kind, value, priority), keys in shared.items() if len(keys) > 1]


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


def hold_oversized(records: pd.DataFrame, labels: np.ndarray, is_account: np.ndarray,
                   links: pd.DataFrame, node_of: pd.Series, decisions: Mapping[str, Mapping],
                   max_accounts: int, key_fn: Callable) -> tuple[np.ndarray, list[dict]]:
    """(final group label per record, queue entries) after holding oversized components."""
    group = labels.copy()
    if not len(labels):
        return group, []
    accounts = np.bincount(labels, weights=is_account.astype(np.int64))
    oversized = np.flatnonzero(accounts > max_accounts)
    if not len(oversized):
        return group, []
    keys = records["source_key"].to_numpy()
    in_big = np.flatnonzero(np.isin(labels, oversized))
    link_label = labels[node_of.reindex(links["source_key"]).to_numpy()]
    in_oversized = np.isin(link_label, oversized)
    big_links = links[in_oversized].assign(label=link_label[in_oversized])
    links_by_label = dict(tuple(big_links.groupby("label")))
    next_label, queue = int(labels.max()) + 1, []
    for label, nodes in pd.Series(in_big).groupby(labels[in_big]):
        nodes = nodes.to_numpy()
        account_keys = sorted(keys[nodes[is_account[nodes]]])
        gkey = key_fn(account_keys)
        decision = decisions.get(gkey, {})
        status = STATUS.get(decision.get("decision"), "pending")
        evidence = _evidence(links_by_label.get(label, links.iloc[:0]))
        queue.append({"group_key": gkey, "status": status, "accounts": len(account_keys),
                      "source_keys": json.dumps(account_keys), "evidence": json.dumps(evidence),
                      "decided_by": decision.get("decided_by"),
                      "decided_at": decision.get("decided_at")})
        if status != "approved":
            next_label = _hold(nodes, is_account, keys, evidence, group, next_label)
    return group, queue

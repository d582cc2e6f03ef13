"""The identity graph: which source records an identifier links, and its connected components.

Vectorised (pandas group-bys and scipy's connected components), because a large tenant has
millions of identifier rows. Each shared value links its holders as a star (first holder to
every other), which gives the same components as linking every pair at a fraction of the edges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

PHONE_KINDS = ("phone", "whatsapp")
LINK_COLUMNS = ["source_key", "kind", "match_key", "priority"]


def _guarded(rows: pd.DataFrame, attribute: pd.Series, link_if_none_known: bool) -> pd.DataFrame:
    """Rows whose shared value links only holders that agree on `attribute` (per source key).

    A holder without the attribute joins where the value's holders agree on exactly one; where
    no holder has it, they all link only if `link_if_none_known`.
    """
    rows = rows.assign(attr=rows["source_key"].map(attribute))
    known = rows[rows["attr"].notna()]
    agree = known.groupby(["kind", "match_key"])["attr"].agg(["nunique", "first"])
    rows = rows.join(agree, on=["kind", "match_key"])
    inferred = rows["first"].where(rows["nunique"] == 1)
    if link_if_none_known:
        inferred = inferred.where(rows["nunique"].notna(), "")
    attr = rows["attr"].where(rows["attr"].notna(), inferred)
    return rows.assign(match_key=rows["match_key"] + "|" + attr)[attr.notna()][LINK_COLUMNS]


def linking_rows(identifiers: pd.DataFrame) -> pd.DataFrame:
    """The identifier rows that may link two records.

    Excluded values (junk, blocklist, hub, invalid) never link, and a record's own id links
    nothing. Two weaker links carry a guard against the look-alikes seen in real stores:
    - a shared phone links only holders with the same given name (a household landline is
      shared by several people; one person's accounts share it under one name), and guest
      checkouts with no name never link on a phone alone (the till's own number);
    - a shared name and postcode links only holders whose phones do not differ (namesakes in
      one town), and a holder without a phone only where the other holders have one phone.
    """
    ok = identifiers[identifiers["excluded_reason"].isna() & (identifiers["kind"] != "source_id")]
    is_phone, is_name = ok["kind"].isin(PHONE_KINDS), ok["kind"] == "name_zip"
    given = ok.dropna(subset=["given_name"]).drop_duplicates("source_key")
    phone_of = ok[ok["kind"] == "phone"].groupby("source_key")["match_key"].min()
    return pd.concat([ok.loc[~is_phone & ~is_name, LINK_COLUMNS],
                      _guarded(ok[is_phone], given.set_index("source_key")["given_name"], False),
                      _guarded(ok[is_name], phone_of, True)], ignore_index=True)


def star_edges(links: pd.DataFrame, node_of: pd.Series) -> pd.DataFrame:
    """(src, dst, kind, match_key, priority) linking each value's first holder to the others."""
    rows = links.assign(node=node_of.reindex(links["source_key"]).to_numpy())
    rows = rows.dropna(subset=["node"]).astype({"node": np.int64})
    rows = rows.sort_values(["kind", "match_key", "node"], kind="stable")
    first = rows.groupby(["kind", "match_key"], sort=False)["node"].transform("first")
    edges = rows[rows["node"].to_numpy() != first.to_numpy()]
    return pd.DataFrame({"src": first[edges.index].to_numpy(), "dst": edges["node"].to_numpy(),
                         "kind": edges["kind"].to_numpy(), "match_key": edges["match_key"].to_numpy(),
                         "priority": edges["priority"].to_numpy()})


def components(n_nodes: int, edges: pd.DataFrame) -> np.ndarray:
    """Component label of every node (0..k-1); an isolated node is a component of its own."""
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    data = np.ones(len(edges), dtype=np.int8)
    matrix = coo_matrix((data, (edges["src"].to_numpy(), edges["dst"].to_numpy())),
                        shape=(n_nodes, n_nodes))
    _, labels = connected_components(matrix, directed=False)
    return labels.astype(np.int64)

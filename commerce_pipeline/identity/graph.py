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


def _value_codes(rows: pd.DataFrame) -> np.ndarray:
    """An integer per distinct (kind, match_key): pandas group-bys over strings fall back to
    slow Python loops, so grouping and sorting work on these codes."""
    return pd.factorize(rows["kind"] + "\x00" + rows["match_key"])[0]


def shown_value(kind: str, match_key: str) -> str:
    """The identifier as a person reads it: without the guard suffix `_guarded` appends."""
    return match_key if kind == "name_zip" else match_key.split("|")[0]


def _guarded(rows: pd.DataFrame, attribute: pd.Series, link_if_none_known: bool) -> pd.DataFrame:
    """Rows whose shared value links only holders that agree on `attribute` (per source key).

    A holder without the attribute joins where the value's holders agree on exactly one; where
    no holder has it, they all link only if `link_if_none_known`.
    """
    value = _value_codes(rows)
    attr_text = rows["source_key"].map(attribute)
    attr, labels = pd.factorize(attr_text)  # -1 where unknown
    known = attr >= 0
    codes = pd.DataFrame({"value": value[known], "attr": attr[known]})
    agree = codes.groupby("value")["attr"].agg(["nunique", "min"])
    count = agree["nunique"].reindex(value).to_numpy()  # NaN: no holder knows it
    only = agree["min"].reindex(value).to_numpy()
    inferred = np.where(count == 1, only, -1)
    if link_if_none_known:
        inferred = np.where(np.isnan(count), -2, inferred)  # -2: all unknown, link as one
    final = np.where(known, attr, inferred).astype(np.int64)
    texts = np.asarray([*labels, ""], dtype=object)  # the last entry is the empty suffix
    suffix = texts[np.where(final >= 0, final, len(labels))]
    keep = final != -1
    out = rows.loc[keep, LINK_COLUMNS].copy()
    out["match_key"] = out["match_key"] + "|" + pd.Series(suffix[keep], index=out.index, dtype=object)
    return out


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
    ok = identifiers[identifiers["excluded_reason"].isna() & (identifiers["kind"] != "source_id")
                     & identifiers["match_key"].notna()]
    is_phone, is_name = ok["kind"].isin(PHONE_KINDS), ok["kind"] == "name_zip"
    given = ok.dropna(subset=["given_name"]).drop_duplicates("source_key")
    phones = ok[ok["kind"] == "phone"].sort_values("match_key").drop_duplicates("source_key")
    phone_of = phones.set_index("source_key")["match_key"]  # the smallest, if a record has several
    return pd.concat([ok.loc[~is_phone & ~is_name, LINK_COLUMNS],
                      _guarded(ok[is_phone], given.set_index("source_key")["given_name"], False),
                      _guarded(ok[is_name], phone_of, True)], ignore_index=True)


def star_edges(links: pd.DataFrame, node_of: pd.Series) -> pd.DataFrame:
    """(src, dst, kind, match_key, priority) linking each value's first holder to the others."""
    node = node_of.reindex(links["source_key"]).to_numpy()
    links = links[~np.isnan(node)]
    node = node[~np.isnan(node)].astype(np.int64)
    value = _value_codes(links)
    order = np.lexsort((node, value))
    value, node = value[order], node[order]
    starts = np.r_[True, value[1:] != value[:-1]] if len(value) else np.zeros(0, dtype=bool)
    first = node[np.flatnonzero(starts)[np.cumsum(starts) - 1]]
    linked = node != first
    keep = order[linked]
    return pd.DataFrame({"src": first[linked], "dst": node[linked],
                         "kind": links["kind"].to_numpy()[keep],
                         "match_key": links["match_key"].to_numpy()[keep],
                         "priority": links["priority"].to_numpy()[keep]})


def components(n_nodes: int, edges: pd.DataFrame) -> np.ndarray:
    """Component label of every node (0..k-1); an isolated node is a component of its own."""
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    data = np.ones(len(edges), dtype=np.int8)
    matrix = coo_matrix((data, (edges["src"].to_numpy(), edges["dst"].to_numpy())),
                        shape=(n_nodes, n_nodes))
    _, labels = connected_components(matrix, directed=False)
    return labels.astype(np.int64)

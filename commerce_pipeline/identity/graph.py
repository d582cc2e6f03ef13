"""The identity graph: which source records an identifier links, and its connected components.

Everything runs on integer codes (numpy and scipy), because a large tenant has millions of
identifier rows: strings are hashed once, and only the few shown to people (queue evidence,
history) are put back together. Each shared value links its holders as a star (first holder
to every other), which gives the same components as linking every pair at a fraction of the
edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

PHONE_KINDS = ("phone", "whatsapp")
RECORD_COLUMNS = ["source_key", "source_kind", "channel"]


def text_codes(values: np.ndarray, runs: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) like pd.factorize (first-appearance order, -1 where missing), faster
    on many distinct strings: Python's cached string hash, then an integer factorize. Rows
    sharing a hash are compared as text, and any collision falls back to pd.factorize.
    `runs`: values mostly repeat the row above (a record's rows), so code each run once."""
    values = np.asarray(values, dtype=object)
    if runs and len(values):
        try:
            starts = np.r_[True, (values[1:] != values[:-1]).astype(bool)]
        except TypeError:  # a value that cannot say whether it equals another (pd.NA)
            starts = np.ones(len(values), dtype=bool)
        codes, uniques = text_codes(values[starts])
        return codes[np.cumsum(starts) - 1], uniques
    found, _ = pd.factorize(np.fromiter(map(hash, values), np.int64, len(values)))
    first = first_per_code(found, found.max() + 1 if len(found) else 0)
    uniques = values[first]
    # All text (the usual case) has nothing missing: a quick check before a slow one.
    missing = np.zeros(len(first), dtype=bool) if pd.api.types.infer_dtype(
        uniques, skipna=False) == "string" else pd.isna(uniques)
    repeat = np.flatnonzero(first[found] != np.arange(len(found)))
    same, blank = repeat[~missing[found[repeat]]], repeat[missing[found[repeat]]]
    if not ((values[same] == values[first[found[same]]]).all() and pd.isna(values[blank]).all()):
        found, uniques = pd.factorize(values)
        return found.astype(np.int64), np.asarray(uniques, dtype=object)
    if missing.any():  # renumber without the missing values, as pd.factorize does
        renumber = np.where(missing, -1, np.cumsum(~missing) - 1)
        return renumber[found], uniques[~missing]
    return found.astype(np.int64), uniques


def first_per_code(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """The first position of each code in `codes` (-1 where it does not occur)."""
    first = np.full(n_codes, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return np.where(first < len(codes), first, -1)


def shown_value(kind: str, match_key: str) -> str:
    """The identifier as a person reads it: without the guard suffix a phone link carries."""
    return match_key if kind == "name_address" else match_key.split("|")[0]


@dataclass
class Links:
    """The identifier rows that may link two records, as arrays (one entry per row)."""
    node: np.ndarray  # the record holding it
    kind: np.ndarray  # index into `kinds`
    value: np.ndarray  # equal (kind, match_key, guard) -> equal code, in first-appearance order
    priority: np.ndarray
    row: np.ndarray  # position in the identifier frame
    guard: np.ndarray  # index into `guard_texts` (-1: none)
    kinds: np.ndarray
    match_keys: np.ndarray  # the frame's match_key column
    guard_texts: np.ndarray

    def match_key(self, i: np.ndarray) -> list[str]:
        """The match key of links `i` as before: the guard's text after a "|"."""
        return [m if g < 0 else f"{m}|{self.guard_texts[g]}" for m, g in
                zip(self.match_keys[self.row[i]].tolist(), self.guard[i].tolist())]

    def kind_text(self, i: np.ndarray) -> list[str]:
        return self.kinds[self.kind[i]].tolist()


def _agreed(value: np.ndarray, attr: np.ndarray, link_if_none_known: bool) -> np.ndarray:
    """Per row, the attribute its value links under: its own; where unknown, the one all the
    value's holders agree on (-1 if they do not), or -2 (an empty guard) where no holder knows
    one and `link_if_none_known`."""
    value = pd.factorize(value)[0]
    known = attr >= 0
    width = int(attr.max()) + 2 if len(attr) else 1
    pairs = pd.unique(value[known] * width + attr[known])
    count = np.bincount(pairs // width, minlength=value.max() + 1 if len(value) else 0)
    only = np.full(len(count), -1, dtype=np.int64)
    only[pairs // width] = pairs % width
    inferred = np.where(count[value] == 1, only[value], -1)
    if link_if_none_known:
        inferred = np.where(count[value] == 0, -2, inferred)
    return np.where(known, attr, inferred)


def _smallest_per_key(key: np.ndarray, code: np.ndarray, text: np.ndarray,
                      n_keys: int) -> np.ndarray:
    """Per key, the code of its smallest text (-1 where it has none)."""
    out = np.full(n_keys, -1, dtype=np.int64)
    out[key] = code
    several = np.flatnonzero(np.bincount(key, minlength=n_keys)[key] > 1)
    for _, k, c in sorted(zip(text[code[several]], key[several].tolist(), code[several].tolist()),
                          reverse=True):
        out[k] = c  # descending, so the smallest is written last
    return out


def _records(identifiers: pd.DataFrame, key: np.ndarray, key_text: np.ndarray,
             is_id: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The source records (a source id's first row), sorted by key; and per key code its
    record (-1: a key without a source id row)."""
    ids = np.flatnonzero(is_id & (key >= 0))
    firsts = first_per_code(key[ids], len(key_text))
    firsts = ids[firsts[firsts >= 0]]
    firsts = firsts[np.argsort(key_text[key[firsts]], kind="stable")]
    node_of_key = np.full(len(key_text), -1, dtype=np.int64)
    node_of_key[key[firsts]] = np.arange(len(firsts))
    return identifiers[RECORD_COLUMNS].iloc[firsts].reset_index(drop=True), node_of_key


def _guarded(ok_key: np.ndarray, kind_class: np.ndarray, pair: np.ndarray, match: np.ndarray,
             match_text: np.ndarray, given: np.ndarray, n_keys: int):
    """(rows that may link, their guard: index into the guard texts or -1, the guard texts),
    rows being positions among the linkable rows; plain rows first, then phones, then names.
    `kind_class`: per row, 0 plain, 1 phone, 2 another phone kind, 3 name and address."""
    # The given name of a record: the first one on its linkable rows.
    named = np.flatnonzero(~pd.isna(given))
    by_key = first_per_code(ok_key[named], n_keys)
    has_name = np.flatnonzero(by_key >= 0)
    given_code, given_text = text_codes(given[named[by_key[has_name]]])
    given_of_key = np.full(n_keys, -1, dtype=np.int64)
    given_of_key[has_name] = given_code
    # The phone of a record (the smallest, if it has several), as a guard over name links.
    phones = np.flatnonzero(kind_class == 1)
    phone_of_key = _smallest_per_key(ok_key[phones], match[phones], match_text, n_keys)

    phone = np.flatnonzero((kind_class == 1) | (kind_class == 2))
    name = np.flatnonzero(kind_class == 3)
    plain = np.flatnonzero(kind_class == 0)
    by_name = _agreed(pair[phone], given_of_key[ok_key[phone]], False)
    by_phone = _agreed(pair[name], phone_of_key[ok_key[name]], True)
    # Guard texts: given names, then phones (as match keys), then the empty guard.
    texts = np.concatenate([given_text, match_text, np.array([""], dtype=object)])
    kept_phone, kept_name = by_name != -1, by_phone != -1
    name_guard = np.where(by_phone == -2, len(texts) - 1, len(given_text) + by_phone)
    rows = np.r_[plain, phone[kept_phone], name[kept_name]]
    return rows, np.r_[np.full(len(plain), -1), by_name[kept_phone], name_guard[kept_name]], texts


def identity_graph(identifiers: pd.DataFrame) -> tuple[pd.DataFrame, Links]:
    """The source records (one per source id, sorted by key) and the rows that link them.

    Excluded values (junk, blocklist, hub, invalid) never link, and a record's own id links
    nothing. Two weaker links carry a guard against the look-alikes seen in real stores:
    - a shared phone links only holders with the same given name (a household landline is
      shared by several people; one person's accounts share it under one name), and guest
      checkouts with no name never link on a phone alone (the till's own number);
    - a shared name and address links only holders whose phones do not differ (namesakes),
      and a holder without a phone only where the other holders have one phone.
    """
    column = {c: identifiers[c].to_numpy(dtype=object) for c in
              ("source_key", "kind", "match_key", "given_name", "excluded_reason")}
    key, key_text = text_codes(column["source_key"], runs=True)
    kind, kinds = pd.factorize(column["kind"])
    kinds = np.asarray(kinds, dtype=object)
    is_id = kind == (kinds.tolist().index("source_id") if "source_id" in kinds else -2)
    classes = {"phone": 1, **{k: 2 for k in PHONE_KINDS if k != "phone"}, "name_address": 3}
    kind_class = np.array([classes.get(k, 0) for k in kinds.tolist()], dtype=np.int8)
    records, node_of_key = _records(identifiers, key, key_text, is_id)

    ok = np.flatnonzero(pd.isna(column["excluded_reason"]) & ~is_id & (key >= 0) & (kind >= 0))
    match, match_text = text_codes(column["match_key"][ok])
    ok, match = ok[match >= 0], match[match >= 0]  # a row without a match key links nothing
    pair = match * max(len(kinds), 1) + kind[ok]  # (kind, match_key) per linkable row
    local, guard, guard_texts = _guarded(
        key[ok], kind_class[kind[ok]], pair, match, match_text, column["given_name"][ok],
        len(key_text))
    node = node_of_key[key[ok[local]]]
    local, guard, node = local[node >= 0], guard[node >= 0], node[node >= 0]
    # Equal (kind, match key, guard) is one value, numbered in order of first appearance.
    value = pd.factorize(pair[local] * (len(guard_texts) + 1) + guard + 1)[0]
    rows = ok[local]
    return records, Links(node=node, kind=kind[rows], value=value.astype(np.int64),
                          priority=identifiers["priority"].to_numpy()[rows], row=rows, guard=guard,
                          kinds=kinds, match_keys=column["match_key"], guard_texts=guard_texts)


@dataclass
class Edges:
    src: np.ndarray
    dst: np.ndarray
    link: np.ndarray  # the link (index into Links) the edge stands for

    def __len__(self) -> int:
        return len(self.src)


def star_edges(links: Links) -> Edges:
    """Each value's first holder (smallest node) linked to each other holder."""
    order = np.lexsort((links.node, links.value))
    value, node = links.value[order], links.node[order]
    starts = np.r_[True, value[1:] != value[:-1]] if len(value) else np.zeros(0, dtype=bool)
    first = node[np.flatnonzero(starts)[np.cumsum(starts) - 1]]
    linked = node != first
    return Edges(first[linked], node[linked], order[linked])


def components(n_nodes: int, edges: Edges) -> np.ndarray:
    """Component label of every node (0..k-1); an isolated node is a component of its own."""
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    matrix = coo_matrix((np.ones(len(edges), dtype=np.int8), (edges.src, edges.dst)),
                        shape=(n_nodes, n_nodes))
    _, labels = connected_components(matrix, directed=False)
    return labels.astype(np.int64)

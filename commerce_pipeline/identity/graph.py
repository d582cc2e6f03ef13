"""The identity graph: which source records an identifier links, and its connected components.

Everything runs on integer codes (numpy and scipy), because a large tenant has millions of
identifier rows: strings are hashed once, and only the few shown to people (queue evidence,
history) are put back together. Each shared value links its holders as a star (first holder
to every other), which gives the same components as linking every pair at a fraction of the
edges.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from commerce_pipeline.identity.codes import Texts, column_codes, first_per_code, missing

PHONE_KINDS = ("phone", "whatsapp")
RECORD_COLUMNS = ["source_key", "source_kind", "channel"]


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
    guard: np.ndarray  # given name, phone or none: see _guard_texts (-1: no guard)
    kinds: np.ndarray
    match: np.ndarray  # code of the row's match key, into `match_texts`
    match_texts: Texts
    given_texts: Texts

    def match_key(self, i: np.ndarray) -> list[str]:
        """The match key of links `i` as before: the guard's text after a "|"."""
        keys = self.match_texts.take(self.match[i]).tolist()
        guards = self.guard[i]
        if not (guards >= 0).any():
            return keys
        texts = _guard_texts(guards, self.given_texts, self.match_texts)
        return [m if g < 0 else f"{m}|{t}" for m, g, t in zip(keys, guards.tolist(), texts)]

    def kind_text(self, i: np.ndarray) -> list[str]:
        return self.kinds[self.kind[i]].tolist()

    def shown(self, i: np.ndarray) -> list[str]:
        """shown_value of links `i`, without writing out guards only to cut them off again."""
        texts = self.match_texts.take(self.match[i])
        named = self.kind[i] == (self.kinds.tolist().index("name_address")
                                 if "name_address" in self.kinds else -1)
        guarded = np.flatnonzero(named & (self.guard[i] >= 0))
        if len(guarded):
            guards = _guard_texts(self.guard[i][guarded], self.given_texts, self.match_texts)
            texts[guarded] = [f"{m}|{t}" for m, t in zip(texts[guarded].tolist(), guards)]
        plain = np.flatnonzero(~named)
        texts[plain] = [m.partition("|")[0] for m in texts[plain].tolist()]
        return texts.tolist()


def _guard_texts(guard: np.ndarray, given: Texts, match: Texts) -> list:
    """Guards number given names first, then match keys (a phone), then the empty guard."""
    out = np.full(len(guard), "", dtype=object)
    named = (guard >= 0) & (guard < len(given))
    phoned = (guard >= len(given)) & (guard < len(given) + len(match))
    out[named] = given.take(guard[named])
    out[phoned] = match.take(guard[phoned] - len(given))
    return out.tolist()


def _agreed(value: np.ndarray, attr: np.ndarray, link_if_none_known: bool,
            shared: np.ndarray) -> np.ndarray:
    """Per row, the attribute its value links under: its own; where unknown, the one all the
    value's holders agree on (-1 if they do not), or -2 (an empty guard) where no holder knows
    one and `link_if_none_known`. `shared`: the rows whose value another row holds too (a
    value held once agrees with itself, so only those need comparing)."""
    out = np.where(attr >= 0, attr, -2 if link_if_none_known else -1)
    rows = np.flatnonzero(shared)
    value, attr = pd.factorize(value[rows])[0], attr[rows]
    known = attr >= 0
    width = int(attr.max()) + 2 if len(attr) else 1
    pairs = pd.unique(value[known] * width + attr[known])
    count = np.bincount(pairs // width, minlength=value.max() + 1 if len(value) else 0)
    only = np.full(len(count), -1, dtype=np.int64)
    only[pairs // width] = pairs % width
    inferred = np.where(count[value] == 1, only[value], -1)
    if link_if_none_known:
        inferred = np.where(count[value] == 0, -2, inferred)
    out[rows] = np.where(known, attr, inferred)
    return out


def _values(pair: np.ndarray, guard: np.ndarray, n_guards: int, shared: np.ndarray) -> np.ndarray:
    """Equal (kind, match key, guard) is one value. Values of `shared` rows are numbered in
    order of first appearance; a row outside them holds a value of its own, numbered after."""
    value = np.empty(len(pair), dtype=np.int64)
    rows = np.flatnonzero(shared)
    value[rows] = pd.factorize(pair[rows] * (n_guards + 1) + guard[rows] + 1)[0]
    alone = np.flatnonzero(~shared)
    value[alone] = value[rows].max(initial=-1) + 1 + np.arange(len(alone))
    return value


def _smallest_per_key(key: np.ndarray, code: np.ndarray, text: Texts,
                      n_keys: int) -> np.ndarray:
    """Per key, the code of its smallest text (-1 where it has none)."""
    out = np.full(n_keys, -1, dtype=np.int64)
    out[key] = code
    several = np.flatnonzero(np.bincount(key, minlength=n_keys)[key] > 1)
    by_text = several[text.sort_order(code[several])]  # equal texts have one code: no ties
    first = first_per_code(key[by_text], n_keys)
    out[first >= 0] = code[by_text[first[first >= 0]]]
    return out


def _key_codes(column: pd.Series) -> tuple[np.ndarray, Texts, np.ndarray]:
    """(code per row, distinct keys, each key's rank in key order) of the source keys."""
    key, key_text = column_codes(column, runs=True)  # a record's rows are together
    return key, key_text, key_text.ranks()


def _records(identifiers: pd.DataFrame, key: np.ndarray, key_rank: np.ndarray,
             is_id: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The source records (a source id's first row), sorted by key; and per key code its
    record (-1: a key without a source id row)."""
    ids = np.flatnonzero(is_id & (key >= 0))
    firsts = first_per_code(key[ids], len(key_rank))
    firsts = ids[firsts[firsts >= 0]]
    firsts = firsts[np.argsort(key_rank[key[firsts]])]  # keys are distinct
    node_of_key = np.full(len(key_rank), -1, dtype=np.int64)
    node_of_key[key[firsts]] = np.arange(len(firsts))
    return identifiers[RECORD_COLUMNS].iloc[firsts].reset_index(drop=True), node_of_key


def _repeated(pair: np.ndarray, match: np.ndarray) -> np.ndarray:
    """Per row, whether another row holds its (kind, match key) pair. Only rows whose match key
    repeats can: counted over match codes first, a bincount several times smaller (and with
    fewer cache misses) than one over the pairs' codes."""
    out = np.bincount(match)[match] > 1 if len(match) else np.zeros(0, dtype=bool)
    rows = np.flatnonzero(out)
    codes = pd.factorize(pair[rows])[0]
    out[rows] = np.bincount(codes)[codes] > 1
    return out


def _guarded(ok_key: np.ndarray, kind_class: np.ndarray, pair: np.ndarray, match: np.ndarray,
             match_text: Texts, given: np.ndarray, n_given: int, n_keys: int, shared: np.ndarray):
    """(rows that may link, their guard), rows being positions among the linkable rows; plain
    rows first, then phones, then names. A guard is a given name's code, n_given + a phone's
    match code, n_given + len(match_text) for the empty guard, or -1 for none.
    `kind_class`: per row, 0 plain, 1 phone, 2 another phone kind, 3 name and address;
    `given`: per row, the code of its given name (-1: none); `shared`: _repeated."""
    # The given name of a record: the first one on its linkable rows.
    named = np.flatnonzero(given >= 0)
    by_key = first_per_code(ok_key[named], n_keys)
    has_name = np.flatnonzero(by_key >= 0)
    given_of_key = np.full(n_keys, -1, dtype=np.int64)
    given_of_key[has_name] = given[named[by_key[has_name]]]
    # The phone of a record (the smallest, if it has several), as a guard over name links.
    phones = np.flatnonzero(kind_class == 1)
    phone_of_key = _smallest_per_key(ok_key[phones], match[phones], match_text, n_keys)

    phone = np.flatnonzero((kind_class == 1) | (kind_class == 2))
    name = np.flatnonzero(kind_class == 3)
    plain = np.flatnonzero(kind_class == 0)
    by_name = _agreed(pair[phone], given_of_key[ok_key[phone]], False, shared[phone])
    by_phone = _agreed(pair[name], phone_of_key[ok_key[name]], True, shared[name])
    kept_phone, kept_name = by_name != -1, by_phone != -1
    name_guard = np.where(by_phone == -2, n_given + len(match_text), n_given + by_phone)
    rows = np.r_[plain, phone[kept_phone], name[kept_name]]
    return rows, np.r_[np.full(len(plain), -1), by_name[kept_phone], name_guard[kept_name]]


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
    # The source keys are coded and sorted, and the records taken, in a thread while this one
    # codes the other columns (Arrow, DuckDB and numpy work, which mostly releases the GIL).
    with ThreadPoolExecutor(1, thread_name_prefix="identity-keys") as pool:
        keyed = pool.submit(_key_codes, identifiers["source_key"])
        try:
            kind, kinds = column_codes(identifiers["kind"])
            kinds = kinds.take(np.arange(len(kinds)))
            is_id = kind == (kinds.tolist().index("source_id") if "source_id" in kinds else -2)
            recorded = pool.submit(lambda: _records(identifiers, keyed.result()[0],
                                                    keyed.result()[2], is_id))  # after keyed
            # (a key is coded -1 exactly where it is missing)
            ok = np.flatnonzero(missing(identifiers["excluded_reason"]) & ~is_id
                                & ~missing(identifiers["source_key"]) & (kind >= 0))
            match, match_text = column_codes(identifiers["match_key"], ok, mostly_distinct=True)
            ok, match = ok[match >= 0], match[match >= 0]  # a row without a match key links nothing
            # The whole column, then its rows: one pass over a few distinct names is quicker
            # than copying the rows' texts first (a code's number carries no meaning here).
            given, given_text = column_codes(identifiers["given_name"])
            given = given[ok]
        finally:  # the keys' error first where both fail, as when they were coded first
            key, key_text, _ = keyed.result()
    records, node_of_key = recorded.result()
    classes = {"phone": 1, **{k: 2 for k in PHONE_KINDS if k != "phone"}, "name_address": 3}
    kind_class = np.array([classes.get(k, 0) for k in kinds.tolist()], dtype=np.int8)
    pair = match * max(len(kinds), 1) + kind[ok]  # (kind, match_key) per linkable row
    shared = _repeated(pair, match)
    local, guard = _guarded(key[ok], kind_class[kind[ok]], pair, match, match_text, given,
                            len(given_text), len(key_text), shared)
    node = node_of_key[key[ok[local]]]
    local, guard, node = local[node >= 0], guard[node >= 0], node[node >= 0]
    # Values held once link nothing: only the order of the others matters (star_edges).
    n_guards = len(given_text) + len(match_text) + 1
    value = _values(pair[local], guard, n_guards, shared[local])
    rows = ok[local]
    return records, Links(node=node, kind=kind[rows], value=value,
                          priority=identifiers["priority"].to_numpy()[rows], row=rows, guard=guard,
                          kinds=kinds, match=match[local], match_texts=match_text,
                          given_texts=given_text)


@dataclass
class Edges:
    src: np.ndarray
    dst: np.ndarray
    link: np.ndarray  # the link (index into Links) the edge stands for

    def __len__(self) -> int:
        return len(self.src)


def star_edges(links: Links) -> Edges:
    """Each value's first holder (smallest node) linked to each other holder."""
    held = np.flatnonzero(np.bincount(links.value)[links.value] > 1) if len(links.value) \
        else np.zeros(0, dtype=np.int64)  # a value held once links nothing
    order = held[np.lexsort((links.node[held], links.value[held]))]
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

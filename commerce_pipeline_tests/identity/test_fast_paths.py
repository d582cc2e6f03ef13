"""The quicker ways identity resolution computes things, each against the plain way it replaced."""

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from commerce_pipeline.identity.codes import Texts
from commerce_pipeline.identity.digests import distinct_short_sha1, short_sha1
from commerce_pipeline.identity.graph import _repeated, _smallest_per_key, identity_graph
from commerce_pipeline.identity.resolution import _text_column

TEXTS = ["b", "Zoë", "a", "ab", "", "zz", "Ä"]


@pytest.mark.parametrize("texts", [Texts(pa.array(TEXTS)), Texts(np.array(TEXTS, dtype=object))])
def test_sort_order_orders_codes_as_python_sorts_their_texts(texts):
    codes = np.array([3, 0, 6, 1, 5, 2, 4])
    assert [TEXTS[c] for c in codes[texts.sort_order(codes)]] == sorted(TEXTS[c] for c in codes)


def test_smallest_per_key_is_the_code_of_each_keys_smallest_text():
    key, code = np.array([0, 2, 0, 2, 2, 3]), np.array([0, 1, 2, 3, 5, 4])
    smallest = _smallest_per_key(key, code, Texts(pa.array(TEXTS)), 5)
    assert smallest.tolist() == [2, -1, 1, 4, -1]  # "a" < "b"; "Zoë" < "ab" < "zz"


def test_repeated_marks_rows_whose_kind_and_match_key_another_row_holds():
    match, kind = np.array([0, 0, 1, 2, 2, 0]), np.array([0, 1, 0, 1, 1, 0])
    pair = match * 2 + kind
    assert _repeated(pair, match).tolist() == (np.bincount(pair)[pair] > 1).tolist()


@pytest.mark.parametrize("in_duckdb_from", [0, 10_000])
def test_distinct_short_sha1_names_as_short_sha1_and_tells_whether_two_are_equal(in_duckdb_from):
    seeds = np.array(["shopify:1", "shopify:2", "Zoë"], dtype=object)
    names, distinct = distinct_short_sha1("p_", seeds, in_duckdb_from)
    expected = ["p_" + hashlib.sha1(s.encode()).hexdigest()[:16] for s in seeds]
    assert names.tolist() == expected == short_sha1("p_", seeds.tolist()) and distinct
    assert not distinct_short_sha1("p_", seeds[[0, 1, 0]], in_duckdb_from)[1]


def _as_pandas_makes_it(texts, at):
    plain = np.full(len(at), np.nan, dtype=object)
    plain[at >= 0] = texts[at[at >= 0]]
    if len(at) and pd.isna(plain).all():
        plain = plain.astype(float)
    return pd.Series(plain)


@pytest.mark.parametrize("texts, at", [
    (np.array(["email", "phone"], dtype=object), np.array([1, -1, 0, 1])),  # text, some missing
    (np.array(["email", "phone"], dtype=object), np.array([-1, -1])),  # nothing found: floats
    (np.array(["email"], dtype=object), np.zeros(0, dtype=np.int64)),  # no rows: objects
    (np.array([7, "x"], dtype=object), np.array([0, 1, -1])),  # not all text
])
def test_text_column_is_the_column_pandas_makes_of_the_python_values(texts, at):
    pd.testing.assert_series_equal(pd.Series(_text_column(texts, at)), _as_pandas_makes_it(texts, at),
                                   check_exact=True)


def test_identity_graph_raises_the_source_keys_error_first_where_other_columns_fail_too():
    rows = pd.DataFrame({"source_key": [["k"]], "source_kind": ["customer"], "channel": ["shop"],
                         "kind": [{"email": 1}], "value": ["v"], "match_key": ["v"],
                         "given_name": [None], "priority": [0], "excluded_reason": [None]})
    with pytest.raises(TypeError, match="list"):
        identity_graph(rows)

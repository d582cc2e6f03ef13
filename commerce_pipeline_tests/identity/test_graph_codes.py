"""The integer-code helpers identity resolution runs on, one behaviour each."""

import json

import numpy as np
import pandas as pd
import pytest

from commerce_pipeline.identity import codes as codes_module
from commerce_pipeline.identity.codes import column_codes, first_per_code, missing, text_codes
from commerce_pipeline.identity.digests import IN_DUCKDB_FROM, short_sha1
from commerce_pipeline.identity.held import runs
from commerce_pipeline.identity.stable_ids import json_list, json_lists, new_profile_id


def test_text_codes_number_values_like_pandas_factorize():
    values = np.array(["b", "a", "b", "c", "a"], dtype=object)
    codes, uniques = text_codes(values)
    expected_codes, expected_uniques = pd.factorize(values)
    assert codes.tolist() == expected_codes.tolist() and uniques.tolist() == list(expected_uniques)


def test_text_codes_give_missing_values_minus_one_and_leave_them_out_of_the_uniques():
    codes, uniques = text_codes(np.array([None, "a", np.nan, "b", "a"], dtype=object))
    assert codes.tolist() == [-1, 0, -1, 1, 0] and uniques.tolist() == ["a", "b"]


def test_text_codes_tell_apart_values_that_share_a_hash():
    assert hash(-1) == hash(-2)  # CPython: -1 is reserved, so -1 hashes as -2
    codes, uniques = text_codes(np.array([-1, -2, -1], dtype=object))
    assert codes.tolist() == [0, 1, 0] and uniques.tolist() == [-1, -2]


def test_text_codes_over_runs_of_repeated_rows_number_values_like_pandas_factorize():
    values = np.array(["b", "b", "a", "a", None, None, "b", np.nan, "c"], dtype=object)
    codes, uniques = text_codes(values, runs=True)
    expected_codes, expected_uniques = pd.factorize(values)
    assert codes.tolist() == expected_codes.tolist() and uniques.tolist() == list(expected_uniques)


def test_first_per_code_is_the_first_position_or_minus_one():
    assert first_per_code(np.array([2, 0, 2, 0]), 4).tolist() == [1, -1, 0, -1]


def test_runs_are_the_spans_of_equal_values():
    assert runs(np.array([3, 3, 5, 7, 7, 7])) == [(3, 0, 2), (5, 2, 3), (7, 3, 6)]


def test_json_list_writes_what_json_dumps_writes():
    texts = ["shopify:1", 'a "quoted" \\ value', "Zoë", "tab\there", ""]
    assert json_list(texts) == json.dumps(texts) and json_list([]) == json.dumps([])


@pytest.mark.parametrize("texts", [
    ["a", 'b "c"', "Zoë"], ["shopify:1", "pos:2", "x"], ["a", "b\\c", "d"], ["a", "b\x7f", "c"],
    ["a", "tab\there", "c"]])
def test_json_lists_write_each_span_as_json_dumps_does(texts):
    expected = [json.dumps(texts[:1]), json.dumps(texts[1:]), "[]"]
    assert json_lists(texts, [0, 1, 3], [1, 3, 3]) == expected


def _same_partition(codes, values) -> bool:
    """Equal codes exactly where values are equal, -1 exactly where they are missing."""
    expected = pd.factorize(np.asarray(values, dtype=object))[0]
    present = expected >= 0
    return ((codes == -1) == ~present).all() and (
        pd.factorize(codes[present])[0].tolist() == pd.factorize(expected[present])[0].tolist())


def test_column_codes_number_an_arrow_column_like_pandas_factorize():
    column = pd.Series(["b", "a", None, "b", "c"], dtype="string[pyarrow]")
    codes, texts = column_codes(column)
    assert codes.tolist() == [0, 1, -1, 0, 2] and texts.take(codes[codes >= 0]).tolist() == [
        "b", "a", "b", "c"]


def test_column_codes_over_runs_number_values_as_coding_every_row_does():
    runs = [("k1", 4), ("k2", 3), (None, 2), ("k1", 2), ("k3", 3), (None, 1), ("k2", 3), ("k4", 4)]
    column = pd.Series([v for v, n in runs for _ in range(n)], dtype="string[pyarrow]")
    codes, texts = column_codes(column, runs=True)  # 9 runs of 22 rows: only their firsts coded
    every, _ = column_codes(column)
    assert codes.tolist() == every.tolist() == [c for c, (_, n) in zip(
        [0, 1, -1, 0, 2, -1, 1, 3], runs) for _ in range(n)]
    assert texts.take(np.arange(len(texts))).tolist() == ["k1", "k2", "k3", "k4"]


def test_large_column_codes_over_runs_of_distinct_keys_number_them_in_order():
    keys = [f"shopify:{i}" for i in range(IN_DUCKDB_FROM + 5)]
    column = pd.Series([k for k in keys for _ in range(3)] + [None, None], dtype="string[pyarrow]")
    codes, texts = column_codes(column, runs=True)
    assert codes.tolist() == [i for i in range(len(keys)) for _ in range(3)] + [-1, -1]
    assert texts.take(codes[:-2]).tolist() == column.tolist()[:-2]
    assert texts.ranks().tolist() == np.argsort(np.argsort(keys)).tolist()


def test_column_codes_over_runs_stay_exact_when_different_keys_share_a_hash(monkeypatch):
    monkeypatch.setattr(codes_module, "text_hashes", lambda texts: np.zeros(len(texts), np.int64))
    keys = [f"k{i % (IN_DUCKDB_FROM + 3)}" for i in range(IN_DUCKDB_FROM + 9)]  # some come back
    column = pd.Series([k for k in keys for _ in range(3)], dtype="string[pyarrow]")
    codes, texts = column_codes(column, runs=True)
    assert codes.tolist() == column_codes(column)[0].tolist()
    assert texts.take(codes).tolist() == column.tolist()


def test_column_codes_of_some_rows_number_those_rows_only():
    column = pd.Series(["x", "b", "a", "b"], dtype=object)
    codes, texts = column_codes(column, np.array([1, 2, 3]))
    assert codes.tolist() == [0, 1, 0] and texts.take(codes).tolist() == ["b", "a", "b"]


def test_column_codes_of_a_column_that_is_not_text_fall_back_to_python_values():
    codes, texts = column_codes(pd.Series([1, "1", 1, None], dtype=object))
    assert codes.tolist() == [0, 1, 0, -1] and texts.take(codes[:3]).tolist() == [1, "1", 1]


def test_mostly_distinct_large_column_codes_equal_values_alike_from_hashes():
    values = [None if i % 97 == 0 else f"v{i % 30_000}" for i in range(IN_DUCKDB_FROM + 5_000)]
    codes, texts = column_codes(pd.Series(values, dtype=object), mostly_distinct=True)
    assert _same_partition(codes, values)
    assert texts.take(codes[codes >= 0]).tolist() == [v for v in values if v is not None]


def test_mostly_distinct_codes_stay_exact_when_different_texts_share_a_hash(monkeypatch):
    monkeypatch.setattr(codes_module, "text_hashes", lambda texts: np.zeros(len(texts), np.int64))
    values = [f"v{i % 7}" for i in range(IN_DUCKDB_FROM)]
    codes, texts = column_codes(pd.Series(values), mostly_distinct=True)
    assert _same_partition(codes, values) and texts.take(codes).tolist() == values


@pytest.mark.parametrize("every", [2, 7])  # most rows (hashed as a whole column), a few
def test_mostly_distinct_codes_of_some_rows_equal_those_rows_values_alike(every):
    values = [None if i % 97 == 0 else f"v{i % 30_000}" for i in range(6 * IN_DUCKDB_FROM)]
    rows = np.arange(0, len(values), every)[::-1]  # in any order
    codes, texts = column_codes(pd.Series(values, dtype=object), rows, mostly_distinct=True)
    taken = [values[r] for r in rows]
    assert len(codes) == len(rows) and _same_partition(codes, taken)
    assert [None if c < 0 else t for c, t in zip(codes, texts.take(np.maximum(codes, 0)))] == taken


def test_mostly_distinct_codes_of_some_rows_stay_exact_when_texts_share_a_hash(monkeypatch):
    monkeypatch.setattr(codes_module, "text_hashes", lambda texts: np.zeros(len(texts), np.int64))
    values = [f"v{i % 7}" for i in range(2 * IN_DUCKDB_FROM)]
    rows = np.arange(1, len(values), 2)
    codes, texts = column_codes(pd.Series(values), rows, mostly_distinct=True)
    taken = [values[r] for r in rows]
    assert _same_partition(codes, taken) and texts.take(codes).tolist() == taken


def test_missing_is_what_pandas_isna_says():
    column = pd.Series(["a", None, np.nan, "", pd.NA], dtype=object)
    assert missing(column).tolist() == pd.isna(column).tolist()


def test_text_ranks_order_values_as_python_sorts_them():
    values = ["é", "z", "e", "Z", "ä"]
    _, texts = column_codes(pd.Series(values))
    assert [v for _, v in sorted(zip(texts.ranks().tolist(), values))] == sorted(values)


def test_short_sha1_is_hashlibs_digest_in_python_and_in_duckdb():
    texts = ["shopify:1", "Zoë", "", "o'brien"]
    expected = [new_profile_id(t) for t in texts]
    assert short_sha1("p_", texts) == expected == short_sha1("p_", texts, in_duckdb_from=0)

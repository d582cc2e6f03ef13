"""The integer-code helpers identity resolution runs on, one behaviour each."""

import json

import numpy as np
import pandas as pd

from commerce_pipeline.identity.codes import first_per_code, text_codes
from commerce_pipeline.identity.held import runs
from commerce_pipeline.identity.stable_ids import json_list


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

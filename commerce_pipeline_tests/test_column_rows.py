"""Rows kept as columns read as the list of dicts they stand for."""

import pytest

from commerce_pipeline.column_rows import ColumnRows

ROWS = [{"id": "a", "n": 1}, {"id": "b", "n": None}, {"id": "c", "n": 3}]


def columns(rows):
    return ColumnRows({"id": [r["id"] for r in rows], "n": [r["n"] for r in rows]})


def test_column_rows_read_row_by_row_as_the_dicts_they_hold():
    rows = columns(ROWS)
    assert len(rows) == 3 and list(rows) == ROWS and rows[1] == ROWS[1] and rows[-1] == ROWS[-1]


def test_column_rows_equal_a_list_of_the_same_dicts_and_no_other():
    assert columns(ROWS) == ROWS and ROWS == columns(ROWS)
    assert columns(ROWS) != ROWS[:2] and columns(ROWS) != [*ROWS[:2], {"id": "c", "n": 4}]
    assert ColumnRows({}) == [] and ColumnRows({"id": []}) == []


def test_column_rows_add_up_in_order():
    assert columns(ROWS[:1]) + columns(ROWS[1:]) == ROWS
    assert ColumnRows({}) + columns(ROWS) == ROWS
    assert columns(ROWS) + ColumnRows({"id": [], "n": []}) == ROWS


def test_column_rows_refuse_columns_of_different_lengths_and_adding_other_fields():
    with pytest.raises(ValueError, match="different lengths"):
        ColumnRows({"id": ["a"], "n": []})
    with pytest.raises(ValueError, match="different fields"):
        columns(ROWS) + ColumnRows({"other": [1]})


def test_column_rows_past_the_end_raise_index_error():
    with pytest.raises(IndexError):
        columns(ROWS)[3]

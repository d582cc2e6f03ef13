"""Integer codes for text columns, the form identity resolution computes on.

A code numbers equal values in order of first appearance (as pd.factorize does), -1 where a
value is missing. Text columns are coded by Arrow's hash table when they are (or convert to)
Arrow strings, which is how pandas keeps text and how DuckDB hands it over: no Python string
is made for a row. Their distinct values then stay an Arrow array (`Texts`), and only those
shown to people become Python strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from commerce_pipeline.identity.digests import IN_DUCKDB_FROM, text_hashes

_TEXT_TYPES = (pa.string(), pa.large_string(), pa.null())


def first_per_code(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """The first position of each code in `codes` (-1 where it does not occur)."""
    first = np.full(n_codes, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return np.where(first < len(codes), first, -1)


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


class Texts:
    """The distinct values of a coded column, by code: an Arrow string array (or the rows of
    one at `positions`), or (for a column holding something other than text) a numpy object
    array."""

    def __init__(self, values, positions: np.ndarray | None = None):
        self.values, self.positions = values, positions

    def __len__(self) -> int:
        return len(self.values if self.positions is None else self.positions)

    def take(self, codes: np.ndarray) -> np.ndarray:
        """The values of `codes` as a numpy object array of Python objects."""
        codes = np.asarray(codes, dtype=np.int64)
        if self.positions is not None:
            codes = self.positions[codes]
        if isinstance(self.values, np.ndarray):
            return self.values[codes]
        return self.values.take(pa.array(codes)).to_numpy(zero_copy_only=False)

    def sort_order(self, codes: np.ndarray) -> np.ndarray:
        """Positions of `codes` ordered by their values, ascending (ties in code order)."""
        codes = np.asarray(codes, dtype=np.int64)
        if self.positions is not None:
            codes = self.positions[codes]
        if isinstance(self.values, np.ndarray):
            return np.argsort(self.values[codes], kind="stable")
        return pc.array_sort_indices(self.values.take(pa.array(codes))).to_numpy()

    def ranks(self) -> np.ndarray:
        """Per code, its place in ascending order of the values (Python's order for text:
        UTF-8 bytes sort as their code points do)."""
        values = self.values if self.positions is None else self.values.take(self.positions)
        order = (np.argsort(values, kind="stable") if isinstance(values, np.ndarray)
                 else pc.array_sort_indices(values).to_numpy())
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank


def _arrow_text(column: pd.Series) -> pa.Array | None:
    """The column as one Arrow string array, or None where it holds anything but text and
    missing values (None, NaN, pd.NA and NaT all count as missing, as for pd.isna)."""
    try:
        array = pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array if array.type in _TEXT_TYPES else None


def column_codes(column: pd.Series, rows: np.ndarray | None = None,
                 mostly_distinct: bool = False, runs: bool = False) -> tuple[np.ndarray, Texts]:
    """(codes, distinct values) of a frame's column, or of its `rows` only: text_codes'
    numbering, by Arrow. `mostly_distinct`: few values repeat (match keys), so a large column
    is coded from hashes (_hashed_codes: equal codes for equal values still, but numbered in
    no particular order) rather than by building a dictionary of them all. `runs`: values
    mostly repeat the row above (a record's rows), so only each run's first row is hashed."""
    array = _arrow_text(column)
    if array is None:
        values = column.to_numpy(dtype=object)
        codes, uniques = text_codes(values if rows is None else values[rows])
        return codes, Texts(uniques)
    if array.type == pa.null():
        return np.full(len(array) if rows is None else len(rows), -1, dtype=np.int64), \
            Texts(np.zeros(0, dtype=object))
    if mostly_distinct and (len(array) if rows is None else len(rows)) >= IN_DUCKDB_FROM:
        return _hashed_codes(array, rows)  # (hashes the whole column: no copy of the rows' texts)
    if rows is not None:
        array = array.take(pa.array(rows, type=pa.int64()))
    if runs and len(array) > 1:
        return _run_codes(array)
    return _dictionary_codes(array)


def _dictionary_codes(array: pa.Array) -> tuple[np.ndarray, Texts]:
    """text_codes' numbering (first appearance order, -1 for missing) by Arrow's dictionary."""
    encoded = pc.dictionary_encode(array)
    return encoded.indices.fill_null(-1).to_numpy().astype(np.int64), Texts(encoded.dictionary)


def _run_codes(array: pa.Array) -> tuple[np.ndarray, Texts]:
    """dictionary_encode's codes from the first row of each run of equal values: a value's
    first appearance always starts a run, so the numbering is the same. Missing values never
    continue a run (they compare as missing), so each is coded -1 on its own."""
    same = pc.equal(array.slice(1), array.slice(0, len(array) - 1)).fill_null(False)
    starts = np.r_[True, ~same.to_numpy(zero_copy_only=False)]
    if np.count_nonzero(starts) * 2 > len(array):  # few runs: one pass over all rows is as quick
        return _dictionary_codes(array)
    heads = np.flatnonzero(starts)
    head_codes, texts = _distinct_codes(array.take(pa.array(heads)))
    return head_codes[np.cumsum(starts) - 1], texts


def _distinct_codes(array: pa.Array) -> tuple[np.ndarray, Texts]:
    """Codes of a column whose values are usually all different (the first rows of a key's
    runs): where no two present values share a 64-bit hash, no two are equal, so each is its
    own code in row order, without a dictionary of them (several times slower than hashing);
    else dictionary_encode. Exact either way: equal texts always share a hash."""
    present = np.flatnonzero(~array.is_null().to_numpy(zero_copy_only=False))
    if len(present) >= IN_DUCKDB_FROM:
        texts = array if len(present) == len(array) else array.take(pa.array(present))
        if not pd.Series(text_hashes(texts)).duplicated().any():
            codes = np.full(len(array), -1, dtype=np.int64)
            codes[present] = np.arange(len(present))
            return codes, Texts(texts)
    return _dictionary_codes(array)


def _hashed_codes(array: pa.Array, rows: np.ndarray | None = None) -> tuple[np.ndarray, Texts]:
    """Codes of a mostly distinct text column (in no particular order), or of its `rows`, from
    64-bit hashes: a million strings go into a dictionary several times slower than their
    hashes sort. Each row is checked to hold its group's first text; groups whose hashes
    collide are coded again from their text."""
    valid = ~array.is_null().to_numpy(zero_copy_only=False)
    if rows is None:
        present = at = np.flatnonzero(valid)  # (at: each present row's position in `array`)
    else:
        present = np.flatnonzero(valid[rows])
        at = np.asarray(rows, dtype=np.int64)[present]
    # Sort the hashes with the row number in the low bits: one sort of plain integers.
    bits = np.uint64(max(len(present).bit_length(), 1))
    hashes = text_hashes(array).view(np.uint64)[at] if len(at) * 4 > len(array) else \
        text_hashes(array.take(pa.array(at))).view(np.uint64)
    packed = np.sort((hashes >> bits << bits) | np.arange(len(present), dtype=np.uint64))
    row = (packed & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
    starts = np.r_[True, (packed[1:] >> bits) != (packed[:-1] >> bits)] if len(packed) else \
        np.zeros(0, dtype=bool)
    group = np.cumsum(starts) - 1
    first = row[starts]  # a group's rows are in row order: its first is its smallest
    codes = np.empty(len(present), dtype=np.int64)
    codes[row] = group
    repeat = np.flatnonzero(~starts)
    same = pc.equal(array.take(pa.array(at[row[repeat]])),
                    array.take(pa.array(at[first[group[repeat]]]))).to_numpy(zero_copy_only=False)
    collided = np.flatnonzero(np.isin(group, group[repeat[~same]]))
    if len(collided):  # a hash shared by different texts: code those rows by their text
        rows_ = row[collided]
        again = pc.dictionary_encode(array.take(pa.array(at[rows_]))).indices.to_numpy()
        codes[rows_] = len(first) + again
        first = np.r_[first, rows_[first_per_code(again, int(again.max()) + 1)]]
    out = np.full(len(valid) if rows is None else len(rows), -1, dtype=np.int64)
    out[present] = codes
    return out, Texts(array, at[first])


def missing(column: pd.Series) -> np.ndarray:
    """pd.isna of a column, without Python objects for an Arrow-backed one."""
    array = _arrow_text(column)
    if array is None:
        return pd.isna(column.to_numpy(dtype=object))
    return array.is_null().to_numpy(zero_copy_only=False)

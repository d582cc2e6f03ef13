"""Rows kept as columns: a sequence of dicts to whoever reads it row by row, lists of values to
whoever writes it (write_tables turns the lists into Arrow columns as they are).

A large tenant's first identity run writes tens of thousands of history events; made as one
dict each, they cost more to build (and to take apart again for the write) than the work
that found them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence


class ColumnRows(Sequence):
    """Rows of the same fields, as {field: list of values} (every list as long as the rows)."""

    def __init__(self, data: dict[str, list]):
        lengths = {len(values) for values in data.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self.data = data
        self._length = lengths.pop() if lengths else 0

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return ColumnRows({name: values[i] for name, values in self.data.items()})
        if not -self._length <= i < self._length:
            raise IndexError(i)
        return {name: values[i] for name, values in self.data.items()}

    def __iter__(self) -> Iterator[dict]:
        names = list(self.data)
        return (dict(zip(names, row)) for row in zip(*self.data.values()))

    def __eq__(self, other) -> bool:
        if isinstance(other, ColumnRows):
            return self.data == other.data
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __add__(self, other: ColumnRows) -> ColumnRows:
        if not len(other):
            return self
        if not len(self):
            return other
        if list(self.data) != list(other.data):
            raise ValueError("rows with different fields")
        return ColumnRows({name: values + other.data[name] for name, values in self.data.items()})

    def __repr__(self) -> str:
        return f"ColumnRows({len(self)} rows: {', '.join(self.data)})"

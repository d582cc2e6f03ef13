"""Relay cursor pagination over sorted keys, the way Shopify's connections behave.

A cursor is opaque base64 of the sort key's name and the position's sort values
(e.g. updatedAt and id), not of an offset: a record that changes mid-sync moves
in the ordering, but the next page still starts right after the last record the
client saw.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_PAGE_SIZE = 250
_ABOVE_ANY_ID = float("inf")  # sorts after every (value, id) key with that value


class CursorError(ValueError):
    pass


@lru_cache(maxsize=4096)  # nested connections repeat the same few positions on every node
def encode_cursor(sort_key: str, key: tuple) -> str:
    raw = json.dumps([sort_key, *key], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(sort_key: str, cursor: str) -> tuple:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise CursorError(f"Invalid cursor: {cursor!r}") from exc
    if not isinstance(raw, list) or len(raw) < 2 or raw[0] != sort_key:
        raise CursorError(f"Invalid cursor for sort key {sort_key}: {cursor!r}")
    return tuple(raw[1:])


@dataclass
class Page:
    keys: list[tuple]
    items: list[Any]
    has_next: bool
    has_previous: bool


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    after: tuple | None = None
    last: int | None = None
    before: tuple | None = None
    reverse: bool = False


def check_page_size(first: int | None, last: int | None, required: bool) -> None:
    """Shopify's rules: one of first/last is required (except in bulk), at most 250."""
    if required and first is None and last is None:
        raise ValueError("you must provide one of first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise ValueError(
                f"The '{name}' argument must be between 0 and {MAX_PAGE_SIZE}, got {value}.")


def _window(keys: Sequence[tuple], args: PageArgs) -> Iterable[int]:
    """Positions (into ascending `keys`) between the cursors, in the requested order."""
    lo, hi = 0, len(keys)
    if not args.reverse:
        if args.after is not None:
            lo = bisect_right(keys, args.after)
        if args.before is not None:
            hi = bisect_left(keys, args.before)
        return range(lo, hi)
    if args.after is not None:  # reversed: "after" means smaller keys
        hi = bisect_left(keys, args.after)
    if args.before is not None:
        lo = bisect_right(keys, args.before)
    return range(hi - 1, lo - 1, -1)


def _take(positions: Iterable[int], fetch: Callable[[int], Any], match,
          limit: int | None) -> Iterator:
    found = 0
    for pos in positions:
        item = fetch(pos)
        if match is None or match(item):
            yield pos, item
            found += 1
            if limit is not None and found >= limit:
                return


def page_sorted(keys: Sequence[tuple], fetch: Callable[[int], Any], args: PageArgs,
                match: Callable[[Any], bool] | None = None) -> Page:
    """One page of the items at positions of `keys` that satisfy `match`."""
    window = _window(keys, args)
    if args.first is not None or args.last is None:
        limit = None if args.first is None else args.first + 1  # one extra tells hasNextPage
        got = list(_take(window, fetch, match, limit))
        has_next = args.first is not None and len(got) > args.first
        got = got[: args.first] if args.first is not None else got
        has_previous = args.after is not None
        if args.last is not None and len(got) > args.last:
            got, has_previous = got[len(got) - args.last :], True
    else:
        got = list(_take(reversed(window), fetch, match, args.last + 1))[::-1]
        has_previous = len(got) > args.last
        got = got[len(got) - args.last :] if has_previous else got
        has_next = args.before is not None
    return Page([keys[p] for p, _ in got], [item for _, item in got], has_next, has_previous)


def page_list(items: Sequence[Any], args: PageArgs) -> Page:
    """A nested connection over a plain list; the position is the sort key."""
    keys = [(i,) for i in range(len(items))]
    if args.first is None and args.last is None and args.after is None and args.before is None:
        return Page(keys, list(items), False, False)  # all of it (bulk reads): what paging gives
    return page_sorted(keys, items.__getitem__, args)


def keys_in_range(keys: Sequence[tuple], low, low_inclusive: bool, high, high_inclusive: bool,
                  ) -> frozenset:
    """The second values (ids) of ascending `(value, id)` keys whose value lies between `low`
    and `high` (None: open), found by bisection."""
    start = 0 if low is None else (bisect_left(keys, (low,)) if low_inclusive
                                   else bisect_right(keys, (low, _ABOVE_ANY_ID)))
    end = len(keys) if high is None else (bisect_right(keys, (high, _ABOVE_ANY_ID))
                                          if high_inclusive else bisect_left(keys, (high,)))
    return frozenset(key[1] for key in keys[start:end])

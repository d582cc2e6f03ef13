"""Shopify's `query:` search syntax, for the subset the pipeline sends.

Terms are `field:value` with an optional comparator (`field:>value`, `>=`, `<`,
`<=`), values quoted ('...' or "...") or bare, joined by `AND` or by whitespace.
`:` alone is equality, and for a date-only value a same-day match; otherwise a
date-only value means midnight UTC. Dates are compared as instants in UTC.
Unknown fields and free text are ignored, as Shopify ignores them.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

DATE_FIELDS = {"updated_at": "updatedAt", "created_at": "createdAt"}
_TERM = re.compile(
    r"^(?P<neg>-)?(?P<field>[A-Za-z_]+):(?P<op><=|>=|<|>|=)?(?P<value>.*)$", re.DOTALL)
_TOKEN = re.compile(r"""(?:[^\s'"]+|'[^']*'|"[^"]*")+""")
# Every valid time of day after a canonical instant's date ("T12:34:56Z"), and the dates
# met so far with whether each is a real one.
_TIMES = frozenset(f"T{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60)
                   for s in range(60))
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DAYS: dict[str, bool] = {}
_OPERATORS = {"=": operator.eq, ">": operator.gt, ">=": operator.ge, "<": operator.lt,
              "<=": operator.le}


@dataclass(frozen=True)
class Term:
    field: str
    op: str  # one of < <= > >= =
    value: str
    negated: bool = False


def tokenize(query: str) -> list[str]:
    """Whitespace-separated tokens; quotes keep their spaces (`created_at:'2025-01-01 10:00'`)."""
    return _TOKEN.findall(query)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def parse_search(query: str | None) -> list[Term]:
    terms = []
    for token in tokenize(query or ""):
        if token.upper() == "AND":
            continue
        match = _TERM.match(token)
        if match is None:  # free text: Shopify matches default fields; we have none to match
            continue
        terms.append(Term(match["field"].lower(), match["op"] or "=", _unquote(match["value"]),
                          bool(match["neg"])))
    return terms


def parse_instant(value: str) -> tuple[datetime, bool]:
    """(instant in UTC, whether only a date was given)."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC), True
    return stored_instant(text), False


def stored_instant(text: str) -> datetime:
    """A timestamp in UTC; one without an offset (a record written by hand, say) is read as UTC
    rather than compared naive against aware, which Python refuses."""
    moment = datetime.fromisoformat(text.strip().replace(" ", "T").replace("z", "Z"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _compare(actual: Any, op: str, expected: Any, day_only: bool) -> bool:
    if op == "=" and day_only:
        return actual.date() == expected.date()
    return _OPERATORS[op](actual, expected)


def _date_predicate(term: Term) -> Callable[[Mapping], bool] | None:
    try:
        bound, day_only = parse_instant(term.value)
    except ValueError:
        return None  # an unparseable date matches nothing at Shopify; we treat it likewise
    key = DATE_FIELDS[term.field]
    if not day_only and canonical(term.value.strip()):
        return _canonical_predicate(key, term.op, term.value.strip(), bound)

    def check(node: Mapping) -> bool:
        raw = node.get(key)
        return raw is not None and _compare(stored_instant(raw), term.op, bound, day_only)

    return check


def canonical(text: Any) -> bool:
    """Whether `text` is a valid instant written `YYYY-MM-DDTHH:MM:SSZ`, as Shopify writes
    them: such texts order as the instants they name."""
    if type(text) is not str or len(text) != 20 or text[10:] not in _TIMES:
        return False
    day = text[:10]
    valid = _DAYS.get(day)
    if valid is None:
        valid = _real_day(day)
        if len(_DAYS) > 100_000:  # a store spans a few thousand days; bound it regardless
            _DAYS.clear()
        _DAYS[day] = valid
    return valid


def _real_day(day: str) -> bool:
    if not _DAY.fullmatch(day):
        return False
    try:
        date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _canonical_predicate(key: str, op: str, text: str, bound: datetime) -> Callable[[Mapping], bool]:
    """A date term's check whose bound is canonical: a canonical stored value is compared as
    text, unparsed (a bulk window's export checks every record of the resource); any other
    value as an instant, as before."""
    compare = _OPERATORS[op]

    def check(node: Mapping) -> bool:
        raw = node.get(key)
        if raw is None:
            return False
        if canonical(raw):
            return compare(raw, text)
        return _compare(stored_instant(raw), op, bound, False)

    return check


def _id_predicate(term: Term) -> Callable[[Mapping], bool] | None:
    try:
        bound = int(term.value.rsplit("/", 1)[-1])
    except ValueError:
        return None

    def check(node: Mapping) -> bool:
        return _compare(int(node["id"].rsplit("/", 1)[-1]), term.op, bound, False)

    return check


Window = tuple[str | None, bool, str | None, bool]  # low, low inclusive, high, high inclusive


def updated_window(terms: list[Term]) -> Window | None:
    """The `updatedAt` range that `terms` select, when they are only `updated_at` bounds
    (>, >=, <, <=) written as canonical instants, as a sync's window is; else None. Open ends
    are None. A store answers such a range from its updatedAt index (store.py)."""
    low, low_inclusive, high, high_inclusive = None, False, None, False
    bounds = [t for t in terms if t.field in DATE_FIELDS or t.field == "id"]
    if not bounds:
        return None
    for term in bounds:
        value = term.value.strip()
        if term.field != "updated_at" or term.negated or term.op == "=" or not canonical(value):
            return None
        inclusive = term.op in (">=", "<=")
        if term.op[0] == ">" and (low is None or value > low or value == low and not inclusive):
            low, low_inclusive = value, inclusive
        if term.op[0] == "<" and (high is None or value < high or value == high and not inclusive):
            high, high_inclusive = value, inclusive
    return low, low_inclusive, high, high_inclusive


def compile_search(query: str | None) -> Callable[[Mapping], bool] | None:
    """A predicate over GraphQL-shaped nodes, or None when the query filters nothing. Its
    `updated_window` attribute is the query's `updated_window` (or None)."""
    predicate = _predicate(terms := parse_search(query))
    if predicate is not None:
        predicate.updated_window = updated_window(terms)
    return predicate


def _predicate(terms: list[Term]) -> Callable[[Mapping], bool] | None:
    checks = []
    for term in terms:
        if term.field in DATE_FIELDS:
            check = _date_predicate(term)
        elif term.field == "id":
            check = _id_predicate(term)
        else:
            continue  # unknown field: ignored
        if check is None:
            checks.append(lambda node: False)
        elif term.negated:
            checks.append(lambda node, c=check: not c(node))
        else:
            checks.append(check)
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:  # a window's two bounds: no generator per record
        first, second = checks
        return lambda node: first(node) and second(node)
    return lambda node: all(check(node) for check in checks)

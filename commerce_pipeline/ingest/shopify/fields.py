"""Parsers for single Shopify field values, shared by the GraphQL and REST shapes.

Every parser takes the raw value and the output field name, returns the typed
value (None stays None) and raises MappingError naming the field otherwise, so
one bad record is quarantined instead of failing the whole page. How a table's
fields are found in a record is in specs.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from collections.abc import Callable, Mapping
from typing import Any

Parser = Callable[[Any, str], Any]

_GID = re.compile(r"gid://shopify/([A-Za-z]+)/(\d+)(?:\?.*)?", re.ASCII)
_DIGITS = re.compile(r"\s*(-?\d+)\s*", re.ASCII)
_GID_PREFIX = "gid://shopify/"
_SEPARATORS = re.compile(r"[\s\-]+")
_SHOW_LIMIT = 60  # reasons are stored per row; the full value is in the payload anyway


class MappingError(ValueError):
    """A record that cannot be mapped; `.reason` is the human-readable why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 3] + "..."


def wrong_type(field: str, expected: str, value: Any) -> MappingError:
    return MappingError(f"wrong type for {field}: expected {expected}, got {type(value).__name__}")


def gid_parts(value: Any) -> tuple[str, int] | None:
    """`gid://shopify/Order/12` -> ("Order", 12); anything else -> None."""
    if not isinstance(value, str):
        return None
    if value.startswith(_GID_PREFIX):  # the usual exact form, without the regex
        kind, slash, number = value[14:].partition("/")
        if slash and number.isdigit() and number.isascii() and kind.isalpha() and kind.isascii():
            return kind, int(number)
    match = _GID.fullmatch(value.strip())
    return (match.group(1), int(match.group(2))) if match else None


def parse_id(value: Any, field: str, gid_type: str | None = None) -> int | None:
    """Integer id from an int, a numeric string or a gid (of `gid_type` when given)."""
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int subclass; True is no id
        raise wrong_type(field, "an id", value)
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise wrong_type(field, "an id", value)
    digits = _DIGITS.fullmatch(value)
    if digits:
        return int(digits.group(1))
    parts = gid_parts(value)
    if parts is None:
        raise MappingError(f"bad id in {field}: {_show(value)}")
    if gid_type is not None and parts[0] != gid_type:
        raise MappingError(f"wrong gid type in {field}: expected {gid_type}, got {_show(value)}")
    return parts[1]


def id_parser(gid_type: str) -> Parser:
    prefix = f"{_GID_PREFIX}{gid_type}/"

    def parse(value: Any, field: str) -> int | None:
        # The usual value, a gid of the expected type, skips the general checks.
        if type(value) is str and value.startswith(prefix):
            number = value[len(prefix):]
            if number.isdigit() and number.isascii():
                return int(number)
        return parse_id(value, field, gid_type)

    return parse


def parse_timestamp(value: Any, field: str) -> datetime | None:
    """Timezone-aware UTC datetime from ISO 8601 with `Z` or an offset."""
    if value is None:
        return None
    if not isinstance(value, (str, datetime)):
        raise wrong_type(field, "a timestamp string", value)
    try:
        moment = datetime.fromisoformat(value.strip()) if isinstance(value, str) else value
        aware = moment.utcoffset() is not None
        utc = moment.astimezone(timezone.utc) if aware else None
    except (ValueError, OverflowError):
        raise MappingError(f"bad timestamp in {field}: {_show(value)}") from None
    if not aware:
        # A local time without offset could be any of 26 hours: refuse to guess.
        raise MappingError(f"bad timestamp in {field}: {_show(value)} has no UTC offset")
    return utc


def parse_money(value: Any, field: str) -> Decimal | None:
    """Decimal from a string or number (Shopify sends money as strings)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise wrong_type(field, "a decimal", value)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # shortest round-trip text, not the binary expansion
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise MappingError(f"bad decimal in {field}: {_show(value)}") from None
    else:
        raise wrong_type(field, "a decimal", value)
    if not amount.is_finite():
        raise MappingError(f"bad decimal in {field}: {_show(value)}")
    return amount


def parse_int(value: Any, field: str) -> int | None:
    """Integer from an int, an integral float or a numeric string (GraphQL's UnsignedInt64)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise wrong_type(field, "an integer", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, (str, float)):
        raise MappingError(f"bad integer in {field}: {_show(value)}")
    raise wrong_type(field, "an integer", value)


def parse_text(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise wrong_type(field, "a string", value)


def parse_bool(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise wrong_type(field, "a boolean", value)


def parse_enum(value: Any, field: str) -> str | None:
    """GraphQL `PARTIALLY_REFUNDED` and REST `partially_refunded` both -> `partially_refunded`."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise wrong_type(field, "a string", value)
    return _enum_name(value)


@lru_cache(maxsize=4096)  # a column holds a handful of distinct values
def _enum_name(value: str) -> str | None:
    return _SEPARATORS.sub("_", value.strip()).lower() or None


def parse_tags(value: Any, field: str) -> str | None:
    """One comma-separated string, REST's own format (GraphQL sends a list)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(tag, str) for tag in value):
        return ", ".join(tag.strip() for tag in value)
    raise wrong_type(field, "a string or a list of strings", value)


def dig(record: Mapping, path: str | None, field: str) -> Any:
    """The value at a dotted path; a null object on the way gives None."""
    if path is None:
        return None
    value: Any = record
    walked: list[str] = []
    for key in path.split("."):
        if value is None:
            return None
        if not isinstance(value, Mapping):
            where = ".".join(walked)
            raise MappingError(
                f"wrong type for {field}: expected an object at {where}, got {type(value).__name__}"
            )
        value = value.get(key)
        walked.append(key)
    return value


def connection_items(value: Any, field: str) -> list[Mapping]:
    """Items of a plain list, a `{nodes: [...]}` or an `{edges: [{node}]}` connection."""
    if value is None:
        return []
    items = value
    if isinstance(value, Mapping):
        page_info = value.get("pageInfo")
        if isinstance(page_info, Mapping) and page_info.get("hasNextPage"):
            # Loading a truncated list would silently drop items; the caller drains first.
            raise MappingError(f"incomplete {field}: connection has undrained pages")
        if "nodes" in value:
            items = value["nodes"]
        elif "edges" in value:
            edges = value["edges"]
            if not isinstance(edges, list):
                raise wrong_type(f"{field}.edges", "a list", edges)
            for i, edge in enumerate(edges):
                if not isinstance(edge, Mapping) or not isinstance(edge.get("node"), Mapping):
                    raise wrong_type(f"{field}.edges[{i}]", "an object with a node", edge)
            items = [edge["node"] for edge in edges]
        else:
            raise wrong_type(field, "a list or a connection", value)
    if not isinstance(items, list):
        raise wrong_type(field, "a list or a connection", items)
    for i, item in enumerate(items):
        if type(item) is not dict and not isinstance(item, Mapping):
            raise wrong_type(f"{field}[{i}]", "an object", item)
    return items

"""Straight-line Python generated for one table's specs and one shape.

Mapping a bulk export calls a reader once per record and line item (about 170,000 times for a
10,000-customer store). A loop over (getters, parser) per field pays a call per path step and a
parser's chain of type checks for every value; the generated function reads every path with
`dict.get` in place and handles the usual value of each parser inline (`type(v) is str`, ...).
Anything else (an unusual type, a non-dict on a path, a value a parser refuses) raises, and
the caller (specs.Extractor) reruns the reference `extract`, which decides and names the field,
so the generated code only has to agree with the reference where it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from decimal import Decimal

from commerce_pipeline.ingest.shopify.fields import (
    _enum_name, parse_bool, parse_enum, parse_int, parse_money, parse_text, parse_timestamp,
)


class Unusual(Exception):
    """A value the generated code leaves to the reference."""


# parser -> the inline reading of `v` into `f` for its usual input; `P` calls the parser itself.
_INLINE = {
    parse_text: "f = v if v is None or type(v) is str else P(v, NAME)",
    parse_bool: "f = v if v is None or type(v) is bool else P(v, NAME)",
    parse_int: "f = v if v is None or type(v) is int else P(v, NAME)",
    parse_enum: "f = None if v is None else ENUM(v) if type(v) is str else P(v, NAME)",
    parse_money: ("if type(v) is str:\n    f = DECIMAL(v.strip())\n"
                  "    if not f.is_finite(): raise UNUSUAL\nelse:\n    f = P(v, NAME)"),
    parse_timestamp: ("if type(v) is str:\n    f = FROMISO(v.strip())\n"
                      "    if f.utcoffset() is None: raise UNUSUAL\n    f = f.astimezone(UTC)\n"
                      "else:\n    f = P(v, NAME)"),
}


def _indent(code: str, depth: int) -> list[str]:
    return ["    " * depth + line for line in code.splitlines()]


def _path_lines(path: str, depth: int) -> list[str]:
    """`v = <value at the dotted path>`; a null on the way gives None, a non-dict raises."""
    head, *rest = path.split(".")
    lines = _indent(f"v = get({head!r})", depth)
    for key in rest:
        lines += _indent(f"if v is not None:\n    if type(v) is not dict: raise UNUSUAL\n"
                         f"    v = v.get({key!r})", depth)
        depth += 1
    return lines


def _value_lines(paths: tuple[str, ...]) -> list[str]:
    """`v` from the first path that gives a value (later paths are fallbacks)."""
    if not paths:
        return ["v = None"]
    lines = _path_lines(paths[0], 0)
    for depth, path in enumerate(paths[1:], start=1):
        lines += _indent("if v is None:", depth - 1) + _path_lines(path, depth)
    return lines


def compile_reader(specs: list, graphql: bool) -> Callable[[Mapping], dict]:
    """A function reading `specs`' fields of one record like `specs.extract` (without error
    names): it returns the same row or raises."""
    body, names, scope = ["get = record.get"], [], {
        "UNUSUAL": Unusual, "ENUM": _enum_name, "DECIMAL": Decimal,
        "FROMISO": datetime.fromisoformat, "UTC": timezone.utc,
    }
    for i, (out, gql, rest, parse) in enumerate(specs):
        scope[f"P{i}"] = parse
        body += _value_lines(gql if graphql else rest)
        inline = _INLINE.get(parse, "f = P(v, NAME)")
        body += inline.replace("P(", f"P{i}(").replace("NAME", repr(out)).splitlines()
        body.append(f"f{i} = f")
        names.append(f"{out!r}: f{i}")
    body.append("return {" + ", ".join(names) + "}")
    source = "def read(record):\n" + "\n".join("    " + line for line in body)
    exec(compile(source, f"<reader {len(specs)} fields>", "exec"), scope)  # noqa: S102 - our own specs
    return scope["read"]

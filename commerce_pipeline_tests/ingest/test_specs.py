"""Compiled field reading (specs.Extractor) and the id fast paths read exactly like the reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commerce_pipeline.ingest.shopify import specs
from commerce_pipeline.ingest.shopify.fields import MappingError, gid_parts, id_parser, parse_id
from commerce_pipeline.ingest.shopify.specs import Extractor, extract

from .test_mappers_graphql import gql_customer, gql_order

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "shopify"
ODD_VALUES = [None, True, 1.5, -3, "", "x", " 12 ", "2024-01-01T00:00:00Z", "NaN", [], ["a"], {},
              {"id": None}, {"amount": "1"}, {"shopMoney": {"amount": "2.50"}}, float("nan")]


def _outcome(read, record, prefix):
    try:
        return "row", repr(read(record, prefix))
    except MappingError as exc:
        return "refused", exc.reason


def _variants(record: dict):
    """The record, then copies with each top-level and nested value replaced by odd values."""
    yield record
    for key, value in record.items():
        for odd in ODD_VALUES:
            yield {**record, key: odd}
        if isinstance(value, dict):
            for inner in value:
                for odd in ODD_VALUES:
                    yield {**record, key: {**value, inner: odd}}


@pytest.mark.parametrize("table,graphql,record", [
    (specs.CUSTOMER_FIELDS, True, gql_customer()),
    (specs.ORDER_FIELDS, True, gql_order()),
    (specs.CUSTOMER_FIELDS, False, json.loads((FIXTURES / "customer.json").read_text())["customer"]),
    (specs.ORDER_FIELDS, False, json.loads((FIXTURES / "order.json").read_text())["order"]),
], ids=["graphql customer", "graphql order", "rest customer", "rest order"])
def test_compiled_extractor_reads_and_refuses_like_extract(table, graphql, record):
    compiled = Extractor(table, graphql)
    for variant in _variants(record):
        assert _outcome(compiled, variant, "x[0].") == _outcome(
            lambda r, p: extract(r, table, graphql, p), variant, "x[0].")


def test_compiled_extractor_refusal_names_the_prefixed_field_and_path():
    with pytest.raises(MappingError) as raised:
        Extractor(specs.LINE_ITEM_FIELDS, True)({"variant": "7"}, "line_items[3].")
    assert raised.value.reason == (
        "wrong type for line_items[3].variant_id: expected an object at variant, got str")


@pytest.mark.parametrize("value", [
    "gid://shopify/Order/12", "gid://shopify/Order/0012", "gid://shopify/Customer/12",
    "gid://shopify/Order/12?x=1", " gid://shopify/Order/12 ", "gid://shopify/Order/", "12",
    "gid://shopify/Order/١٢", "gid://shopify/Order/12/3", "gid://shopify/Ordér/1", 12, True, None,
])
def test_id_parser_reads_like_parse_id(value):
    def outcome(read):
        try:
            return read(value, "f")
        except MappingError as exc:
            return exc.reason

    assert outcome(id_parser("Order")) == outcome(lambda v, f: parse_id(v, f, "Order"))


@pytest.mark.parametrize("value", [
    "gid://shopify/Order/12", "gid://shopify/LineItem/7?from=bulk", "gid://shopify/Order/١٢",
    "gid://shopify//12", "gid://shopify/Order/12 ", "gid://shopify/Or der/1", "gid://x/Order/1",
])
def test_gid_parts_fast_path_agrees_with_the_pattern(value):
    match = specs_gid_pattern().fullmatch(value.strip())
    assert gid_parts(value) == ((match.group(1), int(match.group(2))) if match else None)


def specs_gid_pattern():
    from commerce_pipeline.ingest.shopify import fields

    return fields._GID


class _Text(str):
    pass


EDGE_VALUES = ODD_VALUES + [
    _Text("paid"), " 1.50 ", "Infinity", "-0", "2024-01-01T00:00:00", " 2024-01-01T10:00:00+02:00 ",
    "2024-13-45T00:00:00Z", 10**20, 7.0, "PARTIALLY_REFUNDED", _Text("2024-01-01T00:00:00Z"),
]
TABLES = {name: getattr(specs, name) for name in dir(specs) if name.endswith("_FIELDS")}


def _records_for(table, graphql):
    """For each field's first path: a record with each edge value there, and one with a
    non-dict object (or a list) on the way to it."""
    from types import MappingProxyType

    for _, gql, rest, _ in table:
        for path in (gql if graphql else rest)[:1]:
            keys = path.split(".")
            for value in EDGE_VALUES:
                record = value
                for key in reversed(keys):
                    record = {key: record}
                yield record
            if len(keys) > 1:
                yield {keys[0]: MappingProxyType({keys[1]: "1"})}
                yield {keys[0]: ["x"]}


@pytest.mark.parametrize("name", sorted(TABLES))
@pytest.mark.parametrize("graphql", [True, False], ids=["graphql", "rest"])
def test_compiled_extractor_agrees_with_extract_on_every_field_of_every_table(name, graphql):
    table = TABLES[name]
    compiled = Extractor(table, graphql)
    for record in _records_for(table, graphql):
        assert _outcome(compiled, record, "x.") == _outcome(
            lambda r, p: extract(r, table, graphql, p), record, "x.")

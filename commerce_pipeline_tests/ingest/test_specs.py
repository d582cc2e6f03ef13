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

"""Single-value parsers: typed values out, MappingError naming the field otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from commerce_pipeline.ingest.shopify.fields import (
    MappingError, connection_items, dig, parse_bool, parse_enum, parse_id, parse_int, parse_money,
    parse_tags, parse_text, parse_timestamp,
)

UTC_NOON = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def reason(parser, value, *args) -> str:
    with pytest.raises(MappingError) as raised:
        parser(value, "f", *args)
    return raised.value.reason


@pytest.mark.parametrize("text", ["2024-03-01T12:00:00Z", "2024-03-01T07:00:00-05:00",
                                  "2024-03-01T12:00:00.000+00:00"])
def test_timestamps_with_z_or_an_offset_become_the_same_utc_instant(text):
    parsed = parse_timestamp(text, "f")
    assert parsed == UTC_NOON and parsed.tzinfo == timezone.utc


def test_aware_datetime_is_converted_to_utc():
    local = datetime(2024, 3, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert parse_timestamp(local, "f").tzinfo == timezone.utc


def test_unparseable_timestamp_names_field_and_value():
    assert reason(parse_timestamp, "yesterday") == "bad timestamp in f: 'yesterday'"


def test_timestamp_without_offset_is_refused_not_guessed():
    assert "no UTC offset" in reason(parse_timestamp, "2024-03-01T12:00:00")


def test_timestamp_of_wrong_type_is_refused():
    expected = "wrong type for f: expected a timestamp string, got int"
    assert reason(parse_timestamp, 1709294400) == expected


def test_money_from_strings_and_numbers_is_exact_decimal():
    assert parse_money("409.94", "f") == Decimal("409.94")
    assert parse_money(0.1, "f") == Decimal("0.1")  # not 0.1000000000000000055...
    assert parse_money(3, "f") == Decimal(3)


@pytest.mark.parametrize("value,expected", [
    (True, "wrong type for f: expected a decimal, got bool"),
    ({"amount": "1"}, "wrong type for f: expected a decimal, got dict"),
    ("NaN", "bad decimal in f: 'NaN'"),
    ("1,00", "bad decimal in f: '1,00'"),
])
def test_money_refuses_non_amounts(value, expected):
    assert reason(parse_money, value) == expected


def test_int_accepts_graphql_numeric_strings_and_integral_floats():
    assert parse_int("42", "f") == 42 and parse_int(3.0, "f") == 3


def test_int_refuses_fractions_and_bools():
    assert reason(parse_int, 1.5) == "bad integer in f: 1.5"
    assert reason(parse_int, False) == "wrong type for f: expected an integer, got bool"


def test_id_from_int_numeric_string_or_gid():
    assert parse_id(450789469, "f") == parse_id("450789469", "f") == 450789469
    assert parse_id("gid://shopify/Order/450789469", "f", "Order") == 450789469
    assert parse_id("gid://shopify/LineItem/7?from=bulk", "f", "LineItem") == 7


def test_id_refuses_a_gid_of_another_type_or_garbage():
    wrong_type = reason(parse_id, "gid://shopify/Customer/1", "Order")
    assert wrong_type == "wrong gid type in f: expected Order, got 'gid://shopify/Customer/1'"
    assert reason(parse_id, "abc") == "bad id in f: 'abc'"


def test_long_values_are_shortened_in_reasons():
    assert len(reason(parse_id, "x" * 500)) < 100


def test_enum_becomes_lower_snake_case():
    assert parse_enum("PARTIALLY_REFUNDED", "f") == parse_enum("partially_refunded", "f")
    assert parse_enum("Partially Refunded", "f") == "partially_refunded"


def test_tags_list_is_joined_like_rest_and_rest_string_is_kept():
    assert parse_tags(["Buyer", "Canadian"], "f") == "Buyer, Canadian"
    assert parse_tags("Buyer, Canadian", "f") == "Buyer, Canadian"
    assert "got list" in reason(parse_tags, [1, 2])


def test_text_and_bool_refuse_other_types():
    assert reason(parse_text, 5) == "wrong type for f: expected a string, got int"
    assert reason(parse_bool, "false") == "wrong type for f: expected a boolean, got str"


def test_dig_returns_none_through_null_objects_and_refuses_scalars():
    assert dig({"customer": None}, "customer.id", "customer_id") is None
    with pytest.raises(MappingError, match="expected an object at customer, got str"):
        dig({"customer": "207119551"}, "customer.id", "customer_id")


@pytest.mark.parametrize("value", [
    [{"id": 1}], {"nodes": [{"id": 1}]}, {"edges": [{"node": {"id": 1}}]},
    {"pageInfo": {"hasNextPage": False}, "nodes": [{"id": 1}]},
])
def test_connection_items_accepts_list_nodes_and_edges(value):
    assert connection_items(value, "f") == [{"id": 1}]


def test_connection_items_refuses_items_that_are_not_objects():
    with pytest.raises(MappingError, match=r"wrong type for f\[1\]: expected an object, got int"):
        connection_items({"nodes": [{"id": 1}, 2]}, "f")


def test_connection_items_refuses_edges_without_nodes():
    with pytest.raises(MappingError, match=r"f\.edges\[0\]"):
        connection_items({"edges": [{"cursor": "abc"}]}, "f")

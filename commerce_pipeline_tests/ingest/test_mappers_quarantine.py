"""Records the mappers refuse are quarantined with a reason; the rest of the batch still maps."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from commerce_pipeline.ingest.shopify.mappers import MAPPERS, MappingError, map_order, map_records

from .test_mappers_graphql import gql_order, gql_product

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "shopify"
DROP = object()  # marks a key to delete


def rest_order() -> dict:
    return json.loads((FIXTURES / "order.json").read_text())["order"]


def good_order(order_id: int) -> dict:
    return {**rest_order(), "id": order_id}


def broken(**changes) -> dict:
    order = rest_order()
    order.update(changes)
    return {k: v for k, v in order.items() if v is not DROP}


def nested(path: str, value) -> dict:
    """order.json with one nested value replaced, e.g. nested("line_items.2.id", DROP)."""
    order = rest_order()
    *parents, last = path.split(".")
    target = order
    for key in parents:
        target = target[int(key) if key.isdigit() else key]
    if value is DROP:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return order


BAD_ORDERS = {
    "missing id": (broken(id=DROP), "missing id"),
    "bad timestamp": (broken(updated_at="yesterday"), "bad timestamp in updated_at: 'yesterday'"),
    "timestamp without offset": (broken(created_at="2008-01-10T11:00:00"), "no UTC offset"),
    "money of the wrong type": (
        broken(total_price=["409.94"]), "wrong type for total_price: expected a decimal, got list"
    ),
    "money that is not a number": (broken(total_tax="lots"), "bad decimal in total_tax: 'lots'"),
    "line_items not a list": (
        broken(line_items="466157049"), "wrong type for line_items: expected a list or a connection"
    ),
    "nested missing id": (nested("line_items.2.id", DROP), "missing id in line_items[2]"),
    "quantity not int-like": (
        nested("line_items.0.quantity", "two"), "bad integer in line_items[0].quantity: 'two'"
    ),
    "no timestamps at all": (broken(created_at=DROP, updated_at=DROP), "missing updated_at"),
    "not a mapping": (["id", 1], "not a mapping: got list"),
    "both shapes at once": (broken(updatedAt="2008-01-10T16:00:00Z"), "ambiguous shape"),
    "customer of the wrong gid type": (
        broken(customer={"id": "gid://shopify/Product/1"}), "wrong gid type in customer_id"
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ORDERS))
def test_bad_record_is_quarantined_with_its_reason_while_good_ones_map(case):
    bad, reason = BAD_ORDERS[case]
    rows, quarantined = map_records("orders", [good_order(1), bad, good_order(2)])
    assert [row["id"] for row in rows] == [1, 2]
    assert len(quarantined) == 1
    assert quarantined[0]["resource"] == "orders"
    assert reason in quarantined[0]["reason"]


def test_quarantine_payload_is_the_raw_record_as_sorted_json():
    bad = broken(total_price={"amount": "1.00"})
    (row,) = map_records("orders", [bad])[1]
    assert row["payload"] == json.dumps(bad, sort_keys=True)
    assert json.loads(row["payload"]) == bad


def test_quarantine_payload_serialises_non_json_values_as_text():
    moment = datetime(2024, 1, 1, tzinfo=timezone.utc)
    (row,) = map_records("orders", [{"id": 5, "updated_at": moment, "line_items": 7}])[1]
    assert json.loads(row["payload"])["updated_at"] == str(moment)


def test_quarantine_source_id_is_the_numeric_id_of_either_shape():
    order = gql_order()
    order["totalPriceSet"] = "409.94"  # a MoneyBag is expected
    (graphql,) = map_records("orders", [order])[1]
    (rest,) = map_records("orders", [broken(total_price=[])])[1]
    assert graphql["source_id"] == rest["source_id"] == "450789469"
    assert "wrong type for total_price: expected an object at totalPriceSet" in graphql["reason"]


def test_quarantine_source_id_is_none_without_an_id():
    (row,) = map_records("orders", [broken(id=DROP)])[1]
    assert row["source_id"] is None and row["reason"] == "missing id"


def test_graphql_connection_with_undrained_pages_is_quarantined_not_truncated():
    product = gql_product()
    product["variants"]["pageInfo"]["hasNextPage"] = True
    rows, quarantined = map_records("products", [product])
    assert rows == []
    assert quarantined[0]["reason"] == "incomplete variants: connection has undrained pages"


def test_graphql_nested_item_without_id_names_its_path():
    order = gql_order("edges")
    del order["lineItems"]["edges"][1]["node"]["id"]
    with pytest.raises(MappingError) as raised:
        map_order(order)
    assert raised.value.reason == "missing id in line_items[1]"


def test_refund_line_without_its_line_item_is_refused():
    order = gql_order("list")
    order["refunds"][0]["refundLineItems"][0]["lineItem"] = None
    with pytest.raises(MappingError) as raised:
        map_order(order)
    assert raised.value.reason == "missing line_item_id in refunds[0].refund_line_items[0]"


def test_updated_at_falls_back_to_created_at():
    rows, _ = map_records("orders", [broken(updated_at=DROP)])
    assert rows[0]["updated_at"] == datetime(2008, 1, 10, 16, tzinfo=timezone.utc)


def test_unknown_resource_is_a_programming_error_not_a_quarantine():
    with pytest.raises(ValueError, match="unknown Shopify resource"):
        map_records("refunds", [rest_order()])


def _leaf_paths(value, path=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaf_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaf_paths(child, (*path, index))
    if path:
        yield path


def _replaced(record, path, value):
    copy = json.loads(json.dumps(record))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


WRONG_VALUES = [None, True, 1.5, -3, "", "x", [], [1], {}, {"id": None}, float("nan")]
SAMPLES = [("orders", rest_order()), ("orders", gql_order("edges")), ("products", gql_product())]


@pytest.mark.parametrize(
    "resource,record", SAMPLES, ids=["rest order", "graphql order", "graphql product"]
)
def test_any_wrong_value_anywhere_maps_or_raises_mapping_error_only(resource, record):
    # The loader relies on MappingError alone; a stray TypeError would fail the whole page.
    outcomes = {"mapped": 0, "refused": 0}
    for path in _leaf_paths(record):
        for value in WRONG_VALUES:
            try:
                MAPPERS[resource](_replaced(record, path, value))
                outcomes["mapped"] += 1
            except MappingError as exc:
                # "malformed record" is the last-resort wrapper: every case is named.
                assert "malformed record" not in exc.reason, (path, value, exc.reason)
                outcomes["refused"] += 1
    assert outcomes["mapped"] and outcomes["refused"]

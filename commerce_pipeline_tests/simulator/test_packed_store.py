"""Records kept packed (compressed JSON) serve exactly what the dicts they came from would."""

import copy
import json

from graphql import execute_sync, parse

from commerce_pipeline.simulator import Store
from commerce_pipeline.simulator.packed import Codec, PackedRecords
from commerce_pipeline.simulator.schema import SCHEMA, RequestContext
from commerce_pipeline_tests.simulator import shared_store


def _orders():
    return copy.deepcopy(shared_store(40, seed=12).records("orders", keep=False))


def test_packed_records_read_back_equal_with_keys_in_order():
    orders = _orders()
    packed = PackedRecords.of("orders", orders)
    got = [packed.unpack(blob) for blob in packed.blobs]
    assert json.dumps(got) == json.dumps(orders)


def test_a_packed_order_is_several_times_smaller_than_its_json():
    orders = _orders()
    packed = PackedRecords.of("orders", orders)
    assert sum(map(len, packed.blobs)) * 3 < len(json.dumps(orders, separators=(",", ":")))


def test_a_value_orjson_refuses_is_kept_as_the_dict_itself():
    record = {"id": "gid://shopify/Order/1", "huge": 1 << 70}
    assert Codec([record]).pack(record) is record


def test_a_record_changed_in_place_is_served_like_before_packing():
    store = Store("inplace", 1, {}, {"orders": _orders()}, {}, {})
    first = store.records("orders")[0]
    first["email"] = "changed@example.com"
    data = execute_sync(SCHEMA, parse("{ orders(first: 1) { nodes { email } } }"),
                        context_value=RequestContext(store=store)).data
    assert data["orders"]["nodes"][0]["email"] == "changed@example.com"
    assert store.get(first["id"]) is first


def test_line_items_and_refunds_are_found_by_their_gid():
    orders = _orders()
    store = Store("children", 1, {}, {"orders": orders}, {}, {})
    with_refund = next(o for o in orders if o["refunds"])
    for child in (with_refund["lineItems"][-1], with_refund["refunds"][0]):
        assert store.lookup(child["id"]) == child
    assert store.lookup("gid://shopify/LineItem/1") is None


def test_a_search_on_dates_counts_what_the_records_hold():
    orders = _orders()
    store = Store("dates", 1, {}, {"orders": orders}, {}, {})
    cut = sorted(o["updatedAt"] for o in orders)[len(orders) // 2]
    expected = sum(o["updatedAt"] > cut for o in orders)
    assert store.count("orders", lambda node: node["updatedAt"] > cut) == expected


def test_a_reference_selecting_only_id_is_answered_without_a_lookup_only_for_canonical_ids():
    orders = _orders()
    odd = copy.deepcopy(orders[:1])
    odd[0]["id"] = "gid://shopify/Order/0" + odd[0]["id"].rsplit("/", 1)[1]
    assert Store("ok", 1, {}, {"orders": orders}, {}, {}).resolves_to_itself(orders[0]["id"])
    assert not Store("odd", 1, {}, {"orders": odd}, {}, {}).resolves_to_itself(orders[0]["id"])

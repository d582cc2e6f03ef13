"""Records changing while the pipeline syncs: update_records and the /_sim update endpoint."""

import threading
from datetime import UTC, datetime

import pytest
import requests

from commerce_pipeline.ingest.shopify import queries
from commerce_pipeline.simulator import SimulatorServer, generate_store
from commerce_pipeline_tests.simulator import data, page_all

T0 = "2026-06-30T00:00:00Z"  # every generated record is updated at or before the end
LATER = "2026-07-01T12:00:00Z"
ORDER_UPDATED_AT = "query($id: ID!) { node(id: $id) { ... on Order { updatedAt } } }"


@pytest.fixture
def store():
    return generate_store("changing", 9, 200)


@pytest.fixture
def server(store):
    with SimulatorServer([store], bucket_size=100_000, restore_rate=100_000) as srv:
        yield srv


def test_update_records_bumps_updated_at_and_changes_a_tag(store):
    ids = store.update_records("customers", 3, now=LATER)
    assert len(ids) == 3
    for num in ids:
        node = store.get(f"gid://shopify/Customer/{num}")
        assert node["updatedAt"] == LATER
        assert any(t.startswith("sim-update-") for t in node["tags"])


def test_updates_rotate_through_different_records(store):
    first = store.update_records("orders", 5, now=LATER)
    second = store.update_records("orders", 5, now=LATER)
    assert not set(first) & set(second)


def test_updates_are_deterministic():
    a = generate_store("same", 3, 60).update_records("products", 4, now=LATER)
    b = generate_store("same", 3, 60).update_records("products", 4, now=LATER)
    assert a == b


def test_pending_orders_settle_when_updated(store):
    ids = store.update_records("orders", store.count("orders"), now=LATER)
    statuses = {store.get(f"gid://shopify/Order/{n}")["displayFinancialStatus"] for n in ids}
    assert not statuses & {"PENDING", "AUTHORIZED"}


def test_default_now_is_the_current_second(store):
    num = store.update_records("customers", 1)[0]
    stamp = store.get(f"gid://shopify/Customer/{num}")["updatedAt"]
    assert stamp > "2026-01-01T00:00:00Z" and stamp.endswith("Z") and "." not in stamp


def test_concurrent_updates_keep_every_record_once(store):
    threads = [threading.Thread(target=store.update_records, args=("customers", 20, LATER))
               for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({c["id"] for c in store.records("customers")}) == 200
    assert sum(c["updatedAt"] == LATER for c in store.records("customers")) == 100


def test_windowed_sync_misses_nothing_while_records_change(server, store):
    changed = []

    def change(page):
        if page == 2:  # after the second page, 30 records change
            changed.extend(store.update_records("customers", 30, now=LATER))

    window = f"updated_at:<='{T0}'"
    first = [n["id"] for n in page_all(server, store, "customers", window, 25, change)]
    second = [n["id"] for n in page_all(server, store, "customers", f"updated_at:>'{T0}'")]
    assert len(first) == len(set(first))
    assert {int(i.rsplit("/", 1)[1]) for i in second} == set(changed)
    assert set(first) | set(second) == {c["id"] for c in store.records("customers")}


def test_unbounded_sync_sees_changed_records_again_only_if_already_seen(server, store):
    changed = []

    def change(page):
        if page == 2:
            changed.extend(store.update_records("customers", 30, now=LATER))

    ids = [n["id"] for n in page_all(server, store, "customers", None, 25, change)]
    assert set(ids) == {c["id"] for c in store.records("customers")}
    duplicates = {i for i in ids if ids.count(i) > 1}
    changed_ids = {f"gid://shopify/Customer/{n}" for n in changed}
    assert duplicates == changed_ids & set(ids[:50])  # seen on pages 1-2, then changed


def test_update_endpoint_bumps_updated_at(server, store):
    url = f"http://127.0.0.1:{server.port}/_sim/{store.shop}/update"
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ids = requests.post(url, json={"resource": "orders", "count": 2}).json()["ids"]
    assert len(ids) == 2
    for num in ids:
        node = data(server, store, ORDER_UPDATED_AT, {"id": f"gid://shopify/Order/{num}"})["node"]
        assert node["updatedAt"] >= started
    found = data(server, store, queries.page_query("orders"),
                 {"first": 10, "query": f"updated_at:>='{started}'"})["orders"]["nodes"]
    assert {int(n["id"].rsplit("/", 1)[1]) for n in found} == set(ids)


def test_update_endpoint_rejects_unknown_resources(server, store):
    url = f"http://127.0.0.1:{server.port}/_sim/{store.shop}/update"
    assert requests.post(url, json={"resource": "gift_cards", "count": 1}).status_code == 400

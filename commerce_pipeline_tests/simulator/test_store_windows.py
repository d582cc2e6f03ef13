"""A sync's updatedAt window is answered from the store's updatedAt index, with exactly the
records and counts the search predicate gives record by record."""

import pytest

from commerce_pipeline.simulator.paging import PageArgs
from commerce_pipeline.simulator.search import compile_search, parse_search, updated_window
from commerce_pipeline_tests.simulator import shared_store


def _record_by_record(query):
    """The same predicate without its window: the store checks each record with it."""
    predicate = compile_search(query)
    return lambda node: predicate(node)


def _ids(store, query, sort="ID", predicate=None):
    match = predicate or compile_search(query)
    page = store.page("orders", sort, PageArgs(first=None), match)
    return [item["id"] for item in page.items], page.keys


def _bounds(store):
    stamps = sorted(o["updatedAt"] for o in store.records("orders", keep=False))
    return stamps[len(stamps) // 4], stamps[3 * len(stamps) // 4]  # values records hold


@pytest.mark.parametrize("low_op,high_op", [(">", "<="), (">=", "<"), (">", "<"), (">=", "<=")])
@pytest.mark.parametrize("sort", ["ID", "UPDATED_AT"])
def test_a_window_from_the_index_pages_the_records_the_predicate_accepts(low_op, high_op, sort):
    store = shared_store(60, seed=5)
    low, high = _bounds(store)
    query = f"updated_at:{low_op}'{low}' AND updated_at:{high_op}'{high}'"
    assert compile_search(query).updated_window is not None
    assert _ids(store, query, sort) == _ids(store, query, sort, _record_by_record(query))


def test_a_window_from_the_index_counts_what_the_predicate_counts():
    store = shared_store(60, seed=5)
    low, high = _bounds(store)
    query = f"updated_at:>'{low}' AND updated_at:<='{high}'"
    assert store.count("orders", compile_search(query)) == store.count(
        "orders", _record_by_record(query)) > 0


def test_a_record_handed_out_and_changed_in_place_is_matched_as_it_is_now():
    store = shared_store(20, seed=6)  # its own size: this test changes a record
    order = store.records("orders")[0]  # handed out: the store serves this dict from now on
    order["updatedAt"] = "2099-01-01T00:00:00Z"
    ids, _ = _ids(store, "updated_at:>'2098-12-31T00:00:00Z'")
    assert ids == [order["id"]]


def test_an_update_stamped_in_another_form_is_matched_as_an_instant():
    store = shared_store(21, seed=6)
    [num] = store.update_records("orders", 1, now="2099-01-01T01:00:00+01:00")  # 00:00 UTC
    ids, _ = _ids(store, "updated_at:>='2099-01-01T00:00:00Z'")
    assert ids == [f"gid://shopify/Order/{num}"]


def test_a_window_of_updated_at_bounds_is_read_from_the_query():
    query = "updated_at:>'2025-01-01T00:00:00Z' AND updated_at:<='2025-02-01T00:00:00Z'"
    assert updated_window(parse_search(query)) == (
        "2025-01-01T00:00:00Z", False, "2025-02-01T00:00:00Z", True)


def test_the_tighter_of_two_bounds_on_one_side_wins():
    query = "updated_at:>='2025-01-02T00:00:00Z' updated_at:>'2025-01-02T00:00:00Z'"
    assert updated_window(parse_search(query)) == ("2025-01-02T00:00:00Z", False, None, False)


@pytest.mark.parametrize("query", [
    "created_at:>'2025-01-01T00:00:00Z'",  # another field
    "-updated_at:>'2025-01-01T00:00:00Z'",  # negated
    "updated_at:'2025-01-01T00:00:00Z'",  # equality
    "updated_at:>2025-01-01",  # a date only
    "updated_at:>'2025-01-01T00:00:00+01:00'",  # not canonical
    "updated_at:>'2025-01-01T00:00:00Z' AND id:>5",  # another filter
    "status:open",  # nothing it filters on
])
def test_other_searches_have_no_window(query):
    assert updated_window(parse_search(query)) is None

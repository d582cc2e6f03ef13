import pytest

from commerce_pipeline.simulator.search import (
    Term, canonical, compile_search, parse_search, stored_instant, tokenize,
)

EARLY = {"id": "gid://shopify/Order/10", "createdAt": "2024-12-31T10:00:00Z",
         "updatedAt": "2025-01-01T00:00:00Z"}
LATE = {"id": "gid://shopify/Order/20", "createdAt": "2025-01-01T10:00:00Z",
        "updatedAt": "2025-03-01T12:00:00Z"}


def matching(query, nodes=(EARLY, LATE)):
    check = compile_search(query)
    return [n["id"].rsplit("/", 1)[1] for n in nodes if check is None or check(n)]


def test_tokenize_keeps_quoted_spaces_together():
    assert tokenize("created_at:'2025-01-01 10:00:00' AND x:1") == [
        "created_at:'2025-01-01 10:00:00'", "AND", "x:1"]


def test_parse_reads_comparators_and_strips_quotes():
    assert parse_search("updated_at:>'2025-01-01T00:00:00Z' AND updated_at:<=2025-02-01") == [
        Term("updated_at", ">", "2025-01-01T00:00:00Z"),
        Term("updated_at", "<=", "2025-02-01"),
    ]


def test_greater_than_is_exclusive():
    assert matching("updated_at:>'2025-01-01T00:00:00Z'") == ["20"]


def test_greater_or_equal_is_inclusive():
    assert matching("updated_at:>='2025-01-01T00:00:00Z'") == ["10", "20"]


def test_less_than_and_less_or_equal():
    assert matching("updated_at:<'2025-03-01T12:00:00Z'") == ["10"]
    assert matching("updated_at:<='2025-03-01T12:00:00Z'") == ["10", "20"]


def test_window_joined_by_and_keeps_both_bounds():
    window = "updated_at:>'2025-01-01T00:00:00Z' AND updated_at:<='2025-02-01T00:00:00Z'"
    assert matching(window) == []


def test_whitespace_is_an_implicit_and():
    assert matching("created_at:>2024-12-31T12:00:00Z updated_at:<2025-04-01") == ["20"]


def test_colon_with_a_date_matches_the_whole_day():
    assert matching("created_at:2025-01-01") == ["20"]


def test_colon_with_a_timestamp_is_equality():
    assert matching('updated_at:"2025-01-01T00:00:00Z"') == ["10"]


def test_created_at_is_filtered_like_updated_at():
    assert matching("created_at:<'2025-01-01T00:00:00Z'") == ["10"]


def test_timezone_offsets_are_compared_as_instants():
    assert matching("updated_at:>'2025-03-01T13:00:00+02:00'") == ["20"]


def test_a_stored_timestamp_without_an_offset_is_read_as_utc():
    naive = {"id": "gid://shopify/Order/30", "createdAt": "2025-01-01T10:00:00",
             "updatedAt": "2025-02-01T09:30:00"}
    assert matching("updated_at:>'2025-02-01T09:00:00Z'", (EARLY, naive, LATE)) == ["30", "20"]
    assert matching("updated_at:<'2025-02-01T10:30:00+01:00'", (naive,)) == []


def test_unknown_fields_and_free_text_are_ignored():
    assert compile_search("status:open vendor:'Acme' hello") is None
    assert matching("status:open AND updated_at:>2025-02-01") == ["20"]


def test_empty_query_filters_nothing():
    assert compile_search(None) is None
    assert compile_search("   ") is None


def test_negated_term_inverts_it():
    assert matching("-updated_at:>2025-02-01") == ["10"]


def test_id_comparison():
    assert matching("id:>15") == ["20"]


def test_unparseable_date_matches_nothing():
    assert matching("updated_at:>yesterday") == []


STORED = ["2025-01-01T00:00:00Z", "2024-12-31T23:59:59Z", "2025-01-01T02:00:00+02:00",
          "2025-01-01 00:00:00", "2025-01-01T00:00:00.5Z", "2025-01-01T00:00:01z",
          "2025-02-28T23:59:59Z", "2025-12-31T23:59:59Z", None]


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", ""])
def test_canonical_bounds_compare_stored_texts_as_the_instants_they_name(op):
    bound = "2025-01-01T00:00:00Z"
    check = compile_search(f"updated_at:{op}'{bound}'")
    compare = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
               ">=": lambda a, b: a >= b, "": lambda a, b: a == b}[op]
    for raw in STORED:
        expected = raw is not None and compare(stored_instant(raw), stored_instant(bound))
        assert check({"updatedAt": raw}) == expected, raw


def test_a_stored_text_shaped_like_an_instant_but_no_date_is_refused_as_before():
    assert canonical("2025-01-01T00:00:00Z") and not canonical("2025-02-30T00:00:00Z")
    assert not canonical("2025-01-01T24:00:00Z") and not canonical("２025-01-01T00:00:00Z")
    check = compile_search("updated_at:>'2025-01-01T00:00:00Z'")
    with pytest.raises(ValueError):
        check({"updatedAt": "2025-02-30T00:00:00Z"})

import pytest

from commerce_pipeline.simulator.paging import (
    CursorError,
    PageArgs,
    check_page_size,
    decode_cursor,
    encode_cursor,
    page_list,
    page_sorted,
)

KEYS = [(f"2025-01-0{i % 9 + 1}", i) for i in range(20)]
KEYS.sort()
ITEMS = {k: f"item-{k[1]}" for k in KEYS}


def page(args, match=None):
    return page_sorted(KEYS, lambda pos: ITEMS[KEYS[pos]], args, match)


def test_cursor_round_trips_sort_values():
    cursor = encode_cursor("UPDATED_AT", ("2025-01-01T00:00:00Z", 7))
    assert decode_cursor("UPDATED_AT", cursor) == ("2025-01-01T00:00:00Z", 7)


def test_cursor_of_another_sort_key_is_rejected():
    with pytest.raises(CursorError):
        decode_cursor("ID", encode_cursor("UPDATED_AT", ("x", 1)))


def test_garbage_cursor_is_rejected():
    with pytest.raises(CursorError):
        decode_cursor("ID", "not a cursor!")


def test_first_page_reports_next_page():
    got = page(PageArgs(first=5))
    assert got.keys == KEYS[:5]
    assert got.has_next and not got.has_previous


def test_after_starts_right_after_the_cursor_values():
    got = page(PageArgs(first=5, after=KEYS[4]))
    assert got.keys == KEYS[5:10]
    assert got.has_previous


def test_last_page_has_no_next_page():
    got = page(PageArgs(first=50, after=KEYS[14]))
    assert got.keys == KEYS[15:] and not got.has_next


def test_after_a_key_that_no_longer_exists_still_continues_in_order():
    # The record at the cursor changed (moved away): paging resumes at the next sort value.
    got = page(PageArgs(first=3, after=(KEYS[4][0], KEYS[4][1] + 1000)))
    assert got.keys[0] > KEYS[4]


def test_reverse_walks_backwards():
    got = page(PageArgs(first=3, reverse=True))
    assert got.keys == KEYS[::-1][:3]
    following = page(PageArgs(first=3, after=got.keys[-1], reverse=True))
    assert following.keys == KEYS[::-1][3:6]


def test_last_before_returns_the_items_just_before():
    got = page(PageArgs(last=3, before=KEYS[10]))
    assert got.keys == KEYS[7:10]
    assert got.has_previous and got.has_next


def test_match_filters_and_still_fills_the_page():
    got = page(PageArgs(first=4), match=lambda item: int(item.split("-")[1]) % 2 == 0)
    assert len(got.items) == 4
    assert all(int(i.split("-")[1]) % 2 == 0 for i in got.items)


def test_unlimited_page_returns_everything():
    assert len(page(PageArgs()).items) == len(KEYS)


def test_page_list_pages_a_plain_list_by_position():
    items = list(range(7))
    first = page_list(items, PageArgs(first=3))
    rest = page_list(items, PageArgs(first=10, after=first.keys[-1]))
    assert first.items + rest.items == items


def test_page_size_rules():
    with pytest.raises(ValueError, match="first or last"):
        check_page_size(None, None, required=True)
    with pytest.raises(ValueError, match="250"):
        check_page_size(251, None, required=True)
    check_page_size(None, None, required=False)
    check_page_size(250, None, required=True)

"""Pure pieces of the client and source: bucket arithmetic, search windows, bulk JSONL."""

import itertools
import json
from datetime import datetime, timezone

import pytest

from commerce_pipeline.ingest.shopify.bulk import next_poll_interval, reassemble
from commerce_pipeline.ingest.shopify.client import BucketState, RetryPolicy, _json
from commerce_pipeline.ingest.shopify.pages import search_filter
from commerce_pipeline.ingest.shopify.source import shopify_timestamp


def test_bucket_waits_for_missing_points_at_restore_rate():
    bucket = BucketState()
    bucket.update({"maximumAvailable": 1000, "currentlyAvailable": 100, "restoreRate": 50}, now=10.0)
    assert bucket.wait_for(300, now=10.0) == pytest.approx(4.0)


def test_bucket_restores_with_time_up_to_its_maximum():
    bucket = BucketState()
    bucket.update({"maximumAvailable": 1000, "currentlyAvailable": 900, "restoreRate": 50}, now=0.0)
    assert bucket.estimated_available(now=100.0) == 1000
    assert bucket.wait_for(950, now=1.0) == 0.0


def test_cost_above_bucket_size_waits_only_for_a_full_bucket():
    bucket = BucketState()
    bucket.update({"maximumAvailable": 100, "currentlyAvailable": 0, "restoreRate": 10}, now=0.0)
    assert bucket.wait_for(5000, now=0.0) == pytest.approx(10.0)


def test_backoff_doubles_and_is_capped():
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]


def test_search_window_is_open_below_and_closed_above():
    assert search_filter("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z") == (
        "updated_at:>'2025-01-01T00:00:00Z' AND updated_at:<='2025-02-01T00:00:00Z'"
    )


def test_first_sync_window_has_only_an_upper_bound():
    assert search_filter(None, "2025-02-01T00:00:00Z") == "updated_at:<='2025-02-01T00:00:00Z'"


def test_shopify_timestamp_accepts_restored_string_cursor():
    assert shopify_timestamp("2025-03-04T05:06:07+02:00") == "2025-03-04T03:06:07Z"
    assert shopify_timestamp(datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)) == "2025-01-02T03:04:05Z"


def _lines(*objs):
    return [json.dumps(o) for o in objs]


def test_bulk_children_are_reattached_to_their_parent_connection():
    nodes = list(
        reassemble(
            _lines(
                {"id": "gid://shopify/Order/1"},
                {"id": "gid://shopify/LineItem/11", "__parentId": "gid://shopify/Order/1"},
                {"id": "gid://shopify/LineItem/12", "__parentId": "gid://shopify/Order/1"},
                {"id": "gid://shopify/Order/2"},
            )
        )
    )
    assert [n["id"] for n in nodes] == ["gid://shopify/Order/1", "gid://shopify/Order/2"]
    assert [li["id"] for li in nodes[0]["lineItems"]] == ["gid://shopify/LineItem/11", "gid://shopify/LineItem/12"]
    assert "lineItems" not in nodes[1]


def test_bulk_child_out_of_order_is_an_error():
    with pytest.raises(ValueError, match="does not follow its parent"):
        list(
            reassemble(
                _lines(
                    {"id": "gid://shopify/Order/1"},
                    {"id": "gid://shopify/LineItem/11", "__parentId": "gid://shopify/Order/9"},
                )
            )
        )


def test_reassemble_reads_utf8_bytes_lines_like_text_lines():
    lines = _lines({"id": "gid://shopify/Product/1", "title": "Caf\u00e9"},
                   {"id": "gid://shopify/ProductVariant/2", "__parentId": "gid://shopify/Product/1"})
    assert list(reassemble(line.encode() + b"\n" for line in lines)) == list(reassemble(lines))


@pytest.mark.parametrize("line,key,expected", [
    (b'{"id": "gid://shopify/Order/1", "n": 123456789012345678901234}', "n", 123456789012345678901234),
    (b'{"id": "gid://shopify/Order/1", "n": -9223372036854775809}', "n", -9223372036854775809),
    (b'{"id": "gid://shopify/Order/1", "x": 1e400}', "x", float("inf")),
])
def test_reassemble_reads_values_as_the_json_module_does(line, key, expected):
    (node,) = reassemble([line])
    assert node[key] == expected and type(node[key]) is type(expected)


def test_next_poll_interval_grows_but_stays_within_a_quarter_of_the_wait():
    intervals, waited, interval = [], 0.0, 1.0
    while waited < 60:
        intervals.append(interval)
        waited += interval
        interval = next_poll_interval(interval, waited, maximum=10.0)
    assert intervals[:5] == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert all(b >= a for a, b in itertools.pairwise(intervals))
    assert all(i <= max(1.0, (sum(intervals[:n]) / 4)) for n, i in enumerate(intervals) if n)
    assert next_poll_interval(8.0, 1000.0, maximum=10.0) == 10.0


class _Response:
    def __init__(self, content: bytes):
        self.content = content

    def json(self):
        return json.loads(self.content)


def test_client_json_reads_what_only_the_json_module_reads():
    assert _json(_Response(b'{"data": {"n": 1}}')) == {"data": {"n": 1}}
    assert _json(_Response(b'{"n": 123456789012345678901234}')) == {"n": 123456789012345678901234}
    with pytest.raises(ValueError):
        _json(_Response(b'{"data": {"n": 1'))

"""Reading a bulk export file in blocks, and the garbage-collector pacing while a sync reads."""

import gc
import io
import json
import threading

import pytest

from commerce_pipeline.ingest.shopify.bulk import parse_jsonl, parse_lines
from commerce_pipeline.ingest.shopify.gc_pacing import YOUNG_THRESHOLD, fewer_collections

LINES = [
    b'{"id": "gid://shopify/Order/1", "title": "Caf\xc3\xa9"}',
    b"",
    b'{"id": "gid://shopify/LineItem/11", "__parentId": "gid://shopify/Order/1", "q": 2}',
    b'{"id": "gid://shopify/Order/2", "x": 1e400}',
    b'{"id": "gid://shopify/Order/3", "n": 123456789012345678901234}',
]


@pytest.mark.parametrize("block_size", [1, 7, 60, 1 << 20])
def test_parse_jsonl_reads_every_line_as_parse_lines_does_wherever_a_block_ends(block_size):
    data = b"\n".join(LINES) + b"\n"
    expected = list(parse_lines(io.BytesIO(data)))
    assert list(parse_jsonl(io.BytesIO(data), block_size)) == expected
    assert len(expected) == 4


def test_parse_jsonl_reads_long_integers_and_infinities_as_the_json_module_does():
    values = list(parse_jsonl(io.BytesIO(b"\n".join(LINES[3:]))))
    assert values == [json.loads(line) for line in LINES[3:]]
    assert type(values[1]["n"]) is int


def test_parse_jsonl_reads_a_last_line_without_newline():
    assert list(parse_jsonl(io.BytesIO(b'{"a": 1}\n{"b": 2}'), 3)) == [{"a": 1}, {"b": 2}]


def test_parse_jsonl_refuses_a_malformed_line_like_the_json_module():
    with pytest.raises(ValueError):
        list(parse_jsonl(io.BytesIO(b'{"a": 1}\n{"b": \n')))


def test_fewer_collections_raises_the_young_threshold_and_restores_the_old_ones():
    before = gc.get_threshold()
    with fewer_collections():
        young, *older = gc.get_threshold()
        assert young >= YOUNG_THRESHOLD and tuple(older) == before[1:]
    assert gc.get_threshold() == before


def test_fewer_collections_restores_only_when_the_last_reader_leaves():
    before = gc.get_threshold()
    entered, release = threading.Event(), threading.Event()

    def reader():
        with fewer_collections():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=reader)
    thread.start()
    entered.wait(5)
    with fewer_collections():
        pass
    assert gc.get_threshold()[0] >= YOUNG_THRESHOLD  # the other reader is still reading
    release.set()
    thread.join(5)
    assert gc.get_threshold() == before

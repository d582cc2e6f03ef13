"""Reading a bulk export file in blocks (the collector's pacing while a sync reads: test_gc_pacing.py)."""

import io
import json

import pytest

from commerce_pipeline.ingest.shopify.bulk import parse_jsonl, parse_lines

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


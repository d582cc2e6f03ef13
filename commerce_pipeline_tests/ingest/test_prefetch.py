"""prefetched: an iterator read ahead in a thread, items and errors in order, stoppable."""

from __future__ import annotations

import threading

import pytest

from commerce_pipeline.ingest.shopify.prefetch import prefetched


def test_prefetched_yields_every_item_in_order():
    assert list(prefetched(iter(range(100)), ahead=3)) == list(range(100))


def test_prefetched_raises_the_error_that_ended_the_iterator_after_its_items():
    def pages():
        yield 1
        yield 2
        raise RuntimeError("shop down")

    got = []
    with pytest.raises(RuntimeError, match="shop down"):
        for item in prefetched(pages()):
            got.append(item)
    assert got == [1, 2]


def test_prefetched_reads_at_most_ahead_items_beyond_the_consumer():
    produced = []
    step = threading.Event()

    def pages():
        for n in range(10):
            produced.append(n)
            if len(produced) == 4:
                step.set()
            yield n

    reader = prefetched(pages(), ahead=2)
    assert next(reader) == 0
    step.wait(timeout=5)
    # One consumed, two queued, one produced and waiting for room.
    assert len(produced) == 4
    reader.close()


def test_prefetched_closes_the_iterator_when_the_consumer_stops():
    closed = threading.Event()

    def pages():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    reader = prefetched(pages(), ahead=1)
    assert next(reader) == 0
    reader.close()
    assert closed.wait(timeout=5)

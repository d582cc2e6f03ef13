"""The collector's pacing: both modes, nesting, and holders in threads (the settings are the process's)."""

import gc
import threading
from contextlib import contextmanager

import pytest

from commerce_pipeline.gc_pacing import YOUNG_THRESHOLD, collector_paused, fewer_collections


@pytest.fixture(autouse=True)
def restored_collector():
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.set_threshold(*thresholds)
    (gc.enable if enabled else gc.disable)()


@contextmanager
def held_in_thread(mode):
    """`mode` entered in another thread, held until the block ends."""
    entered, release = threading.Event(), threading.Event()

    def holder():
        with mode():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    assert entered.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join(5)


def test_fewer_collections_raises_the_young_threshold_and_restores_the_old_ones():
    before = gc.get_threshold()
    with fewer_collections():
        young, *older = gc.get_threshold()
        assert young >= YOUNG_THRESHOLD and tuple(older) == before[1:]
        assert gc.isenabled()
    assert gc.get_threshold() == before


def test_collector_paused_disables_collection_and_enables_it_again():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_paused_leaves_a_collector_that_was_off_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_settings_come_back_when_the_block_raises():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collector_paused(), fewer_collections():
        raise RuntimeError
    assert gc.isenabled() and gc.get_threshold() == before


def test_fewer_collections_restores_only_when_the_last_reader_leaves():
    before = gc.get_threshold()
    with held_in_thread(fewer_collections):
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] >= YOUNG_THRESHOLD  # the other reader is still reading
    assert gc.get_threshold() == before


def test_overlapping_pauses_enable_the_collector_only_when_the_last_one_leaves():
    gc.enable()
    with held_in_thread(collector_paused):
        with collector_paused():
            pass
        assert not gc.isenabled()  # the other resolve is still running
    assert gc.isenabled()


def test_a_pause_ending_inside_fewer_collections_keeps_the_raised_threshold():
    before = gc.get_threshold()
    with held_in_thread(fewer_collections):
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() and gc.get_threshold()[0] >= YOUNG_THRESHOLD
    assert gc.isenabled() and gc.get_threshold() == before


def test_fewer_collections_ending_inside_a_pause_keeps_the_collector_off_at_its_threshold():
    before = gc.get_threshold()
    with held_in_thread(collector_paused):
        with fewer_collections():
            assert not gc.isenabled()
        assert not gc.isenabled() and gc.get_threshold() == before
    assert gc.isenabled()

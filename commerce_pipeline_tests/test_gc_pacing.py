"""The collector's pause: nesting, failures, and holders in threads (the setting is the process's)."""

import gc
import threading
from contextlib import contextmanager

import pytest

from commerce_pipeline.gc_pacing import collector_paused


@pytest.fixture(autouse=True)
def restored_collector():
    enabled = gc.isenabled()
    yield
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


def test_the_collector_comes_back_when_the_block_raises():
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_nested_pauses_enable_the_collector_only_when_the_outer_one_leaves():
    gc.enable()
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_pauses_enable_the_collector_only_when_the_last_one_leaves():
    gc.enable()
    with held_in_thread(collector_paused):
        with collector_paused():
            pass
        assert not gc.isenabled()  # the other holder (a resolve, a resource's read) still runs
    assert gc.isenabled()

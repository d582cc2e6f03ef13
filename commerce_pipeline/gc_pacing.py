"""Process-wide pacing of CPython's cyclic garbage collector, for work that makes many
short-lived, acyclic objects (freed by reference counting, so the collector's passes find
nothing while walking every object the process holds).

Two modes:
- `fewer_collections()`: the youngest generation's threshold raised (a sync reading bulk
  records: a dict per JSON object; 20-25% of a bulk sync's CPU at 5,000 customers went to
  collections);
- `collector_paused()`: no cyclic collection at all (identity resolution: a few hundred
  thousand ids and event rows, no cycles worth collecting meanwhile).

The collector's settings belong to the process while these run in threads (resources read in
parallel, resolves may overlap), so one lock and one count of holders: the settings in force
before the first holder entered are saved once and come back when the last one leaves; in
between they follow the strongest mode still held (paused over fewer collections).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

YOUNG_THRESHOLD = 10_000  # CPython's default is 700
FEWER, PAUSED = "fewer", "paused"

_lock = threading.Lock()
_held = {FEWER: 0, PAUSED: 0}  # holders per mode; their sum is the one count that restores
_saved: tuple[tuple[int, ...], bool] | None = None  # (thresholds, enabled) before the first


def _apply() -> None:
    """Set the collector for the modes held now, from the saved settings."""
    thresholds, enabled = _saved
    young, *older = thresholds
    if _held[FEWER]:
        young = max(young, YOUNG_THRESHOLD)
    gc.set_threshold(young, *older)
    if enabled and not _held[PAUSED]:
        gc.enable()
    else:
        gc.disable()


@contextlib.contextmanager
def _holding(mode: str) -> Iterator[None]:
    global _saved
    with _lock:
        if not any(_held.values()):
            _saved = (gc.get_threshold(), gc.isenabled())
        _held[mode] += 1
        _apply()
    try:
        yield
    finally:
        with _lock:
            _held[mode] -= 1
            if any(_held.values()):
                _apply()
            else:
                thresholds, enabled = _saved
                gc.set_threshold(*thresholds)
                (gc.enable if enabled else gc.disable)()
                _saved = None


def fewer_collections() -> contextlib.AbstractContextManager[None]:
    """The young generation's threshold raised for the duration (nestable, thread-safe)."""
    return _holding(FEWER)


def collector_paused() -> contextlib.AbstractContextManager[None]:
    """No cyclic collection for the duration (nestable, thread-safe)."""
    return _holding(PAUSED)

"""Per-store request statistics, for tests and benchmarks to assert on."""

from __future__ import annotations

import copy
import threading
from collections import Counter


class StoreStats:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._data = {
                "requests": 0,
                "status_codes": Counter(),  # "200" -> n
                "throttled": 0,  # THROTTLED answers, real and injected
                "max_cost_exceeded": 0,
                "faults_injected": 0,
                "faults_served": Counter(),  # kind -> n
                "min_available": None,  # lowest bucket level right after a deduction
                "nodes": {"top": Counter(), "nested": Counter(), "bulk": Counter()},
                "searches": [],  # every `query:` search string received, in order
                "bulk_operations": 0,
            }

    def request(self) -> None:
        with self._lock:
            self._data["requests"] += 1

    def status(self, code: int) -> None:
        with self._lock:
            self._data["status_codes"][str(code)] += 1

    def add(self, key: str, amount: int = 1) -> None:
        with self._lock:
            self._data[key] += amount

    def fault_served(self, kind: str) -> None:
        with self._lock:
            self._data["faults_served"][kind] += 1

    def available_after_deduction(self, level: float) -> None:
        with self._lock:
            low = self._data["min_available"]
            self._data["min_available"] = level if low is None else min(low, level)

    def nodes(self, group: str, counts: dict) -> None:
        with self._lock:
            self._data["nodes"][group].update({k: v for k, v in counts.items() if v})

    def searches(self, queries: list[str]) -> None:
        with self._lock:
            self._data["searches"].extend(queries)

    def snapshot(self) -> dict:
        """A JSON-ready copy (counters as plain dicts)."""
        with self._lock:
            data = copy.deepcopy(self._data)
        data["status_codes"] = dict(data["status_codes"])
        data["faults_served"] = dict(data["faults_served"])
        data["nodes"] = {group: dict(counts) for group, counts in data["nodes"].items()}
        return data

"""Injected faults: the next N GraphQL requests of a store fail in a chosen way.

Kinds: "429" (rate limited, with a fractional Retry-After), "throttled" (a
THROTTLED answer even with budget), "5xx" (500, 502, 503 in turn), "slow" (sleep
`seconds`, then answer), "truncated" (the JSON body cut in half) and
"bulk_failed" (the next bulk operation ends FAILED; it does not touch requests).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field

KINDS = ("429", "throttled", "5xx", "slow", "truncated", "bulk_failed")
RATE_LIMITED_MESSAGE = (
    "Exceeded 2 calls per second for api client. "
    "Reduce request rates to resume uninterrupted service."
)
SERVER_ERRORS = (500, 502, 503)
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass(frozen=True)
class Fault:
    kind: str
    params: dict = field(default_factory=dict)


class FaultQueue:
    def __init__(self):
        self._lock = threading.Lock()
        self._pending: deque[Fault] = deque()
        self._server_errors = 0  # which of 500/502/503 comes next

    def inject(self, kind: str, count: int = 1, **params) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose one of {', '.join(KINDS)}")
        if kind == "slow" and "seconds" not in params:
            raise ValueError("a 'slow' fault needs seconds=")
        with self._lock:
            self._pending.extend(Fault(kind, dict(params)) for _ in range(max(int(count), 0)))

    def take(self) -> Fault | None:
        with self._lock:
            return self._pending.popleft() if self._pending else None

    def next_server_error(self) -> int:
        with self._lock:
            status = SERVER_ERRORS[self._server_errors % len(SERVER_ERRORS)]
            self._server_errors += 1
            return status

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)


def rate_limited(fault: Fault) -> tuple[int, dict, bytes]:
    retry_after = str(fault.params.get("retry_after", "1.0"))
    body = json.dumps({"errors": RATE_LIMITED_MESSAGE}).encode()
    return 429, {"Retry-After": retry_after}, body


def server_error(status: int) -> tuple[int, dict, bytes]:
    body = json.dumps({"errors": f"{status} {_REASONS[status]}"}).encode()
    return status, {}, body


def truncate(body: bytes) -> bytes:
    """Half the body: what a dropped connection mid-response leaves the client with."""
    return body[: len(body) // 2]

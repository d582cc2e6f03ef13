"""A throttle-aware client for Shopify's GraphQL Admin API.

Pacing: every response reports the leaky bucket (`extensions.cost.throttleStatus`);
before each request the client waits until the bucket has restored enough for the
query's cost, so in normal operation it is never throttled.
Retries: `THROTTLED` (which arrives with HTTP 200), HTTP 429 (honouring a
fractional `Retry-After`, which dlt's retrying session cannot parse), 5xx,
timeouts, dropped connections and truncated bodies. Anything that outlasts the
retries raises `ShopifyAPIError` naming the tenant, the operation and the cause.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import orjson
import requests

from commerce_pipeline.ingest.shopify.cost import estimate_query_cost

MAX_QUERY_COST = 1000  # Shopify refuses a single query above this, whatever the bucket


class ShopifyAPIError(RuntimeError):
    def __init__(self, tenant_id: str, operation: str, cause: str):
        self.tenant_id, self.operation, self.cause = tenant_id, operation, cause
        super().__init__(f"Shopify API failed for tenant '{tenant_id}' ({operation}): {cause}")


class _Retryable(Exception):
    def __init__(self, cause: str, wait: float | None = None):
        super().__init__(cause)
        self.cause, self.wait = cause, wait


@dataclass(frozen=True)
class ShopifyConnection:
    tenant_id: str
    graphql_url: str
    access_token: str = field(repr=False)
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6  # per request, for errors (429, 5xx, network, truncated body)
    max_throttle_waits: int = 30  # THROTTLED answers are waited out, but not forever
    backoff_base: float = 0.5
    backoff_max: float = 30.0

    def backoff(self, attempt: int) -> float:
        return min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))


@dataclass
class BucketState:
    """The client's view of the shop's leaky bucket, advanced by the clock between responses."""

    maximum: float = 1000.0
    available: float = 1000.0
    restore_rate: float = 50.0
    observed_at: float | None = None

    def update(self, throttle_status: Mapping[str, Any], now: float) -> None:
        self.maximum = float(throttle_status.get("maximumAvailable", self.maximum))
        self.available = float(throttle_status.get("currentlyAvailable", self.available))
        self.restore_rate = float(throttle_status.get("restoreRate", self.restore_rate)) or 1.0
        self.observed_at = now

    def estimated_available(self, now: float) -> float:
        if self.observed_at is None:
            return self.available
        return min(self.maximum, self.available + (now - self.observed_at) * self.restore_rate)

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds to wait before `cost` points are available."""
        missing = min(cost, self.maximum) - self.estimated_available(now)
        return max(0.0, missing / self.restore_rate)


@dataclass
class ClientStats:
    requests: int = 0
    throttled: int = 0
    retries: dict[str, int] = field(default_factory=dict)
    paced_seconds: float = 0.0

    def count_retry(self, cause: str) -> None:
        key = cause.split(":")[0]
        self.retries[key] = self.retries.get(key, 0) + 1


class ShopifyGraphQLClient:
    def __init__(
        self,
        connection: ShopifyConnection,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.connection = connection
        self.policy = policy or RetryPolicy()
        self.session = session or requests.Session()
        self.sleep, self.clock = sleep, clock
        self.bucket = BucketState()
        self.stats = ClientStats()
        self._learned_cost: dict[str, float] = {}
        # A source's resources fetch in parallel threads; the shop still sees one request at a
        # time, paced and retried as one sequence, as it would from a single thread.
        self._lock = threading.RLock()

    # -- public -------------------------------------------------------------------------------
    def execute(self, query: str, variables: Mapping[str, Any] | None = None, *, operation: str):
        """Run one query and return its `data`, pacing and retrying as needed."""
        with self._lock:
            return self._execute(query, variables, operation)

    def _execute(self, query: str, variables: Mapping[str, Any] | None, operation: str):
        variables = dict(variables or {})
        cost_key = query + json.dumps(variables.get("first"))
        cost = max(estimate_query_cost(query, variables), self._learned_cost.get(cost_key, 0))
        attempts = throttle_waits = 0
        while True:
            self._pace(cost)
            try:
                body = self._post(query, variables)
                return self._data(body, cost_key, operation)
            except _Retryable as exc:
                if exc.cause.startswith("THROTTLED"):
                    throttle_waits += 1
                    self.stats.throttled += 1
                    if throttle_waits > self.policy.max_throttle_waits:
                        raise self._error(operation, f"still throttled after {throttle_waits - 1} waits")
                    wait = self.bucket.wait_for(cost, self.clock())
                else:
                    attempts += 1
                    if attempts >= self.policy.max_attempts:
                        raise self._error(operation, f"{exc.cause} (gave up after {attempts} attempts)")
                    wait = exc.wait if exc.wait is not None else self.policy.backoff(attempts)
                self.stats.count_retry(exc.cause)
                self.sleep(max(wait, 0.0))

    def page_size(self, query: str, maximum: int, budget: float | None = None) -> int:
        """Largest `first` whose estimated cost fits one request's budget."""
        budget = min(MAX_QUERY_COST, budget or self.bucket.maximum)
        one = estimate_query_cost(query, {"first": 1})
        per_node = max(1, estimate_query_cost(query, {"first": 2}) - one)
        return max(1, min(maximum, int((budget - (one - per_node)) // per_node)))

    # -- internals ----------------------------------------------------------------------------
    def _pace(self, cost: float) -> None:
        wait = self.bucket.wait_for(cost, self.clock())
        if wait > 0:
            self.stats.paced_seconds += wait
            self.sleep(wait)

    def _post(self, query: str, variables: Mapping[str, Any]) -> dict:
        self.stats.requests += 1
        try:
            response = self.session.post(
                self.connection.graphql_url,
                json={"query": query, "variables": variables},
                headers={
                    "X-Shopify-Access-Token": self.connection.access_token,
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
                timeout=self.connection.timeout_seconds,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise _Retryable(f"network: {type(exc).__name__}") from exc
        status = response.status_code
        if status == 429:
            raise _Retryable("HTTP 429 Too Many Requests", _retry_after(response))
        if status >= 500:
            raise _Retryable(f"HTTP {status}: {response.text[:200]}")
        if status in (401, 403):
            raise self._error("authentication", f"HTTP {status}: check the access token and its scopes")
        if status != 200:
            raise self._error("request", f"HTTP {status}: {response.text[:300]}")
        try:
            return _json(response)
        except ValueError as exc:  # truncated or garbled body: the request itself may be fine
            raise _Retryable(f"invalid JSON body ({len(response.content)} bytes)") from exc

    def _data(self, body: dict, cost_key: str, operation: str) -> dict:
        cost = (body.get("extensions") or {}).get("cost") or {}
        if cost.get("throttleStatus"):
            self.bucket.update(cost["throttleStatus"], self.clock())
        if cost.get("requestedQueryCost"):
            self._learned_cost[cost_key] = float(cost["requestedQueryCost"])
        errors = body.get("errors")
        if errors:
            codes = {((e or {}).get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)}
            if "THROTTLED" in codes:
                raise _Retryable("THROTTLED")
            messages = "; ".join(
                str(e.get("message", e)) if isinstance(e, dict) else str(e)
                for e in (errors if isinstance(errors, list) else [errors])
            )
            raise self._error(operation, f"GraphQL error: {messages}")
        if not isinstance(body.get("data"), dict):
            raise _Retryable("response without data")
        return body["data"]

    def _error(self, operation: str, cause: str) -> ShopifyAPIError:
        return ShopifyAPIError(self.connection.tenant_id, operation, cause)


# orjson reads integers past 64 bits as floats where the json module keeps them exact; any run
# of 19 digits (inside a string or not) sends the document to the json module. For bytes the
# run is found by mapping every digit to 0, much faster than a regex.
_DIGITS_TO_ZERO, _NINETEEN_ZEROS = bytes.maketrans(b"0123456789", b"0" * 10), b"0" * 19
_LONG_DIGITS_TEXT = re.compile(r"[0-9]{19}")


def has_long_integers(data: bytes | str) -> bool:
    """Whether `data` holds a run of 19 digits (a value orjson may read unlike json)."""
    if isinstance(data, str):
        return _LONG_DIGITS_TEXT.search(data) is not None
    return _NINETEEN_ZEROS in bytes(data).translate(_DIGITS_TO_ZERO)


def fast_loads(data: bytes | str) -> Any:
    """orjson's reading of `data` where it equals the json module's, else ValueError (orjson
    also refuses NaN, infinities, lone surrogates, a BOM and invalid UTF-8 the json module
    reads or refuses its own way: the caller falls back to that module)."""
    if has_long_integers(data):
        raise ValueError("integers past 64 bits: left to the json module")
    return orjson.loads(data)


def _json(response: requests.Response) -> Any:
    """The body as JSON, as requests' own parser reads it (fast_loads where they agree)."""
    try:
        return fast_loads(response.content)
    except ValueError:  # orjson.JSONDecodeError is a ValueError
        return response.json()


def _retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None

"""One GraphQL Admin API request, from raw body to (status, headers, body).

Order of checks, as Shopify answers: the access token; an injected fault; the
document (syntax and validation errors come back as HTTP 200 with `errors`);
the single-query cost limit; the bucket (THROTTLED, nothing deducted); then
execution, charging the requested cost up front and refunding what the actual
cost did not use. Every GraphQL answer carries `extensions.cost`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from graphql import GraphQLError, execute_sync

from commerce_pipeline.simulator.faults import FaultQueue, rate_limited, server_error, truncate
from commerce_pipeline.simulator.schema import SCHEMA, RequestContext, prepare
from commerce_pipeline.simulator.stats import StoreStats
from commerce_pipeline.simulator.store import Store
from commerce_pipeline.simulator.throttle import (
    LeakyBucket,
    actual_cost,
    cost_extension,
    max_cost_body,
    requested_cost,
    throttled_body,
)

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
Response = tuple[int, dict, bytes]


@dataclass
class ShopState:
    store: Store
    bucket: LeakyBucket
    stats: StoreStats
    faults: FaultQueue


def json_response(status: int, body, headers: dict | None = None) -> Response:
    return status, dict(headers or {}), json.dumps(body, separators=(",", ":")).encode()


def format_error(error: GraphQLError, code: str) -> dict:
    out = dict(error.formatted)
    out["extensions"] = {**(out.get("extensions") or {}), "code": code}
    return out


def handle_graphql(state: ShopState, operations, token: str | None, raw: bytes,
                   sleep: Callable[[float], None] = time.sleep) -> Response:
    state.stats.request()
    response = _handle(state, operations, token, raw, sleep)
    state.stats.status(response[0])
    return response


def _handle(state: ShopState, operations, token, raw, sleep) -> Response:
    if token != state.store.access_token:
        return json_response(401, {"errors": INVALID_TOKEN})
    fault = state.faults.take()
    if fault is not None:
        state.stats.fault_served(fault.kind)
        if fault.kind == "429":
            return rate_limited(fault)
        if fault.kind == "5xx":
            return server_error(state.faults.next_server_error())
        if fault.kind == "slow":
            sleep(float(fault.params["seconds"]))
    try:
        body = json.loads(raw or b"{}")
        query, variables = body["query"], body.get("variables") or {}
        if not isinstance(query, str) or not isinstance(variables, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return json_response(400, {"errors": {"query": "Required parameter missing or invalid"}})
    status = state.bucket.status
    document, errors = prepare(query)
    if errors:
        code = "GRAPHQL_PARSE_FAILED" if document is None else "GRAPHQL_VALIDATION_FAILED"
        return json_response(200, {"errors": [format_error(e, code) for e in errors],
                                   "extensions": cost_extension(0, 0, status())})
    name = body.get("operationName")
    requested = requested_cost(SCHEMA, document, name, variables)
    maximum = state.bucket.size
    if requested > maximum:
        state.stats.add("max_cost_exceeded")
        return json_response(200, max_cost_body(requested, maximum, status()))
    if fault is not None and fault.kind == "throttled":
        taken, left = False, None
    else:
        taken, left = state.bucket.take(requested)
    if not taken:
        state.stats.add("throttled")
        return json_response(200, throttled_body(requested, status(left)))
    state.stats.available_after_deduction(left)
    ctx = RequestContext(store=state.store, operations=operations)
    result = execute_sync(SCHEMA, document, context_value=ctx, variable_values=variables,
                          operation_name=name)
    actual, counts = actual_cost(SCHEMA, document, name, variables, result.data)
    level = state.bucket.give_back(requested - actual)
    state.stats.nodes("top", counts["top"])
    state.stats.nodes("nested", counts["nested"])
    state.stats.searches(ctx.searches)
    out = {"data": result.data}
    if result.errors:
        out["errors"] = [format_error(e, "BAD_REQUEST") for e in result.errors]
    out["extensions"] = cost_extension(requested, actual, status(level))
    code, headers, payload = json_response(200, out)
    if fault is not None and fault.kind == "truncated":
        payload = truncate(payload)
    return code, headers, payload

"""Query cost and the leaky bucket, following Shopify's documented rules.

Cost: scalars and enums 0, each object 1, a connection 2 + first x (1 + the
cost of one node's selection), a mutation 10. Fragments on different types of
an interface cost the most expensive one. The requested cost uses `first`/`last`
(literal or variable); the actual cost uses the nodes really returned, found by
walking the response data alongside the query, which also counts nodes per
connection for the stats.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLSchema, get_named_type, is_interface_type, is_object_type
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.utilities import get_operation_ast, value_from_ast_untyped

MUTATION_COST = 10
DOCS_URL = "https://shopify.dev/api/usage/rate-limits"


def _fragments(document: DocumentNode) -> dict:
    return {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}


def page_size(field: FieldNode, variables: Mapping[str, Any]) -> int:
    for arg in field.arguments or ():
        if arg.name.value in ("first", "last"):
            value = (variables.get(arg.value.name.value) if isinstance(arg.value, VariableNode)
                     else value_from_ast_untyped(arg.value, variables))
            if value is None:
                continue
            try:
                return int(value)
            except (TypeError, ValueError):
                return 0  # a bad variable fails at execution; it costs nothing here
    return 0


def _connection_parts(field: FieldNode) -> list[tuple[str, SelectionSetNode | None]]:
    """(path to the node objects, their selection) for `nodes` and `edges { node }`."""
    parts = []
    for child in field.selection_set.selections if field.selection_set else ():
        if isinstance(child, FieldNode) and child.name.value == "nodes":
            parts.append(("nodes", child))
        elif isinstance(child, FieldNode) and child.name.value == "edges" and child.selection_set:
            for sub in child.selection_set.selections:
                if isinstance(sub, FieldNode) and sub.name.value == "node":
                    parts.append(("edges", child, sub))
    return parts


class _Walker:
    """Walks a selection set against the schema; with `data`, against the response as well."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping):
        self.schema, self.variables = schema, variables
        self.fragments = _fragments(document)
        self.counts: dict[str, Counter] = {"top": Counter(), "nested": Counter()}

    def selection(self, parent, selection_set, data=None, actual=False, root=False) -> int:
        if selection_set is None:
            return 0
        direct, by_type = 0, Counter()
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                direct += self.field(parent, sel, data, actual, root)
                continue
            if isinstance(sel, FragmentSpreadNode):
                fragment = self.fragments.get(sel.name.value)
                if fragment is None:
                    continue
                condition, sub = fragment.type_condition, fragment.selection_set
            else:
                condition, sub = sel.type_condition, sel.selection_set
            target = self.schema.get_type(condition.name.value) if condition else parent
            cost = self.selection(target or parent, sub, data, actual, root)
            if target is None or target is parent:
                direct += cost
            else:
                by_type[target.name] += cost
        return direct + max(by_type.values(), default=0)

    def field(self, parent, node: FieldNode, data, actual: bool, root: bool) -> int:
        if not (is_object_type(parent) or is_interface_type(parent)):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        target = get_named_type(definition.type)
        if not (is_object_type(target) or is_interface_type(target)):
            return 0  # scalars and enums are free
        key = node.alias.value if node.alias else node.name.value
        if actual and (not isinstance(data, Mapping) or key not in data):
            return 0  # not executed (e.g. a fragment for another type)
        value = data[key] if actual else None
        if target.name.endswith("Connection"):
            return self.connection(target, node, value, actual, root)
        if not actual:
            return 1 + self.selection(target, node.selection_set)
        if isinstance(value, list):
            return 1 + max((self.selection(target, node.selection_set, v, True) for v in value),
                           default=0)
        return 1 + (self.selection(target, node.selection_set, value, True) if value else 0)

    def connection(self, target, node: FieldNode, value, actual: bool, root: bool) -> int:
        node_type = get_named_type(target.fields["nodes"].type)
        parts = _connection_parts(node)
        if not actual:
            per_node = sum(self.selection(node_type, p[-1].selection_set) for p in parts)
            return 2 + page_size(node, self.variables) * (1 + per_node)
        if not value:
            return 2
        cost, seen = 2, 0
        for part in parts:
            response_key = part[1].alias.value if part[1].alias else part[1].name.value
            items = value.get(response_key) or []
            if part[0] == "edges":
                inner = part[2].alias.value if part[2].alias else part[2].name.value
                items = [edge.get(inner) for edge in items]
            seen = max(seen, len(items))
            cost += sum(self.selection(node_type, part[-1].selection_set, item, True)
                        for item in items)
        self.counts["top" if root else "nested"][node.name.value] += seen
        return cost + seen


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    return get_operation_ast(document, name)


def requested_cost(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None = None,
                   variables: Mapping[str, Any] | None = None) -> int:
    op = _operation(document, operation_name)
    if op is None:
        return 0
    if op.operation.value == "mutation":
        return MUTATION_COST
    walker = _Walker(schema, document, variables or {})
    return walker.selection(schema.query_type, op.selection_set, root=True)


def actual_cost(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                variables: Mapping[str, Any] | None, data: Mapping | None) -> tuple[int, dict]:
    """(actual cost, {"top"|"nested": {connection: nodes returned}})."""
    op = _operation(document, operation_name)
    walker = _Walker(schema, document, variables or {})
    if op is None or data is None:
        return 0, walker.counts
    if op.operation.value == "mutation":
        return MUTATION_COST, walker.counts
    cost = walker.selection(schema.query_type, op.selection_set, data, actual=True, root=True)
    return cost, walker.counts


class LeakyBucket:
    """Shopify's per-shop bucket: `size` points, restoring `restore_rate` per second."""

    def __init__(self, size: float, restore_rate: float,
                 clock: Callable[[], float] = time.monotonic):
        self.size, self.restore_rate, self.clock = float(size), float(restore_rate), clock
        self._level, self._at = float(size), clock()
        self._lock = threading.Lock()

    def _refill(self) -> float:
        now = self.clock()
        self._level = min(self.size, self._level + (now - self._at) * self.restore_rate)
        self._at = now
        return self._level

    def available(self) -> float:
        with self._lock:
            return self._refill()

    def take(self, cost: float) -> tuple[bool, float]:
        """Deduct `cost` if it is available: (whether it was, points left)."""
        with self._lock:
            level = self._refill()
            if cost > level:
                return False, level
            self._level = level - cost
            return True, self._level

    def give_back(self, points: float) -> float:
        with self._lock:
            self._level = min(self.size, self._refill() + max(points, 0.0))
            return self._level

    def status(self, available: float | None = None) -> dict:
        level = self.available() if available is None else available
        return {"maximumAvailable": self.size, "currentlyAvailable": int(level),
                "restoreRate": self.restore_rate}


def cost_extension(requested: int, actual: int | None, status: dict) -> dict:
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                     "throttleStatus": status}}


def throttled_body(requested: int, status: dict) -> dict:
    return {"errors": [{"message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": DOCS_URL}}],
            "extensions": cost_extension(requested, None, status)}


def max_cost_body(requested: int, maximum: float, status: dict) -> dict:
    message = (f"Query cost is {requested}, which exceeds the single query max cost limit "
               f"({int(maximum)}). See {DOCS_URL} for more information on how the cost of a query "
               "is calculated. To query larger amounts of data with fewer limits, bulk operations "
               "should be used instead.")
    return {"errors": [{"message": message,
                        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                                       "maxCost": int(maximum), "documentation": DOCS_URL}}],
            "extensions": cost_extension(requested, None, status)}

"""Estimate a GraphQL query's cost before sending it, the way Shopify charges it.

Shopify's documented rule: scalars and enums cost 0, each object 1, a connection
2 plus `first` times the cost of one node, a mutation 10. The client uses this to
pace itself before the first response tells it the server's own figure. It needs
no schema: a field with a selection set is an object; one with `first`/`last` is a
connection. The estimate rounds up (pageInfo counted) so pacing errs on the safe side.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from graphql import parse
from graphql.language import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

MUTATION_COST = 10


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    for arg in field.arguments or ():
        if arg.name.value in ("first", "last"):
            value = arg.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                return int(variables.get(value.name.value) or 0)
    return None


def _selection_cost(selection_set: SelectionSetNode | None, variables: Mapping[str, Any]) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            total += _selection_cost(selection.selection_set, variables)
        elif isinstance(selection, FragmentSpreadNode):
            total += 1  # named fragments are not used by our documents; count conservatively
        elif isinstance(selection, FieldNode):
            total += _field_cost(selection, variables)
    return total


def _node_selection(connection: FieldNode) -> tuple[SelectionSetNode | None, int]:
    """(selection of one node, cost of the connection's per-page extras such as pageInfo)."""
    node_selection, extras = None, 0
    for child in connection.selection_set.selections:
        if not isinstance(child, FieldNode):
            continue
        name = child.name.value
        if name == "nodes":
            node_selection = child.selection_set
        elif name == "edges" and child.selection_set is not None:
            for edge_field in child.selection_set.selections:
                if isinstance(edge_field, FieldNode) and edge_field.name.value == "node":
                    node_selection = edge_field.selection_set
        elif child.selection_set is not None:
            extras += 1 + _selection_cost(child.selection_set, {})
    return node_selection, extras


def _field_cost(field: FieldNode, variables: Mapping[str, Any]) -> int:
    if field.selection_set is None:
        return 0
    size = _page_size(field, variables)
    if size is None:
        return 1 + _selection_cost(field.selection_set, variables)
    node_selection, extras = _node_selection(field)
    return 2 + extras + size * (1 + _selection_cost(node_selection, variables))


@lru_cache(maxsize=256)
def _parsed(query: str):
    return parse(query)


def estimate_query_cost(query: str, variables: Mapping[str, Any] | None = None) -> int:
    variables = variables or {}
    cost = 0
    for definition in _parsed(query).definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if definition.operation.value == "mutation":
            cost += MUTATION_COST
        else:
            cost += _selection_cost(definition.selection_set, variables)
    return cost

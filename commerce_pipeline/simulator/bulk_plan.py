"""A bulk query compiled once into plain Python, for the bulk runner's many chunks.

graphql-core's general executor spends most of a bulk operation on per-field
bookkeeping (resolve info, argument coercion, paths) for the same few fields over
and over. A plan does what `execute_sync` does for the subset of GraphQL a bulk
query uses (fields, aliases, literal arguments, objects, lists, non-null, scalars,
enums), calling the same resolvers and the same scalar serializers, so its data is
the same. Documents using anything else (fragments, directives, variables, abstract
types, `__typename`, repeated keys) are not compiled (`compile_plan` gives None).
Any irregular value met while running (a null for a non-null field, a value a
serializer refuses, a resolver that raises) raises `Irregular`: the caller then runs
that chunk through graphql-core, which reports it exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
)
from graphql.execution.values import get_argument_values
from graphql.language import DocumentNode, FieldNode, OperationDefinitionNode, SelectionSetNode

from commerce_pipeline.simulator.plan_codegen import BOOL, ENUM, PASS, STR, generate_object

# (non-null value, this run's resolve infos) -> response value
Complete = Callable[[Any, list], Any]


class Irregular(Exception):
    """Something graphql-core would report as an error: rerun the chunk there."""


class _NotCompiled(Exception):
    pass


def _serialized(serialize: Callable[[Any], Any], value: Any) -> Any:
    try:
        out = serialize(value)
    except Exception as exc:  # graphql-core turns this into a field error
        raise Irregular(str(exc)) from exc
    if out is None or out is Undefined:
        raise Irregular("a serializer returned no value")
    return out


def _leaf(type_: GraphQLScalarType | GraphQLEnumType) -> Complete:
    """The type's own serializer, skipped only where it returns the value unchanged."""
    serialize = type_.serialize
    if type_ is GraphQLString or type_ is GraphQLID:
        return _inlined(lambda v, _: v if type(v) is str else _serialized(serialize, v), STR)
    if type_ is GraphQLBoolean:
        return _inlined(lambda v, _: v if type(v) is bool else _serialized(serialize, v), BOOL)
    if isinstance(type_, GraphQLEnumType):
        names = {value.value: name for name, value in type_.values.items()}

        def enum(v, _):
            try:
                return names[v]
            except (KeyError, TypeError):  # not a value (or unhashable): the serializer decides
                return _serialized(serialize, v)
        enum.names = names
        return _inlined(enum, ENUM)
    if serialize is GraphQLScalarType.serialize:  # SDL scalars: passed through as they are
        return _inlined(lambda v, _: v, PASS)
    return lambda v, _: _serialized(serialize, v)


def _inlined(complete: Complete, kind: str) -> Complete:
    complete.inline = kind  # plan_codegen writes this completer's steps in line
    return complete


def _completer(type_, selection: SelectionSetNode | None, plan: _Plan) -> tuple[Complete, bool]:
    """(completer for non-null values, whether null is an error) for a field of `type_`."""
    required = isinstance(type_, GraphQLNonNull)
    type_ = type_.of_type if required else type_
    if isinstance(type_, GraphQLList):
        item, item_required = _completer(type_.of_type, selection, plan)

        def complete_list(value, infos):
            if type(value) is not list and not isinstance(value, (list, tuple)):
                raise Irregular("not a list")
            out = []
            for v in value:
                if v is None:
                    if item_required:
                        raise Irregular("null item in a list of non-null")
                    out.append(None)
                else:
                    out.append(item(v, infos))
            return out
        return complete_list, required
    if isinstance(type_, GraphQLObjectType) and selection is not None and type_.is_type_of is None:
        return plan.object(type_, selection), required
    if isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
        return _leaf(type_), required
    raise _NotCompiled(str(type_))  # interfaces and unions need resolve_type


def _selects_only_id(node: FieldNode) -> bool:
    selection = node.selection_set
    if selection is None or len(selection.selections) != 1:
        return False
    only = selection.selections[0]
    return (isinstance(only, FieldNode) and only.name.value == "id" and not only.arguments
            and not only.directives)


class _Plan:
    def __init__(self, schema: GraphQLSchema):
        self.schema = schema
        self.infos: list[GraphQLResolveInfo] = []  # one per field with a resolver

    def object(self, type_: GraphQLObjectType, selection: SelectionSetNode) -> Complete:
        fields = []  # (response key, field name, resolver, info index, args, complete, required)
        for node in selection.selections:
            if not isinstance(node, FieldNode) or node.directives or node.name.value.startswith("__"):
                raise _NotCompiled("fragments, directives and meta fields")
            key = node.alias.value if node.alias else node.name.value
            if any(key == known[0] for known in fields):  # merged selections: graphql-core's
                raise _NotCompiled(f"repeated {key}")
            name = node.name.value
            field = type_.fields[name]
            index = None
            resolve = field.resolve
            if _selects_only_id(node) and hasattr(resolve, "id_only"):
                resolve = resolve.id_only  # a reference whose lookup cannot change the answer
            if field.resolve is not None:
                index = len(self.infos)
                self.infos.append(GraphQLResolveInfo(
                    name, [node], field.type, type_, None, self.schema, {}, None, None, {}, None,
                    None))
            complete, required = _completer(field.type, node.selection_set, self)
            fields.append((key, name, resolve, index, get_argument_values(field, node, {}),
                           complete, required))
        return generate_object(fields, Irregular)


def compile_plan(schema: GraphQLSchema, document: DocumentNode) -> Callable[[Any], dict] | None:
    """`run(context) -> data` for a one-query document, or None if it cannot be compiled."""
    if len(document.definitions) != 1 or not isinstance(
            document.definitions[0], OperationDefinitionNode):
        return None
    operation = document.definitions[0]
    if (operation.operation.value != "query" or operation.variable_definitions
            or operation.directives or schema.query_type is None):
        return None
    plan = _Plan(schema)
    try:
        root = plan.object(schema.query_type, operation.selection_set)
    except (_NotCompiled, KeyError):
        return None

    def run(context: Any) -> dict:
        infos = [info._replace(context=context, operation=operation) for info in plan.infos]
        return root(None, infos)
    return run

"""Shopify customers, orders and products -> warehouse rows.

Each mapper accepts both shapes Shopify emits: the GraphQL Admin API shape the
pipeline fetches (camelCase keys, gid ids, MoneyBag amounts, connections) and
the REST shape webhooks deliver (snake_case keys, integer ids). Rows have the
same keys and types whichever shape came in. A record that cannot be mapped
raises MappingError; `map_records` quarantines it with the reason and the raw
payload while the rest of the batch maps.
"""

from __future__ import annotations

import json
from decimal import Decimal
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from commerce_pipeline.ingest.shopify.fields import (
    MappingError, connection_items, gid_parts, id_parser, parse_bool, parse_enum, parse_money,
    parse_tags, parse_text, parse_timestamp, wrong_type,
)
from commerce_pipeline.ingest.shopify.specs import (
    CUSTOMER_FIELDS, LINE_ITEM_FIELDS, ORDER_FIELDS, PRODUCT_FIELDS, REFUND_FIELDS,
    REFUND_LINE_ITEM_FIELDS, VARIANT_FIELDS, Extractor, extractors, guard_mapping_errors,
)

GRAPHQL, REST = "graphql", "rest"
# Each table's fields compiled once per shape: {graphql?: Extractor}.
_CUSTOMER, _ORDER, _PRODUCT, _LINE_ITEM, _REFUND, _REFUND_LINE, _VARIANT = map(extractors, (
    CUSTOMER_FIELDS, ORDER_FIELDS, PRODUCT_FIELDS, LINE_ITEM_FIELDS, REFUND_FIELDS,
    REFUND_LINE_ITEM_FIELDS, VARIANT_FIELDS))
_IDS = {kind: id_parser(kind) for kind in ("Customer", "Order", "Product", "LineItem", "Refund",
                                           "ProductVariant")}

# REST's fulfillment vocabulary -> GraphQL's, so one column holds one vocabulary.
_REST_FULFILLMENT = {None: "unfulfilled", "partial": "partially_fulfilled"}


def detect_shape(record: Any) -> str:
    """GRAPHQL (camelCase, gid ids) or REST (snake_case, integer ids); else MappingError."""
    if not isinstance(record, Mapping):
        raise MappingError(f"not a mapping: got {type(record).__name__}")
    if record.get("id") is None:
        raise MappingError("missing id")
    camel = "updatedAt" in record or "createdAt" in record
    snake = "updated_at" in record or "created_at" in record
    if camel and snake:
        raise MappingError("ambiguous shape: both camelCase and snake_case timestamp keys")
    if camel or (not snake and gid_parts(record["id"])):
        return GRAPHQL
    if snake or (isinstance(record["id"], int) and not isinstance(record["id"], bool)):
        return REST
    raise MappingError("unknown shape: no timestamp keys; id neither a gid nor an integer")


def _base(record: Any, gid_type: str) -> tuple[bool, dict]:
    """(is GraphQL, the fields every resource has: ids, timestamps, tags)."""
    gql = detect_shape(record) == GRAPHQL
    row_id = _IDS[gid_type](record["id"], "id")
    if gql:
        given, created, updated = record["id"], record.get("createdAt"), record.get("updatedAt")
    else:
        given = parse_text(record.get("admin_graphql_api_id"), "admin_graphql_api_id")
        created, updated = record.get("created_at"), record.get("updated_at")
    created_at = parse_timestamp(created, "created_at")
    # Incremental loading needs a cursor; a never-updated record's is its creation.
    updated_at = parse_timestamp(updated, "updated_at") or created_at
    if updated_at is None:
        raise MappingError("missing updated_at")
    return gql, {
        "id": row_id,
        "admin_graphql_api_id": given if gid_parts(given) else f"gid://shopify/{gid_type}/{row_id}",
        "created_at": created_at,
        "updated_at": updated_at,
        "tags": parse_tags(record.get("tags"), "tags"),
    }


def _nested(
    record: Mapping, gql: bool, keys: tuple[str, str], gid_type: str, fields: Extractor
) -> Iterator[tuple[str, Mapping, dict]]:
    """(path, raw item, row) per item of a nested list; keys: (GraphQL, REST = output name)."""
    path = keys[1]
    parse_id = _IDS[gid_type]
    for i, item in enumerate(connection_items(record.get(keys[0] if gql else path), path)):
        where = f"{path}[{i}]"
        if item.get("id") is None:
            raise MappingError(f"missing id in {where}")
        row = {"id": parse_id(item["id"], f"{where}.id")}
        row.update(fields(item, f"{where}."))
        yield where, item, row


def _line_items(record: Mapping, gql: bool) -> list[dict]:
    rows = []
    keys = ("lineItems", "line_items")
    for where, item, row in _nested(record, gql, keys, "LineItem", _LINE_ITEM[gql]):
        if not gql and row["price"] is not None and row["quantity"] is not None:
            discount = parse_money(item.get("total_discount"), f"{where}.total_discount") or 0
            row["discounted_total"] = row["price"] * row["quantity"] - discount
        rows.append(row)
    return rows


def _rest_refund_total(refund: Mapping, lines: list[dict], where: str) -> Decimal:
    """Successful refund transactions, else the refunded lines' subtotals, else 0."""
    paid, found = Decimal(0), False
    for k, tx in enumerate(connection_items(refund.get("transactions"), f"{where}.transactions")):
        at = f"{where}.transactions[{k}]"
        kind = parse_text(tx.get("kind"), f"{at}.kind")
        status = parse_text(tx.get("status"), f"{at}.status")
        amount = parse_money(tx.get("amount"), f"{at}.amount")
        if kind == "refund" and status == "success" and amount is not None:
            paid, found = paid + amount, True
    if found:
        return paid
    return sum((line["subtotal"] for line in lines if line["subtotal"] is not None), Decimal(0))


def _refunds(record: Mapping, gql: bool) -> list[dict]:
    rows = []
    refund_line = _REFUND_LINE[gql]
    for where, refund, row in _nested(record, gql, ("refunds", "refunds"), "Refund", _REFUND[gql]):
        path = f"{where}.refund_line_items"
        raw_lines = refund.get("refundLineItems" if gql else "refund_line_items")
        lines = []
        for j, line in enumerate(connection_items(raw_lines, path)):
            line_row = refund_line(line, f"{path}[{j}].")
            if line_row["line_item_id"] is None:
                raise MappingError(f"missing line_item_id in {path}[{j}]")
            lines.append(line_row)
        row["refund_line_items"] = lines
        if not gql:
            row["total_refunded"] = _rest_refund_total(refund, lines, where)
        rows.append(row)
    return rows


def _discount_codes(record: Mapping, gql: bool) -> list[dict]:
    codes = record.get("discountCodes" if gql else "discount_codes")
    if codes is None:
        return []
    if not isinstance(codes, list):
        raise wrong_type("discount_codes", "a list", codes)
    rows = []
    for i, code in enumerate(codes):
        where = f"discount_codes[{i}]"
        if isinstance(code, str):  # GraphQL's Order.discountCodes is just the codes
            rows.append({"code": code, "amount": None, "type": None})
        elif isinstance(code, Mapping):
            rows.append({
                "code": parse_text(code.get("code"), f"{where}.code"),
                "amount": parse_money(code.get("amount"), f"{where}.amount"),
                "type": parse_enum(code.get("type"), f"{where}.type"),
            })
        else:
            raise wrong_type(where, "a code or an object", code)
    return rows


@guard_mapping_errors
def map_customer(record: Mapping) -> dict:
    gql, row = _base(record, "Customer")
    row.update(_CUSTOMER[gql](record))
    # The consent state is current; REST's accepts_marketing is its deprecated shadow.
    state = row["email_marketing_state"]
    legacy = None if gql else parse_bool(record.get("accepts_marketing"), "accepts_marketing")
    row["accepts_marketing"] = legacy if state is None else state == "subscribed"
    return row


@guard_mapping_errors
def map_order(record: Mapping) -> dict:
    gql, row = _base(record, "Order")
    row.update(_ORDER[gql](record))
    row["line_items"] = _line_items(record, gql)
    row["refunds"] = _refunds(record, gql)
    row["discount_codes"] = _discount_codes(record, gql)
    if not gql:
        if "fulfillment_status" in record:  # REST writes null for "nothing fulfilled yet"
            status = row["fulfillment_status"]
            row["fulfillment_status"] = _REST_FULFILLMENT.get(status, status)
        # Without a refunds list the amount is unknown (list endpoints may omit it), not 0.
        if record.get("refunds") is not None:
            row["total_refunded"] = sum((r["total_refunded"] for r in row["refunds"]), Decimal(0))
    return row


@guard_mapping_errors
def map_product(record: Mapping) -> dict:
    gql, row = _base(record, "Product")
    row.update(_PRODUCT[gql](record))
    variants = _nested(record, gql, ("variants", "variants"), "ProductVariant", _VARIANT[gql])
    row["variants"] = [variant for _, _, variant in variants]
    return row


MAPPERS: dict[str, Callable[[Mapping], dict]] = {
    "customers": map_customer, "orders": map_order, "products": map_product,
}


def _source_id(record: Any) -> str | None:
    """The numeric id when there is one, so both shapes' quarantines join to rows."""
    raw = record.get("id") if isinstance(record, Mapping) else None
    parts = gid_parts(raw)
    if parts or isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return str(parts[1]) if parts else None
    return str(raw).strip()


def _payload(record: Any) -> str:
    def fallback(value: Any) -> Any:
        return dict(value) if isinstance(value, Mapping) else str(value)

    try:
        return json.dumps(record, sort_keys=True, default=fallback)
    except (TypeError, ValueError):  # mixed key types or a reference cycle
        return json.dumps(repr(record))


def map_records(resource: str, records: Iterable[Any]) -> tuple[list[dict], list[dict]]:
    """(rows, quarantined) for one batch; a bad record never stops the others."""
    if resource not in MAPPERS:
        raise ValueError(f"unknown Shopify resource {resource!r}; expected {sorted(MAPPERS)}")
    mapper = MAPPERS[resource]
    rows, quarantined = [], []
    for record in records:
        try:
            rows.append(mapper(record))
        except MappingError as exc:
            quarantined.append({
                "resource": resource, "source_id": _source_id(record),
                "reason": exc.reason, "payload": _payload(record),
            })
    return rows, quarantined


def unwrap_rest_payload(doc: Any) -> list[Mapping]:
    """Records of a REST response or webhook body: {"order": {...}}, {"orders": [...]}, a bare
    record (webhooks) or a bare list."""
    if isinstance(doc, list):
        return list(doc)
    if not isinstance(doc, Mapping):
        raise MappingError(f"not a REST payload: got {type(doc).__name__}")
    if "id" in doc:
        return [doc]
    if len(doc) == 1:
        (value,) = doc.values()
        if isinstance(value, Mapping):
            return [value]
        if isinstance(value, list):
            return list(value)
    raise MappingError(f"not a REST payload: keys {sorted(map(str, doc))[:5]}")

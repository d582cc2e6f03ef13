"""Declared warehouse columns for the Shopify tables.

dlt infers types from data, but a column that is null in every row of a load
(say `cancelled_at` before the first cancellation) would not exist at all, and
the dbt models downstream would break on a quiet store. Declaring the columns
keeps every tenant's tables the same shape from the first load.
"""

from __future__ import annotations


def column_hints(required: tuple[str, ...], **types: str) -> dict:
    """dlt column hints: each column's type, nullable unless it is in `required`."""
    return {name: {"data_type": data_type, "nullable": name not in required}
            for name, data_type in types.items()}


def _cols(**types: str) -> dict:
    return column_hints(("id",), **types)


_T, _TS, _I, _B, _D = "text", "timestamp", "bigint", "bool", "decimal"

COLUMNS = {
    "customers": _cols(
        id=_I, admin_graphql_api_id=_T, first_name=_T, last_name=_T, email=_T, phone=_T,
        state=_T, verified_email=_B, tags=_T, note=_T, created_at=_TS, updated_at=_TS,
        orders_count=_I, total_spent=_D, currency=_T, email_marketing_state=_T,
        email_marketing_opt_in_level=_T, email_consent_updated_at=_TS, sms_marketing_state=_T,
        accepts_marketing=_B, address_line1=_T, address_city=_T, address_province=_T,
        address_country=_T, address_country_code=_T, address_zip=_T, address_phone=_T,
    ),
    "orders": _cols(
        id=_I, admin_graphql_api_id=_T, name=_T, email=_T, phone=_T, customer_id=_I,
        created_at=_TS, updated_at=_TS, processed_at=_TS, cancelled_at=_TS, closed_at=_TS,
        cancel_reason=_T, currency=_T, financial_status=_T, fulfillment_status=_T,
        source_name=_T, tags=_T, test=_B, total_price=_D, subtotal_price=_D,
        total_discounts=_D, total_tax=_D, total_refunded=_D,
    ),
    "products": _cols(
        id=_I, admin_graphql_api_id=_T, title=_T, handle=_T, product_type=_T, vendor=_T,
        status=_T, tags=_T, created_at=_TS, updated_at=_TS, category_id=_T, category_name=_T,
        category_full_name=_T,
    ),
}

NESTED_COLUMNS = {
    "orders": {
        "line_items": _cols(
            id=_I, sku=_T, title=_T, quantity=_I, variant_id=_I, product_id=_I, price=_D,
            discounted_total=_D,
        ),
        "refunds": _cols(id=_I, created_at=_TS, note=_T, total_refunded=_D),
        "discount_codes": _cols(code=_T, amount=_D, type=_T),
        ("refunds", "refund_line_items"): _cols(line_item_id=_I, quantity=_I, subtotal=_D),
    },
    "products": {
        "variants": _cols(
            id=_I, sku=_T, title=_T, price=_D, inventory_quantity=_I, created_at=_TS,
            updated_at=_TS,
        ),
    },
}

QUARANTINE_COLUMNS = _cols(
    tenant_id=_T, resource=_T, source_id=_T, reason=_T, payload=_T, quarantined_at=_TS
)

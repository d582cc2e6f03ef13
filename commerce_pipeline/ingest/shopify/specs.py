"""Where each warehouse column is found in a Shopify record, and reading it fast.

A spec names an output field, its dotted paths in the GraphQL and the REST shape
and its parser. `extract` interprets specs (the reference: it names the field and
the path in every error); `Extractor` compiles them once per table and shape into
straight-line code, so mapping a record does no path splitting or error-label building.
Whenever the compiled reading fails on a record (a refused value, a non-object on
a path), it reruns `extract` on it, so a refused record gets exactly its reason.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from commerce_pipeline.ingest.shopify.compiled_reader import compile_reader
from commerce_pipeline.ingest.shopify.fields import (
    MappingError, Parser, dig, id_parser, parse_bool, parse_enum, parse_int, parse_money,
    parse_text, parse_timestamp,
)

# How one output field is read: (output name, GraphQL paths, REST paths, parser). Paths
# are dotted; several are fallbacks tried in order; none means the shape lacks the field.
Spec = tuple[str, tuple[str, ...], tuple[str, ...], Parser]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def spec(
    out: str, parse: Parser, gql: str | tuple[str, ...] | None = None,
    rest: str | tuple[str, ...] | None = None,
) -> Spec:
    """A field read from camelCase(out) in GraphQL and out in REST unless told otherwise."""
    def paths(given: str | tuple[str, ...] | None, default: str) -> tuple[str, ...]:
        return (default,) if given is None else (given,) if isinstance(given, str) else given

    return out, paths(gql, _camel(out)), paths(rest, out), parse


def extract(record: Mapping, specs: list[Spec], graphql: bool, prefix: str = "") -> dict:
    """Parse each spec'd field of one record; error reasons name `prefix + out`."""
    row = {}
    for out, gql, rest, parse in specs:
        value = None
        for path in gql if graphql else rest:
            value = dig(record, path, prefix + out)
            if value is not None:
                break
        row[out] = parse(value, prefix + out)
    return row


class Extractor:
    """`extract` for one list of specs and one shape, compiled once (compiled_reader.py)."""

    def __init__(self, specs: list[Spec], graphql: bool):
        self.specs, self.graphql = specs, graphql
        self.read = compile_reader(specs, graphql)

    def __call__(self, record: Mapping, prefix: str = "") -> dict:
        try:
            return self.read(record)
        except Exception:  # the reference decides, and names `prefix + out`
            return extract(record, self.specs, self.graphql, prefix)


def extractors(specs: list[Spec]) -> dict[bool, Extractor]:
    """{graphql?: Extractor} for both shapes."""
    return {True: Extractor(specs, True), False: Extractor(specs, False)}


# -- the tables' fields ---------------------------------------------------------------------
_T, _E, _TS = parse_text, parse_enum, parse_timestamp
_M, _I, _B = parse_money, parse_int, parse_bool


def _shop(name: str) -> str:
    return f"{name}.shopMoney.amount"  # shop currency, like REST's plain amounts


CUSTOMER_FIELDS: list[Spec] = [
    *(spec(name, _T) for name in ("first_name", "last_name", "email", "phone", "note")),
    spec("state", _E), spec("verified_email", _B),
    spec("orders_count", _I, gql="numberOfOrders"),
    spec("total_spent", _M, gql="amountSpent.amount"),
    spec("currency", _T, gql="amountSpent.currencyCode"),
    spec("email_marketing_state", _E, "emailMarketingConsent.marketingState",
         "email_marketing_consent.state"),
    # Older REST payloads carry the pre-consent-object fields.
    spec("email_marketing_opt_in_level", _E, "emailMarketingConsent.marketingOptInLevel",
         ("email_marketing_consent.opt_in_level", "marketing_opt_in_level")),
    spec("email_consent_updated_at", _TS, "emailMarketingConsent.consentUpdatedAt",
         ("email_marketing_consent.consent_updated_at", "accepts_marketing_updated_at")),
    spec("sms_marketing_state", _E, "smsMarketingConsent.marketingState",
         "sms_marketing_consent.state"),
    spec("address_line1", _T, "defaultAddress.address1", "default_address.address1"),
    *(spec(f"address_{out}", _T, f"defaultAddress.{gql}", f"default_address.{out}")
      for out, gql in [("city", "city"), ("province", "province"), ("country", "country"),
                       ("country_code", "countryCodeV2"), ("zip", "zip"), ("phone", "phone")]),
]
ORDER_FIELDS: list[Spec] = [
    *(spec(name, _T) for name in ("name", "email", "phone", "source_name")),
    spec("customer_id", id_parser("Customer"), "customer.id", "customer.id"),
    *(spec(name, _TS) for name in ("processed_at", "cancelled_at", "closed_at")),
    spec("cancel_reason", _E), spec("currency", _T, gql="currencyCode"),
    spec("financial_status", _E, gql="displayFinancialStatus"),
    spec("fulfillment_status", _E, gql="displayFulfillmentStatus"),
    spec("test", _B),
    *(spec(out, _M, gql=_shop(gql)) for out, gql in [
        ("total_price", "totalPriceSet"), ("subtotal_price", "subtotalPriceSet"),
        ("total_discounts", "totalDiscountsSet"), ("total_tax", "totalTaxSet")]),
    spec("total_refunded", _M, gql=_shop("totalRefundedSet"), rest=()),  # REST: from refunds
]
LINE_ITEM_FIELDS: list[Spec] = [
    spec("sku", _T), spec("title", _T), spec("quantity", _I),
    spec("variant_id", id_parser("ProductVariant"), gql="variant.id"),
    spec("product_id", id_parser("Product"), gql="product.id"),
    spec("price", _M, gql=_shop("originalUnitPriceSet")),
    spec("discounted_total", _M, gql=_shop("discountedTotalSet"), rest=()),  # REST: computed
]
REFUND_FIELDS: list[Spec] = [
    spec("created_at", _TS), spec("note", _T),
    spec("total_refunded", _M, gql=_shop("totalRefundedSet"), rest=()),  # REST: transactions
]
REFUND_LINE_ITEM_FIELDS: list[Spec] = [
    spec("line_item_id", id_parser("LineItem"), "lineItem.id", ("line_item_id", "line_item.id")),
    spec("quantity", _I), spec("subtotal", _M, gql=_shop("subtotalSet")),
]
PRODUCT_FIELDS: list[Spec] = [
    *(spec(name, _T) for name in ("title", "handle", "product_type", "vendor")),
    spec("status", _E),
    # Taxonomy ids are not numeric (gid://shopify/TaxonomyCategory/aa-1): kept as text.
    spec("category_id", _T, "category.id", ()), spec("category_name", _T, "category.name", ()),
    spec("category_full_name", _T, "category.fullName", ()),
]
VARIANT_FIELDS: list[Spec] = [
    spec("sku", _T), spec("title", _T), spec("price", _M), spec("inventory_quantity", _I),
    spec("created_at", _TS), spec("updated_at", _TS),
]


def guard_mapping_errors(mapper: Callable[[Any], dict]) -> Callable[[Any], dict]:
    @functools.wraps(mapper)
    def guarded(record: Any) -> dict:
        try:
            return mapper(record)
        except MappingError:
            raise
        except (TypeError, KeyError, AttributeError, ArithmeticError, ValueError) as exc:
            # A shape nobody foresaw must quarantine one record, not fail the page.
            raise MappingError(f"malformed record: {type(exc).__name__}: {exc}") from exc

    return guarded

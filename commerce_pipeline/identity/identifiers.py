"""Identifier rows: the edges identity resolution builds its graph from.

One row per (source record, kind, normalised value). Source records are customer
accounts and guest orders (an order without a customer may still be a known person by
email or phone). Junk and hub values are kept with the reason they must not link, so
the graph skips them and a person can see why. `match_key` is what the graph joins on
(an email's inbox, see canonical_email); `given_name` lets the graph refuse to join two
differently named people on one shared phone (a household landline).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from commerce_pipeline.identity.blocklist import Blocklist, hub_values
from commerce_pipeline.identity.normalize import (
    canonical_email,
    canonical_given_name,
    normalize_email,
    normalize_id,
    normalize_phone,
    normalize_street,
)

# Lower is stronger: how much a shared value says about two records being one person.
PRIORITY = {"source_id": 0, "email": 1, "phone": 1, "whatsapp": 1, "loyalty_id": 2,
            "device_id": 3, "cookie_id": 4, "name_address": 5}
CUSTOMER, GUEST_ORDER = "customer", "guest_order"
# Composite or internal values no placeholder rule applies to (hubs still do).
NOT_BLOCKLISTED = {"source_id", "name_address"}


@dataclass(frozen=True)
class IdentifierRules:
    default_country: str = "US"
    max_customers_per_value: int = 5  # more customer accounts than this and a value is a hub
    blocklist: Blocklist = Blocklist()


def guest_order_key(order_id: object) -> str:
    return f"shopify-guest-order:{order_id}"


def _name_address(first: str | None, last: str | None, street: str | None,
                  zip_code: str | None) -> str | None:
    """Given name, family name, first address line and postcode, or None if any is missing:
    a name and a postcode alone are shared by namesakes in one town."""
    given, family = canonical_given_name(first), normalize_id(last)
    line, postcode = normalize_street(street), normalize_id(zip_code)
    if not (given and family and line and postcode):
        return None
    return f"{given}|{family.lower()}|{line}|{postcode.upper().replace(' ', '')}"


def _raw_identifiers(customers: Iterable[Mapping], orders: Iterable[Mapping]):
    """(source_key, source_kind, given_name, kind, raw value) from customers and their orders."""
    names: dict[str, str | None] = {}
    for c in customers:
        key = c["source_customer_key"]
        names[key] = canonical_given_name(c.get("first_name"))
        yield key, CUSTOMER, names[key], "source_id", key
        yield key, CUSTOMER, names[key], "email", c.get("email_raw")
        yield key, CUSTOMER, names[key], "phone", c.get("phone_raw")
        yield key, CUSTOMER, names[key], "name_address", _name_address(
            c.get("first_name"), c.get("last_name"), c.get("address_line1"), c.get("address_zip"))
    for o in orders:
        customer_id = o.get("shopify_customer_id")
        if customer_id is not None:
            key, kind, name = f"shopify:{customer_id}", CUSTOMER, None
            name = names.get(key)
        else:
            key, kind, name = guest_order_key(o["shopify_order_id"]), GUEST_ORDER, None
            yield key, kind, name, "source_id", key
        yield key, kind, name, "email", o.get("email_raw")
        yield key, kind, name, "phone", o.get("phone_raw")


def _normalise(kind: str, raw: object, rules: IdentifierRules) -> str | None:
    if kind == "email":
        return normalize_email(raw)
    if kind in ("phone", "whatsapp"):
        return normalize_phone(raw, rules.default_country)
    return normalize_id(raw)


def extract_identifiers(customers: Iterable[Mapping], orders: Iterable[Mapping],
                        rules: IdentifierRules = IdentifierRules()) -> list[dict]:
    seen: set[tuple[str, str, str]] = set()
    rows: list[dict] = []
    for key, source_kind, given_name, kind, raw in _raw_identifiers(customers, orders):
        value = _normalise(kind, raw, rules)
        invalid = value is None and raw not in (None, "")
        if invalid:  # unparseable input is kept (never linking) so it shows up as data quality
            value = str(raw).strip()
        if not value or (key, kind, value) in seen:
            continue
        seen.add((key, kind, value))
        reason = "not a valid " + kind if invalid else (
            None if kind in NOT_BLOCKLISTED else rules.blocklist.reason(kind, value))
        # An address whose inbox cannot be told (a bare "+tag@...") matches as written.
        match_key = (canonical_email(value) or value) if kind == "email" and not invalid else value
        rows.append({"source_key": key, "source_kind": source_kind, "channel": "shopify",
                     "kind": kind, "value": value, "match_key": match_key,
                     "given_name": given_name, "priority": PRIORITY[kind],
                     "excluded_reason": reason})
    # A hub is counted in customer accounts: one person's repeated guest checkouts are not a hub.
    hubs = hub_values(((r["kind"] + ":" + r["match_key"], r["source_key"]) for r in rows
                       if r["kind"] != "source_id" and r["excluded_reason"] is None
                       and r["source_kind"] == CUSTOMER),
                      rules.max_customers_per_value)
    for r in rows:
        if r["excluded_reason"] is None and f"{r['kind']}:{r['match_key']}" in hubs:
            r["excluded_reason"] = f"hub: shared by more than {rules.max_customers_per_value} customers"
    return rows

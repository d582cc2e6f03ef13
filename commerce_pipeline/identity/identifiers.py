"""Identifier rows: the edges identity resolution will build its graph from.

One row per (source record, kind, normalised value). Source records are customers
and guest orders (an order without a customer may still be a known person by
email or phone). Junk and hub values are kept with the reason they must not link,
so the graph can skip them and a person can see why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from commerce_pipeline.identity.blocklist import Blocklist, hub_values
from commerce_pipeline.identity.normalize import normalize_email, normalize_phone

# Lower is stronger: how much a shared value says about two records being one person.
PRIORITY = {"email": 1, "phone": 1, "whatsapp": 1, "loyalty_id": 2, "device_id": 3, "cookie_id": 4,
            "source_id": 0}


@dataclass(frozen=True)
class IdentifierRules:
    default_country: str = "US"
    max_customers_per_value: int = 5  # more than this and a value is a hub
    blocklist: Blocklist = Blocklist()


def _raw_identifiers(customers: Iterable[Mapping], orders: Iterable[Mapping]):
    """(source_key, channel, kind, raw value) from customer records and their orders."""
    for c in customers:
        key = c["source_customer_key"]
        yield key, "shopify", "source_id", key
        yield key, "shopify", "email", c.get("email_raw")
        yield key, "shopify", "phone", c.get("phone_raw")
    for o in orders:
        customer_id = o.get("shopify_customer_id")
        key = f"shopify:{customer_id}" if customer_id is not None else f"shopify-guest-order:{o['shopify_order_id']}"
        if customer_id is None:
            yield key, "shopify", "source_id", key
        yield key, "shopify", "email", o.get("email_raw")
        yield key, "shopify", "phone", o.get("phone_raw")


def extract_identifiers(customers: Iterable[Mapping], orders: Iterable[Mapping],
                        rules: IdentifierRules = IdentifierRules()) -> list[dict]:
    seen: set[tuple[str, str, str]] = set()
    rows: list[dict] = []
    for key, channel, kind, raw in _raw_identifiers(customers, orders):
        if kind == "email":
            value = normalize_email(raw)
        elif kind == "phone":
            value = normalize_phone(raw, rules.default_country)
        else:
            value = raw
        if value is None and raw not in (None, ""):
            # Unparseable input is kept (never linking) so it shows up as data quality.
            value, invalid = str(raw).strip(), True
        elif value is None:
            continue
        else:
            invalid = False
        if (key, kind, value) in seen:
            continue
        seen.add((key, kind, value))
        reason = "not a valid " + kind if invalid else (
            None if kind == "source_id" else rules.blocklist.reason(kind, value))
        rows.append({"source_key": key, "channel": channel, "kind": kind, "value": value,
                     "priority": PRIORITY[kind], "excluded_reason": reason})
    hubs = hub_values(((r["kind"] + ":" + r["value"], r["source_key"]) for r in rows
                       if r["kind"] != "source_id" and r["excluded_reason"] is None),
                      rules.max_customers_per_value)
    for r in rows:
        if r["excluded_reason"] is None and f"{r['kind']}:{r['value']}" in hubs:
            r["excluded_reason"] = f"hub: shared by more than {rules.max_customers_per_value} customers"
    return rows

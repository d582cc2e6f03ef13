"""Identifier rows: the edges identity resolution builds its graph from.

One row per (source record, kind, normalised value). Source records are customer
accounts and guest orders (an order without a customer may still be a known person by
email or phone). Junk and hub values are kept with the reason they must not link, so
the graph skips them and a person can see why. `match_key` is what the graph joins on
(an email's inbox, see canonical_email); `given_name` lets the graph refuse to join two
differently named people on one shared phone (a household landline).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from commerce_pipeline.identity.blocklist import Blocklist, hub_values
from commerce_pipeline.identity.normalize import (
    canonical_given_name,
    canonical_normalised_email,
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


def _name_address(given: str | None, last: str | None, street: str | None,
                  zip_code: str | None) -> str | None:
    """Given name (canonical), family name, first address line and postcode, or None if any is
    missing: a name and a postcode alone are shared by namesakes in one town."""
    family, line, postcode = normalize_id(last), normalize_street(street), normalize_id(zip_code)
    if not (given and family and line and postcode):
        return None
    return f"{given}|{family.lower()}|{line}|{postcode.upper().replace(' ', '')}"


def _raw_identifiers(customers: Iterable[Mapping], orders: Iterable[Mapping]):
    """(source_key, source_kind, given_name, kind, raw value) from customers and their orders."""
    names: dict[str, str | None] = {}
    given: dict[object, str | None] = {}  # first names repeat across customers
    for c in customers:
        key, first = c["source_customer_key"], c.get("first_name")
        if first not in given:
            given[first] = canonical_given_name(first)
        names[key] = name = given[first]
        yield key, CUSTOMER, name, "source_id", key
        yield key, CUSTOMER, name, "email", c.get("email_raw")
        yield key, CUSTOMER, name, "phone", c.get("phone_raw")
        yield key, CUSTOMER, name, "name_address", _name_address(
            name, c.get("last_name"), c.get("address_line1"), c.get("address_zip"))
    repeats: set[tuple] = set()
    for o in orders:
        customer_id, email, phone = o.get("shopify_customer_id"), o.get("email_raw"), o.get("phone_raw")
        if customer_id is not None:
            key = f"shopify:{customer_id}"
            # A customer's repeat orders mostly carry the same email and phone as written:
            # those would only yield rows already yielded, so skip them before any work.
            if (key, email, phone) in repeats:
                continue
            repeats.add((key, email, phone))
            kind, name = CUSTOMER, names.get(key)
        else:
            key, kind, name = guest_order_key(o["shopify_order_id"]), GUEST_ORDER, None
            yield key, kind, name, "source_id", key
        yield key, kind, name, "email", email
        yield key, kind, name, "phone", phone


def _normalise(kind: str, raw: object, rules: IdentifierRules) -> str | None:
    if kind == "email":
        return normalize_email(raw)
    if kind in ("phone", "whatsapp"):
        return normalize_phone(raw, rules.default_country)
    return normalize_id(raw)


Judged = tuple[str, str | None, str, str]  # value, reason, match key, hub key


def judge(kind: str, raw: object, rules: IdentifierRules,
          blocklist_reason: Callable[[str, str], str | None] | None = None) -> Judged | None:
    """(value, reason it must not link apart from hubs, match key, hub key) of one raw value
    of `kind`, or None when there is no value."""
    if kind in NOT_BLOCKLISTED:  # trimmed text, which is never unparseable or junk
        value = normalize_id(raw)
        return (value, None, value, f"{kind}:{value}") if value else None
    value = _normalise(kind, raw, rules)
    invalid = value is None and raw not in (None, "")
    if invalid:  # unparseable input is kept (never linking) so it shows up as data quality
        value = str(raw).strip()
    if not value:
        return None
    if invalid:
        reason = "not a valid " + kind
    else:
        reason = (blocklist_reason or rules.blocklist.reason)(kind, value)
    # An address whose inbox cannot be told (a bare "+tag@...") matches as written.
    match_key = (canonical_normalised_email(value) or value) if kind == "email" and not invalid else value
    return value, reason, match_key, f"{kind}:{match_key}"


# Kinds whose raw values repeat (every order carries its customer's email and phone).
# Source ids and name + address are near-unique, so caching them would only cost memory.
REPEATING = ("email", "phone")


def judge_once(rules: IdentifierRules) -> Callable[[str, object], Judged | None]:
    """judge() that works out each distinct raw email or phone, and each (kind, value)'s
    blocklist reason, once (phone parsing is the costly part). Make one per extraction: its
    caches then never outlive one tenant's run. Raw values are text (staging's columns), so
    equal keys are equal inputs."""
    by_kind: dict[str, dict[object, Judged | None]] = {kind: {} for kind in REPEATING}
    reasons: dict[tuple[str, str], str | None] = {}

    def blocklist_reason(kind: str, value: str) -> str | None:
        if (kind, value) not in reasons:
            reasons[kind, value] = rules.blocklist.reason(kind, value)
        return reasons[kind, value]

    def once(kind: str, raw: object) -> Judged | None:
        cache = by_kind.get(kind)
        if cache is None:
            return judge(kind, raw, rules, blocklist_reason)
        if raw not in cache:
            cache[raw] = judge(kind, raw, rules, blocklist_reason)
        return cache[raw]

    return once


COLUMNS = ["source_key", "source_kind", "channel", "kind", "value", "match_key", "given_name",
           "priority", "excluded_reason"]


def _extracted(customers: Iterable[Mapping], orders: Iterable[Mapping],
               rules: IdentifierRules) -> Iterator[tuple]:
    """The identifier rows as tuples in COLUMNS' order (rows are only complete once every
    input has been read: hubs are counted over all of them)."""
    judged = judge_once(rules)
    seen: set[tuple[str, str, str]] = set()
    # Flat tuples of strings: the garbage collector stops tracking them, where nested tuples
    # kept its full collections busy for about a second at medium size.
    found: list[tuple] = []
    hub_keys, holders = [], []  # of each value that may link a customer account
    for key, source_kind, given_name, kind, raw in _raw_identifiers(customers, orders):
        result = judged(kind, raw)
        if result is None:
            continue
        value, reason, match_key, hub_key = result
        if (key, kind, value) in seen:
            continue
        seen.add((key, kind, value))
        found.append((key, source_kind, given_name, kind, value, reason, match_key, hub_key))
        if reason is None and source_kind == CUSTOMER and kind != "source_id":
            hub_keys.append(hub_key)
            holders.append(key)
    del seen
    # A hub is counted in customer accounts: one person's repeated guest checkouts are not a hub.
    # Only a value with more holders than allowed can be one: counting first spares hub_values
    # a set per value (most values have one holder).
    most, holdings = rules.max_customers_per_value, Counter(hub_keys)
    hubs = hub_values([(v, k) for v, k in zip(hub_keys, holders) if holdings[v] > most], most)
    hub = f"hub: shared by more than {most} customers"
    del hub_keys, holders, holdings
    for key, source_kind, given_name, kind, value, reason, match_key, hub_key in found:
        yield (key, source_kind, "shopify", kind, value, match_key, given_name, PRIORITY[kind],
               hub if reason is None and hub_key in hubs else reason)


def extract_identifiers(customers: Iterable[Mapping], orders: Iterable[Mapping],
                        rules: IdentifierRules = IdentifierRules()) -> list[dict]:
    return [dict(zip(COLUMNS, row)) for row in _extracted(customers, orders, rules)]


def identifier_frame(customers: Iterable[Mapping], orders: Iterable[Mapping],
                     rules: IdentifierRules = IdentifierRules()):
    """`pd.DataFrame(extract_identifiers(...))` without a dict per row (millions of rows for
    a large store): the inputs may be iterators read once, a chunk at a time."""
    import pandas as pd

    columns = list(zip(*_extracted(customers, orders, rules))) or [()] * len(COLUMNS)
    return pd.DataFrame({name: list(values) for name, values in zip(COLUMNS, columns)},
                        columns=COLUMNS)

"""Customer accounts: which purchases land on which account, and the Customer nodes.

Persons with several accounts open the later ones at a later checkout (or, having
no later purchase, by signing up) and mostly use them from then on; a few purchases
are guest checkouts on no account at all.
Each account's createdAt precedes its first order, and numberOfOrders /
amountSpent are computed from the orders that carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from commerce_pipeline.simulator.catalog import fmt_cents
from commerce_pipeline.simulator.countries import Country
from commerce_pipeline.simulator.identities import Identities
from commerce_pipeline.simulator.packed import PackedRecords
from commerce_pipeline.simulator.persons import iso_day

CUSTOMER_BASE = 6_200_000_000_000
SHARE_GUEST = 0.03


def assign_accounts(rng: np.random.Generator, person: np.ndarray, day: np.ndarray,
                    first_account: np.ndarray, counts: np.ndarray, end_day: float):
    """(account index of each purchase, -1 for a guest checkout; day each extra account opened).

    Shopify makes a customer of each new email at checkout, so a person's later accounts open
    with later purchases (distinct ones, in order) and take most purchases from then on; the
    accounts a person has no later purchase for were signed up for without buying."""
    opened = np.full(int(counts.sum()), np.nan)
    account = first_account[person].copy()
    opening = np.zeros(len(person), dtype=bool)
    by_person = np.argsort(person, kind="stable")  # each person's purchases, in time order
    bounds = np.searchsorted(person[by_person], np.arange(len(counts) + 1))
    for p in np.flatnonzero(counts > 1):
        mine = by_person[bounds[p]:bounds[p + 1]]
        extra = int(counts[p]) - 1
        buying = min(extra, max(mine.size - 1, 0))
        firsts = mine[1 + np.sort(rng.choice(mine.size - 1, buying, replace=False))] if buying else []
        begin = day[mine[0]] if mine.size else 0.0
        signups = begin + np.sort(rng.random(extra - buying)) * (end_day - begin)
        whens = np.concatenate([day[firsts], signups]) if buying else signups
        for k, when in enumerate(whens, start=1):
            opened[first_account[p] + k] = when
            later = mine[(day[mine] >= when) & (rng.random(mine.size) < 0.7)]
            account[later] = first_account[p] + k
        if buying:
            account[firsts] = first_account[p] + 1 + np.arange(buying)
            opening[firsts] = True
    account[(rng.random(len(person)) < SHARE_GUEST) & ~opening] = -1
    return account, opened


@dataclass
class AccountTimeline:
    created: np.ndarray  # day
    updated: np.ndarray
    orders: np.ndarray
    rank: np.ndarray  # account indexes in creation order (the order of customer ids)

    def gids(self) -> np.ndarray:
        out = np.empty(len(self.rank), dtype=object)
        out[self.rank] = [f"gid://shopify/Customer/{CUSTOMER_BASE + k + 1}"
                          for k in range(len(self.rank))]
        return out


def account_timeline(rng: np.random.Generator, ids: Identities, account: np.ndarray,
                     day: np.ndarray, opened: np.ndarray, acquired: np.ndarray,
                     end_day: float) -> AccountTimeline:
    n = len(ids.accounts)
    own = account >= 0
    first_order = np.full(n, np.inf)
    last_order = np.full(n, -np.inf)
    np.minimum.at(first_order, account[own], day[own])
    np.maximum.at(last_order, account[own], day[own])
    signup = np.array([acquired[a.person] for a in ids.accounts]) if n else np.zeros(0)
    signup = np.where(np.isnan(opened), signup, opened)
    created = np.minimum(signup, first_order) - rng.random(n) * 0.02  # sign up just before buying
    updated = np.minimum(np.maximum(created, last_order) + rng.random(n) * 20, end_day)
    updated = np.maximum(updated, created)
    orders = np.bincount(account[own], minlength=n)
    return AccountTimeline(created, updated, orders, np.argsort(created, kind="stable"))


def _pick3(u: float, cut1: float, cut2: float, values: tuple[str, str, str]) -> str:
    return values[0] if u < cut1 else values[1] if u < cut2 else values[2]


def customer_nodes(rng: np.random.Generator, ids: Identities, tl: AccountTimeline,
                   spent: np.ndarray, start: datetime, c: Country, currency: str) -> PackedRecords:
    """Customer nodes in id order, packed as they are made; `spent` is cents per account."""
    r = rng.random((len(ids.accounts), 6))
    gids = tl.gids()
    out = PackedRecords("customers")
    for i in tl.rank:
        acc, created, updated = ids.accounts[i], tl.created[i], tl.updated[i]
        consent = None
        if acc.email is not None:
            state = _pick3(r[i, 1], 0.55, 0.9, ("SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"))
            opted = state != "NOT_SUBSCRIBED"
            consent = {
                "marketingState": state,
                "marketingOptInLevel": (
                    "SINGLE_OPT_IN" if r[i, 2] < 0.7 else "CONFIRMED_OPT_IN") if opted else None,
                "consentUpdatedAt": iso_day(start, created + (updated - created) * r[i, 3])
                if opted else None,
            }
        sms_opted = r[i, 4] < 0.15
        sms = None if acc.phone is None else {
            "marketingState": "SUBSCRIBED" if sms_opted else "NOT_SUBSCRIBED",
            "consentUpdatedAt": iso_day(start, created) if sms_opted else None,
        }
        tags = {"vip"} if spent[i] >= 100_000 else set()
        # Shopify makes a checkout's shipping address the customer's default address, so an
        # account that has ordered has one; an account that only signed up may not.
        address = acc.address or (acc.home if tl.orders[i] > 0 else None)
        if consent and consent["marketingState"] == "SUBSCRIBED":
            tags.add("newsletter")
        out.add({
            "id": gids[i], "firstName": acc.first_name, "lastName": acc.last_name,
            "email": acc.email, "phone": acc.phone,
            "state": _pick3(r[i, 5], 0.55, 0.95, ("ENABLED", "DISABLED", "INVITED")),
            "verifiedEmail": bool(acc.email is not None and r[i, 2] < 0.9),
            "tags": sorted(tags), "note": "Prefers pickup" if r[i, 0] < 0.03 else None,
            "createdAt": iso_day(start, created), "updatedAt": iso_day(start, updated),
            "numberOfOrders": str(int(tl.orders[i])),  # UnsignedInt64: Shopify sends a string
            "amountSpent": {"amount": fmt_cents(int(spent[i])), "currencyCode": currency},
            "emailMarketingConsent": consent, "smsMarketingConsent": sms,
            "defaultAddress": None if address is None else {
                "address1": address[0], "city": address[1], "province": address[2],
                "country": c.name, "countryCodeV2": c.code, "zip": address[3],
                "phone": acc.phone},
        })
    return out.finish()

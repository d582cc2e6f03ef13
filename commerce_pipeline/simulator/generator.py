"""`generate_store`: one deterministic store from a seed and a size, with its ground truth.

Pipeline: catalog -> persons (latent buy-till-you-die process) -> their customer
accounts and messy identifiers -> orders for purchases up to `end` -> customers
consistent with their orders. Purchases after `end` go only into ground truth.
Everything draws from one numpy Generator, so the same arguments give the same store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from commerce_pipeline.simulator.catalog import CATEGORIES, build_catalog, product_count
from commerce_pipeline.simulator.countries import country as country_profile
from commerce_pipeline.simulator.customers import account_timeline, assign_accounts, customer_nodes
from commerce_pipeline.simulator.identities import SHARE_MULTI, build_identities
from commerce_pipeline.simulator.orders import OrderSetup, build_orders, draw_baskets
from commerce_pipeline.simulator.persons import Population, iso_day, simulate_population
from commerce_pipeline.simulator.store import RESOURCES, Store, numeric_id

END = datetime(2026, 6, 30, tzinfo=UTC)
CHANNELS = ("web", "pos", "shopify_draft_order")
SIGNUP_ONLY = 0.1  # multi-account persons whose later accounts came from signing up, not buying


def accounts_per_person(rng: np.random.Generator, customers: int) -> np.ndarray:
    """How many customer accounts each person has; they add up to exactly `customers`."""
    if customers <= 0:
        return np.zeros(0, dtype=np.int64)
    counts = np.where(rng.random(customers) < SHARE_MULTI, rng.integers(2, 4, customers), 1)
    total = np.cumsum(counts)
    last = int(np.searchsorted(total, customers))
    counts = counts[: last + 1].copy()
    counts[-1] -= total[last] - customers
    return counts


def to_returning_buyers(rng: np.random.Generator, counts: np.ndarray, pop: Population,
                       end_day: float) -> np.ndarray:
    """The same account counts, given mostly to persons who bought at least twice.

    A second account is mostly opened at a later checkout with another email (Shopify makes a
    customer of every checkout email), so persons who came back hold most of them; a share
    SIGNUP_ONLY of multi-account persons signed up again without buying."""
    hist = int(np.searchsorted(pop.purchase_day, end_day, side="right"))
    returning = np.bincount(pop.purchase_person[:hist], minlength=len(counts)) >= 2
    multi = np.flatnonzero(counts > 1)
    signup_only = rng.random(multi.size) < SIGNUP_ONLY
    chosen = rng.permutation(np.flatnonzero(returning))[: int((~signup_only).sum())]
    rest = np.setdiff1d(np.arange(len(counts)), chosen)
    others = rng.permutation(rest)[: multi.size - chosen.size]
    out = np.ones_like(counts)
    out[np.concatenate([chosen, others]).astype(np.int64)] = counts[multi]
    return out


def _persons_truth(pop: Population, start: datetime, end_day: float) -> list[dict]:
    alive = pop.alive_at(end_day)
    acquired = [iso_day(start, d) for d in pop.acquired]
    return [{"person_id": p + 1, "lam": round(float(pop.lam[p]), 6), "p": round(float(pop.p[p]), 6),
             "loyal": bool(pop.loyal[p]), "acquired_at": acquired[p],
             "alive_at_end": bool(alive[p])} for p in range(len(pop.lam))]


def generate_store(shop: str, seed: int, customers: int, *, end: datetime = END,
                   history_days: int = 730, future_days: int = 180, country: str = "US",
                   currency: str = "USD", big_order_line_items: int = 300) -> Store:
    rng = np.random.default_rng(seed)
    profile = country_profile(country)
    start = end.astimezone(UTC) - timedelta(days=history_days)
    end_day = float(history_days)
    catalog = build_catalog(rng, product_count(customers), start, end_day)
    counts = accounts_per_person(rng, customers)
    pop = simulate_population(rng, len(counts), start, end_day, future_days)
    counts = to_returning_buyers(rng, counts, pop, end_day)
    channel = rng.choice(len(CHANNELS), size=len(counts), p=[0.75, 0.2, 0.05])
    ids = build_identities(rng, counts, channel == 1, profile)
    first_account = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)

    hist = int(np.searchsorted(pop.purchase_day, end_day, side="right"))  # purchases are sorted
    person, day = pop.purchase_person, pop.purchase_day
    account, opened = assign_accounts(rng, person[:hist], day[:hist], first_account, counts,
                                      end_day)
    members = np.flatnonzero(account >= 0)  # the big order belongs to a customer, not a guest
    big = None
    if big_order_line_items and members.size:
        big = int(members[rng.integers(members.size)])
    preferred = rng.integers(len(CATEGORIES), size=len(counts))
    baskets = draw_baskets(rng, catalog, day, preferred[person], big, big_order_line_items)
    timeline = account_timeline(rng, ids, account, day[:hist], opened, pop.acquired, end_day)
    gids = timeline.gids()

    # Guest checkouts still type the person's usual email and phone.
    contact_of = [ids.accounts[a]
                  for a in np.where(account >= 0, account, first_account[person[:hist]])]
    order_nodes, net = build_orders(
        rng, OrderSetup(start, end_day, currency, profile.tax_rate), catalog, day[:hist], baskets,
        [gids[a] if a >= 0 else None for a in account], [(a.email, a.phone) for a in contact_of],
        [CHANNELS[channel[p]] for p in person[:hist]])
    own = account >= 0
    spent = np.bincount(account[own], weights=net[own], minlength=len(ids.accounts))
    spent = spent.astype(np.int64)
    cust_nodes = customer_nodes(rng, ids, timeline, spent, start, profile, currency)

    subtotal = baskets.subtotals(len(day))
    truth = {
        "customer_person": {numeric_id(gids[i]): a.person + 1 for i, a in enumerate(ids.accounts)},
        # net_amount: what the purchase would bring after discounts, before tax
        "future_purchases": [{"person_id": int(person[i]) + 1, "at": iso_day(start, day[i]),
                              "net_amount": round(int(subtotal[i]) / 100, 2)}
                             for i in range(hist, len(day))],
        "persons": _persons_truth(pop, start, end_day),
        "junk_identifiers": sorted(ids.junk),
        "hub_identifiers": list(ids.hubs),
        "households": ids.households,
    }
    info = {"id": "gid://shopify/Shop/1", "name": shop, "myshopifyDomain": f"{shop}.myshopify.com",
            "currencyCode": currency, "ianaTimezone": profile.timezone}
    records = {"customers": cust_nodes, "orders": order_nodes, "products": catalog.products}
    # update_records walks a fixed shuffle, so repeated updates touch different records.
    shuffle = np.random.default_rng([seed, 1])
    ids_of = {"customers": cust_nodes.nums, "orders": order_nodes.nums,
              "products": [numeric_id(p["id"]) for p in catalog.products]}
    update_order = {r: [ids_of[r][i] for i in shuffle.permutation(len(ids_of[r]))]
                    for r in RESOURCES}
    # Generation's temporaries go before the store builds its maps and indexes (the peak).
    del contact_of, baskets, timeline, gids, ids, pop, account, opened, person, day, net, spent
    return Store(shop, seed, info, records, truth, update_order)

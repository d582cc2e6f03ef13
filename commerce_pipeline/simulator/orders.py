"""Orders from purchases: baskets, discounts, tax, refunds, cancellations, fulfilment.

Amounts are integer cents until the dict is written, so totals are exactly
consistent: a line's discountedTotal = price x quantity - its discount share,
subtotal = sum of discountedTotal, total = subtotal + tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from commerce_pipeline.simulator.catalog import Catalog, fmt_cents
from commerce_pipeline.simulator.packed import PackedRecords
from commerce_pipeline.simulator.persons import iso_day, iso_days

ORDER_BASE, LINE_BASE, REFUND_BASE = 5_400_000_000_000, 13_500_000_000_000, 9_100_000_000_000
DISCOUNTS = (("WELCOME10", 10), ("SPRING15", 15), ("VIP20", 20), ("HOLIDAY25", 25), ("FRIENDS5", 5))
CANCEL_REASONS = ("CUSTOMER", "FRAUD", "INVENTORY", "DECLINED", "OTHER")
SHARE_DISCOUNT, SHARE_CANCELLED, SHARE_REFUNDED = 0.15, 0.03, 0.05


@dataclass
class Baskets:
    line_order: np.ndarray  # order index of every line, ascending
    variant: np.ndarray
    quantity: np.ndarray
    discount: np.ndarray  # per order: index into DISCOUNTS, -1 for none
    line_discount: np.ndarray  # cents taken off each line
    line_total: np.ndarray  # discountedTotal of each line, cents

    def subtotals(self, n_orders: int) -> np.ndarray:
        totals = np.bincount(self.line_order, weights=self.line_total, minlength=n_orders)
        return totals.astype(np.int64)


def draw_baskets(rng: np.random.Generator, catalog: Catalog, day: np.ndarray,
                 preferred: np.ndarray, big_order: int | None, big_lines: int) -> Baskets:
    """Line items for every purchase; `preferred` is each purchase's favourite category."""
    n = len(day)
    lines = rng.choice(np.arange(1, 6), size=n, p=[0.5, 0.25, 0.13, 0.08, 0.04])
    if big_order is not None:
        lines[big_order] = big_lines
    line_order = np.repeat(np.arange(n), lines)
    variant = rng.choice(len(catalog.v_id), size=line_order.size, p=catalog.v_weight)
    # Half the lines come from the shopper's favourite category, when it has anything on sale.
    for cat in np.unique(preferred):
        pool = np.flatnonzero((catalog.v_category == cat) & (catalog.v_weight > 0))
        pick = (preferred[line_order] == cat) & (rng.random(line_order.size) < 0.5)
        if pool.size and pick.any():
            w = catalog.v_weight[pool] / catalog.v_weight[pool].sum()
            variant[pick] = pool[rng.choice(pool.size, size=int(pick.sum()), p=w)]
    # Nothing is bought before its product exists: fall back to the launch catalog.
    early = np.flatnonzero((catalog.v_created <= 0) & (catalog.v_weight > 0))
    late = catalog.v_created[variant] > day[line_order]
    if late.any() and early.size:
        variant[late] = early[rng.integers(early.size, size=int(late.sum()))]
    quantity = rng.choice([1, 2, 3], size=line_order.size, p=[0.75, 0.18, 0.07])
    discount = np.where(rng.random(n) < SHARE_DISCOUNT, rng.integers(len(DISCOUNTS), size=n), -1)
    pct = np.array([d[1] for d in DISCOUNTS] + [0])[discount]
    gross = catalog.v_price[variant] * quantity
    line_discount = np.round(gross * pct[line_order] / 100).astype(np.int64)
    return Baskets(line_order, variant, quantity, discount, line_discount, gross - line_discount)


def _money(cents: int, currency: str) -> dict:
    return {"shopMoney": {"amount": fmt_cents(cents), "currencyCode": currency}}


def _pick3(u: float, cut1: float, cut2: float, values: tuple[str, str, str]) -> str:
    return values[0] if u < cut1 else values[1] if u < cut2 else values[2]


@dataclass
class OrderSetup:
    start: datetime
    end_day: float
    currency: str
    tax_rate: float


def _refund(setup: OrderSetup, number: int, at: str, lines: list[dict], quantities: list[int],
            amount: int, note: str | None) -> dict:
    refund_lines = []
    for line, q in zip(lines, quantities):
        unit = line["_total"] // line["quantity"]
        refund_lines.append({"quantity": q, "lineItem": {"id": line["id"]},
                             "subtotalSet": _money(unit * q, setup.currency)})
    return {"id": f"gid://shopify/Refund/{REFUND_BASE + number}", "createdAt": at, "note": note,
            "totalRefundedSet": _money(amount, setup.currency), "refundLineItems": refund_lines}


def build_orders(rng: np.random.Generator, setup: OrderSetup, catalog: Catalog, day: np.ndarray,
                 baskets: Baskets, customer: list[str | None], contact: list[tuple],
                 source: list[str]) -> tuple[PackedRecords, np.ndarray]:
    """GraphQL-shaped orders (ids in creation order), packed as they are made (a large store's
    order dicts would not fit in memory), and the net amount paid for each, in cents."""
    n, cur = len(day), setup.currency
    subtotal = baskets.subtotals(n)
    tax = np.round(subtotal * setup.tax_rate).astype(np.int64)
    discounts = np.bincount(baskets.line_order, weights=baskets.line_discount, minlength=n)[:n]
    age = (setup.end_day - day).tolist()
    r = rng.random((n, 8)).tolist()  # one row of uniform draws per order keeps the loop cheap
    created = iso_days(setup.start, day)
    starts = np.searchsorted(baskets.line_order, np.arange(n + 1)).tolist()
    # Plain Python numbers from here on: numpy scalars are slow one at a time.
    day, subtotal, tax = day.tolist(), subtotal.tolist(), tax.tolist()
    discounts, codes = discounts.astype(np.int64).tolist(), baskets.discount.tolist()
    variant, quantity = baskets.variant.tolist(), baskets.quantity.tolist()
    line_total, price = baskets.line_total.tolist(), catalog.v_price.tolist()
    product_ids = [catalog.products[p]["id"] for p in catalog.v_product.tolist()]
    orders, net = PackedRecords("orders"), np.zeros(n, dtype=np.int64)
    refunds = 0
    for i in range(n):
        lo, hi = starts[i], starts[i + 1]
        lines = []
        for k in range(lo, hi):
            v = variant[k]
            lines.append({
                "id": f"gid://shopify/LineItem/{LINE_BASE + k + 1}", "sku": catalog.v_sku[v],
                "title": catalog.v_title[v], "quantity": quantity[k],
                "variant": {"id": catalog.v_id[v]}, "product": {"id": product_ids[v]},
                "originalUnitPriceSet": _money(price[v], cur),
                "discountedTotalSet": _money(line_total[k], cur), "_total": line_total[k],
            })
        total = subtotal[i] + tax[i]
        events = [day[i]]
        cancelled_at = closed_at = reason = None
        refund_list, refunded, fulfil, financial = [], 0, "FULFILLED", "PAID"
        if r[i][0] < SHARE_CANCELLED:
            when = min(day[i] + 0.02 + r[i][1] * 2, setup.end_day)
            events.append(when)
            cancelled_at = closed_at = iso_day(setup.start, when)
            reason = CANCEL_REASONS[int(r[i][2] * len(CANCEL_REASONS))]
            fulfil, financial = "UNFULFILLED", "VOIDED"
            if r[i][3] < 0.4:  # payment was captured, so cancelling refunds it in full
                refunds += 1
                everything = [ln["quantity"] for ln in lines]
                refund_list.append(_refund(setup, refunds, cancelled_at, lines, everything, total,
                                           "Order canceled"))
                refunded, financial = total, "REFUNDED"
        else:
            if age[i] < 3:
                fulfil = _pick3(r[i][4], 0.7, 0.8,
                                ("UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED"))
                financial = _pick3(r[i][5], 0.75, 0.85, ("PAID", "PENDING", "AUTHORIZED"))
            elif r[i][1] < SHARE_REFUNDED / (1 - SHARE_CANCELLED):
                when = min(day[i] + 3 + r[i][2] * 27, setup.end_day)
                events.append(when)
                refunds += 1
                if r[i][3] < 0.6:  # part of one line came back
                    j = int(r[i][6] * len(lines))
                    q = 1 + int(r[i][7] * lines[j]["quantity"])
                    part = lines[j]["_total"] // lines[j]["quantity"] * q
                    refunded = min(total, part + round(part * setup.tax_rate))
                    refund_list.append(_refund(setup, refunds, iso_day(setup.start, when),
                                               [lines[j]], [q], refunded, "Returned item"))
                else:
                    refunded = total
                    everything = [ln["quantity"] for ln in lines]
                    refund_list.append(_refund(setup, refunds, iso_day(setup.start, when),
                                               lines, everything, total, None))
                financial = "REFUNDED" if refunded >= total else "PARTIALLY_REFUNDED"
            if fulfil == "FULFILLED" and age[i] > 14:
                when = min(day[i] + 2 + r[i][4] * 8, setup.end_day)
                events.append(when)
                closed_at = iso_day(setup.start, when)
        updated = min(max(events) + r[i][6] * 0.5, setup.end_day)
        for ln in lines:
            del ln["_total"]
        disc = codes[i]
        email, phone = contact[i]
        net[i] = 0 if financial == "VOIDED" else total - refunded
        orders.add({
            "id": f"gid://shopify/Order/{ORDER_BASE + i + 1}", "name": f"#{1001 + i}",
            "email": email, "phone": phone, "createdAt": created[i],
            "updatedAt": iso_day(setup.start, updated), "processedAt": created[i],
            "cancelledAt": cancelled_at, "closedAt": closed_at, "cancelReason": reason,
            "currencyCode": cur, "displayFinancialStatus": financial,
            "displayFulfillmentStatus": fulfil, "sourceName": source[i],
            "tags": ["gift"] if r[i][7] < 0.06 else [], "test": False,
            "discountCodes": [DISCOUNTS[disc][0]] if disc >= 0 else [],
            "customer": {"id": customer[i]} if customer[i] else None,
            "totalPriceSet": _money(total, cur), "subtotalPriceSet": _money(subtotal[i], cur),
            "totalDiscountsSet": _money(discounts[i], cur),
            "totalTaxSet": _money(tax[i], cur), "totalRefundedSet": _money(refunded, cur),
            "refunds": refund_list, "lineItems": lines,
        })
    return orders.finish(), net

"""The latent buy-till-you-die process shows up in the data (statistical, wide margins)."""

from collections import Counter
from datetime import UTC, datetime
from functools import cache

import numpy as np

from commerce_pipeline.simulator import generate_store
from commerce_pipeline.simulator.generator import END
from commerce_pipeline.simulator.persons import day_of_year, seasonality

END_ISO = END.strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def store():
    return generate_store("btyd", 21, 2000)


def orders_per_person():
    truth = store().ground_truth
    per_person = Counter()
    for order in store().records("orders"):
        if order["customer"]:
            customer_id = int(order["customer"]["id"].rsplit("/", 1)[1])
            per_person[truth["customer_person"][customer_id]] += 1
    return per_person


def test_many_persons_buy_exactly_once():
    counts = orders_per_person()
    assert sum(1 for c in counts.values() if c == 1) / len(counts) > 0.3


def test_some_loyal_persons_buy_very_often():
    counts = orders_per_person()
    assert sum(1 for c in counts.values() if c >= 10) / len(counts) > 0.03
    assert max(counts.values()) >= 20


def test_loyal_segment_buys_faster_and_drops_out_less():
    persons = store().ground_truth["persons"]
    loyal = [p for p in persons if p["loyal"]]
    casual = [p for p in persons if not p["loyal"]]
    assert np.mean([p["lam"] for p in loyal]) > 2 * np.mean([p["lam"] for p in casual])
    assert np.mean([p["p"] for p in loyal]) < np.mean([p["p"] for p in casual]) / 3


def test_dropout_leaves_many_persons_dead_at_the_end():
    alive = [p["alive_at_end"] for p in store().ground_truth["persons"]]
    assert 0.2 < np.mean(alive) < 0.8


def test_dead_persons_have_no_future_purchases():
    truth = store().ground_truth
    dead = {p["person_id"] for p in truth["persons"] if not p["alive_at_end"]}
    assert truth["future_purchases"]
    assert not dead & {f["person_id"] for f in truth["future_purchases"]}


def test_future_purchases_fall_in_the_future_window_only():
    future = store().ground_truth["future_purchases"]
    assert all(END_ISO < f["at"] <= "2026-12-27T00:00:00Z" for f in future)
    assert all(f["net_amount"] > 0 for f in future)


def test_future_purchases_are_never_served_as_orders():
    assert max(o["createdAt"] for o in store().records("orders")) <= END_ISO


def test_acquisitions_spread_over_the_history_window():
    acquired = sorted(p["acquired_at"] for p in store().ground_truth["persons"])
    assert acquired[0] < "2024-09-01" and acquired[-1] > "2026-04-01"


def test_holiday_season_has_more_orders_per_day_than_the_months_around_it():
    months = Counter(o["createdAt"][5:7] for o in store().records("orders"))
    holiday = (months["11"] + months["12"]) / 61
    around = (months["09"] + months["10"] + months["01"] + months["02"]) / 120
    assert holiday > 1.25 * around


def test_seasonality_peaks_in_december_and_wraps_the_year():
    days = np.array([45.0, 338.0, 364.0, 2.0])
    low, peak, late, early = seasonality(days)
    assert peak > 1.5 * low
    assert late > low and early > low  # the peak's tail crosses new year


def test_day_of_year_counts_from_the_window_start():
    start = datetime(2024, 6, 30, tzinfo=UTC)
    assert round(float(day_of_year(start, np.array([0.0]))[0])) == 181

"""The latent buy-till-you-die process behind every simulated shopper.

Each person has a purchase rate lambda (per day, Gamma distributed), a dropout
probability p (Beta distributed) applied after every purchase, and an
acquisition date (their first purchase). Purchase intensity is modulated by a
yearly seasonality: a gentle wave plus a holiday peak in late November and
December. The process runs vectorised over all persons at once, one candidate
event per still-active person per round, using thinning for the seasonality.
Time is measured in float days since the start of the history window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

WAVE = 0.2  # amplitude of the yearly wave (high in autumn, low in spring)
PEAK = 0.9  # extra intensity at the holiday peak
PEAK_DAY, PEAK_WIDTH = 338.0, 15.0  # early December, ~2 weeks either side
SEASON_MAX = 1.0 + WAVE + PEAK  # upper bound of seasonality(), used for thinning
LOYAL_SHARE = 0.1
MAX_RATE = 0.2  # purchases per day; caps the number of simulation rounds


@dataclass
class Population:
    lam: np.ndarray  # purchase rate per day
    p: np.ndarray  # dropout probability after each purchase
    loyal: np.ndarray  # bool: the high-frequency, low-dropout segment
    acquired: np.ndarray  # day of first purchase
    dropped: np.ndarray  # day of the purchase after which they dropped out (nan: never)
    purchase_person: np.ndarray  # person index of every purchase, ordered by time
    purchase_day: np.ndarray  # day of every purchase, ascending

    def alive_at(self, day: float) -> np.ndarray:
        return np.isnan(self.dropped) | (self.dropped > day)


def seasonality(day_of_year: np.ndarray) -> np.ndarray:
    """Relative purchase intensity on a day of the year (1.0 on an average day)."""
    wave = WAVE * np.cos(2 * np.pi * (day_of_year - 300.0) / 365.25)
    # Distance to the peak wraps around the year so early January still sees its tail.
    distance = np.minimum(np.abs(day_of_year - PEAK_DAY), 365.25 - np.abs(day_of_year - PEAK_DAY))
    return 1.0 + wave + PEAK * np.exp(-0.5 * (distance / PEAK_WIDTH) ** 2)


def day_of_year(start: datetime, days: np.ndarray) -> np.ndarray:
    offset = start.timetuple().tm_yday - 1 + (start.hour * 3600 + start.minute * 60) / 86400
    return (offset + days) % 365.25


def draw_traits(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lam, p, loyal): a few loyal frequent buyers, a large casual majority."""
    loyal = rng.random(n) < LOYAL_SHARE
    lam = np.where(
        loyal, rng.gamma(3.0, 0.07 / 3.0, n), rng.gamma(0.8, 0.025 / 0.8, n)
    )
    p = np.where(loyal, rng.beta(1.0, 40.0, n), rng.beta(1.0, 2.0, n))
    return np.clip(lam, 1e-4, MAX_RATE), p, loyal


def draw_acquisitions(
    rng: np.random.Generator, n: int, start: datetime, history_days: float
) -> np.ndarray:
    """Acquisition days over the history window: growing over time, seasonal like purchases."""
    out = np.empty(0)
    growth = 0.6  # the last day attracts 1.6x the new customers of the first
    bound = (1.0 + growth) * SEASON_MAX
    while out.size < n:  # rejection sampling, a few passes at most
        days = rng.random(3 * n + 10) * history_days
        density = (1.0 + growth * days / history_days) * seasonality(day_of_year(start, days))
        out = np.concatenate([out, days[rng.random(days.size) * bound < density]])
    return np.sort(out[:n]) if n else out


def simulate_population(
    rng: np.random.Generator, n: int, start: datetime, history_days: float, future_days: float
) -> Population:
    lam, p, loyal = draw_traits(rng, n)
    acquired = rng.permutation(draw_acquisitions(rng, n, start, history_days))
    horizon = history_days + future_days
    persons = [np.arange(n)]
    days = [acquired.copy()]
    dropped = np.full(n, np.nan)
    # The first purchase is the acquisition; dropout can follow it like any purchase.
    die = rng.random(n) < p
    dropped[die] = acquired[die]
    clock = acquired.copy()
    active = np.flatnonzero(~die)
    while active.size:
        clock[active] += rng.exponential(1.0 / (lam[active] * SEASON_MAX))
        active = active[clock[active] <= horizon]
        intensity = seasonality(day_of_year(start, clock[active])) / SEASON_MAX
        buyers = active[rng.random(active.size) < intensity]
        persons.append(buyers)
        days.append(clock[buyers].copy())
        quits = buyers[rng.random(buyers.size) < p[buyers]]
        dropped[quits] = clock[quits]
        active = np.setdiff1d(active, quits, assume_unique=True)
    person = np.concatenate(persons)
    day = np.concatenate(days)
    order = np.lexsort((person, day))
    return Population(lam, p, loyal, acquired, dropped, person[order], day[order])


def iso_days(start: datetime, days: np.ndarray) -> list[str]:
    """Days since `start` -> ISO 8601 UTC strings with whole seconds, like Shopify's DateTime."""
    base = np.datetime64(start.replace(tzinfo=None), "s")
    stamps = base + np.round(np.asarray(days, dtype=float) * 86400).astype("timedelta64[s]")
    return [s + "Z" for s in np.datetime_as_string(stamps, unit="s").tolist()]


def iso_day(start: datetime, day: float) -> str:
    """Scalar iso_days, cheaper for one value at a time."""
    moment = start + timedelta(seconds=round(float(day) * 86400))
    return moment.replace(tzinfo=None).isoformat() + "Z"  # isoformat is much faster than strftime

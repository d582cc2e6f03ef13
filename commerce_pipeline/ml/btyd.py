"""BG/NBD (Fader, Hardie and Lee 2005), the classical buy-till-you-die model, as a reference the
LightGBM models are reported against: fitted by maximum likelihood on the training customers'
repeat purchases, then asked the same questions (no purchase in the window; purchases in it).

Per customer, in days: x = repeat purchases (frequency - 1), t_x = day of the last purchase
counted from the first (tenure - recency), T = days from the first purchase to the cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


def summary(X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) from the feature columns; T at least a day so a same-day newcomer is finite."""
    T = np.maximum(X["tenure_days"].to_numpy(dtype=float), 1.0)
    x = np.maximum(X["frequency"].to_numpy(dtype=float) - 1.0, 0.0)
    t_x = np.clip(T - X["recency_days"].to_numpy(dtype=float), 0.0, T)
    return x, t_x, T


class _Likelihood:
    """The BG/NBD log-likelihood of one customer summary, for the optimiser to call ~100 times.

    x holds few distinct values (order counts), T and t_x few distinct days, so the costly
    special functions and logs run once per distinct value and are gathered back per row. Each
    row's terms are the same floats as computed row by row, summed in the same order: the
    value, and so the fit, is unchanged, ~10x faster on 80k customers."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray):
        self.x, self.repeat = x, x > 0
        self.xs, self.x_at = np.unique(x, return_inverse=True)
        self.Ts, self.T_at = np.unique(T, return_inverse=True)
        self.t_xs, self.t_x_at = np.unique(t_x, return_inverse=True)

    def __call__(self, params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(params)
        xs, x, at = self.xs, self.x, self.x_at
        common = (gammaln(r + xs) - gammaln(r) + r * np.log(alpha))[at]
        alive = (betaln(a, b + xs) - betaln(a, b))[at] - (r + x) * np.log(alpha + self.Ts)[self.T_at]
        # The second term exists only for repeat buyers: they may have dropped out after t_x.
        dropped_by_x = betaln(a + 1, np.maximum(b + xs - 1, 1e-9)) - betaln(a, b)
        dropped = np.where(self.repeat, dropped_by_x[at] - (r + x) * np.log(alpha + self.t_xs)[self.t_x_at],
                           -np.inf)
        return float(np.sum(common + np.logaddexp(alive, dropped)))


@dataclass(frozen=True)
class BGNBD:
    r: float
    alpha: float
    a: float
    b: float

    @classmethod
    def fit(cls, X: pd.DataFrame) -> BGNBD:
        x, t_x, T = summary(X)
        start = np.log([0.5, max(float(np.mean(T)), 1.0), 1.0, 1.0])
        likelihood = _Likelihood(x, t_x, T)
        best = minimize(lambda p: -likelihood(p), start, method="L-BFGS-B",
                        bounds=[(-8, 8), (-8, 12), (-8, 8), (-8, 8)])
        return cls(*np.exp(best.x))

    def p_alive(self, x, t_x, T) -> np.ndarray:
        ratio = (self.a / np.maximum(self.b + x - 1, 1e-9)) * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x)
        return 1.0 / (1.0 + np.where(x > 0, ratio, 0.0))

    def p_no_purchase(self, X: pd.DataFrame, window: float) -> np.ndarray:
        """P(no purchase within `window` days after the cutoff): dead, or alive and silent."""
        x, t_x, T = summary(X)
        silent = ((self.alpha + T) / (self.alpha + T + window)) ** (self.r + x)
        alive = self.p_alive(x, t_x, T)
        return np.clip(1.0 - alive + alive * silent, 0.0, 1.0)

    def expected_purchases(self, X: pd.DataFrame, window: float) -> np.ndarray:
        x, t_x, T = summary(X)
        z = window / (self.alpha + T + window)
        head = (self.a + self.b + x - 1) / (self.a - 1)  # negative with tail when a < 1: the product is not
        tail = 1 - ((self.alpha + T) / (self.alpha + T + window)) ** (self.r + x) * hyp2f1(
            self.r + x, self.b + x, self.a + self.b + x - 1, z)
        ratio = (self.a / np.maximum(self.b + x - 1, 1e-9)) * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x)
        return np.maximum(head * tail / (1 + np.where(x > 0, ratio, 0.0)), 0.0)

    def expected_value(self, X: pd.DataFrame, window: float) -> np.ndarray:
        """Expected purchases times the customer's own average net order value so far."""
        aov = (X["monetary"].to_numpy(dtype=float) / X["frequency"].to_numpy(dtype=float)).clip(min=0.0)
        return self.expected_purchases(X, window) * aov


BTYD_FEATURES = ("bgnbd_p_alive", "bgnbd_p_no_purchase", "bgnbd_expected_purchases")


def augment(X: pd.DataFrame, model: BGNBD, window: float) -> pd.DataFrame:
    """The model matrix plus what a BG/NBD fitted at the same cutoff says about each customer.
    The fit sees only purchases up to the cutoff (no labels), so this adds no leakage."""
    x, t_x, T = summary(X)
    return X.assign(bgnbd_p_alive=model.p_alive(x, t_x, T),
                    bgnbd_p_no_purchase=model.p_no_purchase(X, window),
                    bgnbd_expected_purchases=model.expected_purchases(X, window))

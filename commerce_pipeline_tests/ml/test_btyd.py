"""BG/NBD, the reference model: fitted by maximum likelihood it recovers the process that made
the data, and its forecasts add up to what happened next."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln, gammaln

from commerce_pipeline.ml.btyd import BGNBD, BTYD_FEATURES, _Likelihood, augment, summary

TRUE = {"r": 0.6, "alpha": 30.0, "a": 0.9, "b": 3.0}


def _simulate(n: int, seed: int, horizon: float = 90.0):
    """Customers of a BG/NBD process: features at the cutoff, and purchases in the next `horizon` days."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    p = rng.beta(TRUE["a"], TRUE["b"], n)
    T = rng.uniform(30, 700, n)
    rows, future = [], []
    for i in range(n):
        t, last, x, alive = 0.0, 0.0, 0, True
        ahead = 0
        while alive:
            t += rng.exponential(1 / lam[i])
            if t > T[i] + horizon:
                break
            if t <= T[i]:
                x, last = x + 1, t
            else:
                ahead += 1
            alive = rng.random() >= p[i]
        rows.append({"frequency": x + 1, "tenure_days": T[i], "recency_days": T[i] - last, "monetary": 50.0 * (x + 1)})
        future.append(ahead)
    return pd.DataFrame(rows), np.array(future)


@pytest.fixture(scope="module")
def simulated():
    return _simulate(6000, seed=3)


def test_maximum_likelihood_recovers_the_purchase_and_dropout_process(simulated):
    X, _ = simulated
    fit = BGNBD.fit(X)
    assert fit.r == pytest.approx(TRUE["r"], rel=0.2) and fit.alpha == pytest.approx(TRUE["alpha"], rel=0.25)
    # r/alpha, the mean purchase rate, is what the data pins down best
    assert fit.r / fit.alpha == pytest.approx(TRUE["r"] / TRUE["alpha"], rel=0.1)


def test_expected_purchases_add_up_to_the_purchases_that_followed(simulated):
    X, future = simulated
    expected = BGNBD.fit(X).expected_purchases(X, 90.0)
    assert expected.sum() == pytest.approx(future.sum(), rel=0.1)


def test_no_purchase_is_likelier_the_longer_a_customer_has_been_quiet():
    model = BGNBD(**TRUE)
    X = pd.DataFrame({"frequency": [5, 5, 5], "tenure_days": [400.0] * 3, "recency_days": [5.0, 100.0, 300.0],
                      "monetary": [250.0] * 3})
    p = model.p_no_purchase(X, 90.0)
    assert p[0] < p[1] < p[2] and ((0 <= p) & (p <= 1)).all()


def test_augment_adds_the_bgnbd_columns_without_touching_the_features(simulated):
    X, _ = simulated
    out = augment(X, BGNBD(**TRUE), 90.0)
    assert list(out.columns) == list(X.columns) + list(BTYD_FEATURES)
    pd.testing.assert_frame_equal(out[X.columns], X)


def test_the_likelihood_is_exactly_the_sum_of_each_customers_bgnbd_log_likelihood(simulated):
    # Fader, Hardie and Lee (2005), eq. 6, one value per customer: computing it once per
    # distinct order count and day must not change a single bit, or the fit would move.
    x, t_x, T = summary(simulated[0])
    for params in ([-0.5, 3.4, -0.1, 1.1], [1.0, 0.0, 2.0, -3.0]):
        r, alpha, a, b = np.exp(params)
        alive = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
        dropped = np.where(x > 0, betaln(a + 1, np.maximum(b + x - 1, 1e-9)) - betaln(a, b)
                           - (r + x) * np.log(alpha + t_x), -np.inf)
        each = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + np.logaddexp(alive, dropped)
        assert _Likelihood(x, t_x, T)(np.array(params)) == float(np.sum(each))

"""Features at several cutoffs in one build (dbt var `feature_cutoff_offsets`, days before the
reference date): each cutoff's features use only the orders and refunds on or before it, exactly
as a build as of that date would compute them; offset 0 is customer_features."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commerce_pipeline.transform.project import DBT_PROJECT_DIR
from commerce_pipeline_tests.transform.conftest import CUTOFF_OFFSETS, EARLIER, raw_orders
from commerce_pipeline_tests.transform.test_customer_features import (
    assert_features_match,
    expected_features,
)

REFERENCE = date(2026, 6, 29)  # the store's latest counted order date
CUTOFF_COLUMNS = ["cutoff_offset_days", "cutoff_date"]


@pytest.fixture(scope="module")
def at_cutoffs(duckdb_store) -> pd.DataFrame:
    return duckdb_store.table("customer_features_at_cutoffs")


@pytest.fixture(scope="module")
def orders(duckdb_store) -> pd.DataFrame:
    orders = raw_orders(duckdb_store.store, duckdb_store.members())
    return orders[orders.counted]


def at_offset(at_cutoffs: pd.DataFrame, offset: int) -> pd.DataFrame:
    """The rows of one cutoff with the columns of customer_features, in profile order."""
    rows = at_cutoffs[at_cutoffs.cutoff_offset_days == offset].drop(columns=CUTOFF_COLUMNS)
    return rows.sort_values("profile_id", ignore_index=True)


def test_one_cutoff_per_offset_counted_back_from_the_reference_date(duckdb_store):
    cutoffs = duckdb_store.table("feature_cutoffs").sort_values("cutoff_offset_days")
    assert CUTOFF_OFFSETS == [0, 30, 90, 110]
    dates = pd.to_datetime(cutoffs.cutoff_date).dt.date
    assert list(zip(cutoffs.cutoff_offset_days, dates)) == [
        (0, date(2026, 6, 29)), (30, date(2026, 5, 30)),
        (90, date(2026, 3, 31)), (110, date(2026, 3, 11)),
    ]
    assert set(pd.to_datetime(cutoffs.reference_date).dt.date) == {REFERENCE}


def test_rows_keep_the_runs_reference_date_and_their_own_cutoff_date(at_cutoffs):
    assert sorted(set(at_cutoffs.cutoff_offset_days)) == CUTOFF_OFFSETS
    assert set(pd.to_datetime(at_cutoffs.reference_date).dt.date) == {REFERENCE}
    cutoff_dates = pd.to_datetime(at_cutoffs.cutoff_date).dt.date
    expected = [REFERENCE - timedelta(days=int(n)) for n in at_cutoffs.cutoff_offset_days]
    assert (cutoff_dates == expected).all()


def test_offset_zero_rows_are_exactly_customer_features(duckdb_store, at_cutoffs):
    features = duckdb_store.table("customer_features").sort_values("profile_id", ignore_index=True)
    pd.testing.assert_frame_equal(at_offset(at_cutoffs, 0), features)


@pytest.mark.parametrize("offset", CUTOFF_OFFSETS)
def test_features_at_each_cutoff_match_an_independent_computation_from_raw_orders(
        duckdb_store, at_cutoffs, offset):
    cutoff = REFERENCE - timedelta(days=offset)
    expected = expected_features(duckdb_store.store, duckdb_store.members(), cutoff)
    assert_features_match(at_offset(at_cutoffs, offset), expected)


def by_member_key(built, features: pd.DataFrame) -> pd.DataFrame:
    """`features` with profile_id replaced by the profile's smallest member key (comparable
    across tenants whatever ids identity resolution gives), in that order."""
    anchors = built.frame("select profile_id, min(source_key) as anchor from profile_members "
                          "group by profile_id")
    out = features.assign(profile_id=features.profile_id.map(dict(anchors.itertuples(index=False))))
    return out.sort_values("profile_id", ignore_index=True)


def test_features_at_an_offset_equal_a_build_as_of_that_earlier_date(
        duckdb_store, leakage_store, at_cutoffs, features_as_of_earlier):
    offset = (REFERENCE - date.fromisoformat(EARLIER)).days
    assert offset == 90
    # the same store in another tenant, built with reference_date=EARLIER (reference_date differs)
    at_earlier_cutoff = by_member_key(duckdb_store, at_offset(at_cutoffs, offset))
    built_as_of_earlier = by_member_key(leakage_store, features_as_of_earlier)
    assert len(built_as_of_earlier) > 0
    pd.testing.assert_frame_equal(at_earlier_cutoff.drop(columns="reference_date"),
                                  built_as_of_earlier.drop(columns="reference_date"))


def test_orders_after_a_cutoff_are_left_out_of_that_cutoffs_features(at_cutoffs, orders):
    cutoff = REFERENCE - timedelta(days=90)
    by_then = orders[orders.order_date <= cutoff].groupby("profile_id").size()
    assert (orders.order_date > cutoff).sum() > 0, "the store should have orders after the cutoff"
    features = at_offset(at_cutoffs, 90).set_index("profile_id")
    assert features.frequency.to_dict() == by_then.to_dict()
    first_order_later = set(orders.profile_id) - set(by_then.index)
    assert first_order_later, "some profiles should first order after the cutoff"
    assert not first_order_later & set(features.index)


def test_a_refund_issued_after_a_cutoff_is_left_out_of_that_cutoffs_features(at_cutoffs, orders):
    """A counted order placed by one cutoff and refunded before the next: the refund shows at
    the later cutoff only."""
    offsets = sorted(CUTOFF_OFFSETS, reverse=True)
    found = [(o.profile_id, early, late) for early, late in zip(offsets, offsets[1:])
             for o in orders.itertuples()
             if o.order_date <= REFERENCE - timedelta(days=early)
             and any(REFERENCE - timedelta(days=early) < on <= REFERENCE - timedelta(days=late)
                     for on, _ in o.refunds)]
    assert found, "the store should have an order refunded between two cutoffs"
    profile, early_offset, late_offset = found[0]
    early, late = (REFERENCE - timedelta(days=early_offset), REFERENCE - timedelta(days=late_offset))
    own = orders[orders.profile_id == profile]

    def expected(cutoff):
        placed = own[own.order_date <= cutoff]
        refunded = [sum(a for on, a in r if on <= cutoff) for r in placed.refunds]
        return (len(placed), sum(r > 0 for r in refunded) / len(placed),
                sum(refunded) / placed.total.sum(), placed.total.sum() - sum(refunded))

    for offset, cutoff in ((early_offset, early), (late_offset, late)):
        row = at_offset(at_cutoffs, offset).set_index("profile_id").loc[profile]
        frequency, share, rate, monetary = expected(cutoff)
        assert (row.frequency, row.refunded_order_share) == (frequency, pytest.approx(share))
        assert row.refund_rate == pytest.approx(rate)
        assert float(row.monetary) == pytest.approx(float(monetary))
    assert expected(late)[3] < expected(early)[3] or expected(late)[0] > expected(early)[0]


@pytest.mark.parametrize("offset", CUTOFF_OFFSETS)
def test_rfm_scores_are_quintiles_of_near_equal_size_within_each_cutoff(at_cutoffs, offset):
    features = at_offset(at_cutoffs, offset)
    for column in ("r_score", "f_score", "m_score"):
        sizes = features[column].value_counts().sort_index()
        assert list(sizes.index) == [1, 2, 3, 4, 5]
        assert sizes.tolist() == [len(c) for c in np.array_split(range(len(features)), 5)]


def render_cutoff_offsets(value, tmp_path: Path) -> subprocess.CompletedProcess:
    """What the feature_cutoff_offsets macro makes of `value` (dbt compile, no build)."""
    dbt = Path(sys.executable).parent / "dbt"
    # DBT_TARGET_PATH as dagster-dbt sets it: dbt opens the DuckDB file beside it (tmp_path's).
    env = {**os.environ, "DBT_TARGET_PATH": str(tmp_path / "target")}
    return subprocess.run(
        [str(dbt), "compile", "--quiet", "--profiles-dir", ".", "--log-path", str(tmp_path / "logs"),
         "--vars", json.dumps({"feature_cutoff_offsets": value}),
         "--inline", "{{ feature_cutoff_offsets() }}"],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_cutoff_offsets_are_deduplicated_sorted_and_always_include_zero(tmp_path):
    result = render_cutoff_offsets([90, 30, 30], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[0, 30, 90]"


@pytest.mark.parametrize("value", [[30, -7], "30"], ids=["negative", "not_a_list"])
def test_cutoff_offsets_not_a_list_of_non_negative_integers_are_an_error_naming_the_var(
        tmp_path, value):
    result = render_cutoff_offsets(value, tmp_path)
    assert result.returncode != 0
    message = "feature_cutoff_offsets must be a list of non-negative integers"
    assert message in result.stdout + result.stderr

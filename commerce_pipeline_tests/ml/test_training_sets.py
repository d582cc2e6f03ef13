from datetime import date, timedelta

import pandas as pd
import pytest

from commerce_pipeline.ml.settings import InvalidModelSetting, ModelSettings
from commerce_pipeline.ml.training_sets import (
    FEATURES,
    NotTrainable,
    build_training_set,
    category_levels,
    check_history,
    holdout_split,
    model_matrix,
    orders_between,
    window_outcomes,
)
from commerce_pipeline_tests.ml.synthetic import REFERENCE, features_at_cutoffs, transaction_log


def _orders(*rows):
    return pd.DataFrame(rows, columns=["profile_id", "order_date", "total_price", "net_revenue"])


@pytest.mark.parametrize("as_timestamps", [False, True])  # dates as Python dates or datetime64
def test_orders_between_excludes_the_first_day_and_includes_the_last(as_timestamps):
    days = [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 31), date(2026, 2, 1)]
    orders = _orders(*[(f"o{i}", d, 1.0, 1.0) for i, d in enumerate(days)])
    if as_timestamps:
        orders["order_date"] = pd.to_datetime(orders["order_date"])
    inside = orders_between(orders, date(2026, 1, 1), date(2026, 1, 31))
    assert inside["profile_id"].tolist() == ["o1", "o2"]


def test_window_outcomes_count_orders_after_the_cutoff_up_to_the_window_end_inclusive():
    cutoff = date(2026, 1, 1)
    orders = _orders(("a", cutoff, 10.0, 10.0), ("a", date(2026, 1, 2), 5.0, 4.0),
                     ("a", date(2026, 1, 31), 7.0, 7.0), ("a", date(2026, 2, 1), 9.0, 9.0))
    out = window_outcomes(orders, cutoff, 30)
    assert out.loc["a", "orders"] == 2
    assert out.loc["a", "net_revenue"] == pytest.approx(11.0)


def test_a_customer_without_orders_in_the_window_is_labelled_churned_with_zero_value():
    log = transaction_log(300, seed=1)
    cutoffs = features_at_cutoffs(log, [0, 90])
    ts = build_training_set(cutoffs, log, 90, 90, category_levels(cutoffs))
    after = window_outcomes(log, ts.cutoff_date, 90)
    for pid in ts.profile_ids[:50]:
        bought = pid in after.index
        assert ts.churned[pid] == (0 if bought else 1)
        assert ts.window_value[pid] == pytest.approx(after.loc[pid, "net_revenue"] if bought else 0.0)


def test_training_rows_are_the_customers_who_had_ordered_by_the_cutoff():
    log = transaction_log(300, seed=2)
    cutoffs = features_at_cutoffs(log, [0, 90])
    ts = build_training_set(cutoffs, log, 90, 90, category_levels(cutoffs))
    expected = set(log.loc[log["order_date"] <= REFERENCE - timedelta(days=90), "profile_id"])
    assert set(ts.profile_ids) == expected
    assert ts.cutoff_date == REFERENCE - timedelta(days=90)


def test_a_cutoff_closer_than_one_window_to_the_reference_date_cannot_be_labelled():
    log = transaction_log(50, seed=3)
    cutoffs = features_at_cutoffs(log, [0, 30])
    with pytest.raises(ValueError, match="cannot be labelled"):
        build_training_set(cutoffs, log, 30, 90, [])


def test_history_shorter_than_two_windows_is_not_trainable_and_says_why():
    orders = _orders(("a", REFERENCE - timedelta(days=100), 1.0, 1.0))
    with pytest.raises(NotTrainable, match="spans 100 days, shorter than the 2 x 90 days"):
        check_history(orders, REFERENCE, 90)


def test_categories_unseen_at_training_become_unknown_instead_of_renumbered():
    frame = pd.DataFrame({"profile_id": ["a", "b"], **{f: [1.0, 2.0] for f in FEATURES[:-1]},
                          "top_category": ["Apparel", "Garden"]})
    X = model_matrix(frame, ["Apparel", "Home"])
    assert list(X.columns) == list(FEATURES)
    assert X.loc["a", "top_category"] == "Apparel"
    assert pd.isna(X.loc["b", "top_category"])


def test_the_holdout_split_is_the_same_for_the_same_seed_and_about_the_asked_share():
    index = pd.Index([f"p{i}" for i in range(10_000)])
    train, test = holdout_split(index, 0.2, seed=7)
    again = holdout_split(index, 0.2, seed=7)
    assert (train == again[0]).all() and (test == again[1]).all()
    assert 0.18 < len(test) / len(index) < 0.22
    assert not set(train) & set(test)


def test_cutoff_offsets_cover_scoring_training_and_the_forward_evaluation():
    settings = ModelSettings(churn_window_days=60, value_window_days=120)
    assert settings.feature_cutoff_offsets() == [0, 60, 120, 240]


def test_model_settings_convert_cli_strings_and_refuse_unknown_or_bad_values():
    assert ModelSettings().with_changes({"churn_window_days": "45"}).churn_window_days == 45
    with pytest.raises(InvalidModelSetting, match="unknown model setting 'window'"):
        ModelSettings().with_changes({"window": "3"})
    with pytest.raises(InvalidModelSetting, match="churn_window_days must be a whole number"):
        ModelSettings().with_changes({"churn_window_days": "soon"})
    with pytest.raises(InvalidModelSetting, match="risk bands"):
        ModelSettings(medium_risk_probability=0.8, high_risk_probability=0.5)

"""Customer 360 (`customer_profile`) against an independent computation from the store's raw
records and the profile assignment identity resolution wrote (profile_members)."""

from __future__ import annotations

import pandas as pd
import pytest

from commerce_pipeline_tests.transform.conftest import gid_number, raw_orders

# Restrictiveness when two records of a profile were updated at the same moment (lower wins).
TIE_ORDER = {"UNSUBSCRIBED": 0, "NOT_SUBSCRIBED": 1, "SUBSCRIBED": 3}


def test_dbt_tests_of_the_models_run_as_passing_asset_checks(duckdb_store):
    checks = duckdb_store.model_build.get_asset_check_evaluations()
    checked = {c.asset_key.path[-1] for c in checks}
    assert {"customer_profile", "customer_features", "daily_commerce_metrics", "top_customers"} <= checked
    assert all(c.passed for c in checks)
    names = {(c.asset_key.path[-1], c.check_name) for c in checks}
    assert ("customer_features", "customer_features_values") in names
    assert ("daily_commerce_metrics", "daily_metrics_reconcile_with_profiles") in names


@pytest.fixture(scope="module")
def profiles(duckdb_store) -> pd.DataFrame:
    return duckdb_store.table("customer_profile").set_index("profile_id")


@pytest.fixture(scope="module")
def orders(duckdb_store) -> pd.DataFrame:
    return raw_orders(duckdb_store.store, duckdb_store.members())


def test_every_profile_has_one_row_including_profiles_that_never_ordered(duckdb_store, profiles, orders):
    members = duckdb_store.members()
    assert profiles.index.is_unique
    assert set(profiles.index) == set(members.values())
    never_ordered = set(members.values()) - set(orders.loc[orders.counted, "profile_id"])
    assert never_ordered, "the store should have customers who never bought"
    quiet = profiles.loc[sorted(never_ordered)]
    assert (quiet.total_orders == 0).all() and (quiet.lifetime_value == 0).all()
    assert quiet.first_order_at.isna().all() and quiet.average_order_value.isna().all()


def test_lifetime_value_is_net_of_refunds_and_leaves_out_cancelled_orders(profiles, orders):
    counted = orders[orders.counted].assign(net=lambda f: f.total - f.refunded)
    expected = counted.groupby("profile_id").agg(
        total_orders=("order_id", "count"), lifetime_value=("net", "sum"), gross=("total", "sum"),
        first_order_at=("created_at", "min"), last_order_at=("created_at", "max"))
    actual = profiles.loc[expected.index]
    assert (actual.total_orders == expected.total_orders).all()
    assert actual.lifetime_value.astype(float).values == pytest.approx(expected.lifetime_value.values, abs=1e-6)
    aov = (expected.gross / expected.total_orders).values
    assert actual.average_order_value.astype(float).values == pytest.approx(aov, abs=1e-4)
    assert (pd.to_datetime(actual.first_order_at, utc=True) == expected.first_order_at).all()
    assert (pd.to_datetime(actual.last_order_at, utc=True) == expected.last_order_at).all()
    # the store has cancelled orders, and they would have changed some profile's value
    cancelled = orders[~orders.counted]
    assert len(cancelled) > 0
    with_cancelled = (orders.total - orders.refunded).groupby(orders.profile_id).sum()
    assert (with_cancelled.loc[expected.index] != expected.lifetime_value).any()


def test_channels_seen_lists_the_sources_of_counted_orders(profiles, orders):
    expected = orders[orders.counted].groupby("profile_id").source_name.apply(lambda s: ",".join(sorted(set(s))))
    assert profiles.loc[expected.index, "channels_seen"].to_dict() == expected.to_dict()


def test_consent_is_the_most_recent_consent_state_of_the_profiles_customer_records(duckdb_store, profiles):
    members = duckdb_store.members()
    latest: dict[str, tuple] = {}
    for customer in duckdb_store.store.records("customers"):
        consent = customer["emailMarketingConsent"]
        if not consent:
            continue
        state = consent["marketingState"].upper()
        profile = members[f"shopify:{gid_number(customer['id'])}"]
        # newest update first; on a tie the most restrictive state
        rank = (pd.Timestamp(customer["updatedAt"]), -TIE_ORDER.get(state, 2))
        if profile not in latest or rank > latest[profile][0]:
            latest[profile] = (rank, state)
    expected = {p: state == "SUBSCRIBED" for p, (_, state) in latest.items()}
    expected.update({p: False for p in profiles.index if p not in latest})
    assert profiles.marketing_consent.to_dict() == expected
    assert any(expected.values()) and not all(expected.values())


def test_source_records_count_and_last_seen_cover_every_member(duckdb_store, profiles, orders):
    members = pd.Series(duckdb_store.members())
    assert profiles.source_records.to_dict() == members.value_counts().to_dict()
    seen = {}
    for customer in duckdb_store.store.records("customers"):
        seen[f"shopify:{gid_number(customer['id'])}"] = pd.Timestamp(customer["updatedAt"])
    for order in orders.itertuples():
        key = f"shopify-guest-order:{order.order_id}"
        if key in members.index:
            seen[key] = order.created_at
    last_seen = pd.Series(seen).groupby(members).max()
    last_order = orders[orders.counted].groupby("profile_id").created_at.max()
    expected = pd.concat([last_seen, last_order]).groupby(level=0).max()
    assert (pd.to_datetime(profiles.last_seen_at, utc=True).loc[expected.index] == expected).all()


def test_primary_email_is_the_profiles_most_recently_seen_linkable_email(duckdb_store, profiles):
    linkable = duckdb_store.frame(
        "select m.profile_id, i.value from customer_identifiers i join profile_members m using (source_key) "
        "where i.kind = 'email' and i.excluded_reason is null")
    emails = linkable.groupby("profile_id").value.apply(set)
    with_email = profiles[profiles.email_count > 0]
    assert len(with_email) > 0
    assert set(with_email.index) == set(emails.index)
    assert all(profiles.primary_email[p] in emails[p] for p in emails.index)
    assert (profiles.email_count.loc[emails.index] == emails.apply(len)).all()
    assert profiles.loc[~profiles.index.isin(emails.index), "primary_email"].isna().all()


def test_profile_strength_follows_the_documented_formula(duckdb_store, profiles):
    ids = duckdb_store.frame(
        "select m.profile_id, i.kind, i.excluded_reason is null as linkable "
        "from customer_identifiers i join profile_members m using (source_key) where i.kind <> 'source_id'")
    kinds = duckdb_store.frame("select profile_id, source_kind from profile_members")

    def strength(p):
        own = ids[ids.profile_id == p]
        linkable = own[own.linkable]
        records = kinds[kinds.profile_id == p]
        score = (35 * (linkable.kind == "email").any() + 25 * (linkable.kind == "phone").any()
                 + 15 * bool(profiles.marketing_consent[p]) + 15 * (len(records) >= 2)
                 + 10 * (records.source_kind == "customer").any()
                 - 20 * (linkable.empty and not own.empty))
        return min(100, max(0, int(score)))

    expected = {p: strength(p) for p in profiles.index}
    assert profiles.profile_strength.to_dict() == expected
    assert len(set(expected.values())) > 2

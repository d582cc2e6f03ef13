"""The send log's claims (at most once per key) and the suppression list, on SQLite and Postgres."""

import uuid

import pytest

from commerce_pipeline.marketing.control import MarketingControl


def _row(profile, campaign="vip_reward", period="vip_reward/2026-06-01/60d"):
    return {"campaign": campaign, "profile_id": profile, "period": period, "email": f"{profile}@example.com"}


@pytest.fixture
def control(commerce_home):
    with MarketingControl(f"sqlite:///{commerce_home}/control.db") as c:
        yield c


def test_a_key_is_won_by_exactly_one_run(control):
    rows = [_row("p1"), _row("p2")]
    assert control.claim("shop", rows, "run-a") == rows
    assert control.claim("shop", rows, "run-b") == []
    assert control.claim("shop", [_row("p2"), _row("p3")], "run-b") == [_row("p3")]


def test_the_same_profile_can_get_the_same_campaign_in_a_later_period(control):
    control.claim("shop", [_row("p1")], "run-a")
    later = _row("p1", period="vip_reward/2026-07-31/60d")
    assert control.claim("shop", [later], "run-b") == [later]


def test_a_failed_or_dry_run_key_can_be_claimed_again_but_a_claimed_one_cannot(control):
    control.claim("shop", [_row("p1")], "run-a")
    control.finish("shop", [{**_row("p1"), "status": "failed", "error": "400 bad sender"}])
    control.claim("shop", [_row("p2")], "run-a", status="dry_run")
    control.claim("shop", [_row("p3")], "run-a")  # claimed, outcome unknown (the run died)
    won = control.claim("shop", [_row("p1"), _row("p2"), _row("p3")], "run-b")
    assert [r["profile_id"] for r in won] == ["p1", "p2"]


def test_history_counts_sent_and_unknown_outcomes_but_not_failures_or_dry_runs(control):
    control.claim("shop", [_row("p1"), _row("p2"), _row("p3"), _row("p4")], "run-a")
    control.finish("shop", [{**_row("p1"), "status": "sent", "message_id": "m1"},
                            {**_row("p2"), "status": "failed", "error": "x"}])
    control.claim("shop", [_row("p5")], "run-a", status="dry_run")
    assert sorted(control.history("shop")["profile_id"]) == ["p1", "p3", "p4"]


def test_unconfirmed_counts_other_runs_claims_that_never_recorded_an_outcome(control):
    control.claim("shop", [_row("p1"), _row("p2"), _row("p3")], "run-a")  # run-a died: no outcomes
    control.finish("shop", [{**_row("p3"), "status": "sent", "message_id": "m3"}])
    control.claim("shop", [_row("p4")], "run-b")
    control.claim("other", [_row("p5")], "run-a")
    assert control.unconfirmed("shop", "run-b") == 2  # p1, p2; not p3 (sent), p4 (this run's), p5
    assert control.unconfirmed("shop", "run-a") == 1


def test_tenants_never_share_claims_or_suppressions(control):
    assert control.claim("shop-a", [_row("p1")], "run-a")
    assert control.claim("shop-b", [_row("p1")], "run-b")
    control.suppress("shop-a", " P1@Example.com ", "bounce", source="test")
    assert control.suppressed("shop-a") == {"p1@example.com": "bounce"}
    assert control.suppressed("shop-b") == {}


def test_claims_hold_on_postgres_too(postgres_url):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    with MarketingControl(postgres_url) as control:
        assert control.claim(tenant, [_row("p1"), _row("p2")], "run-a") == [_row("p1"), _row("p2")]
        assert control.claim(tenant, [_row("p1"), _row("p3")], "run-b") == [_row("p3")]
        control.suppress(tenant, "a@example.com", "spamreport", source="test")
        control.suppress(tenant, "a@example.com", "spamreport", source="test")  # idempotent
        assert control.suppressed(tenant) == {"a@example.com": "spamreport"}

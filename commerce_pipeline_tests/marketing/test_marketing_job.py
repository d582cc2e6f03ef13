"""Marketing end to end on a simulator store: scoring materialized, the sensor ticks, the job
runs against a fake SendGrid on 127.0.0.1, and exactly the expected people get exactly one email."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from dagster import DagsterInstance, build_sensor_context, materialize

from commerce_pipeline.marketing.assets import campaign_audience, email_sends
from commerce_pipeline.marketing.control import MarketingControl
from commerce_pipeline.marketing.resources import SendGridResource
from commerce_pipeline.marketing.sensors import marketing_email_sensor
from commerce_pipeline.resources import build_resources
from commerce_pipeline.settings import get_settings
from commerce_pipeline.simulator.sendgrid import FakeSendGrid
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
from commerce_pipeline_tests.stores import commerce_env

KEY = "SG.test-key.secret"
VIP, WINBACK = {"Champions", "Loyal"}, {"At Risk", "Lost", "Can't Lose Them"}


@pytest.fixture(scope="module")
def sendgrid():
    fake = FakeSendGrid(KEY)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def scored(duckdb_store):
    """The store scored (models fall back to RFM rules at this size) in an instance the sensor reads."""
    with commerce_env(duckdb_store.env):
        instance = DagsterInstance.ephemeral()
        instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [duckdb_store.tenant])
    assert duckdb_store.materialize_models(instance=instance).success
    return duckdb_store, instance


def _targets(store) -> pd.DataFrame:
    """Independently: scored profiles in a campaign segment, with consent and an email."""
    c360 = store.table("customer_360")
    targeted = c360["segment"].isin(VIP | WINBACK) | (c360["churn_probability"].fillna(0) >= 0.7)
    ok = targeted & c360["marketing_consent"].fillna(False).astype(bool) & c360["primary_email"].notna()
    out = c360[ok].assign(email=c360["primary_email"].str.strip().str.lower())
    out["campaign"] = ["win_back" if s in WINBACK else "vip_reward" for s in out["segment"]]
    return out.drop_duplicates("email").sort_values("profile_id")


def _run_job(store, instance, sendgrid, request=None, batch_size=3):
    resources = {**build_resources(), "sendgrid": SendGridResource(api_key=KEY, api_host=sendgrid.base_url,
                                                                   batch_size=batch_size, backoff_base_seconds=0)}
    with commerce_env(store.env):
        return materialize([campaign_audience, email_sends], partition_key=store.tenant, instance=instance,
                           resources=resources, tags=request.tags if request else None)


@pytest.fixture(scope="module")
def first_send(scored, sendgrid):
    """Seed a suppression, a cooldown and a frequency cap, tick the sensor, run what it asks for."""
    store, instance = scored
    targets = _targets(store)
    assert len(targets) >= 6, "the test store must have enough campaign targets"
    suppressed, cooled, capped = targets.iloc[0], targets.iloc[1], targets.iloc[2]
    with commerce_env(store.env):
        with MarketingControl(get_settings().control_db_url) as control:
            control.suppress(store.tenant, suppressed.email, "unsubscribe", source="test")
            now = datetime.now(UTC)
            seeds = [(cooled, cooled.campaign, "seed-cooldown"), (capped, "spring_sale", "seed-cap-1"),
                     (capped, "summer_sale", "seed-cap-2")]
            for row, campaign, period in seeds:
                key = {"campaign": campaign, "profile_id": row.profile_id, "period": period, "email": row.email}
                control.claim(store.tenant, [key], "earlier-run")
                control.finish(store.tenant, [{**key, "status": "sent", "message_id": "seed"}])
            assert (now - timedelta(days=1)) < control.history(store.tenant)["sent_at"].max()
    with commerce_env(store.env):
        tick = marketing_email_sensor(build_sensor_context(instance=instance))
    [request] = tick.run_requests
    result = _run_job(store, instance, sendgrid, request)
    assert result.success
    expected = targets[~targets["profile_id"].isin([suppressed.profile_id, cooled.profile_id, capped.profile_id])]
    return store, instance, tick, expected, result


def test_the_sensor_asks_for_one_run_of_the_scored_tenant(first_send):
    store, _, tick, _, _ = first_send
    [request] = tick.run_requests
    assert request.partition_key == store.tenant and request.run_key.startswith(f"marketing:{store.tenant}:")


def test_sendgrid_received_exactly_the_expected_recipients_each_once(first_send, sendgrid):
    _, _, _, expected, _ = first_send
    got = {(d["email"], d["custom_args"]["campaign"], d["custom_args"]["profile_id"]) for d in sendgrid.deliveries()}
    assert sorted(got) == sorted(zip(expected["email"], expected["campaign"], expected["profile_id"]))
    assert len(sendgrid.deliveries()) == len(expected)


def test_each_email_carries_the_tenants_sender_branding_and_a_personal_code(first_send, sendgrid):
    store, _, _, _, _ = first_send
    for d in sendgrid.deliveries():
        assert d["from_email"] == "hello@profile-store.myshopify.com"
        assert d["custom_args"]["tenant"] == store.tenant and f"tenant:{store.tenant}" in d["categories"]
        assert "-discount_code-" not in d["html"] and "-first_name-" not in d["text"]
        assert ("VIP-" if d["custom_args"]["campaign"] == "vip_reward" else "BACK-") in d["text"]


def test_requests_are_batched_to_the_configured_size(first_send, sendgrid):
    assert all(len(p["personalizations"]) <= 3 for p in sendgrid.accepted)
    assert len(sendgrid.accepted) >= 2


def test_the_send_log_records_every_recipients_outcome(first_send):
    store, _, _, expected, result = first_send
    with commerce_env(store.env):
        with MarketingControl(get_settings().control_db_url) as control:
            log = control.sends(store.tenant)
    sent = log[log["run_id"] == result.run_id]
    assert sorted(sent["profile_id"]) == sorted(expected["profile_id"])
    assert set(sent["status"]) == {"sent"} and sent["message_id"].notna().all()


def test_running_the_job_again_sends_nothing(first_send, sendgrid):
    store, instance, _, _, _ = first_send
    before = len(sendgrid.deliveries())
    again = _run_job(store, instance, sendgrid)
    assert again.success and len(sendgrid.deliveries()) == before


def test_a_second_tick_over_the_same_materialization_launches_nothing_new(first_send):
    store, instance, tick, _, _ = first_send
    with commerce_env(store.env):
        later = marketing_email_sensor(build_sensor_context(instance=instance, cursor=tick.cursor))
        replayed = marketing_email_sensor(build_sensor_context(instance=instance))
    assert later.run_requests == []
    assert [r.run_key for r in replayed.run_requests] == [r.run_key for r in tick.run_requests]


def test_the_audience_explains_every_skipped_profile(first_send):
    store, _, _, _, _ = first_send
    audience = store.table("campaign_audience")
    rules = set(audience.loc[audience["decision"] == "skip", "rule"])
    assert {"suppressed", "cooldown", "frequency_cap", "not_targeted"} <= rules


def test_preview_explains_every_profile_and_sends_nothing(first_send, sendgrid):
    from click.testing import CliRunner

    from commerce_pipeline.cli import main

    store, _, _, expected, _ = first_send
    before = len(sendgrid.deliveries())
    with commerce_env(store.env):
        shown = CliRunner().invoke(main, ["campaigns", "preview", store.tenant, "--all"])
    assert shown.exit_code == 0, shown.output
    lines = {line.split()[0]: line for line in shown.output.splitlines() if line.startswith("p_")}
    for profile in expected["profile_id"]:
        assert "cooldown" in lines[profile]  # emailed by the first run
    assert len(sendgrid.deliveries()) == before

"""Sending for a tenant: batches claimed then sent, tenants kept apart, dry runs into the outbox."""

import email
from email import policy

import pandas as pd
import pytest

from commerce_pipeline.marketing.campaigns import CampaignSettings
from commerce_pipeline.marketing.control import MarketingControl
from commerce_pipeline.marketing.render import branding_for
from commerce_pipeline.marketing.sender import SendGridSender
from commerce_pipeline.marketing.sending import SendFailed, send_campaigns
from commerce_pipeline.simulator.sendgrid import FakeSendGrid

KEY = "SG.k.s"


@pytest.fixture
def sendgrid():
    fake = FakeSendGrid(KEY)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def control(commerce_home):
    with MarketingControl(f"sqlite:///{commerce_home}/control.db") as c:
        yield c


def _audience(prefix: str, n: int, campaign: str = "vip_reward") -> pd.DataFrame:
    return pd.DataFrame({"profile_id": [f"{prefix}{i}" for i in range(n)],
                         "email": [f"{prefix}{i}@example.com" for i in range(n)],
                         "first_name": ["Ana"] * n, "campaign": campaign,
                         "period": f"{campaign}/2026-06-01/60d"})


def _sender(fake, **kw):
    return SendGridSender(KEY, fake.base_url, backoff_base=0, sleep=lambda s: None, **kw)


def test_tenants_never_receive_each_others_sender_or_branding(sendgrid, control, tmp_path):
    tenants = {"acme": ("Acme Outdoor", "acme.myshopify.com", "#112233"),
               "bolt": ("Bolt Bikes", "bolt.myshopify.com", "#445566")}
    for tenant, (name, domain, color) in tenants.items():
        settings = CampaignSettings(brand_color=color)
        send_campaigns(tenant, _audience(tenant, 4), branding_for(name, domain, settings), settings, control,
                       "run-1", _sender(sendgrid), tmp_path / tenant)
    assert len(sendgrid.deliveries()) == 8
    for d in sendgrid.deliveries():
        tenant = d["custom_args"]["tenant"]
        name, domain, color = tenants[tenant]
        other = tenants["bolt" if tenant == "acme" else "acme"]
        assert d["email"].startswith(tenant) and d["from_email"] == f"hello@{domain}"
        assert d["from_name"] == name and color in d["html"]
        assert other[0] not in d["html"] + d["text"] and other[2] not in d["html"]


def test_a_run_that_fails_mid_way_is_rerun_without_duplicates(sendgrid, control, tmp_path):
    settings = CampaignSettings()
    branding = branding_for("Acme", "acme.myshopify.com", settings)
    audience = _audience("p", 7)
    sendgrid.fail_next(500, times=1)  # batch 1: retried, then accepted
    sendgrid.fail_after(1, 503, times=2)  # then an outage longer than the retries
    with pytest.raises(SendFailed, match="tenant 'acme'.*503"):
        send_campaigns("acme", audience, branding, settings, control, "run-1", _sender(sendgrid, max_attempts=2),
                       tmp_path, batch_size=3)
    assert len(sendgrid.deliveries()) == 3
    report = send_campaigns("acme", audience, branding, settings, control, "run-2", _sender(sendgrid),
                            tmp_path, batch_size=3)
    emails = [d["email"] for d in sendgrid.deliveries()]
    assert sorted(emails) == sorted(audience["email"]) and len(emails) == len(set(emails))
    assert report.outcomes["sent"] == 4 and report.already_claimed == 3


def test_without_an_api_key_each_email_lands_in_the_outbox_and_nothing_is_sent(control, tmp_path):
    settings = CampaignSettings()
    branding = branding_for("Acme Outdoor", "acme.myshopify.com", settings)
    report = send_campaigns("acme", _audience("p", 2, "win_back"), branding, settings, control, "run-1",
                            None, tmp_path / "outbox")
    assert report.outcomes == {"dry_run": 2}
    message = email.message_from_bytes((tmp_path / "outbox" / "win_back" / "p0.eml").read_bytes(),
                                       policy=policy.default)
    assert message["To"] == "Ana <p0@example.com>" and "Acme Outdoor" in message["From"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hi Ana" in text and "BACK-" in text and "-discount_code-" not in text
    assert "p0" in (tmp_path / "outbox" / "index.html").read_text()
    assert set(control.sends("acme")["status"]) == {"dry_run"}


def test_the_sensor_asks_once_per_tenant_for_its_newest_event_and_skips_removed_tenants():
    from commerce_pipeline.marketing.sensors import run_requests

    requests = run_requests([(5, "acme"), (7, "bolt"), (9, "acme"), (11, "gone"), (12, None)], {"acme", "bolt"})
    assert [(r.partition_key, r.run_key) for r in requests] == [("acme", "marketing:acme:9"),
                                                                ("bolt", "marketing:bolt:7")]

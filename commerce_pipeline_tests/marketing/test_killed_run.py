"""A sending process killed mid-batch (SIGKILL, request in flight) and run again: everyone not
yet sent gets their email, nobody gets two, and the in-flight batch stays recorded as claimed."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd

from commerce_pipeline.marketing.campaigns import CampaignSettings
from commerce_pipeline.marketing.control import MarketingControl
from commerce_pipeline.marketing.render import branding_for
from commerce_pipeline.marketing.sender import SendGridSender
from commerce_pipeline.marketing.sending import send_campaigns
from commerce_pipeline.simulator.sendgrid import FakeSendGrid

KEY = "SG.k.s"
# The same call the email_sends asset makes, in a process of its own that the test kills.
SCRIPT = """
import json, sys
import pandas as pd
from commerce_pipeline.marketing.campaigns import CampaignSettings
from commerce_pipeline.marketing.control import MarketingControl
from commerce_pipeline.marketing.render import branding_for
from commerce_pipeline.marketing.sender import SendGridSender
from commerce_pipeline.marketing.sending import send_campaigns
url, host, audience_file, outbox = sys.argv[1:5]
settings = CampaignSettings()
with MarketingControl(url) as control:
    send_campaigns("acme", pd.read_json(audience_file), branding_for("Acme", "acme.myshopify.com", settings),
                   settings, control, "run-killed", SendGridSender(sys.argv[5], host, max_attempts=1),
                   outbox, batch_size=2)
"""


def _audience(n: int) -> pd.DataFrame:
    return pd.DataFrame({"profile_id": [f"p{i}" for i in range(n)], "email": [f"p{i}@example.com" for i in range(n)],
                         "first_name": "Ana", "campaign": "vip_reward", "period": "vip_reward/2026-06-01/60d"})


def test_a_killed_run_rerun_sends_the_rest_and_duplicates_nobody(tmp_path):
    fake = FakeSendGrid(KEY)
    fake.start()
    url = f"sqlite:///{tmp_path}/control.db"
    audience = _audience(7)  # batches of 2: p0 p1 | p2 p3 | p4 p5 | p6
    audience.to_json(tmp_path / "audience.json")
    fake.hold_after(1)  # batch 1 is answered; batch 2 arrives and gets no answer
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, url, fake.base_url, str(tmp_path / "audience.json"),
                             str(tmp_path / "outbox"), KEY], env={**os.environ})
    try:
        deadline = time.monotonic() + 60
        while not fake.held and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.held, "the second batch never reached the fake SendGrid"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        fake.release()
    in_flight = [p["to"][0]["email"] for p in fake.held[0]["personalizations"]]
    assert in_flight == ["p2@example.com", "p3@example.com"]

    settings = CampaignSettings()
    with MarketingControl(url) as control:
        report = send_campaigns("acme", audience, branding_for("Acme", "acme.myshopify.com", settings), settings,
                                control, "run-again", SendGridSender(KEY, fake.base_url), tmp_path / "outbox",
                                batch_size=2)
        log = control.sends("acme").set_index("profile_id")
    fake.stop()
    delivered = [d["email"] for d in fake.deliveries()]
    assert sorted(delivered) == ["p0@example.com", "p1@example.com", "p4@example.com", "p5@example.com",
                                 "p6@example.com"]
    assert report.already_claimed == 4 and report.outcomes["sent"] == 3
    assert log.loc[["p2", "p3"], "status"].tolist() == ["claimed", "claimed"]  # outcome unknown: not resent
    assert log.loc["p0", "status"] == "sent"

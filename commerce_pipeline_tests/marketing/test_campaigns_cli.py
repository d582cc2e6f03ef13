"""`commerce-pipeline campaigns`: settings, suppressions, webhook events and the send log."""

import json

from click.testing import CliRunner

from commerce_pipeline.cli import main
from commerce_pipeline.marketing.control import MarketingControl
from commerce_pipeline.settings import get_settings


def _run(*args):
    return CliRunner().invoke(main, ["campaigns", *args])


def test_settings_change_a_tenants_sender_and_refuse_bad_values():
    changed = _run("settings", "acme", "--set", "sender_name=Acme Outdoor", "--set", "vip_cooldown_days=30")
    assert changed.exit_code == 0, changed.output
    rows = {line.split()[0]: line for line in changed.output.splitlines() if line.strip()}
    assert "Acme Outdoor" in rows["sender_name"] and rows["vip_cooldown_days"].split()[-2:] == ["30", "tenant"]
    refused = _run("settings", "acme", "--set", "brand_color=blue")
    assert refused.exit_code != 0 and "brand_color" in refused.output


def test_suppress_adds_the_address_to_the_tenants_list_only():
    assert _run("suppress", "acme", " Ana@Example.com ").exit_code == 0
    with MarketingControl(get_settings().control_db_url) as control:
        assert control.suppressed("acme") == {"ana@example.com": "manual"}
        assert control.suppressed("bolt") == {}


def test_events_load_suppressions_and_report_malformed_events(tmp_path):
    payload = tmp_path / "events.json"
    payload.write_text(json.dumps([{"email": "bo@example.com", "event": "spamreport", "tenant": "acme"},
                                   {"event": "bounce"}]))
    loaded = _run("events", "acme", str(payload))
    assert loaded.exit_code == 1
    assert "suppressed 1" in loaded.output and "malformed 1" in loaded.output
    assert "event 1: missing email" in loaded.output
    with MarketingControl(get_settings().control_db_url) as control:
        assert control.suppressed("acme") == {"bo@example.com": "spamreport"}


def test_events_with_a_wrong_signature_are_refused_and_nothing_is_applied(tmp_path):
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    payload = tmp_path / "events.json"
    payload.write_text(json.dumps([{"email": "bo@example.com", "event": "bounce"}]))
    refused = _run("events", "acme", str(payload), "--signature", base64.b64encode(b"x" * 70).decode(),
                   "--timestamp", "1", "--public-key", base64.b64encode(public).decode())
    assert refused.exit_code != 0
    with MarketingControl(get_settings().control_db_url) as control:
        assert control.suppressed("acme") == {}


def test_sends_lists_the_send_log():
    with MarketingControl(get_settings().control_db_url) as control:
        key = {"campaign": "win_back", "profile_id": "p1", "period": "win_back/2026-06-01/45d", "email": "a@x.io"}
        control.claim("acme", [key], "run-1")
        control.finish("acme", [{**key, "status": "sent", "message_id": "m-1"}])
    listed = _run("sends", "acme")
    assert listed.exit_code == 0 and "win_back" in listed.output and "m-1" in listed.output

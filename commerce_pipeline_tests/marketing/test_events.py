"""SendGrid's event webhook feeds the suppression list and the send log."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from commerce_pipeline.marketing.control import MarketingControl
from commerce_pipeline.marketing.events import InvalidSignature, apply_events, verify_signature

ROW = {"campaign": "win_back", "profile_id": "p1", "period": "win_back/2026-06-01/45d", "email": "ana@example.com"}


@pytest.fixture
def control(commerce_home):
    with MarketingControl(f"sqlite:///{commerce_home}/control.db") as c:
        c.claim("shop", [ROW], "run-a")
        c.finish("shop", [{**ROW, "status": "sent", "message_id": "abc123"}])
        yield c


def _event(kind, email="ana@example.com", **extra):
    return {"email": email, "event": kind, "timestamp": 1782000000,
            "sg_message_id": "abc123.filterdrecv-5645d9c87f-2xvm5-1-1", "tenant": "shop", **extra}


@pytest.mark.parametrize("kind,reason", [("bounce", "bounce"), ("dropped", "dropped"),
                                         ("spamreport", "spamreport"), ("unsubscribe", "unsubscribe"),
                                         ("group_unsubscribe", "unsubscribe")])
def test_each_negative_event_suppresses_the_address(control, kind, reason):
    result = apply_events(control, "shop", [_event(kind, email="Ana@Example.com")])
    assert result.suppressed == 1
    assert control.suppressed("shop") == {"ana@example.com": reason}


def test_delivered_and_bounced_events_update_the_send_log_by_message_id(control):
    assert apply_events(control, "shop", [_event("delivered")]).delivered == 1
    assert control.sends("shop")["status"].tolist() == ["delivered"]
    apply_events(control, "shop", [_event("bounce")])
    assert control.sends("shop")["status"].tolist() == ["bounced"]


def test_another_tenants_events_are_never_applied(control):
    result = apply_events(control, "shop", [_event("unsubscribe", tenant="other-shop")])
    assert result.other_tenant == 1 and control.suppressed("shop") == {}


def test_opens_and_clicks_change_nothing(control):
    result = apply_events(control, "shop", [_event("open"), _event("click")])
    assert result.ignored == 2 and control.suppressed("shop") == {}


def test_malformed_events_are_reported_with_their_reason_and_the_rest_applies(control):
    result = apply_events(control, "shop", [{"event": "bounce"}, "junk", _event("spamreport")])
    assert result.malformed == [(0, "missing email"), (1, "not an object: str")]
    assert result.suppressed == 1


def _signed(payload: bytes, timestamp: str):
    key = ec.generate_private_key(ec.SECP256R1())
    signature = key.sign(timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(signature).decode(), base64.b64encode(public).decode()


def test_a_signed_delivery_verifies_and_a_tampered_one_is_refused():
    payload = json.dumps([_event("bounce")]).encode()
    signature, public_key = _signed(payload, "1782000000")
    verify_signature(payload, signature, "1782000000", public_key)
    with pytest.raises(InvalidSignature):
        verify_signature(payload.replace(b"bounce", b"open!!"), signature, "1782000000", public_key)

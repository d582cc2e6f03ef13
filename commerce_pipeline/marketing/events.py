"""SendGrid's event webhook: delivery outcomes back into the send log, and every bounce,
drop, unsubscribe and spam report onto the tenant's suppression list (which always wins)."""

from __future__ import annotations

from dataclasses import dataclass, field

from commerce_pipeline.marketing.control import MarketingControl

SUPPRESSING = {"bounce": "bounce", "dropped": "dropped", "spamreport": "spamreport",
               "unsubscribe": "unsubscribe", "group_unsubscribe": "unsubscribe"}
SEND_STATUS = {"delivered": "delivered", "bounce": "bounced"}


class InvalidSignature(ValueError):
    pass


@dataclass
class EventsResult:
    suppressed: int = 0
    delivered: int = 0
    ignored: int = 0  # event kinds that change nothing here (open, click, processed, deferred)
    other_tenant: int = 0  # carried another tenant's custom arg: never applied to this one
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (index, reason)


def verify_signature(payload: bytes, signature: str, timestamp: str, public_key: str) -> None:
    """SendGrid's signed event webhook (ECDSA over timestamp + body), checked with the
    official library's helper; raises InvalidSignature."""
    from sendgrid.helpers.eventwebhook import EventWebhook

    webhook = EventWebhook()
    key = webhook.convert_public_key_to_ecdsa(public_key)
    if not webhook.verify_signature(payload.decode("utf-8"), signature, timestamp, key):
        raise InvalidSignature("the event webhook signature does not match the payload")


def _problem(event) -> str | None:
    if not isinstance(event, dict):
        return f"not an object: {type(event).__name__}"
    for name in ("email", "event"):
        if not isinstance(event.get(name), str) or not event[name].strip():
            return f"missing {name}"
    return None


def apply_events(control: MarketingControl, tenant_id: str, events: list) -> EventsResult:
    """Apply one webhook delivery (a JSON array of events) to `tenant_id`'s send log and
    suppression list. Malformed events are reported with their reason, not dropped silently."""
    result = EventsResult()
    if not isinstance(events, list):
        result.malformed.append((0, "the payload must be a JSON array of events"))
        return result
    for index, event in enumerate(events):
        problem = _problem(event)
        if problem:
            result.malformed.append((index, problem))
            continue
        if event.get("tenant") not in (None, tenant_id):  # our custom arg, echoed by SendGrid
            result.other_tenant += 1
            continue
        kind, email = event["event"], event["email"].strip().lower()
        message_id = str(event.get("sg_message_id") or "").split(".")[0]
        if kind in SEND_STATUS and message_id:
            updated = control.mark_event(tenant_id, message_id, email, SEND_STATUS[kind])
            result.delivered += updated if kind == "delivered" else 0
        if kind in SUPPRESSING:
            control.suppress(tenant_id, email, SUPPRESSING[kind], source="sendgrid_event_webhook")
            result.suppressed += 1
        elif kind not in SEND_STATUS:
            result.ignored += 1
    return result

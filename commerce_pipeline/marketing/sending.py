"""One tenant's campaign emails: claim each batch's keys in the send log, then send it through
SendGrid (or, without an API key, write it to the tenant's outbox), then record each outcome.

Claiming batch by batch, right before the request, bounds what a run killed mid-way can leave
uncertain to the one batch in flight; those keys stay claimed (counted as sent), so no one is
emailed twice, and the next run sends everything else.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from commerce_pipeline.marketing.campaigns import CampaignSettings
from commerce_pipeline.marketing.control import MarketingControl
from commerce_pipeline.marketing.outbox import outbox_email, write_atomically, write_index
from commerce_pipeline.marketing.render import (
    Branding,
    RenderedCampaign,
    discount_code,
    personalize,
    render_campaign,
    substitutions,
)
from commerce_pipeline.marketing.sender import (
    Message,
    Recipient,
    SendGridSender,
    SendGridUnavailable,
)


class SendFailed(RuntimeError):
    """SendGrid stayed unavailable past the retries; names the tenant and the cause."""


@dataclass
class SendReport:
    outcomes: Counter = field(default_factory=Counter)  # status -> recipients
    already_claimed: int = 0  # keys an earlier run (or a concurrent one) holds: not sent again
    outbox: Path | None = None


def campaign_message(tenant_id: str, campaign: str, branding: Branding, settings: CampaignSettings) -> Message:
    template_id = settings.vip_template_id if campaign == "vip_reward" else settings.winback_template_id
    tags = (f"tenant:{tenant_id}", f"campaign:{campaign}")
    args = {"tenant": tenant_id, "campaign": campaign}
    if template_id:
        return Message(branding.sender_email, branding.sender_name, branding.reply_to, "", None, None,
                       template_id=template_id, categories=tags, custom_args=args)
    rendered = render_campaign(campaign, branding, settings)
    return Message(branding.sender_email, branding.sender_name, branding.reply_to, rendered.subject,
                   rendered.html, rendered.text, categories=tags, custom_args=args)


def recipient(tenant_id: str, row: dict) -> Recipient:
    code = discount_code(tenant_id, row["campaign"], row["profile_id"], row["period"])
    name = row.get("first_name")
    name = name.strip() if isinstance(name, str) and name.strip() else None  # NaN/None/"" alike
    subs = substitutions(name, code)
    return Recipient(row["profile_id"], row["email"], name, substitutions=subs,
                     dynamic_data={"first_name": subs["-first_name-"], "discount_code": code})


def _dry_run(tenant_id, message, branding, rows, outbox: Path, index: dict[str, str]) -> None:
    """Write each row's email to the outbox, and its row of the index into `index` (the index
    lists every email: written once, at the end, without reading them all back)."""
    for row in rows:
        r = recipient(tenant_id, row)
        subject, html, text = personalize_message(message, r)
        email = outbox_email(
            tenant_id=tenant_id, campaign=row["campaign"], profile_id=row["profile_id"], to_email=row["email"],
            to_name=r.name, branding=branding, subject=subject, html=html, text=text,
            categories=list(message.categories), custom_args={**message.custom_args, "profile_id": row["profile_id"]})
        write_atomically(os.path.join(outbox, email.relative), email.data)
        index[email.relative] = email.index_row


def personalize_message(message: Message, r: Recipient) -> tuple[str, str, str]:
    if message.template_id:  # the template lives at SendGrid: show what we would send it
        data = ", ".join(f"{k}={v}" for k, v in r.dynamic_data.items())
        return (f"[SendGrid template {message.template_id}]", f"<p>{data}</p>", data)
    rendered = RenderedCampaign(message.custom_args["campaign"], message.subject, message.html, message.text)
    return personalize(rendered, r.substitutions)


def send_campaigns(tenant_id: str, audience: pd.DataFrame, branding: Branding, settings: CampaignSettings,
                   control: MarketingControl, run_id: str, sender: SendGridSender | None,
                   outbox: Path, batch_size: int = SendGridSender.BATCH_SIZE) -> SendReport:
    """`audience`: the rows decided "send" (profile_id, email, first_name, campaign, period)."""
    report = SendReport(outbox=None if sender else outbox)
    index: dict[str, str] = {}  # the outbox's index rows of the emails written here
    for campaign, rows in audience.sort_values(["campaign", "profile_id"]).groupby("campaign", sort=True):
        message = campaign_message(tenant_id, campaign, branding, settings)
        records = rows.to_dict("records")
        for start in range(0, len(records), batch_size):
            batch = records[start:start + batch_size]
            status = "claimed" if sender else "dry_run"
            won = control.claim(tenant_id, batch, run_id, status=status)
            report.already_claimed += len(batch) - len(won)
            if not won:
                continue
            if sender is None:
                _dry_run(tenant_id, message, branding, won, outbox, index)
                report.outcomes["dry_run"] += len(won)
                continue
            keys = {r["profile_id"]: r for r in won}
            try:
                outcomes = sender.send_batch(message, [recipient(tenant_id, r) for r in won])
            except SendGridUnavailable as exc:
                control.finish(tenant_id, [{**r, "status": "failed", "error": str(exc)} for r in won])
                raise SendFailed(f"marketing emails for tenant '{tenant_id}' ({campaign}) could not be "
                                 f"sent: {exc}") from exc
            control.finish(tenant_id, [{**keys[o.profile_id], "status": o.status, "message_id": o.message_id,
                                        "error": o.error} for o in outcomes])
            report.outcomes.update(o.status for o in outcomes)
    if sender is None and report.outcomes["dry_run"]:
        write_index(outbox, index)
    return report

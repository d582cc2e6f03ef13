"""`commerce-pipeline campaigns`: preview who would get which email and why, a tenant's
campaign settings, the suppression list, SendGrid's event webhook, and the send log."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path

import click

from commerce_pipeline.cli.sql import format_table
from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.slugs import InvalidTenantId
from commerce_pipeline.warehouse import WarehouseUnavailable


@click.group()
def campaigns() -> None:
    """Marketing emails: preview, settings, suppressions, webhook events, send log."""


def _control():
    from commerce_pipeline.marketing.control import MarketingControl

    return MarketingControl(get_settings().control_db_url)


@campaigns.command("preview")
@click.argument("tenant_id")
@click.option("--all", "show_all", is_flag=True, help="also list the profiles skipped, with why")
def preview(tenant_id: str, show_all: bool) -> None:
    """Who would get which campaign email now, and why (nothing is sent or recorded)."""
    from commerce_pipeline.marketing.audience import AUDIENCE_SQL, rule_of
    from commerce_pipeline.marketing.campaigns import CampaignSettingsStore, select_recipients
    from commerce_pipeline.warehouse import query_frame

    url = get_settings().control_db_url
    try:
        customers = query_frame(tenant_id, AUDIENCE_SQL)
    except (InvalidTenantId, WarehouseUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # the table is missing until scoring and customer_360 have run
        raise click.ClickException(f"no scored customers for '{tenant_id}' yet (materialize "
                                   f"customer_predictions and customer_360 first): {exc}") from exc
    with CampaignSettingsStore(url) as store:
        settings = store.get(tenant_id)
    with _control() as control:
        audience = select_recipients(customers, settings, control.suppressed(tenant_id),
                                     control.history(tenant_id), datetime.now(UTC).date())
    shown = audience if show_all else audience[audience["decision"] == "send"]
    rows = [(r.profile_id, r.email, r.campaign or "", r.decision, r.reason) for r in shown.itertuples()]
    click.echo(format_table(["profile", "email", "campaign", "decision", "why"], rows))
    counts = audience.assign(rule=audience["reason"].map(rule_of)).groupby(["decision", "rule"]).size()
    click.echo("\n" + format_table(["decision", "rule", "profiles"],
                                   [(d, r, n) for (d, r), n in counts.items()]))


@campaigns.command("settings")
@click.argument("tenant_id")
@click.option("--set", "changes", multiple=True, metavar="NAME=VALUE", help="change a setting (repeatable)")
@click.option("--by", "changed_by", default=None, help="who changed it [default: the OS user]")
def settings_command(tenant_id: str, changes: tuple[str, ...], changed_by: str | None) -> None:
    """Show TENANT_ID's campaign settings (segments, offers, cooldowns, cap, sender, branding)."""
    from dataclasses import asdict

    from commerce_pipeline.cli.models import _pairs
    from commerce_pipeline.marketing.campaigns import CampaignSettingsStore, InvalidCampaignSetting

    with CampaignSettingsStore(get_settings().control_db_url) as store:
        try:
            current = (store.set(tenant_id, _pairs(changes), changed_by or getpass.getuser())
                       if changes else store.get(tenant_id))
            overridden = store.changes(tenant_id)
        except (InvalidCampaignSetting, InvalidTenantId) as exc:
            raise click.ClickException(str(exc)) from exc
    rows = [(k, ", ".join(v) if isinstance(v, tuple) else v, "tenant" if k in overridden else "default")
            for k, v in asdict(current).items()]
    click.echo(format_table(["setting", "value", "source"], rows))


@campaigns.command("suppress")
@click.argument("tenant_id")
@click.argument("email")
@click.option("--reason", default="manual", show_default=True)
def suppress(tenant_id: str, email: str, reason: str) -> None:
    """Never email EMAIL again for TENANT_ID."""
    with _control() as control:
        try:
            control.suppress(tenant_id, email, reason, source="cli")
        except InvalidTenantId as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"suppressed {email.strip().lower()} for {tenant_id} ({reason})")


@campaigns.command("events")
@click.argument("tenant_id")
@click.argument("payload", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signature", default=None, help="X-Twilio-Email-Event-Webhook-Signature header")
@click.option("--timestamp", default=None, help="X-Twilio-Email-Event-Webhook-Timestamp header")
@click.option("--public-key", default=None, help="the webhook's verification key (base64 DER)")
def events(tenant_id: str, payload: Path, signature: str | None, timestamp: str | None,
           public_key: str | None) -> None:
    """Load a SendGrid event webhook delivery (a JSON array) for TENANT_ID."""
    from commerce_pipeline.marketing.events import InvalidSignature, apply_events, verify_signature

    body = payload.read_bytes()
    if public_key:
        try:
            verify_signature(body, signature or "", timestamp or "", public_key)
        except InvalidSignature as exc:
            raise click.ClickException(str(exc)) from exc
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{payload} is not JSON: {exc}") from exc
    with _control() as control:
        result = apply_events(control, tenant_id, parsed)
    click.echo(f"suppressed {result.suppressed}, delivered {result.delivered}, ignored {result.ignored}, "
               f"other tenant {result.other_tenant}, malformed {len(result.malformed)}")
    for index, reason in result.malformed:
        click.echo(f"  event {index}: {reason}", err=True)
    if result.malformed:
        raise SystemExit(1)


@campaigns.command("sends")
@click.argument("tenant_id")
def sends(tenant_id: str) -> None:
    """TENANT_ID's send log: every claimed email and its outcome."""
    with _control() as control:
        log = control.sends(tenant_id)
    rows = [(r.campaign, r.profile_id, r.email, r.period, r.status, r.message_id or "", r.error or "")
            for r in log.itertuples()]
    click.echo(format_table(["campaign", "profile", "email", "period", "status", "message id", "error"], rows))

"""Marketing assets per tenant, materialized by `marketing_email_job` (launched by the
`marketing_email_sensor` when a tenant's predictions are fresh, or by hand):
`campaign_audience` says who gets what and why; `email_sends` sends it, at most once per key."""

from datetime import UTC, datetime

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)

from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.ingest.shopify.columns import column_hints
from commerce_pipeline.marketing.audience import AUDIENCE_SQL, rule_of, warehouse_rows
from commerce_pipeline.marketing.campaigns import CampaignSettingsStore, select_recipients
from commerce_pipeline.marketing.control import MarketingControl
from commerce_pipeline.marketing.render import branding_for
from commerce_pipeline.marketing.resources import SendGridResource
from commerce_pipeline.marketing.sending import SendFailed, send_campaigns
from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.storage import tenant_outbox
from commerce_pipeline.tenants.partitions import tenants_partitions
from commerce_pipeline.warehouse import query_frame

_T, _F = "text", "double"
AUDIENCE_COLUMNS = column_hints(
    ("profile_id", "decision"), profile_id=_T, email=_T, first_name=_T, segment=_T, churn_probability=_F,
    campaign=_T, decision=_T, reason=_T, period=_T, rule=_T)


def _preview(audience: pd.DataFrame, rows: int = 25) -> str:
    shown = audience[audience["decision"] == "send"].head(rows)
    lines = ["| profile | email | campaign | why |", "|---|---|---|---|"]
    lines += [f"| {r.profile_id} | {r.email} | {r.campaign} | {r.reason} |" for r in shown.itertuples()]
    return "\n".join(lines)


@asset(partitions_def=tenants_partitions, deps=[AssetKey("customer_360")], group_name="marketing",
       kinds={"python", "dlt"},
       description="Who would get which campaign email and why, or why not (consent, email, "
       "suppression, cooldown, frequency cap), for every scored profile. Nothing is sent here.")
def campaign_audience(context: AssetExecutionContext, tenant_registry: TenantRegistryResource) -> MaterializeResult:
    tenant_id = context.partition_key
    url = tenant_registry.control_db_url_or_default()
    with CampaignSettingsStore(url) as store:
        settings = store.get(tenant_id)
    with MarketingControl(url) as control:
        suppressed, history = control.suppressed(tenant_id), control.history(tenant_id)
    audience = select_recipients(query_frame(tenant_id, AUDIENCE_SQL), settings, suppressed, history,
                                 datetime.now(UTC).date())
    audience["rule"] = audience["reason"].map(rule_of)
    rows = warehouse_rows(audience)
    write_tables(tenant_id, "marketing", {"campaign_audience": (rows, "replace", AUDIENCE_COLUMNS)})
    chosen = audience[audience["decision"] == "send"]
    return MaterializeResult(metadata={
        "tenant": tenant_id, "recipients": len(chosen),
        "by_campaign": MetadataValue.json(chosen["campaign"].value_counts().to_dict()),
        "skipped_by_rule": MetadataValue.json(
            audience.loc[audience["decision"] == "skip", "rule"].value_counts().to_dict()),
        "preview": MetadataValue.md(_preview(audience)),
    })


@asset(partitions_def=tenants_partitions, deps=[campaign_audience], group_name="marketing",
       kinds={"python", "sendgrid"},
       description="Sends the audience's emails through SendGrid, each (tenant, campaign, profile, "
       "period) at most once; without an API key writes them to the tenant's outbox instead.")
def email_sends(context: AssetExecutionContext, tenant_registry: TenantRegistryResource,
                sendgrid: SendGridResource) -> MaterializeResult:
    tenant_id = context.partition_key
    url = tenant_registry.control_db_url_or_default()
    tenant = tenant_registry.registry().get(tenant_id)
    with CampaignSettingsStore(url) as store:
        settings = store.get(tenant_id)
    branding = branding_for(tenant.display_name, tenant.shop_domain, settings)
    audience = query_frame(tenant_id, "select profile_id, email, first_name, campaign, period "
                                      "from campaign_audience where decision = 'send'")
    sender = sendgrid.sender()
    with MarketingControl(url) as control:
        try:
            report = send_campaigns(tenant_id, audience, branding, settings, control, context.run.run_id,
                                    sender, tenant_outbox(tenant_id), batch_size=sendgrid.batch_size)
        except SendFailed as exc:
            raise Failure(str(exc)) from exc
        # Claimed by a run that never recorded an outcome (it died mid-request): never resent
        # automatically; `commerce-pipeline campaigns sends` lists them for a person to check.
        unconfirmed = control.unconfirmed(tenant_id, context.run.run_id)
    mode = "sendgrid" if sender else "dry run (no SENDGRID_API_KEY): written to the outbox"
    context.log.info(f"tenant '{tenant_id}' emails: {dict(report.outcomes)}; {mode}")
    meta = {"tenant": tenant_id, "mode": mode, "sender": f"{branding.sender_name} <{branding.sender_email}>",
            "outcomes": MetadataValue.json(dict(report.outcomes)),
            "already_sent_or_claimed": report.already_claimed, "unconfirmed_claims": unconfirmed}
    for status in ("sent", "failed", "dry_run"):
        meta[status] = int(report.outcomes.get(status, 0))
    if report.outbox is not None:
        meta["outbox"] = MetadataValue.path(str(report.outbox))
    return MaterializeResult(metadata=meta)


marketing_email_job = define_asset_job(
    "marketing_email_job", selection=[campaign_audience, email_sends], partitions_def=tenants_partitions,
    description="Choose one tenant's campaign audience and send its emails (at most once per key).")
marketing_assets = [campaign_audience, email_sends]

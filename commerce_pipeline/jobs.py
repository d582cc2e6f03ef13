"""Jobs that span areas."""

from dagster import AssetSelection, define_asset_job

# Everything for one tenant, in dependency order: the demo and `commerce-pipeline sync --all-assets`.
# Marketing emails are left out: sending is an action with its own job (marketing_email_job),
# launched by its sensor or by hand, never a side effect of refreshing data.
tenant_refresh_job = define_asset_job(
    "tenant_refresh",
    selection=AssetSelection.all() - AssetSelection.groups("marketing"),
    description="Materialize every data and model asset of one tenant, from ingestion down.",
)

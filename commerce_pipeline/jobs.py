"""Jobs that span areas."""

from dagster import AssetSelection, define_asset_job

# Everything for one tenant, in dependency order: the demo and `commerce-pipeline sync --all-assets`.
tenant_refresh_job = define_asset_job(
    "tenant_refresh",
    selection=AssetSelection.all(),
    description="Materialize every asset of one tenant, from ingestion down.",
)

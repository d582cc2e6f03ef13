"""Jobs that span areas."""

from dagster import AssetSelection, define_asset_job

from commerce_pipeline.tenants.partitions import tenants_partitions

# Everything for one tenant, in dependency order: the demo and `commerce-pipeline sync --all-assets`.
tenant_refresh_job = define_asset_job(
    "tenant_refresh",
    selection=AssetSelection.all(),
    partitions_def=tenants_partitions,
    description="Materialize every asset of one tenant, from ingestion down.",
)

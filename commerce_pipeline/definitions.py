"""The code location: merges the per-area modules, nothing else."""

from dagster import Definitions, in_process_executor

from commerce_pipeline.automation import automation_sensor
from commerce_pipeline.identity.assets import customer_identifiers, identity_resolution
from commerce_pipeline.ingest.assets import shopify_assets, shopify_sync_job
from commerce_pipeline.jobs import tenant_refresh_job
from commerce_pipeline.marketing.assets import marketing_assets, marketing_email_job
from commerce_pipeline.marketing.sensors import marketing_email_sensor
from commerce_pipeline.ml.assets import model_assets
from commerce_pipeline.resources import build_resources
from commerce_pipeline.schedules import sync_schedules
from commerce_pipeline.tenants.sensors import tenant_registry_sensor
from commerce_pipeline.transform.assets import (
    commerce_dbt_models,
    commerce_dbt_serving,
    commerce_dbt_staging,
)

defs = Definitions(
    assets=[shopify_assets, commerce_dbt_staging, customer_identifiers, identity_resolution,
            commerce_dbt_models, *model_assets, commerce_dbt_serving, *marketing_assets],
    jobs=[shopify_sync_job, tenant_refresh_job, marketing_email_job],
    schedules=sync_schedules,
    sensors=[tenant_registry_sensor, automation_sensor, marketing_email_sensor],
    resources=build_resources(),
    # A run is one tenant's chain of steps, each waiting on the one before; a process per step
    # (Dagster's default) would start Python and load this code location again for every one
    # of them, seconds apiece. Tenants run side by side as separate runs instead.
    executor=in_process_executor,
)

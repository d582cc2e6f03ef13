"""dbt models as assets partitioned by tenant, following fresh upstream data automatically.

Two `@dbt_assets` over one project: staging (raw tables in, typed and deduplicated out),
and everything downstream of the Python identity assets (profiles, features, marts).
Python assets sit between them in the graph (stg -> customer_identifiers ->
profile_members -> customer_profile), so one dbt op could not run both halves in order.
"""

from dagster import AssetExecutionContext, AutomationCondition, Config
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from pydantic import Field

from commerce_pipeline.storage import tenant_dbt_target
from commerce_pipeline.tenants.partitions import tenants_partitions
from commerce_pipeline.transform.project import dbt_project
from commerce_pipeline.transform.vars import dbt_vars_arg

STAGING = "tag:staging"
# A relationships test between a model and a staging model runs only once both are built
# ("buildable"); dbt's default ("eager") would run it in the staging step, before the model exists.
BUILD = ["build", "--indirect-selection", "buildable"]


class CommerceDbtTranslator(DagsterDbtTranslator):
    """Sources resolve to the ingestion and identity assets (their `meta.dagster.asset_key`), so
    the UI shows one lineage graph; models materialize when their parents in the same tenant
    update."""

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("model."):
            spec = spec.replace_attributes(automation_condition=AutomationCondition.eager())
        return spec


def _build(context: AssetExecutionContext, dbt: DbtCliResource, **extra_vars):
    """`dbt build` of the selected models for the run's tenant, in the tenant's target folder."""
    tenant = context.partition_key
    args = [*BUILD, *dbt_vars_arg(tenant, **extra_vars)]
    yield from dbt.cli(args, context=context, target_path=tenant_dbt_target(tenant)).stream()


class DbtModelsConfig(Config):
    reference_date: str | None = Field(
        default=None,
        description="Features as of this date (YYYY-MM-DD); default: the tenant's latest order date",
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select=STAGING,
    dagster_dbt_translator=CommerceDbtTranslator(),
    partitions_def=tenants_partitions,
    name="commerce_dbt_staging",
)
def commerce_dbt_staging(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(context, dbt)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    exclude=STAGING,
    dagster_dbt_translator=CommerceDbtTranslator(),
    partitions_def=tenants_partitions,
    name="commerce_dbt_models",
)
def commerce_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtModelsConfig):
    extra = {"reference_date": config.reference_date} if config.reference_date else {}
    yield from _build(context, dbt, **extra)

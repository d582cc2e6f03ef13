"""dbt models as assets partitioned by tenant, following fresh ingestion automatically."""

from dagster import AssetExecutionContext, AutomationCondition
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from commerce_pipeline.tenants.partitions import tenants_partitions
from commerce_pipeline.transform.project import dbt_project
from commerce_pipeline.transform.vars import dbt_vars_arg


class CommerceDbtTranslator(DagsterDbtTranslator):
    """Sources resolve to the ingestion assets (their `meta.dagster.asset_key`), so the UI shows
    one lineage graph; models materialize when their parents in the same tenant update."""

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("model."):
            spec = spec.replace_attributes(automation_condition=AutomationCondition.eager())
        return spec


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=CommerceDbtTranslator(),
    partitions_def=tenants_partitions,
    name="commerce_dbt_models",
)
def commerce_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build", *dbt_vars_arg(context.partition_key)], context=context).stream()

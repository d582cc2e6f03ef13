"""dbt models as assets partitioned by tenant, following fresh upstream data automatically.

Three `@dbt_assets` over one project: staging (raw tables in, typed and deduplicated out),
the models downstream of the Python identity assets (profiles, features, marts), and serving
(Customer 360, downstream of the Python model assets). Python assets sit between them in the
graph (stg -> customer_identifiers -> profile_members -> customer_profile -> ... ->
customer_predictions -> customer_360), so one dbt op could not run them in order.
"""

from dagster import AssetExecutionContext, AutomationCondition, Config
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from pydantic import Field

from commerce_pipeline.ml.settings import ModelSettingsStore
from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.storage import tenant_dbt_target
from commerce_pipeline.tenants.partitions import tenants_partitions
from commerce_pipeline.transform.project import dbt_project
from commerce_pipeline.transform.vars import dbt_vars_arg

STAGING = "tag:staging"
SERVING = "tag:serving"
# - A relationships test between a model and a staging model runs only once both are built
#   ("buildable"); dbt's default ("eager") would run it in the staging step, before the model exists.
# - dbt unit tests check our SQL against fixed rows, not the tenant's data, so tenant runs skip
#   them; the test suite runs them on DuckDB and Postgres (transform/test_warehouse_parity.py).
# - Nothing reads dbt's JSON artifacts (Dagster gets every result from dbt's log stream), and
#   writing them plus a debug log file (about 10 MB a run) took some 15% of the models step's
#   CPU. The tenant's dbt.log keeps info-level lines; the SQL that ran is under target/run/.
BUILD = ["build", "--indirect-selection", "buildable", "--exclude-resource-type", "unit_test",
         "--no-write-json", "--log-level-file", "info"]


class CommerceDbtTranslator(DagsterDbtTranslator):
    """Sources resolve to the ingestion and identity assets (their `meta.dagster.asset_key`), so
    the UI shows one lineage graph; models materialize when their parents in the same tenant
    update."""

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("model."):
            spec = spec.replace_attributes(automation_condition=AutomationCondition.eager())
        return spec


def build_args(tenant: str, control_db_url: str, **extra_vars) -> list[str]:
    """The `dbt build` arguments of the tenant's dbt steps, before dagster-dbt's selection (the
    run's dbt warm-up parses the project for these too, transform/warm_up.py)."""
    if extra_vars.get("feature_cutoff_offsets") is None:
        with ModelSettingsStore(control_db_url) as store:
            extra_vars["feature_cutoff_offsets"] = store.get(tenant).feature_cutoff_offsets()
    return [*BUILD, *dbt_vars_arg(tenant, **extra_vars)]


def _build(context: AssetExecutionContext, dbt: DbtCliResource,
           tenant_registry: TenantRegistryResource, **extra_vars):
    """`dbt build` of the selected models for the run's tenant, in the tenant's target folder.

    Every group gets the cutoff offsets the tenant's model settings need: dbt re-parses the
    project whenever its vars change, so identical vars let the groups share one parse (and
    default settings add no var at all, see transform/vars.py)."""
    tenant = context.partition_key
    args = build_args(tenant, tenant_registry.control_db_url_or_default(), **extra_vars)
    try:
        yield from dbt.cli(args, context=context, target_path=tenant_dbt_target(tenant)).stream()
    except DagsterDbtCliRuntimeError as error:
        raise DagsterDbtCliRuntimeError(
            description=f"dbt build failed for tenant '{tenant}': {error.description}") from error


class DbtModelsConfig(Config):
    reference_date: str | None = Field(
        default=None,
        description="Features as of this date (YYYY-MM-DD); default: the tenant's latest order date",
    )
    feature_cutoff_offsets: list[int] | None = Field(
        default=None,
        description="Days before the reference date at which features are also computed; "
        "None = what the tenant's model settings need (now, and one and two label windows back)",
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select=STAGING,
    dagster_dbt_translator=CommerceDbtTranslator(),
    partitions_def=tenants_partitions,
    name="commerce_dbt_staging",
)
def commerce_dbt_staging(context: AssetExecutionContext, dbt: DbtCliResource,
                         tenant_registry: TenantRegistryResource):
    yield from _build(context, dbt, tenant_registry)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    exclude=f"{STAGING} {SERVING}",
    dagster_dbt_translator=CommerceDbtTranslator(),
    partitions_def=tenants_partitions,
    name="commerce_dbt_models",
)
def commerce_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtModelsConfig,
                        tenant_registry: TenantRegistryResource):
    extra = {"reference_date": config.reference_date} if config.reference_date else {}
    yield from _build(context, dbt, tenant_registry, feature_cutoff_offsets=config.feature_cutoff_offsets,
                      **extra)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select=SERVING,
    dagster_dbt_translator=CommerceDbtTranslator(),
    partitions_def=tenants_partitions,
    name="commerce_dbt_serving",
)
def commerce_dbt_serving(context: AssetExecutionContext, dbt: DbtCliResource,
                         tenant_registry: TenantRegistryResource):
    """Customer 360: profiles joined with the model assets' predictions."""
    yield from _build(context, dbt, tenant_registry)

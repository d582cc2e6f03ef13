"""A tenant's run parses the dbt project in the background when it starts (transform/warm_up.py),
for the arguments its dbt steps will have, so its first dbt step reuses that parse."""

from __future__ import annotations

import threading

from dagster import asset, materialize

from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.resources import build_resources
from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.partitions import tenants_partitions
from commerce_pipeline.transform import in_process
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.transform.project import dbt_project
from commerce_pipeline.transform.resource import CommerceDbtCliResource
from commerce_pipeline.transform.warm_up import warm_up
from commerce_pipeline_tests.helpers import sync


def join_warm_ups() -> None:
    for thread in threading.enumerate():
        if thread.name == "dbt-warm-up":
            thread.join()


@asset(partitions_def=tenants_partitions, required_resource_keys={"dbt"})
def needs_dbt() -> None:
    """A step of a run that needs the dbt resource; it waits for the run's warm-up to end."""
    join_warm_ups()


def test_the_warm_up_keeps_the_parse_the_tenants_staging_step_then_uses(tenants, dagster_instance):
    tenant, dbt = tenants[0], build_resources()["dbt"]
    join_warm_ups()
    in_process.forget_parses()
    assert warm_up(tenant, dbt.project_dir, dbt.profiles_dir, get_settings().control_db_url)
    kept = set(in_process._manifests)
    assert sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging)).success
    join_warm_ups()
    assert set(in_process._manifests) == kept  # neither the step nor the run's warm-up parsed again


def test_a_tenant_run_parses_the_project_in_the_background_when_it_sets_its_resources_up(
        tenants, dagster_instance):
    join_warm_ups()
    in_process.forget_parses()
    result = materialize([needs_dbt], partition_key=tenants[0], instance=dagster_instance,
                         resources=build_resources())
    assert result.success
    assert len(in_process._manifests) == 1


def test_a_run_with_dbt_as_a_subprocess_does_not_warm_up_dbt_in_process(tenants, dagster_instance):
    join_warm_ups()
    in_process.forget_parses()
    resources = {**build_resources(),
                 "dbt": CommerceDbtCliResource(project_dir=dbt_project, in_process=False)}
    assert materialize([needs_dbt], partition_key=tenants[0], instance=dagster_instance,
                       resources=resources).success
    assert not in_process._manifests

"""CommerceDbtCliResource: dagster-dbt's dbt resource without its in-process dbt start-up."""

from __future__ import annotations

from dagster import materialize
from dagster_dbt import DbtCliResource

from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.resources import build_resources
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.transform.project import dbt_project
from commerce_pipeline.transform.resource import CommerceDbtCliResource
from commerce_pipeline_tests.helpers import scalar, test_sync_resource


def test_the_dagster_dbt_members_it_overrides_still_exist():
    assert hasattr(DbtCliResource, "_initialize_dbt_core_adapter")
    assert DbtCliResource._cli_version.func  # a cached_property


def test_dagster_dbt_still_starts_dbt_through_the_invocation_name_it_swaps():
    """transform/resource.py runs dbt in process by swapping dagster-dbt's module-level name
    DbtCliInvocation while cli() runs; an upgrade that starts dbt another way must fail here."""
    import inspect

    import dagster_dbt.core.resource as dagster_dbt_resource
    from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

    assert dagster_dbt_resource.DbtCliInvocation is DbtCliInvocation
    assert "DbtCliInvocation.run(" in inspect.getsource(DbtCliResource.cli)


def test_it_knows_the_dbt_version_without_starting_dbt(monkeypatch):
    expected = DbtCliResource(project_dir=dbt_project)._cli_version  # runs `dbt --version`

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"started {args}")

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", no_subprocess)
    assert CommerceDbtCliResource(project_dir=dbt_project)._cli_version == expected


def test_another_dbt_executable_is_still_asked_its_version(monkeypatch):
    monkeypatch.setattr("dagster_dbt.core.resource.check_output", lambda *a, **k: b"Core: 1.99.0")
    resource = CommerceDbtCliResource(project_dir=dbt_project, dbt_executable="/bin/true")
    assert str(resource._cli_version) == "1.99.0"


def test_it_builds_no_dbt_adapter_in_the_dagster_process():
    resource = CommerceDbtCliResource(project_dir=dbt_project)
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_staging_builds_with_it_and_reports_its_dbt_tests(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    resources = {**build_resources(), "shopify_sync": test_sync_resource(),
                 "dbt": CommerceDbtCliResource(project_dir=dbt_project)}
    result = materialize([shopify_assets, commerce_dbt_staging], partition_key=tenant,
                         instance=dagster_instance, resources=resources)
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    orders = simulator.stores[tenant].count("orders")
    assert scalar(tenant, "select count(*) from stg_shopify__orders") == orders

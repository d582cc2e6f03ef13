"""`commerce-pipeline sync TENANT`: run a tenant's sync now, in this process."""

from __future__ import annotations

import click

from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME, tenant_run_tags


@click.command()
@click.argument("tenant_id")
@click.option("--all-assets", is_flag=True, help="materialize everything downstream too")
def sync(tenant_id: str, all_assets: bool) -> None:
    """Sync TENANT_ID's Shopify data (and, with --all-assets, everything downstream)."""
    from dagster import DagsterInstance

    from commerce_pipeline.definitions import defs
    from commerce_pipeline.instance_setup import ensure_dagster_home
    from commerce_pipeline.tenants.registry import RegistryError, TenantRegistry

    settings = get_settings()
    ensure_dagster_home(settings)
    try:
        TenantRegistry(settings.control_db_url).get(tenant_id)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from exc
    instance = DagsterInstance.get()
    if tenant_id not in instance.get_dynamic_partitions(TENANTS_PARTITION_NAME):
        instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [tenant_id])
    job = defs.resolve_job_def("tenant_refresh" if all_assets else "shopify_sync")
    result = job.execute_in_process(
        instance=instance,
        partition_key=tenant_id,
        tags=tenant_run_tags(tenant_id, trigger="cli"),
        raise_on_error=False,
    )
    if not result.success:
        failures = [e.message for e in result.all_events if e.is_failure]
        raise click.ClickException(f"sync of '{tenant_id}' failed: {failures[-1] if failures else 'see run logs'}")
    click.echo(f"synced '{tenant_id}' (run {result.run_id})")

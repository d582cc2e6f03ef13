"""`commerce-pipeline models`: a tenant's model settings and the model registry's versions."""

from __future__ import annotations

import getpass

import click

from commerce_pipeline.cli.sql import format_table
from commerce_pipeline.ml.settings import InvalidModelSetting, ModelSettingsStore, describe
from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.slugs import InvalidTenantId
from commerce_pipeline.warehouse import WarehouseUnavailable


@click.group()
def models() -> None:
    """Per-tenant model settings (windows, retraining cadence, minimums) and model versions."""


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected name=value, got {value!r}", param_hint="--set")
        out[name.strip()] = raw.strip()
    return out


@models.command("settings")
@click.argument("tenant_id")
@click.option("--set", "changes", multiple=True, metavar="NAME=VALUE", help="change a setting (repeatable)")
@click.option("--by", "changed_by", default=None, help="who changed it [default: the OS user]")
def settings_command(tenant_id: str, changes: tuple[str, ...], changed_by: str | None) -> None:
    """Show TENANT_ID's model settings, or change some with --set name=value."""
    with ModelSettingsStore(get_settings().control_db_url) as store:
        try:
            if changes:
                current = store.set(tenant_id, _pairs(changes), changed_by or getpass.getuser())
            else:
                current = store.get(tenant_id)
            overridden = store.changes(tenant_id)
        except (InvalidModelSetting, InvalidTenantId) as exc:
            raise click.ClickException(str(exc)) from exc
    rows = [(name, value, "tenant" if name in overridden else "default")
            for name, value in describe(current).items()]
    click.echo(format_table(["setting", "value", "source"], rows))


@models.command("versions")
@click.argument("tenant_id")
@click.option("--model", default=None, help="only this model (churn_model, lifetime_value_model, segment_model)")
def versions_command(tenant_id: str, model: str | None) -> None:
    """List TENANT_ID's trained model versions with their gate verdicts and key metrics."""
    from commerce_pipeline.ml.registry import headline, versions

    try:
        rows = versions(tenant_id, model)
    except (InvalidTenantId, WarehouseUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    table = [(r["model"], r["version"], r["status"], f"{r['trained_at']:%Y-%m-%d %H:%M}",
              r["training_cutoff"] or r["reference_date"], headline(r), r["reason"]) for r in rows]
    click.echo(format_table(["model", "version", "status", "trained", "data as of", "metric", "reason"], table))

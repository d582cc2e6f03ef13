"""`commerce-pipeline tenants ...`: register, list, pause and remove tenants.

Tokens are accepted (`--token`, or better `--token-env VAR`, which keeps them out of
shell history) but never printed.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime

import click

from commerce_pipeline.settings import ConfigurationError, get_settings
from commerce_pipeline.storage import tenant_home
from commerce_pipeline.tenants.crypto import CredentialError, ensure_key_file
from commerce_pipeline.tenants.plans import VALID_PLANS
from commerce_pipeline.tenants.registry import STATUSES, RegistryError, TenantConfig, TenantRegistry
from commerce_pipeline.tenants.slugs import InvalidTenantId

_EXPECTED_ERRORS = (RegistryError, CredentialError, InvalidTenantId, ConfigurationError)


class TenantCommandError(click.ClickException):
    """One `Error: ...` line, exit code 2 like click's usage errors."""

    exit_code = 2


class _TenantsGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _EXPECTED_ERRORS as exc:
            raise TenantCommandError(str(exc)) from None


def _registry() -> TenantRegistry:
    return TenantRegistry(settings=get_settings())


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def tenant_rows(tenants: list[TenantConfig]) -> list[dict[str, str]]:
    """The `tenants list` columns, in order, as display strings."""
    return [{
        "ID": t.id, "NAME": t.display_name, "SHOP": t.shop_domain, "PLAN": t.sync_plan,
        "STATUS": t.status, "LAST SUCCESS": _when(t.last_success_at),
        "LAST SYNC": t.last_sync_status or "-", "TOKEN": "yes" if t.has_token else "no",
    } for t in tenants]


def format_table(rows: list[dict[str, str]]) -> str:
    headers = list(rows[0])
    widths = [max(len(h), *(len(r[h]) for r in rows)) for h in headers]
    lines = [headers] + [[r[h] for h in headers] for r in rows]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)


def tenant_json(t: TenantConfig) -> dict:
    """Machine-readable tenant: every stored field but the token, plus derived URLs."""
    def iso(value):
        return value.isoformat() if value else None
    return {
        "id": t.id, "display_name": t.display_name, "platform": t.platform,
        "shop_domain": t.shop_domain, "api_base_url": t.api_base_url, "base_url": t.base_url,
        "api_version": t.effective_api_version, "graphql_url": t.graphql_url,
        "default_country": t.default_country, "sync_plan": t.sync_plan, "status": t.status,
        "has_token": t.has_token, "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at), "last_sync_at": iso(t.last_sync_at),
        "last_sync_status": t.last_sync_status, "last_sync_error": t.last_sync_error,
        "last_success_at": iso(t.last_success_at),
    }


def _resolve_token(token: str | None, token_env: str | None) -> str | None:
    if token is not None and token_env is not None:
        raise click.UsageError("give either --token or --token-env, not both")
    if token_env is None:
        return token
    value = os.environ.get(token_env)
    if not value:
        raise click.UsageError(f"environment variable {token_env} (from --token-env) is not set")
    return value


_token_options = [
    click.option("--token", help="Store access token (prefer --token-env: keeps it out of "
                 "shell history)."),
    click.option("--token-env", metavar="VAR", help="Read the access token from this "
                 "environment variable."),
]


def _with_token_options(func):
    for option in reversed(_token_options):
        func = option(func)
    return func


@click.group(cls=_TenantsGroup)
def tenants() -> None:
    """Manage the registered tenants (the control plane)."""


@tenants.command("add")
@click.argument("tenant_id", metavar="ID")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--shop-domain", required=True, help="Store host name, e.g. acme.myshopify.com.")
@click.option("--api-base-url", help="Override https://<shop-domain> (e.g. the simulator).")
@click.option("--api-version", help="Shopify Admin API version, YYYY-MM.")
@_with_token_options
@click.option("--plan", "sync_plan", default="daily", show_default=True,
              help=f"Sync plan: {', '.join(VALID_PLANS)}.")
@click.option("--country", "default_country", default="US", show_default=True,
              help="Default ISO 3166-1 alpha-2 country.")
def add(tenant_id, display_name, shop_domain, api_base_url, api_version, token, token_env,
        sync_plan, default_country) -> None:
    """Register tenant ID (a slug like acme-shoes)."""
    config = _registry().add(
        tenant_id, display_name=display_name, shop_domain=shop_domain,
        access_token=_resolve_token(token, token_env), api_base_url=api_base_url,
        api_version=api_version, sync_plan=sync_plan, default_country=default_country)
    token_note = "token stored encrypted" if config.has_token else "no token stored"
    click.echo(f"Added tenant {config.id} ({config.display_name}) on {config.base_url}, "
               f"plan {config.sync_plan}, {token_note}.")


@tenants.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--plan", type=click.Choice(VALID_PLANS), help="Only tenants on this plan.")
@click.option("--status", type=click.Choice(STATUSES), help="Only tenants with this status.")
def list_(as_json, plan, status) -> None:
    """Show the registered tenants."""
    found = _registry().list(plan=plan, status=status)
    if as_json:
        click.echo(json.dumps([tenant_json(t) for t in found], indent=2))
    elif not found:
        click.echo("No tenants registered. Add one with `commerce-pipeline tenants add`.")
    else:
        click.echo(format_table(tenant_rows(found)))


@tenants.command("remove")
@click.argument("tenant_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--purge-data", is_flag=True,
              help="Also delete the tenant's data directory (the DuckDB warehouse, dlt state).")
def remove(tenant_id, yes, purge_data) -> None:
    """Unregister tenant ID."""
    registry = _registry()
    registry.get(tenant_id)  # fail on unknown ids before asking anything
    home = tenant_home(tenant_id, registry.settings)
    if not yes:
        what = f"tenant {tenant_id} and delete {home}" if purge_data else f"tenant {tenant_id}"
        click.confirm(f"Remove {what}?", abort=True)
    registry.remove(tenant_id)
    click.echo(f"Removed tenant {tenant_id}.")
    if purge_data and home.exists():
        shutil.rmtree(home)
        click.echo(f"Deleted {home}.")


@tenants.command("set-plan", help=f"Put tenant ID on PLAN ({', '.join(VALID_PLANS)}).")
@click.argument("tenant_id", metavar="ID")
@click.argument("plan", metavar="PLAN")
def set_plan(tenant_id, plan) -> None:
    config = _registry().set_plan(tenant_id, plan)
    click.echo(f"Tenant {config.id} is now on the {config.sync_plan} plan.")


@tenants.command("set-token")
@click.argument("tenant_id", metavar="ID")
@_with_token_options
def set_token(tenant_id, token, token_env) -> None:
    """Store a new access token for tenant ID (encrypted with the current key)."""
    value = _resolve_token(token, token_env)
    if value is None:
        raise click.UsageError("give --token or --token-env")
    _registry().update(tenant_id, access_token=value)
    click.echo(f"Stored a new access token for tenant {tenant_id}.")


@tenants.command("pause")
@click.argument("tenant_id", metavar="ID")
def pause(tenant_id) -> None:
    """Stop scheduled syncs for tenant ID."""
    _registry().set_status(tenant_id, "paused")
    click.echo(f"Paused tenant {tenant_id}.")


@tenants.command("resume")
@click.argument("tenant_id", metavar="ID")
def resume(tenant_id) -> None:
    """Resume scheduled syncs for tenant ID."""
    _registry().set_status(tenant_id, "active")
    click.echo(f"Resumed tenant {tenant_id}.")


@tenants.command("init-key")
def init_key() -> None:
    """Create the secret key file that encrypts stored access tokens."""
    settings = get_settings()
    if settings.secret_key:
        click.echo("COMMERCE_SECRET_KEY is set and takes precedence; no key file written.")
        return
    existed = settings.secret_key_file.exists()
    path = ensure_key_file(settings)
    click.echo(f"{'Key file already exists' if existed else 'Created key file'}: {path}")
    if not existed:
        click.echo("Back it up: stored tokens cannot be decrypted without it.")

"""`commerce-pipeline init`: prepare the data home (Dagster instance, credentials key)."""

from __future__ import annotations

import click

from commerce_pipeline.instance_setup import ensure_dagster_home
from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.crypto import ensure_key_file


@click.command()
def init() -> None:
    """Create DAGSTER_HOME (with per-tenant run limits) and a credentials key if missing."""
    settings = get_settings()
    home = ensure_dagster_home(settings)
    click.echo(f"data home:   {settings.home}")
    click.echo(f"DAGSTER_HOME {home}")
    if settings.secret_key:
        click.echo("credentials key: from COMMERCE_SECRET_KEY")
    else:
        click.echo(f"credentials key: {ensure_key_file(settings)}")

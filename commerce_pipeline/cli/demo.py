"""`commerce-pipeline demo`: the whole pipeline on simulator stores, no credentials."""

from __future__ import annotations

import time

import click

from commerce_pipeline.cli.sql import format_table
from commerce_pipeline.demo import DEMO_STORES, SUMMARY_TABLES, run_demo


@click.command()
@click.option("--size", type=click.Choice(sorted(DEMO_STORES)), default="small", show_default=True)
@click.option("--port", type=int, default=8765, show_default=True, help="simulator port (0: any free port)")
@click.option("--serve", is_flag=True, help="keep the simulator running afterwards (for `dagster dev`)")
def demo(size: str, port: int, serve: bool) -> None:
    """Start the Shopify simulator, register its stores as tenants, materialize every asset."""
    results, server = run_demo(size=size, port=port, echo=click.echo, keep_server=serve)
    columns = ["tenant", "customers (store)", *SUMMARY_TABLES, "outbox emails", "status"]
    rows = [
        (r.tenant_id, r.customers, *(r.counts.get(t, "") for t in SUMMARY_TABLES), r.outbox_emails,
         "ok" if r.success else "FAILED")
        for r in results
    ]
    click.echo("\nWhat landed per tenant:\n" + format_table(columns, rows))
    models = [(r.tenant_id, *m) for r in results for m in r.models]
    click.echo("\nModels (latest version of each; `commerce-pipeline models versions TENANT` lists all):\n"
               + format_table(["tenant", "model", "status", "metric", "reason"], models))
    click.echo('\nLook closer: commerce-pipeline sql demo-outfitters "select * from shopify_orders limit 5"')
    click.echo("Campaign emails (dry run, no SendGrid key): open <COMMERCE_HOME>/tenants/<tenant>/outbox/index.html;"
               " commerce-pipeline campaigns preview demo-outfitters")
    click.echo("Explore runs and lineage: make dev  (then open http://127.0.0.1:3000)")
    failed = [r.tenant_id for r in results if not r.success]
    if serve and not failed:
        click.echo(f"Simulator keeps serving on 127.0.0.1:{server.port}; Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.stop()
    if failed:
        raise click.ClickException(f"demo runs failed for: {', '.join(failed)} (see the run logs in `make dev`)")

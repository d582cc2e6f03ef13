"""`commerce-pipeline sql TENANT "select ..."`: look at a tenant's data, read-only."""

from __future__ import annotations

import csv
import json
import sys

import click

from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.slugs import InvalidTenantId
from commerce_pipeline.warehouse import WarehouseUnavailable, query_readonly


def format_table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


@click.command()
@click.argument("tenant_id")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def sql(tenant_id: str, query: str, fmt: str) -> None:
    """Run QUERY read-only against TENANT_ID's warehouse (its schema is on the search path)."""
    try:
        columns, rows = query_readonly(tenant_warehouse(tenant_id), query)
    except (InvalidTenantId, WarehouseUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # the database's own message is the useful part
        raise click.ClickException(f"query failed: {exc}") from exc
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r)) for r in rows], default=str, indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        click.echo(format_table(columns, rows))

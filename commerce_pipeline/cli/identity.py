"""`commerce-pipeline identity queue|decide`: review groups held back from auto-merging."""

from __future__ import annotations

import getpass
import json

import click

from commerce_pipeline.cli.sql import format_table
from commerce_pipeline.identity.decisions import MergeDecisions
from commerce_pipeline.settings import get_settings
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.slugs import InvalidTenantId
from commerce_pipeline.warehouse import WarehouseUnavailable, query_readonly


@click.group()
def identity() -> None:
    """Review merge groups larger than the auto-merge limit."""


@identity.command("queue")
@click.argument("tenant_id")
@click.option("--all", "show_all", is_flag=True, help="include approved and rejected groups")
def queue(tenant_id: str, show_all: bool) -> None:
    """List TENANT_ID's queued merge groups with the identifiers that would join them."""
    where = "" if show_all else "where status = 'pending'"
    try:
        _, rows = query_readonly(tenant_warehouse(tenant_id),
                                 f"select group_key, status, accounts, source_keys, evidence "
                                 f"from manual_merge_queue {where} order by accounts desc, group_key")
    except (InvalidTenantId, WarehouseUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:
        raise click.ClickException(f"no merge queue for '{tenant_id}' yet (run identity_resolution): {exc}")
    table = []
    for key, status, accounts, source_keys, evidence in rows:
        shared = "; ".join(f"{e['kind']} {e['value']} x{len(e['source_keys'])}" for e in json.loads(evidence))
        table.append((key, status, accounts, ", ".join(json.loads(source_keys)), shared))
    click.echo(format_table(["group", "status", "accounts", "source records", "evidence"], table))


@identity.command("decide")
@click.argument("tenant_id")
@click.argument("group_key")
@click.argument("decision", type=click.Choice(["approve", "reject"]))
@click.option("--by", "decided_by", default=None, help="who decided [default: the OS user]")
def decide(tenant_id: str, group_key: str, decision: str, decided_by: str | None) -> None:
    """Record DECISION on GROUP_KEY; the next identity_resolution run applies it."""
    store = MergeDecisions(get_settings().control_db_url)
    try:
        store.record(tenant_id, group_key, decision, decided_by or getpass.getuser())
    except (ValueError, InvalidTenantId) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(f"{decision} recorded for {group_key} of tenant '{tenant_id}'; "
               "it applies on the next identity_resolution run")

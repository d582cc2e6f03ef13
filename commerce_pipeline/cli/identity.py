"""`commerce-pipeline identity`: review groups held back from auto-merging, and keep a tenant's
own blocklist of identifier values that must never link customers."""

from __future__ import annotations

import getpass
import json

import click

from commerce_pipeline.cli.sql import format_table
from commerce_pipeline.identity.blocklist import KINDS, Blocklist
from commerce_pipeline.identity.control import IdentityControl
from commerce_pipeline.settings import get_settings
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.registry import TenantNotFound, TenantRegistry
from commerce_pipeline.tenants.slugs import InvalidTenantId
from commerce_pipeline.warehouse import WarehouseUnavailable, query_readonly


def _control_call(method: str, *args, **kwargs):
    with IdentityControl(get_settings().control_db_url) as control:
        try:
            return getattr(control, method)(*args, **kwargs)
        except (ValueError, InvalidTenantId) as exc:
            raise click.ClickException(str(exc)) from exc


@click.group()
def identity() -> None:
    """Review merge groups larger than the auto-merge limit; manage a tenant's blocklist."""


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
    _control_call("record_decision", tenant_id, group_key, decision, decided_by or getpass.getuser())
    click.echo(f"{decision} recorded for {group_key} of tenant '{tenant_id}'; "
               "it applies on the next identity_resolution run")


def _check_value(tenant_id: str, kind: str, value: str) -> None:
    """A value that does not normalise could never match: refuse it now, not at the next run."""
    registry = TenantRegistry(get_settings().control_db_url)
    try:
        country = registry.get(tenant_id).default_country
    except (TenantNotFound, InvalidTenantId) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        registry.close()
    try:
        Blocklist(values=[(kind, value)], default_country=country)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@identity.command("block")
@click.argument("tenant_id")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("value")
@click.option("--pattern", is_flag=True, help="VALUE is a regex matching whole normalised values")
@click.option("--unblock", is_flag=True, help="lift an earlier block of the same entry")
@click.option("--by", "decided_by", default=None, help="who decided [default: the OS user]")
def block(tenant_id: str, kind: str, value: str, pattern: bool, unblock: bool, decided_by: str | None) -> None:
    """Never link customers on VALUE (e.g. the store's own phone); applies on the next identity run."""
    if not pattern and not unblock:
        _check_value(tenant_id, kind, value)
    _control_call("set_blocked", tenant_id, kind, value, pattern=pattern, blocked=not unblock,
                  decided_by=decided_by or getpass.getuser())
    click.echo(f"{'unblocked' if unblock else 'blocked'} {kind} {'pattern ' if pattern else ''}{value!r} "
               f"for tenant '{tenant_id}'; applies on the next customer_identifiers run")


@identity.command("blocklist")
@click.argument("tenant_id")
def blocklist(tenant_id: str) -> None:
    """Show TENANT_ID's own blocked values and patterns (built-in junk rules always apply too)."""
    values, patterns = _control_call("blocklist", tenant_id)
    rows = [(k, "value", v) for k, v in values] + [(k, "pattern", v) for k, v in patterns]
    click.echo(format_table(["kind", "type", "entry"], rows))

"""The `--vars` a dbt invocation gets: they point the one profile at one tenant's warehouse."""

from __future__ import annotations

import json

from commerce_pipeline.settings import Settings
from commerce_pipeline.storage import tenant_warehouse


def dbt_vars(tenant_id: str, settings: Settings | None = None, **extra: object) -> dict:
    return {**tenant_warehouse(tenant_id, settings).dbt_vars(), **extra}


def dbt_vars_arg(tenant_id: str, settings: Settings | None = None, **extra: object) -> list[str]:
    """`["--vars", "<json>"]` for DbtCliResource.cli."""
    return ["--vars", json.dumps(dbt_vars(tenant_id, settings, **extra), sort_keys=True)]

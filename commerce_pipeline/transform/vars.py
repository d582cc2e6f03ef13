"""The `--vars` a dbt invocation gets: what points the one profile at one tenant's warehouse,
plus any model setting that differs from the project's default.

dbt re-parses the whole project (seconds) whenever the vars differ from those of the parse it
kept, so a var equal to its dbt_project.yml default is left out: a DuckDB tenant on default
settings then runs with no vars at all, like `make prepare`, and reuses that parse.
"""

from __future__ import annotations

import json
from functools import cache

import yaml

from commerce_pipeline.settings import Settings
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.transform.project import DBT_PROJECT_DIR


@cache
def project_var_defaults() -> dict:
    """The `vars` of dbt_project.yml."""
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text()).get("vars") or {}


def dbt_vars(tenant_id: str, settings: Settings | None = None, **extra: object) -> dict:
    """The tenant's warehouse vars, and those of `extra` that are set and not the default."""
    defaults = project_var_defaults()
    changed = {k: v for k, v in extra.items()
               if v is not None and not (k in defaults and defaults[k] == v)}
    return {**tenant_warehouse(tenant_id, settings).dbt_vars(), **changed}


def dbt_vars_arg(tenant_id: str, settings: Settings | None = None, **extra: object) -> list[str]:
    """`["--vars", "<json>"]` for DbtCliResource.cli, or nothing when there are no vars."""
    out = dbt_vars(tenant_id, settings, **extra)
    return ["--vars", json.dumps(out, sort_keys=True)] if out else []

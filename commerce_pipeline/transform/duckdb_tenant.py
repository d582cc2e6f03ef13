"""A dbt-duckdb plugin that opens the run's tenant's own DuckDB file (profiles.yml loads it).

dbt hashes the profile's connection values, the DuckDB path among them, into its saved parse
and re-parses the whole project when any differ, so a per-tenant path in the profile made every
new tenant's first dbt step a full parse. The profile therefore names one placeholder path for
every tenant, and the file is chosen here, when dbt opens its connection (after parsing): the
`warehouse.duckdb` beside the dbt target folder that dagster-dbt passes to dbt as DBT_TARGET_PATH
(storage.tenant_dbt_target; storage.tenant_warehouse puts the file there). Without
DBT_TARGET_PATH the run fails rather than open some shared file.

Imported by the dbt process itself: standard library and dbt-duckdb only.
"""

from __future__ import annotations

import os
from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin

WAREHOUSE_FILE = "warehouse.duckdb"  # its stem is the profile's `database`


def tenant_duckdb_path(dbt_target: str | os.PathLike) -> Path:
    """The DuckDB file of the tenant whose dbt target folder is `dbt_target`."""
    return Path(dbt_target).absolute().parent / WAREHOUSE_FILE


class Plugin(BasePlugin):
    def update_connection_config(self, creds, config) -> None:
        # dbt-duckdb calls this just before duckdb.connect(creds.path, ...).
        target = os.environ.get("DBT_TARGET_PATH")
        if not target:
            raise RuntimeError(
                "DBT_TARGET_PATH is not set: it names the tenant's dbt target folder, and the "
                f"tenant's DuckDB file is the {WAREHOUSE_FILE} beside it "
                "(e.g. DBT_TARGET_PATH=$COMMERCE_HOME/tenants/<tenant>/dbt_target)"
            )
        creds.path = str(tenant_duckdb_path(target))

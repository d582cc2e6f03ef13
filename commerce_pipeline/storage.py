"""The one answer to "where does tenant T's data live?".

The dlt destination, the dbt profile, the ML assets and the `sql` CLI all ask
`tenant_warehouse`; nothing else builds a path or a schema name.

- duckdb (default): one DuckDB file per tenant under the data home, so runs for
  different tenants never contend for DuckDB's single writer lock. Inside it the tables live in
  one schema with the same name for every tenant (DUCKDB_SCHEMA).
- postgres: one schema per tenant in the configured database.
Either way, the tenant's tables live in the schema named by `schema`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from commerce_pipeline.settings import Settings, get_settings
from commerce_pipeline.tenants.slugs import validate_tenant_id

# The schema inside every tenant's DuckDB file (profiles.yml names it too; a test checks they
# agree). dbt renders schemas into its parsed project, so a per-tenant name here would make dbt
# re-parse the whole project for each tenant; one name lets every tenant reuse one parse. The
# file is the tenant's, so nothing is shared.
DUCKDB_SCHEMA = "commerce"


@dataclass(frozen=True)
class TenantWarehouse:
    tenant_id: str
    kind: str  # "duckdb" | "postgres"
    schema: str
    duckdb_path: Path | None = None
    pg_url: str | None = None

    def dlt_destination(self):
        """A dlt destination object for this tenant's warehouse."""
        import dlt

        if self.kind == "duckdb":
            self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(str(self.duckdb_path))
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        credentials = PostgresCredentials(self.pg_url)
        if credentials.password is None:  # trust/peer auth: dlt would otherwise demand one
            credentials.password = ""
        return dlt.destinations.postgres(credentials=credentials)

    def loader_file_format(self, arrow: bool = True) -> str | None:
        """How dlt hands files to the warehouse. DuckDB gets Parquet for Arrow tables (dlt writes
        them without a pass in Python and DuckDB reads Parquet natively) and JSONL for dict rows
        (dlt's default for it, INSERT statements, made DuckDB's load peak above 1 GB for 5,000
        records; bench/RESULTS.md). Postgres keeps dlt's default (INSERT statements)."""
        if self.kind != "duckdb":
            return None
        return "parquet" if arrow else "jsonl"

    def dbt_vars(self) -> dict[str, str]:
        """The `--vars` that point a dbt run at this tenant (read by profiles.yml).

        Empty for DuckDB: dbt finds the tenant's file beside its dbt target folder
        (transform/duckdb_tenant.py) and the schema is DUCKDB_SCHEMA, so every DuckDB tenant runs
        dbt exactly as `make prepare` parsed it and reuses that parse (dbt re-parses the whole
        project whenever --vars change). Postgres tenants differ in schema, which dbt renders
        into the parse, so their vars name it and each tenant keeps its own parse."""
        if self.kind == "duckdb":
            return {}
        # The password stays out: vars show up in logged dbt commands. profiles.yml reads it
        # from COMMERCE_PG_PASSWORD.
        url = make_url(self.pg_url)
        return {"warehouse": self.kind, "tenant_id": self.tenant_id, "tenant_schema": self.schema,
                "pg_host": url.host or "127.0.0.1", "pg_port": url.port or 5432,
                "pg_user": url.username or "postgres", "pg_database": url.database or "postgres"}

    def describe(self) -> str:
        if self.kind == "duckdb":
            return f"duckdb:{self.duckdb_path} schema {self.schema}"
        return f"postgres schema {self.schema}"


def tenant_schema(tenant_id: str) -> str:
    """A tenant's schema in the shared Postgres database.

    Slugs use hyphens and never underscores, so this mapping cannot collide."""
    return "tenant_" + validate_tenant_id(tenant_id).replace("-", "_")


def tenant_home(tenant_id: str, settings: Settings | None = None) -> Path:
    """Per-tenant files that are not warehouse tables (dlt working dirs, outboxes)."""
    settings = settings or get_settings()
    return settings.home / "tenants" / validate_tenant_id(tenant_id)


def tenant_warehouse(tenant_id: str, settings: Settings | None = None) -> TenantWarehouse:
    settings = settings or get_settings()
    if settings.warehouse == "postgres":
        return TenantWarehouse(tenant_id, "postgres", tenant_schema(tenant_id), pg_url=settings.pg_url)
    # Beside the tenant's dbt target folder: that is where dbt looks (transform/duckdb_tenant.py).
    path = tenant_dbt_target(tenant_id, settings).parent / "warehouse.duckdb"
    return TenantWarehouse(tenant_id, "duckdb", DUCKDB_SCHEMA, duckdb_path=path)


def tenant_ground_truth(tenant_id: str, settings: Settings | None = None) -> Path:
    """Known answers for a tenant, where any exist (the simulator's stores ship them): identity
    and model quality are measured against this file when it is present."""
    return tenant_home(tenant_id, settings) / "ground_truth.json"


def tenant_dbt_target(tenant_id: str, settings: Settings | None = None) -> Path:
    """dbt's target folder for a tenant's runs (runs of one tenant never overlap).

    dagster-dbt hands it to dbt as DBT_TARGET_PATH, and dbt opens the warehouse.duckdb beside
    it (transform/duckdb_tenant.py): that is how a DuckDB tenant's file reaches dbt without
    any per-tenant value in the profile or --vars, which would make dbt re-parse. The
    folder keeps the tenant's own partial parse (dagster-dbt copies the project's in only when
    the folder has none), so a Postgres tenant, whose vars name its schema, re-parses once and
    its later steps and runs reuse that parse."""
    return tenant_home(tenant_id, settings) / "dbt_target"


def tenant_model_artifact(tenant_id: str, model: str, version: int,
                          settings: Settings | None = None) -> Path:
    """Where the model registry keeps one trained version's artifact (a pickle)."""
    return tenant_home(tenant_id, settings) / "models" / model / f"v{version}.pkl"


def tenant_outbox(tenant_id: str, settings: Settings | None = None) -> Path:
    """Dry-run marketing emails of a tenant, one file per email, for a person to open."""
    return tenant_home(tenant_id, settings) / "outbox"

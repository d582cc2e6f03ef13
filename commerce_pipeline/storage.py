"""The one answer to "where does tenant T's data live?".

The dlt destination, the dbt profile, the ML assets and the `sql` CLI all ask
`tenant_warehouse`; nothing else builds a path or a schema name.

- duckdb (default): one DuckDB file per tenant under the data home, so runs for
  different tenants never contend for DuckDB's single writer lock.
- postgres: one schema per tenant in the configured database.
Inside either, the tenant's tables live in the schema named by `schema`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from commerce_pipeline.settings import Settings, get_settings
from commerce_pipeline.tenants.slugs import validate_tenant_id


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

    @property
    def loader_file_format(self) -> str | None:
        """How dlt hands files to the warehouse. DuckDB gets JSONL: dlt's default for it (INSERT
        statements) made DuckDB's load peak above 1 GB for 5,000 records, JSONL about 70 MB
        (bench/RESULTS.md). Postgres keeps dlt's default."""
        return "jsonl" if self.kind == "duckdb" else None

    def dbt_vars(self) -> dict[str, str]:
        """The `--vars` that point a dbt run at this tenant (read by profiles.yml)."""
        out = {"tenant_id": self.tenant_id, "tenant_schema": self.schema, "warehouse": self.kind}
        if self.duckdb_path is not None:
            out["duckdb_path"] = str(self.duckdb_path)
        if self.pg_url is not None:
            # The password stays out: vars show up in logged dbt commands. profiles.yml
            # reads it from COMMERCE_PG_PASSWORD.
            url = make_url(self.pg_url)
            out.update(pg_host=url.host or "127.0.0.1", pg_port=url.port or 5432,
                       pg_user=url.username or "postgres", pg_database=url.database or "postgres")
        return out

    def describe(self) -> str:
        if self.kind == "duckdb":
            return f"duckdb:{self.duckdb_path} schema {self.schema}"
        return f"postgres schema {self.schema}"


def tenant_schema(tenant_id: str) -> str:
    # Slugs use hyphens and never underscores, so this mapping cannot collide.
    return "tenant_" + validate_tenant_id(tenant_id).replace("-", "_")


def tenant_home(tenant_id: str, settings: Settings | None = None) -> Path:
    """Per-tenant files that are not warehouse tables (dlt working dirs, outboxes)."""
    settings = settings or get_settings()
    return settings.home / "tenants" / validate_tenant_id(tenant_id)


def tenant_warehouse(tenant_id: str, settings: Settings | None = None) -> TenantWarehouse:
    settings = settings or get_settings()
    schema = tenant_schema(tenant_id)
    if settings.warehouse == "postgres":
        return TenantWarehouse(tenant_id, "postgres", schema, pg_url=settings.pg_url)
    path = tenant_home(tenant_id, settings) / "warehouse.duckdb"
    return TenantWarehouse(tenant_id, "duckdb", schema, duckdb_path=path)


def tenant_ground_truth(tenant_id: str, settings: Settings | None = None) -> Path:
    """Known answers for a tenant, where any exist (the simulator's stores ship them): identity
    and model quality are measured against this file when it is present."""
    return tenant_home(tenant_id, settings) / "ground_truth.json"


def tenant_dbt_target(tenant_id: str, settings: Settings | None = None) -> Path:
    """dbt's target folder for a tenant's runs. dbt re-parses the whole project whenever its
    vars change, and the vars name the tenant, so one folder per tenant lets every later dbt
    step of that tenant reuse its partial parse (runs of one tenant never overlap)."""
    return tenant_home(tenant_id, settings) / "dbt_target"


def tenant_model_artifact(tenant_id: str, model: str, version: int,
                          settings: Settings | None = None) -> Path:
    """Where the model registry keeps one trained version's artifact (a pickle)."""
    return tenant_home(tenant_id, settings) / "models" / model / f"v{version}.pkl"


def tenant_outbox(tenant_id: str, settings: Settings | None = None) -> Path:
    """Dry-run marketing emails of a tenant, one file per email, for a person to open."""
    return tenant_home(tenant_id, settings) / "outbox"

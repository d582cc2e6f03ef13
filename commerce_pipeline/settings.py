"""Environment-driven configuration: the one place that reads COMMERCE_* variables.

Every default runs the embedded demo: DuckDB per tenant, a SQLite control plane and
local Dagster storage, all under the data home. The README's configuration reference
lists the same names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SHOPIFY_API_VERSION = "2025-01"
WAREHOUSES = ("duckdb", "postgres")


class ConfigurationError(RuntimeError):
    """A setting is missing or has a value we cannot use."""


@dataclass(frozen=True)
class Settings:
    home: Path
    warehouse: str
    pg_url: str | None
    control_db_url: str
    secret_key: str | None
    shopify_api_version: str
    sync_lag_seconds: float
    sendgrid_api_key: str | None
    sendgrid_api_host: str | None
    dbt_in_process: bool = True  # dbt runs in the Dagster process (transform/in_process.py)

    @property
    def secret_key_file(self) -> Path:
        return self.home / "secret.key"

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME") or self.home / "dagster_home")


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc


def _flag(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    return default if raw == "" else raw not in {"0", "false", "no"}


def get_settings() -> Settings:
    """Read the environment now (tests and the CLI change it between calls)."""
    home = Path(os.environ.get("COMMERCE_HOME") or Path.cwd() / ".commerce_home").resolve()
    warehouse = (os.environ.get("COMMERCE_WAREHOUSE") or "duckdb").strip().lower()
    if warehouse not in WAREHOUSES:
        raise ConfigurationError(
            f"COMMERCE_WAREHOUSE must be one of {', '.join(WAREHOUSES)}, got {warehouse!r}"
        )
    pg_url = os.environ.get("COMMERCE_PG_URL") or None
    if warehouse == "postgres" and not pg_url:
        raise ConfigurationError("COMMERCE_WAREHOUSE=postgres needs COMMERCE_PG_URL")
    control_db_url = os.environ.get("COMMERCE_CONTROL_DB_URL") or f"sqlite:///{home / 'control.db'}"
    return Settings(
        home=home,
        warehouse=warehouse,
        pg_url=pg_url,
        control_db_url=control_db_url,
        secret_key=os.environ.get("COMMERCE_SECRET_KEY") or None,
        shopify_api_version=os.environ.get("COMMERCE_SHOPIFY_API_VERSION")
        or DEFAULT_SHOPIFY_API_VERSION,
        sync_lag_seconds=_float("COMMERCE_SYNC_LAG_SECONDS", 2.0),
        sendgrid_api_key=os.environ.get("SENDGRID_API_KEY") or None,
        sendgrid_api_host=os.environ.get("SENDGRID_API_HOST") or None,
        dbt_in_process=_flag("COMMERCE_DBT_IN_PROCESS", True),
    )

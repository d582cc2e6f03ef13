"""Fixtures shared by every test package: an isolated data home and a real PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
_CLEARED_ENV = (
    "COMMERCE_SECRET_KEY", "COMMERCE_CONTROL_DB_URL", "COMMERCE_WAREHOUSE", "COMMERCE_PG_URL",
)


@pytest.fixture(autouse=True)
def commerce_home(tmp_path, monkeypatch):
    """Each test gets its own data home and none of the developer's COMMERCE_* config."""
    home = tmp_path / "commerce_home"
    monkeypatch.setenv("COMMERCE_HOME", str(home))
    for name in _CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def postgres_url() -> str:
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # psycopg2's message spans lines
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {reason}")
    finally:
        engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def pg_schema(postgres_url):
    """A fresh schema in the test database, dropped with everything in it afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        yield name
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        engine.dispose()


@pytest.fixture
def dagster_instance(commerce_home, monkeypatch):
    """A Dagster instance in the test's data home, configured like the embedded default."""
    from dagster import DagsterInstance

    from commerce_pipeline.instance_setup import ensure_dagster_home
    from commerce_pipeline.settings import get_settings

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = ensure_dagster_home(get_settings())  # also exports DAGSTER_HOME for subprocesses
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    instance = DagsterInstance.get()
    yield instance
    instance.dispose()


@pytest.fixture
def registry(commerce_home):
    from commerce_pipeline.settings import get_settings
    from commerce_pipeline.tenants.crypto import ensure_key_file
    from commerce_pipeline.tenants.registry import TenantRegistry

    settings = get_settings()
    ensure_key_file(settings)
    reg = TenantRegistry(settings.control_db_url)
    yield reg
    reg.close()

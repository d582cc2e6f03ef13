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


@pytest.fixture(autouse=True)
def no_leftover_dagster_state_storage():
    """Each test starts without another test's Dagster defs-state storage. Dagster keeps the
    current one in a ContextVar that `DagsterInstance.__enter__` sets; one left behind by an
    earlier test whose instance is gone makes the next Definitions load in the same worker fail
    with "Attempted to resolve undefined DagsterInstance weakref" (seen once in CI order)."""
    from dagster._core.storage.defs_state.base import set_defs_state_storage

    with set_defs_state_storage(None):
        yield


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


@pytest.fixture
def simulator(tmp_path):
    """A running Shopify simulator serving the stores in helpers.STORES."""
    from commerce_pipeline.simulator import SimulatorServer, generate_store
    from commerce_pipeline_tests.helpers import STORES

    stores = [generate_store(name, seed=seed, customers=n) for name, (seed, n) in STORES.items()]
    # Shopify's bucket size with a fast restore keeps these tests quick; the pacing
    # test runs its own server with a small, slow bucket.
    server = SimulatorServer(stores, bucket_size=1000, restore_rate=20000.0, data_dir=tmp_path / "sim")
    server.start()
    server.stores = {s.shop: s for s in stores}
    yield server
    server.stop()


@pytest.fixture
def tenants(simulator, registry, dagster_instance):
    """The simulator's stores registered as tenants, each with its partition."""
    from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME

    for shop, store in simulator.stores.items():
        registry.add(shop, display_name=shop, shop_domain=f"{shop}.myshopify.com",
                     api_base_url=simulator.base_url(shop), access_token=store.access_token)
    dagster_instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, list(simulator.stores))
    return list(simulator.stores)


@pytest.fixture
def pg_tenant(simulator, registry, dagster_instance, postgres_url, monkeypatch):
    """A uniquely named tenant on the Postgres warehouse, backed by the first simulator store.

    Yields (tenant id, store); the tenant's schema is dropped afterwards."""
    from commerce_pipeline.storage import tenant_warehouse
    from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME

    store = next(iter(simulator.stores.values()))
    tenant = f"pgt-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", postgres_url.replace("+psycopg2", ""))
    registry.add(tenant, display_name="pg", shop_domain=f"{store.shop}.myshopify.com",
                 api_base_url=simulator.base_url(store.shop), access_token=store.access_token)
    dagster_instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [tenant])
    schema = tenant_warehouse(tenant).schema
    yield tenant, store
    from commerce_pipeline_tests.helpers import drop_pg_schema

    drop_pg_schema(postgres_url, schema)


@pytest.fixture(scope="session")
def duckdb_store(tmp_path_factory):
    """The test store built on DuckDB with the default reference date, features also at the
    CUTOFF_OFFSETS."""
    from commerce_pipeline_tests.stores import CUTOFF_OFFSETS, build_tenant, make_store

    return build_tenant(tmp_path_factory.mktemp("duckdb_store"), {}, make_store(), "profile-duck",
                        CUTOFF_OFFSETS)

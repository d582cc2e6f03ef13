"""Registry fixtures for the tenants tests: every registry test runs on SQLite and on Postgres.

`registry` here overrides the suite-wide one (which also makes a credentials key):
these tests start without a key so they can check what happens when it is missing.
"""

import pytest
from cryptography.fernet import Fernet

from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.registry import TenantRegistry


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def make_registry(request):
    """Builds registries on this test's backend, reading the environment at call time."""
    engine_kwargs, url, made = {}, None, []
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        schema = request.getfixturevalue("pg_schema")
        engine_kwargs = {"connect_args": {"options": f"-csearch_path={schema}"}}

    def make() -> TenantRegistry:
        registry = TenantRegistry(url, get_settings(), engine_kwargs=engine_kwargs)
        made.append(registry)
        return registry

    yield make
    for registry in made:
        registry.close()


@pytest.fixture
def registry(make_registry):
    return make_registry()


@pytest.fixture
def secret_key(monkeypatch):
    """A fresh Fernet key in COMMERCE_SECRET_KEY."""
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("COMMERCE_SECRET_KEY", key)
    return key

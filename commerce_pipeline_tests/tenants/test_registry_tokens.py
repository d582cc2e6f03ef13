"""Access tokens: encrypted at rest, decrypted on request, never shown."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.crypto import (
    MissingSecretKey,
    TokenDecryptionError,
    ensure_key_file,
)
from commerce_pipeline.tenants.registry import InvalidTenantField
from commerce_pipeline_tests.tenants import add_acme

TOKEN = "shpat_secret_0123456789"




@pytest.fixture
def keyed_registry(secret_key, make_registry):
    return make_registry()


def raw_token_column(registry) -> str | None:
    with registry.engine.connect() as conn:
        return conn.execute(text("SELECT access_token_encrypted FROM tenants")).scalar_one()


def test_token_is_encrypted_at_rest(keyed_registry):
    add_acme(keyed_registry, access_token=TOKEN)
    stored = raw_token_column(keyed_registry)
    assert stored and TOKEN not in stored


def test_stored_token_decrypts_to_the_original(keyed_registry):
    tenant = add_acme(keyed_registry, access_token=TOKEN)
    assert tenant.has_token
    assert keyed_registry.access_token("acme") == TOKEN


def test_tenant_without_token_returns_none(keyed_registry):
    add_acme(keyed_registry)
    assert keyed_registry.access_token("acme") is None


def test_update_re_encrypts_a_new_token(keyed_registry):
    add_acme(keyed_registry, access_token=TOKEN)
    keyed_registry.update("acme", access_token="shpat_rotated")
    assert keyed_registry.access_token("acme") == "shpat_rotated"


def test_update_with_none_clears_the_token(keyed_registry):
    add_acme(keyed_registry, access_token=TOKEN)
    assert keyed_registry.update("acme", access_token=None).has_token is False
    assert raw_token_column(keyed_registry) is None


def test_adding_a_token_without_a_key_is_refused_with_the_fix(make_registry):
    registry = make_registry()
    with pytest.raises(MissingSecretKey) as excinfo:
        add_acme(registry, access_token=TOKEN)
    assert "COMMERCE_SECRET_KEY" in str(excinfo.value)
    assert "commerce-pipeline tenants init-key" in str(excinfo.value)
    assert registry.list() == []


def test_reading_a_token_after_the_key_is_gone_is_refused(make_registry, monkeypatch, secret_key):
    add_acme(make_registry(), access_token=TOKEN)
    monkeypatch.delenv("COMMERCE_SECRET_KEY")
    with pytest.raises(MissingSecretKey):
        make_registry().access_token("acme")


def test_token_encrypted_with_another_key_gives_a_clear_error(
        make_registry, monkeypatch, secret_key):
    add_acme(make_registry(), access_token=TOKEN)
    monkeypatch.setenv("COMMERCE_SECRET_KEY", Fernet.generate_key().decode())
    with pytest.raises(TokenDecryptionError) as excinfo:
        make_registry().access_token("acme")
    message = str(excinfo.value)
    assert "tenant 'acme'" in message and "different key" in message
    assert TOKEN not in message


def test_key_file_from_the_data_home_works_without_env_key(make_registry):
    ensure_key_file(get_settings())
    registry = make_registry()
    add_acme(registry, access_token=TOKEN)
    assert registry.access_token("acme") == TOKEN


def test_token_never_appears_in_tenant_config_repr_or_str(keyed_registry):
    tenant = add_acme(keyed_registry, access_token=TOKEN)
    snapshots = [tenant, keyed_registry.get("acme"), *keyed_registry.list()]
    for snapshot in snapshots:
        assert TOKEN not in repr(snapshot) and TOKEN not in str(snapshot)
        assert raw_token_column(keyed_registry) not in repr(snapshot)


def test_token_never_appears_in_validation_errors(keyed_registry):
    with pytest.raises(InvalidTenantField) as excinfo:
        add_acme(keyed_registry, "Bad Id", access_token=TOKEN, sync_plan="monthly")
    assert TOKEN not in str(excinfo.value) and TOKEN not in repr(excinfo.value)


def test_blank_token_is_refused_without_echoing_it(keyed_registry):
    with pytest.raises(InvalidTenantField, match="non-empty") as excinfo:
        add_acme(keyed_registry, access_token="   ")
    assert "'   '" not in str(excinfo.value)

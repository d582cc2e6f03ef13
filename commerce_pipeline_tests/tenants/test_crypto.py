import stat

import pytest
from cryptography.fernet import Fernet

from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.crypto import (
    GENERATE_KEY_COMMAND,
    InvalidSecretKey,
    MissingSecretKey,
    TokenDecryptionError,
    ensure_key_file,
    load_cipher,
)

TOKEN = "shpat_0123456789abcdef"




def test_encrypted_token_decrypts_to_the_original(secret_key):
    cipher = load_cipher(get_settings())
    ciphertext = cipher.encrypt(TOKEN)
    assert TOKEN not in ciphertext
    assert cipher.decrypt(ciphertext) == TOKEN


def test_missing_key_error_explains_both_fixes():
    with pytest.raises(MissingSecretKey) as excinfo:
        load_cipher(get_settings())
    message = str(excinfo.value)
    assert "COMMERCE_SECRET_KEY" in message
    assert GENERATE_KEY_COMMAND in message
    assert "commerce-pipeline tenants init-key" in message


def test_key_file_is_used_when_env_key_is_unset():
    settings = get_settings()
    ensure_key_file(settings)
    ciphertext = load_cipher(settings).encrypt(TOKEN)
    file_key = settings.secret_key_file.read_bytes().strip()
    assert Fernet(file_key).decrypt(ciphertext.encode()) == TOKEN.encode()


def test_env_key_takes_precedence_over_key_file(monkeypatch):
    ensure_key_file(get_settings())
    key = Fernet.generate_key()
    monkeypatch.setenv("COMMERCE_SECRET_KEY", key.decode())
    ciphertext = load_cipher(get_settings()).encrypt(TOKEN)
    assert Fernet(key).decrypt(ciphertext.encode()) == TOKEN.encode()


def test_ensure_key_file_creates_owner_only_file():
    path = ensure_key_file(get_settings())
    assert path == get_settings().secret_key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_ensure_key_file_keeps_an_existing_key():
    settings = get_settings()
    first = ensure_key_file(settings).read_bytes()
    assert ensure_key_file(settings).read_bytes() == first


def test_ensure_key_file_writes_nothing_when_env_key_is_set(secret_key):
    path = ensure_key_file(get_settings())
    assert not path.exists()


def test_invalid_key_error_is_clear_and_hides_the_key(monkeypatch):
    monkeypatch.setenv("COMMERCE_SECRET_KEY", "not-a-fernet-key")
    with pytest.raises(InvalidSecretKey) as excinfo:
        load_cipher(get_settings())
    assert "COMMERCE_SECRET_KEY" in str(excinfo.value)
    assert "not a valid Fernet key" in str(excinfo.value)
    assert "not-a-fernet-key" not in str(excinfo.value)
    assert excinfo.value.__suppress_context__


def test_token_from_another_key_gives_a_clear_error(monkeypatch):
    other = load_cipher_for(monkeypatch, Fernet.generate_key().decode()).encrypt(TOKEN)
    cipher = load_cipher_for(monkeypatch, Fernet.generate_key().decode())
    with pytest.raises(TokenDecryptionError) as excinfo:
        cipher.decrypt(other)
    assert "different key" in str(excinfo.value)
    assert TOKEN not in str(excinfo.value)


def test_cipher_repr_names_the_source_not_the_key(secret_key):
    cipher = load_cipher(get_settings())
    assert repr(cipher) == "TokenCipher(source='COMMERCE_SECRET_KEY')"
    assert secret_key not in repr(cipher)


def load_cipher_for(monkeypatch, key):
    monkeypatch.setenv("COMMERCE_SECRET_KEY", key)
    return load_cipher(get_settings())

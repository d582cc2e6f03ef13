"""Encryption at rest for tenants' store access tokens (Fernet: AES-128-CBC + HMAC).

The key comes from COMMERCE_SECRET_KEY or, when that is unset, from the key file in
the data home. Every error here names its fix and never includes a key or a token.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from commerce_pipeline.settings import Settings

GENERATE_KEY_COMMAND = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class CredentialError(ValueError):
    """A secret key or an encrypted token cannot be used."""


class MissingSecretKey(CredentialError):
    def __init__(self, key_file: Path):
        super().__init__(
            "no secret key to encrypt/decrypt store access tokens: set COMMERCE_SECRET_KEY to "
            f"a Fernet key (make one with: {GENERATE_KEY_COMMAND}) or run "
            f"`commerce-pipeline tenants init-key` to create the key file {key_file}"
        )


class InvalidSecretKey(CredentialError):
    pass


class TokenDecryptionError(CredentialError):
    pass


class TokenCipher:
    """Encrypts/decrypts tokens; remembers where its key came from for error messages."""

    def __init__(self, key: str, source: str):
        self.source = source
        try:
            self._fernet = Fernet(key.strip().encode())
        except (ValueError, TypeError):
            # Fernet's own message is fine, but the traceback would carry the key bytes.
            raise InvalidSecretKey(
                f"the secret key from {source} is not a valid Fernet key (it must be 32 "
                f"url-safe base64-encoded bytes); make a new one with: {GENERATE_KEY_COMMAND}"
            ) from None

    def __repr__(self) -> str:
        return f"TokenCipher(source={self.source!r})"

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode("ascii")

    def decrypt(self, ciphertext: str, *, what: str = "the access token") -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise TokenDecryptionError(
                f"cannot decrypt {what} with the secret key from {self.source}: it was "
                "encrypted with a different key (or is corrupted); restore the original "
                "COMMERCE_SECRET_KEY / key file, or store the token again with "
                "`commerce-pipeline tenants set-token`"
            ) from None


def _key_source(settings: Settings) -> tuple[str, str] | None:
    if settings.secret_key:
        return settings.secret_key, "COMMERCE_SECRET_KEY"
    path = settings.secret_key_file
    if path.is_file():
        return path.read_text(encoding="ascii", errors="replace"), f"key file {path}"
    return None


def has_secret_key(settings: Settings) -> bool:
    return _key_source(settings) is not None


def load_cipher(settings: Settings) -> TokenCipher:
    """The cipher for the configured key; MissingSecretKey when there is none."""
    found = _key_source(settings)
    if found is None:
        raise MissingSecretKey(settings.secret_key_file)
    return TokenCipher(*found)


def ensure_key_file(settings: Settings) -> Path:
    """Create the key file (mode 0600) unless it exists or COMMERCE_SECRET_KEY is set.

    Returns the key file path either way; with COMMERCE_SECRET_KEY set the env key wins
    and no file is written.
    """
    path = settings.secret_key_file
    if settings.secret_key or path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes racing here must not overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key() + b"\n")
    return path

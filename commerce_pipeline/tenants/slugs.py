"""Tenant ids are slugs: they name partitions, files and database schemas."""

from __future__ import annotations

import re

# Lower-case letters and digits in hyphen-separated words. No underscores, so the
# hyphen -> underscore mapping used for schema names is one-to-one.
_SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MAX_TENANT_ID_LENGTH = 40


class InvalidTenantId(ValueError):
    pass


def validate_tenant_id(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTenantId(f"tenant id must be a string, got {type(value).__name__}")
    if len(value) < 2 or len(value) > MAX_TENANT_ID_LENGTH or not _SLUG.match(value):
        raise InvalidTenantId(
            f"invalid tenant id {value!r}: use 2-{MAX_TENANT_ID_LENGTH} lower-case letters, "
            "digits and single hyphens, starting with a letter (for example 'acme-shoes')"
        )
    return value

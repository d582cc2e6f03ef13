"""Validation of tenant fields and the registry's error types (pure; no database)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from commerce_pipeline.tenants.plans import InvalidPlan, validate_plan
from commerce_pipeline.tenants.slugs import InvalidTenantId, validate_tenant_id

STATUSES = ("active", "paused")
# ISO 3166-1 alpha-2, as assigned (same list as the tz database's iso3166.tab).
COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split())
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
_API_VERSION = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class RegistryError(ValueError):
    """Base of every error the registry raises about tenants (crypto errors aside)."""


class TenantNotFound(RegistryError):
    def __init__(self, tenant_id: str):
        super().__init__(f"no tenant {tenant_id!r} is registered "
                         "(see `commerce-pipeline tenants list`)")


class TenantExists(RegistryError):
    def __init__(self, tenant_id: str):
        super().__init__(f"tenant {tenant_id!r} is already registered")


class InvalidTenantField(RegistryError):
    pass


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidTenantField(message)


def check_tenant_id(value: Any) -> str:
    try:
        return validate_tenant_id(value)
    except InvalidTenantId as exc:
        raise InvalidTenantField(str(exc)) from None


def _display_name(value: Any) -> str:
    _check(isinstance(value, str) and 0 < len(value.strip()) <= 200,
           "display name must be 1-200 characters")
    return value.strip()


def _shop_domain(value: Any) -> str:
    host = value.strip().lower() if isinstance(value, str) else ""
    _check(len(host) <= 253 and bool(_HOSTNAME.match(host)),
           f"invalid shop domain {value!r}: give a host name only, like acme.myshopify.com")
    return host


def _api_base_url(value: Any) -> str | None:
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (
            parts.port or 0) >= 0 and not (parts.query or parts.fragment)
    except (TypeError, ValueError, AttributeError):  # not a string, bad port or IPv6 literal
        ok = False
    _check(ok,
           f"invalid API base URL {value!r}: use http(s)://host[:port][/path]")
    return value.rstrip("/")


def _api_version(value: Any) -> str | None:
    _check(value is None or (isinstance(value, str) and bool(_API_VERSION.match(value))),
           f"invalid API version {value!r}: use the YYYY-MM form, like 2025-01")
    return value


def _country(value: Any) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    _check(code in COUNTRIES,
           f"invalid country {value!r}: use an ISO 3166-1 alpha-2 code, like US or DE")
    return code


def _plan(value: Any) -> str:
    try:
        return validate_plan(value)
    except InvalidPlan as exc:
        raise InvalidTenantField(str(exc)) from None


def _status(value: Any) -> str:
    _check(value in STATUSES, f"invalid status {value!r}: choose one of {', '.join(STATUSES)}")
    return value


def _token(value: Any) -> str | None:
    # The message must not echo the value: it may be a real token.
    _check(value is None or (isinstance(value, str) and value.strip() != ""),
           "access token must be a non-empty string (or None to clear it)")
    return None if value is None else value.strip()


_VALIDATORS = {"display_name": _display_name, "shop_domain": _shop_domain,
               "api_base_url": _api_base_url, "api_version": _api_version,
               "default_country": _country, "sync_plan": _plan, "status": _status,
               "access_token": _token}


def validate_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised copies of updatable tenant fields."""
    unknown = sorted(set(changes) - set(_VALIDATORS))
    _check(not unknown, f"cannot set {', '.join(unknown)}: "
           f"settable fields are {', '.join(_VALIDATORS)}")
    return {name: _VALIDATORS[name](value) for name, value in changes.items()}

"""Which identifier values must never link two customers.

Applied to NORMALISED values (see normalize.py). Precision beats recall in the
identity graph: a placeholder typed at checkout, or a phone shared by a whole
store, would otherwise merge strangers into one person. Three layers:
built-in junk rules, a tenant's own values and patterns, and hub detection
(values shared by too many customers).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import phonenumbers
from phonenumbers import NumberParseException

from commerce_pipeline.identity.normalize import normalize_email, normalize_id, normalize_phone

KINDS = ("email", "phone", "loyalty_id", "device_id", "cookie_id", "whatsapp")
PHONE_KINDS = {"phone", "whatsapp"}

# Placeholders staff and customers type when a form insists on a value.
JUNK_VALUES = {"", "null", "none", "nil", "undefined", "unknown", "n/a", "na", "-", "0"}
_ZEROS_AND_DASHES = re.compile(r"[0\-\s]+")

# Local parts that stand for "no email". Matched on the whole local part, so
# "testa.smith@..." is fine while "test@..." is not.
JUNK_EMAIL_LOCALS = {
    "test", "none", "noemail", "no-email", "no_email", "nomail", "noreply", "no-reply",
    "donotreply", "do-not-reply", "na", "null", "unknown", "example", "nobody", "fake",
    "email", "customer", "guest", "asdf",
}
# Domains nobody receives mail at, or whose inboxes are public (mailinator: anyone
# can read any inbox, so its addresses are shared by design). example.com and
# example.net are deliberately NOT here: the simulator (like much sample data)
# uses them for ordinary customers, and blocking them would drop ~12% of people;
# placeholders at those domains are caught by their local part instead.
JUNK_EMAIL_DOMAINS = {
    "test.com", "none.com", "noemail.com", "nomail.com", "null.com", "unknown.com",
    "mailinator.com", "guerrillamail.com",
}
# RFC 2606 reserved TLDs never deliver mail.
JUNK_EMAIL_TLDS = {"test", "invalid", "localhost", "example"}
MIN_NATIONAL_DIGITS = 7
_ASCENDING = "01234567890123456789"
_DESCENDING = _ASCENDING[::-1]


def _generic_reason(value: str) -> str | None:
    text = value.strip().lower()
    if text in JUNK_VALUES or _ZEROS_AND_DASHES.fullmatch(text):
        return f"built-in junk value ({value!r})"
    return None


def _email_reason(email: str) -> str | None:
    local, _, domain = email.rpartition("@")
    if local in JUNK_EMAIL_LOCALS:
        return f"built-in junk email (placeholder local part {local!r})"
    if len(set(local)) == 1 or _ZEROS_AND_DASHES.fullmatch(local):  # x@, xxx@, 000@
        return f"built-in junk email (repeated-character local part {local!r})"
    if domain in JUNK_EMAIL_DOMAINS:
        return f"built-in junk email (placeholder domain {domain!r})"
    if domain.rsplit(".", 1)[-1] in JUNK_EMAIL_TLDS:
        return f"built-in junk email (reserved domain {domain!r})"
    return None


def _national_digits(phone: str) -> str:
    try:  # E.164 in, national significant number out (country code removed)
        return phonenumbers.national_significant_number(phonenumbers.parse(phone, None))
    except NumberParseException:
        return re.sub(r"\D", "", phone)


def _phone_reason(phone: str) -> str | None:
    digits = _national_digits(phone)
    if len(digits) < MIN_NATIONAL_DIGITS:
        return f"built-in junk phone (fewer than {MIN_NATIONAL_DIGITS} national digits)"
    if len(set(digits)) == 1:
        return "built-in junk phone (all the same digit)"
    if digits in _ASCENDING or digits in _DESCENDING:  # 1234567890, 9876543210
        return "built-in junk phone (consecutive digit run)"
    return None


def _check_kind(kind: str) -> None:
    if kind not in KINDS:  # a typo would silently skip every kind-specific rule
        raise ValueError(f"unknown identifier kind {kind!r}; choose one of {', '.join(KINDS)}")


def is_junk(kind: str, value: str) -> str | None:
    """Why a normalised `value` of this `kind` is a placeholder, or None if it is fine."""
    _check_kind(kind)
    reason = _generic_reason(value)
    if reason is None and kind == "email":
        reason = _email_reason(value)
    elif reason is None and kind in PHONE_KINDS:
        reason = _phone_reason(value)
    return reason


def _normalise(kind: str, value: str, default_country: str) -> str | None:
    if kind == "email":
        return normalize_email(value)
    if kind in PHONE_KINDS:
        return normalize_phone(value, default_country)
    return normalize_id(value)


class Blocklist:
    """Built-in junk rules plus one tenant's own blocked values and patterns.

    `values` are normalised like the identifiers they block (so "(555) 123-4567"
    blocks "+15551234567"); `patterns` are regexes that must match the whole
    normalised value.
    """

    def __init__(self, values: Iterable[tuple[str, str]] = (),
                 patterns: Iterable[tuple[str, str]] = (), default_country: str = "US"):
        self._values: set[tuple[str, str]] = set()
        for kind, value in values:
            _check_kind(kind)
            normalised = _normalise(kind, value, default_country)
            if normalised is None:  # could never match anything: a config mistake
                raise ValueError(f"tenant blocklist {kind} value {value!r} does not normalise")
            self._values.add((kind, normalised))
        self._patterns: list[tuple[str, str, re.Pattern[str]]] = []
        for kind, pattern in patterns:
            _check_kind(kind)
            try:
                compiled = re.compile(pattern)
            except re.error as err:
                raise ValueError(
                    f"invalid tenant blocklist pattern {pattern!r} for {kind}: {err}"
                ) from None
            self._patterns.append((kind, pattern, compiled))

    def reason(self, kind: str, value: str) -> str | None:
        """Why the normalised `value` must not link customers, or None if it may."""
        built_in = is_junk(kind, value)
        if built_in is not None:
            return built_in
        if (kind, value) in self._values:
            return "tenant blocklist value"
        for pattern_kind, pattern, compiled in self._patterns:
            if pattern_kind == kind and compiled.fullmatch(value):
                return f"tenant blocklist pattern '{pattern}'"  # as written, not re-escaped
        return None


def hub_values(pairs: Iterable[tuple[str, str]], max_customers: int) -> set[str]:
    """Values shared by MORE than `max_customers` distinct source customers.

    A store's front-desk phone or a household landline is real, but linking on it
    would merge everyone who used it. Reference implementation for the SQL
    version; missing values (None/empty) are skipped.
    """
    if max_customers < 0:
        raise ValueError(f"max_customers must be >= 0, got {max_customers}")
    customers: dict[str, set[str]] = defaultdict(set)
    for value, customer in pairs:
        if value:
            customers[value].add(customer)
    return {value for value, keys in customers.items() if len(keys) > max_customers}

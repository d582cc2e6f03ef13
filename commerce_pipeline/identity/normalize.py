"""Turn the identifiers customers type into comparable keys.

Each function returns None when a value cannot be trusted as an identifier, so
an unparseable value never becomes a join key in the identity graph. Junk that
parses fine (0000000000, test@test.com) is the blocklist's job, not ours.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, ValidationResult

# Local part: allowed characters in dot-separated runs, so no leading, trailing or
# doubled dot. Domain: dot-separated labels ending in a TLD of two or more letters.
_LOCAL = r"[a-z0-9%+'_-]+(?:\.[a-z0-9%+'_-]+)*"
_EMAIL = re.compile(rf"{_LOCAL}@(?:[a-z0-9-]+\.)+[a-z]{{2,}}")
_GMAIL_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}

# Not cached here: identifier extraction normalises each distinct raw value once per call
# (identifiers.py), so no process-wide cache grows with every tenant a worker serves.


def normalize_email(raw: str | None) -> str | None:
    """Trimmed, lower-cased email, or None if it is not syntactically an address.

    Dots and +tags are kept: this is the address as the customer gave it.
    """
    if raw is None:
        return None
    email = str(raw).strip().lower()
    return email if _EMAIL.fullmatch(email) else None


def canonical_email(email: str | None) -> str | None:
    """A matching key: the inbox an address delivers to.

    A `+tag` is dropped for every provider (Gmail, Outlook, iCloud, Proton, Fastmail and
    most others deliver `name+tag@` to `name@`: two people cannot hold one inbox's
    sub-addresses). Dots are dropped for gmail.com/googlemail.com only, which ignore them
    (other providers may not), and googlemail.com becomes gmail.com. The result is for
    matching, never for contacting the customer.
    """
    email = normalize_email(email)
    return None if email is None else canonical_normalised_email(email)


def canonical_normalised_email(email: str) -> str | None:
    """canonical_email of an address normalize_email returned (no second syntax check)."""
    local, domain = email.rsplit("@", 1)
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), _GMAIL_DOMAINS[domain]
    return f"{local}@{domain}" if local else None


# Short forms people give at one checkout and not at another.
NICKNAMES = {
    "bill": "william", "will": "william", "bob": "robert", "rob": "robert", "liz": "elizabeth",
    "beth": "elizabeth", "mike": "michael", "jen": "jennifer", "jenny": "jennifer",
    "rick": "richard", "dick": "richard", "joe": "joseph", "tom": "thomas", "matt": "matthew",
    "tony": "anthony", "steve": "steven", "andy": "andrew", "josh": "joshua", "dan": "daniel",
    "danny": "daniel", "sam": "samuel", "patty": "patricia", "pat": "patricia", "kate": "katherine",
    "katie": "katherine", "chris": "christopher", "dave": "david", "jim": "james", "jimmy": "james",
    "sue": "susan", "nick": "nicholas", "ben": "benjamin", "alex": "alexander", "meg": "margaret",
}


def canonical_given_name(raw: str | None) -> str | None:
    """Lower-cased first given name with common nicknames folded (Bill -> william)."""
    if raw is None:
        return None
    parts = re.sub(r"[^\w\s'-]", " ", str(raw).strip().lower()).split()
    if not parts:
        return None
    return NICKNAMES.get(parts[0], parts[0])


# USPS standard abbreviations for the street types and directions people write out in full.
STREET_WORDS = {"street": "st", "avenue": "ave", "road": "rd", "drive": "dr", "lane": "ln",
                "court": "ct", "boulevard": "blvd", "place": "pl", "terrace": "ter",
                "highway": "hwy", "parkway": "pkwy", "circle": "cir", "square": "sq",
                "north": "n", "south": "s", "east": "e", "west": "w", "apartment": "apt",
                "suite": "ste"}


def normalize_street(raw: str | None) -> str | None:
    """An address's first line as a matching key: lower-cased, punctuation dropped, street
    types and directions abbreviated (12 Oak Street. -> 12 oak st); None if empty."""
    if raw is None:
        return None
    words = re.sub(r"[^\w\s]", " ", str(raw).lower()).split()
    return " ".join(map(STREET_WORDS.get, words, words)) or None


def _possible(text: str, default_country: str) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, default_country)
    except NumberParseException:
        return None
    # A possible length for the country is what we want: is_valid_number also checks
    # number-range assignments, and rejects the fictional 555 numbers in test data as
    # well as freshly allocated ranges. A local-only number (7 digits in the US, no area
    # code) is possible but ambiguous: the same digits in two area codes are two people.
    # Precision first, so only IS_POSSIBLE passes (one check: is_possible_number is this
    # same reason being IS_POSSIBLE or IS_POSSIBLE_LOCAL_ONLY).
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return number


def normalize_phone(raw: str | None, default_country: str = "US") -> str | None:
    """E.164 (`+15551234567`), parsing national formats with the tenant's country.

    Extensions are dropped (a desk extension does not identify a person).
    Repeated-digit junk such as 0000000000 still comes out as E.164 here; the
    blocklist decides it is junk, so the reason can be reported.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    if not text:
        return None
    number = _possible(text, default_country)
    if number is None and text.startswith("00"):
        # "00" is the international prefix in most of the world, and people type it
        # from countries whose prefix differs (the US uses 011): "001 555 123 4567".
        number = _possible("+" + text[2:], default_country)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_id(raw: object) -> str | None:
    """Other ids (loyalty, device, cookie): trimmed text, case kept, None if empty.

    Case is kept because device and cookie ids are often case-sensitive tokens.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None

"""Country profiles: phone numbering, addresses, time zone and tax for simulated stores.

Phone numbers are drawn as national digits and written in the many ways people
and point-of-sale terminals actually type them, so identity resolution has to
normalise them. Names and numbers are random, not looked up anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    calling_code: str
    timezone: str
    tax_rate: float
    # (city, province, zip template: '#' a digit, '@' an upper-case letter)
    cities: tuple[tuple[str, str, str], ...]
    nanp: bool = False  # North American numbering: 3-digit area, 3-digit exchange, 4-digit line
    prefixes: tuple[str, ...] = ()  # leading digits of national numbers (NANP: area codes)
    national_digits: int = 10


COUNTRIES = {
    "US": Country(
        "US", "United States", "1", "America/New_York", 0.0725,
        (("Austin", "Texas", "787##"), ("Portland", "Oregon", "972##"),
         ("Columbus", "Ohio", "432##"), ("Denver", "Colorado", "802##"),
         ("Raleigh", "North Carolina", "276##"), ("Madison", "Wisconsin", "537##"),
         ("Tucson", "Arizona", "857##"), ("Richmond", "Virginia", "232##"),
         ("Boise", "Idaho", "837##"), ("Savannah", "Georgia", "314##")),
        nanp=True, prefixes=("512", "503", "614", "303", "919", "608", "520", "804", "208", "912"),
    ),
    "CA": Country(
        "CA", "Canada", "1", "America/Toronto", 0.13,
        (("Toronto", "Ontario", "M5V #@#"), ("Ottawa", "Ontario", "K1P #@#"),
         ("Calgary", "Alberta", "T2P #@#"), ("Halifax", "Nova Scotia", "B3H #@#")),
        nanp=True, prefixes=("416", "613", "403", "902"),
    ),
    "GB": Country(
        "GB", "United Kingdom", "44", "Europe/London", 0.2,
        (("London", "England", "SE1 #@@"), ("Leeds", "England", "LS1 #@@"),
         ("Bristol", "England", "BS1 #@@"), ("Glasgow", "Scotland", "G1 #@@")),
        prefixes=("7700", "7911", "2079", "1632"),
    ),
    "AU": Country(
        "AU", "Australia", "61", "Australia/Sydney", 0.1,
        (("Sydney", "New South Wales", "2000"), ("Melbourne", "Victoria", "3000"),
         ("Brisbane", "Queensland", "4000"), ("Perth", "Western Australia", "6000")),
        prefixes=("412", "491", "298", "370"), national_digits=9,
    ),
    "DE": Country(
        "DE", "Germany", "49", "Europe/Berlin", 0.19,
        (("Berlin", "Berlin", "101##"), ("Hamburg", "Hamburg", "203##"),
         ("Munich", "Bavaria", "803##"), ("Cologne", "North Rhine-Westphalia", "506##")),
        prefixes=("151", "160", "176", "30"), national_digits=11,
    ),
}
NANP_STYLES = 7
OTHER_STYLES = 5


def country(code: str) -> Country:
    try:
        return COUNTRIES[code.upper()]
    except KeyError:
        choices = ", ".join(sorted(COUNTRIES))
        raise ValueError(f"unsupported country {code!r}; choose one of {choices}") from None


def national_number(rng: np.random.Generator, c: Country) -> str:
    """National significant digits (no trunk 0, no country code)."""
    prefix = c.prefixes[int(rng.integers(len(c.prefixes)))]
    if c.nanp:  # exchanges never start with 0 or 1
        return prefix + str(int(rng.integers(200, 1000))) + f"{int(rng.integers(10000)):04d}"
    rest = c.national_digits - len(prefix)
    return prefix + f"{int(rng.integers(10**rest)):0{rest}d}"


def format_phone(digits: str, c: Country, style: int) -> str:
    """One of the ways a number gets typed; style 0 is E.164."""
    cc = c.calling_code
    if c.nanp:
        a, e, line = digits[:3], digits[3:6], digits[6:]
        styles = (
            f"+{cc}{digits}", f"({a}) {e}-{line}", f"{a}.{e}.{line}", f"00{cc} {a} {e} {line}",
            f"{a}-{e}-{line} ext {1 + (int(line) % 9)}", f"{a}-{e}-{line}", digits,
        )
        return styles[style % NANP_STYLES]
    head, tail = digits[:4], digits[4:]
    styles = (f"+{cc}{digits}", f"+{cc} {head} {tail}", f"0{digits}", f"00{cc} {head} {tail}",
              f"0{head}-{tail}")
    return styles[style % OTHER_STYLES]


def phone_style(rng: np.random.Generator, c: Country) -> int:
    return int(rng.integers(NANP_STYLES if c.nanp else OTHER_STYLES))


STREETS = ("Maple", "Oak", "Cedar", "Pine", "Elm", "Willow", "Birch", "Walnut", "Chestnut",
           "Spruce", "Highland", "Lake", "Hill", "Park", "River", "Sunset", "Meadow", "Forest",
           "Church", "Mill", "Spring", "Ridge", "Valley", "Washington", "Lincoln", "Jefferson",
           "Franklin", "Madison", "Jackson", "Main", "Market", "Center", "Union", "Water",
           "Bridge", "Harbor", "Orchard", "Garden", "Prospect", "Fairview", "Grove", "Vine")
# What people type, and the long form some write (identity resolution folds them).
STREET_TYPES = (("St", "Street"), ("Ave", "Avenue"), ("Rd", "Road"), ("Dr", "Drive"),
                ("Ln", "Lane"), ("Ct", "Court"), ("Blvd", "Boulevard"), ("Pl", "Place"))


def street_line(rng: np.random.Generator) -> tuple[int, str, int]:
    """(house number, street name, street type index): an address's first line, unstyled."""
    return (int(rng.integers(1, 9999)), STREETS[int(rng.integers(len(STREETS)))],
            int(rng.integers(len(STREET_TYPES))))


def format_street(street: tuple[int, str, int], long_form: bool = False) -> str:
    number, name, kind = street
    return f"{number} {name} {STREET_TYPES[kind][1 if long_form else 0]}"


def zip_code(rng: np.random.Generator, template: str) -> str:
    out = []
    for ch in template:
        if ch == "#":
            out.append(str(int(rng.integers(10))))
        elif ch == "@":
            out.append(chr(ord("A") + int(rng.integers(26))))
        else:
            out.append(ch)
    return "".join(out)

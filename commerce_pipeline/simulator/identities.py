"""Who the shoppers are, and how messily the store has recorded them.

Realism for identity resolution: mixed-case emails with stray whitespace, some
persons with 2-3 customer accounts (case variants, gmail dots/+tags, a second
address, or another email with the same phone), phones in many formats, junk
placeholder values, household landlines shared by several persons and a
front-desk "hub" phone typed in for many walk-in customers. What is mess and
what is a real shared identifier is recorded as ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from commerce_pipeline.simulator.countries import (
    STREET_TYPES,
    Country,
    format_phone,
    format_street,
    national_number,
    phone_style,
    street_line,
    zip_code,
)

FIRST = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley",
    "Steven", "Emily", "Andrew", "Donna", "Joshua", "Michelle", "Kevin", "Amanda", "Brian",
    "Melissa", "Olivia", "Noah", "Emma", "Liam", "Sofia", "Mateo", "Aisha", "Omar", "Priya",
    "Arjun", "Mei", "Hiroshi", "Chloe", "Lucas", "Zoe", "Ethan", "Grace", "Ryan", "Leila", "Diego",
    "Hannah", "Samuel", "Nora", "Isaac", "Ava",
)
LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
    "Mitchell", "Carter", "Roberts", "Patel", "Kim", "Chen", "Okafor", "Schmidt", "Rossi", "Novak",
    "Larsen", "Haddad", "Kowalski", "Silva",
)
# Real surnames are long-tailed: the most common few cover a good share of people (Smith is
# about 0.8% in the US) and thousands of rarer ones the rest. Half the persons draw one of the
# common surnames above, half one of these composed ones, so namesakes are as rare as in a
# real store rather than one in sixty.
_ROOTS = ("Ander", "Ash", "Bar", "Bel", "Black", "Brad", "Carl", "Cole", "Dal", "Dun", "Ed",
          "Fair", "Fitz", "Gold", "Gra", "Hal", "Har", "Hol", "Kel", "Lind", "Mac", "Mar", "Mel",
          "Nor", "Ol", "Pen", "Ros", "Shel", "Stan", "Thorn", "Wal", "Wes", "Win", "Ald", "Brook",
          "Cran", "Dray", "Elm", "Fen", "Glen")
_SUFFIXES = ("berg", "by", "dale", "den", "ford", "field", "ham", "ley", "man", "more", "rick",
             "son", "ston", "ton", "well", "wood")
RARE_LAST = tuple(root + suffix for root in _ROOTS for suffix in _SUFFIXES)
SHARE_COMMON_LAST = 0.5


def draw_surnames(rng: np.random.Generator, n: int) -> list[str]:
    common = rng.random(n) < SHARE_COMMON_LAST
    picks = np.where(common, rng.integers(len(LAST), size=n), rng.integers(len(RARE_LAST), size=n))
    return [LAST[i] if c else RARE_LAST[i] for c, i in zip(common.tolist(), picks.tolist())]


NICKNAMES = {"William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Michael": "Mike",
             "Jennifer": "Jen", "Richard": "Rick", "Joseph": "Joe", "Thomas": "Tom",
             "Matthew": "Matt", "Anthony": "Tony", "Steven": "Steve", "Andrew": "Andy",
             "Joshua": "Josh", "Daniel": "Dan", "Samuel": "Sam", "Patricia": "Patty"}
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "example.com",
           "aol.com", "proton.me", "example.net")
DOMAIN_WEIGHTS = np.array([0.38, 0.14, 0.1, 0.08, 0.1, 0.08, 0.04, 0.04, 0.04])
JUNK_EMAILS = ("test@test.com", "none@none.com", "noemail@example.com", "n/a")
JUNK_PHONES = ("0000000000", "123-456-7890")
SHARE_MULTI = 0.08  # persons with several customer accounts
SHARE_HOUSEHOLD = 0.04  # persons on a shared household landline
SHARE_HUB = 0.4  # walk-in (pos) persons whose phone is the store's front-desk number
SHARE_JUNK = 0.03  # accounts carrying a placeholder email or phone
SHARE_NO_PHONE = 0.3


Address = tuple[str, str, str, str]  # (first line, city, province, zip)


@dataclass
class Account:
    person: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    address: Address | None  # as given when signing up
    variant: str = "primary"  # how this account differs from the person's first one
    home: Address | None = None  # where the person's orders ship to


@dataclass
class Identities:
    accounts: list[Account]
    junk: set[str] = field(default_factory=set)
    hubs: list[str] = field(default_factory=list)
    households: list[dict] = field(default_factory=list)


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def base_email(rng: np.random.Generator, first: str, last: str) -> str:
    f, l = first.lower(), last.lower()
    local = _pick(rng, (f"{f}.{l}", f"{f}{l}", f"{f[0]}{l}", f"{f}_{l}", f"{l}.{f}",
                        f"{f}{l}{int(rng.integers(1, 99))}", f"{f}{int(rng.integers(60, 100))}"))
    return f"{local}@{DOMAINS[int(rng.choice(len(DOMAINS), p=DOMAIN_WEIGHTS))]}"


def mailbox(email: str) -> str:
    """The inbox an address delivers to, folding case, dots and +tags (conservatively, for all
    providers): two persons never share one, as no provider hands out a taken address."""
    local, domain = email.strip().lower().split("@")
    return local.split("+", 1)[0].replace(".", "") + "@" + domain


def unique_email(rng: np.random.Generator, first: str, last: str, taken: set[str]) -> str:
    """A base_email whose inbox no other person has; common names get a number, as in life."""
    email = base_email(rng, first, last)
    for _ in range(20):
        if mailbox(email) not in taken:
            break
        email = base_email(rng, first, last)
    local, domain = email.split("@")
    suffix = 1
    while mailbox(email) in taken:
        email, suffix = f"{local}{suffix}@{domain}", suffix + 1
    taken.add(mailbox(email))
    return email


def messy(rng: np.random.Generator, email: str) -> str:
    """How an email arrives from a checkout form: sometimes capitalised, sometimes padded."""
    r = rng.random()
    if r < 0.08:
        local, domain = email.split("@")
        email = f"{local.title()}@{domain.capitalize()}"
    elif r < 0.11:
        email = email.upper()
    if rng.random() < 0.04:
        email = _pick(rng, (" ", "  ", "")) + email + _pick(rng, (" ", "\t", ""))
    return email


def alias_email(rng: np.random.Generator, email: str, kind: str, first: str, last: str,
                taken: set[str] | None = None) -> str:
    local, domain = email.strip().lower().split("@")
    if kind == "case":
        return f"{local.upper() if rng.random() < 0.5 else local.title()}@{domain.upper()}"
    if kind == "gmail":  # gmail ignores dots and +tags; other providers honour +tags only
        tag = _pick(rng, ("shop", "orders", "promo", "2"))
        if domain == "gmail.com" and "." not in local and len(local) > 3 and rng.random() < 0.5:
            return f"{local[:2]}.{local[2:]}@{domain}"
        return f"{local}+{tag}@{domain}"
    # A second address, often at another provider.
    return unique_email(rng, first, last, set() if taken is None else taken)


_LONG_FORM = dict(STREET_TYPES)  # St -> Street


def restyle_street(line: str) -> str:
    """The same first line with the street type written out (12 Oak St -> 12 Oak Street)."""
    head, _, kind = line.rpartition(" ")
    return f"{head} {_LONG_FORM.get(kind, kind)}"


def _phone(rng, c: Country, digits: str | None) -> str | None:
    return None if digits is None else format_phone(digits, c, phone_style(rng, c))


def build_identities(
    rng: np.random.Generator, accounts_per_person: np.ndarray, pos_person: np.ndarray, c: Country
) -> Identities:
    n = len(accounts_per_person)
    firsts = [FIRST[i] for i in rng.integers(len(FIRST), size=n)]
    lasts = draw_surnames(rng, n)
    addresses = []
    for city in rng.integers(len(c.cities), size=n):
        name, province, template = c.cities[int(city)]
        street = format_street(street_line(rng))
        addresses.append((street, name, province, zip_code(rng, template)))
    digits: list[str | None] = [
        None if rng.random() < SHARE_NO_PHONE else national_number(rng, c) for _ in range(n)
    ]
    out = Identities(accounts=[])
    # Households: a few persons share one landline, a surname and an address.
    members = rng.permutation(n)[: int(n * SHARE_HOUSEHOLD)]
    start = 0
    while len(members) - start >= 2:
        size = min(int(rng.integers(2, 5)), len(members) - start)
        group = [int(i) for i in members[start : start + size]]
        start += size
        landline = national_number(rng, c)
        for i in group:
            digits[i], lasts[i], addresses[i] = landline, lasts[group[0]], addresses[group[0]]
        out.households.append({"phone": landline, "person_ids": [i + 1 for i in group]})
    # At the till, staff often type the store's own number for walk-in customers.
    hubs = [national_number(rng, c) for _ in range(1 + int(rng.random() < 0.5))]
    hub_style = phone_style(rng, c)
    out.hubs = [format_phone(h, c, hub_style) for h in hubs]
    at_home = {i for h in out.households for i in h["person_ids"]}  # 1-based
    hub_of = {i: _pick(rng, out.hubs) for i in np.flatnonzero(pos_person)
              if rng.random() < SHARE_HUB and i + 1 not in at_home}
    taken: set[str] = set()
    for i in range(n):
        address = addresses[i]
        email = unique_email(rng, firsts[i], lasts[i], taken)
        phone = hub_of.get(i) or _phone(rng, c, digits[i])
        primary_email: str | None = messy(rng, email)
        if pos_person[i] and rng.random() < 0.15:  # some walk-ins give no email...
            primary_email = None
            # ...but then a phone: their own mobile, which their other accounts carry too
            digits[i] = digits[i] or national_number(rng, c)
            phone = phone or format_phone(digits[i], c, 0)
        out.accounts.append(Account(i, firsts[i], lasts[i], primary_email, phone, address,
                                    home=address))
        for _ in range(int(accounts_per_person[i]) - 1):
            kind = _pick(rng, ("case", "gmail", "second", "phone"))
            alias = alias_email(rng, email, kind, firsts[i], lasts[i], taken)
            name = NICKNAMES.get(firsts[i], firsts[i]) if rng.random() < 0.3 else firsts[i]
            if kind == "phone":  # another email, same phone: give them one if they had none
                digits[i] = digits[i] or national_number(rng, c)
            keeps_phone = kind != "second" or rng.random() < 0.5
            alias_phone = _phone(rng, c, digits[i]) if keeps_phone else None
            given = address if rng.random() < 0.7 else None
            if given is not None and rng.random() < 0.3:  # "Street" written out this time
                given = (restyle_street(given[0]), *given[1:])
            out.accounts.append(Account(i, name, lasts[i], messy(rng, alias), alias_phone,
                                        given, kind, address))
    for account in out.accounts:  # placeholders typed in at checkout or at the till
        if rng.random() < SHARE_JUNK:
            if rng.random() < 0.5:
                account.email = _pick(rng, JUNK_EMAILS)
                out.junk.add(account.email)
            else:
                account.phone = _pick(rng, JUNK_PHONES)
                out.junk.add(account.phone)
    return out

"""Messy identifiers for identity resolution, and the ground truth that untangles them."""

import json
import re
from collections import defaultdict
from functools import cache

import numpy as np

from commerce_pipeline.simulator import generate_store, write_ground_truth
from commerce_pipeline.simulator.countries import COUNTRIES, format_phone, national_number
from commerce_pipeline.simulator.identities import JUNK_EMAILS, JUNK_PHONES, alias_email


@cache
def store():
    return generate_store("ids", 5, 1500)


def digits(phone):
    return re.sub(r"\D", "", phone.split("ext")[0])[-10:]


def customers():
    return store().records("customers")


def person_of(customer):
    return store().ground_truth["customer_person"][int(customer["id"].rsplit("/", 1)[1])]


def test_ground_truth_maps_every_customer_to_a_person():
    mapping = store().ground_truth["customer_person"]
    assert sorted(mapping) == sorted(int(c["id"].rsplit("/", 1)[1]) for c in customers())
    persons = {p["person_id"] for p in store().ground_truth["persons"]}
    assert set(mapping.values()) == persons


def test_some_persons_have_two_or_three_accounts():
    accounts = defaultdict(int)
    for customer in customers():
        accounts[person_of(customer)] += 1
    multi = [n for n in accounts.values() if n > 1]
    assert 0.04 < len(multi) / len(accounts) < 0.12
    assert max(multi) <= 3


def test_emails_arrive_with_mixed_case_and_stray_whitespace():
    emails = [c["email"] for c in customers() if c["email"]]
    assert any(e != e.lower() for e in emails)
    assert any(e != e.strip() for e in emails)


def test_phones_come_in_many_formats_and_some_are_missing():
    phones = [c["phone"] for c in customers()]
    assert sum(p is None for p in phones) / len(phones) > 0.1
    shapes = {re.sub(r"\d", "9", p) for p in phones if p}
    for expected in ("+99999999999", "(999) 999-9999", "999.999.9999", "999 999 999 9999",
                     "999-999-9999 ext 9"):
        assert expected in shapes


def test_junk_values_appear_on_a_few_percent_of_accounts():
    junk = set(JUNK_EMAILS) | set(JUNK_PHONES)
    flagged = [c for c in customers() if c["email"] in junk or c["phone"] in junk]
    assert 0.01 < len(flagged) / len(customers()) < 0.06
    assert set(store().ground_truth["junk_identifiers"]) == {
        v for c in flagged for v in (c["email"], c["phone"]) if v in junk}


def test_household_landlines_are_shared_by_different_persons():
    truth = store().ground_truth
    assert truth["households"]
    by_phone = defaultdict(set)
    for customer in customers():
        if customer["phone"]:
            by_phone[digits(customer["phone"])].add(person_of(customer))
    shared = 0
    for household in truth["households"]:
        assert 2 <= len(household["person_ids"]) <= 4
        persons = by_phone[household["phone"]]
        assert persons <= set(household["person_ids"])
        shared += len(persons) >= 2
    # A member may have typed a placeholder instead; nearly every landline stays shared.
    assert shared >= 0.8 * len(truth["households"])


def test_hub_phone_is_on_many_walk_in_customers():
    hubs = store().ground_truth["hub_identifiers"]
    assert 1 <= len(hubs) <= 2
    on_hub = [c for c in customers() if c["phone"] in hubs]
    assert len({person_of(c) for c in on_hub}) >= 10


def test_alias_emails_differ_but_point_to_the_same_mailbox():
    rng = np.random.default_rng(0)
    cased = alias_email(rng, "jane.doe@gmail.com", "case", "Jane", "Doe")
    assert cased != "jane.doe@gmail.com" and cased.lower() == "jane.doe@gmail.com"
    tagged = alias_email(rng, "janedoe@yahoo.com", "gmail", "Jane", "Doe")
    assert re.fullmatch(r"janedoe\+\w+@yahoo\.com", tagged)


def test_phone_formats_keep_the_same_digits():
    us = COUNTRIES["US"]
    number = national_number(np.random.default_rng(1), us)
    formatted = {format_phone(number, us, style) for style in range(7)}
    assert len(formatted) == 7
    assert {digits(f) for f in formatted} == {number}


def test_other_countries_use_their_calling_code():
    gb = generate_store("uk", 3, 80, country="GB", currency="GBP")
    phones = [c["phone"] for c in gb.records("customers") if (c["phone"] or "").startswith("+")]
    assert phones and all(p.startswith("+44") for p in phones)
    assert gb.records("orders")[0]["currencyCode"] == "GBP"


def test_ground_truth_is_never_reachable_through_records():
    text = json.dumps([store().records(r) for r in ("customers", "orders", "products")])
    assert "person_id" not in text and "alive_at_end" not in text


def test_write_ground_truth_round_trips_as_json(tmp_path):
    path = write_ground_truth(store(), tmp_path / "truth" / "ids.json")
    loaded = json.loads(path.read_text())
    assert len(loaded["customer_person"]) == 1500
    assert {"person_id", "lam", "p", "acquired_at", "alive_at_end"} <= set(loaded["persons"][0])
    assert {"person_id", "at", "net_amount"} == set(loaded["future_purchases"][0])


def test_no_two_persons_share_an_inbox():
    # As with real providers: once an address is taken, a namesake gets another one.
    inbox_person: dict[str, int] = {}
    for customer in customers():
        email = customer.get("email")
        if not email or email.strip() in JUNK_EMAILS:
            continue
        local, domain = email.strip().lower().split("@")
        inbox = local.split("+")[0].replace(".", "") + "@" + domain
        assert inbox_person.setdefault(inbox, person_of(customer)) == person_of(customer), inbox


def test_every_account_that_has_ordered_has_a_default_address_with_a_street():
    ordered = [c for c in customers() if int(c["numberOfOrders"]) > 0]
    assert ordered and all(c["defaultAddress"] and c["defaultAddress"]["address1"] for c in ordered)


def test_some_accounts_write_the_street_type_out_in_full():
    lines = [c["defaultAddress"]["address1"] for c in customers() if c["defaultAddress"]]
    assert any(line.endswith(" Street") or line.endswith(" Avenue") for line in lines)
    assert any(line.endswith(" St") or line.endswith(" Ave") for line in lines)


def test_most_later_accounts_opened_with_a_purchase():
    by_person = defaultdict(list)
    for c in sorted(customers(), key=lambda c: c["createdAt"]):
        by_person[person_of(c)].append(int(c["numberOfOrders"]))
    later = [n for accounts in by_person.values() if len(accounts) > 1 for n in accounts[1:]]
    assert len(later) > 50
    assert 0.8 < sum(n > 0 for n in later) / len(later) < 1.0  # the rest only signed up

"""Identity resolution rules, one behaviour each, on small hand-made stores."""

import json

import pandas as pd

from commerce_pipeline.identity.blocklist import Blocklist
from commerce_pipeline.identity.identifiers import IdentifierRules, extract_identifiers
from commerce_pipeline.identity.resolution import group_key, resolve


def customer(n, email=None, phone=None, first="Ann", last="Lee", zip_code=None, street=None):
    return {"source_customer_key": f"shopify:{n}", "email_raw": email, "phone_raw": phone,
            "first_name": first, "last_name": last, "address_zip": zip_code,
            "address_line1": street}


def guest_order(n, email=None, phone=None):
    return {"shopify_order_id": n, "shopify_customer_id": None, "email_raw": email, "phone_raw": phone}


def identifiers(customers, orders=(), rules=IdentifierRules()):
    return pd.DataFrame(extract_identifiers(customers, list(orders), rules))


def profile_of(result):
    return dict(zip(result.members["source_key"], result.members["profile_id"]))


def together(result, *keys):
    return len({profile_of(result)[k] for k in keys}) == 1


def test_case_and_plus_tag_variants_of_one_inbox_link():
    result = resolve(identifiers([customer(1, "Ann.Lee@Yahoo.com"), customer(2, " ann.lee+shop@yahoo.com ")]))
    assert together(result, "shopify:1", "shopify:2")


def test_national_and_international_phone_formats_link():
    result = resolve(identifiers([customer(1, phone="(212) 555-0142"), customer(2, phone="+1 212 555 0142")]))
    assert together(result, "shopify:1", "shopify:2")


def test_built_in_junk_never_links():
    result = resolve(identifiers([customer(1, "test@test.com", "0000000000", first="Ann"),
                                  customer(2, "test@test.com", "0000000000", first="Ann")]))
    assert not together(result, "shopify:1", "shopify:2")


def test_tenant_blocklist_value_never_links():
    rules = IdentifierRules(blocklist=Blocklist(values=[("email", "orders@shop.example.org")]))
    result = resolve(identifiers([customer(1, "orders@shop.example.org"), customer(2, "orders@shop.example.org")], rules=rules))
    assert not together(result, "shopify:1", "shopify:2")


def test_value_shared_by_more_accounts_than_the_hub_limit_never_links():
    rules = IdentifierRules(max_customers_per_value=2)
    result = resolve(identifiers([customer(i, phone="212-555-0100") for i in (1, 2, 3)], rules=rules))
    assert len(set(profile_of(result).values())) == 3


def test_household_phone_does_not_link_differently_named_people():
    result = resolve(identifiers([customer(1, phone="212-555-0177", first="Ann"),
                                  customer(2, phone="212-555-0177", first="Bob")]))
    assert not together(result, "shopify:1", "shopify:2")


def test_shared_phone_links_one_person_under_a_nickname():
    result = resolve(identifiers([customer(1, phone="212-555-0177", first="William"),
                                  customer(2, phone="212-555-0177", first="Bill")]))
    assert together(result, "shopify:1", "shopify:2")


def test_name_and_address_do_not_link_namesakes_with_different_phones():
    result = resolve(identifiers([
        customer(1, phone="212-555-0101", zip_code="10001", street="12 Oak St"),
        customer(2, phone="212-555-0202", zip_code="10001", street="12 Oak St")]))
    assert not together(result, "shopify:1", "shopify:2")


def test_name_and_address_link_accounts_written_in_different_styles():
    result = resolve(identifiers([customer(1, "ann@yahoo.com", zip_code="10001", street="12 Oak St"),
                                  customer(2, "ann.lee@aol.com", first="ANN", zip_code=" 10001",
                                           street="12 oak street.")]))
    assert together(result, "shopify:1", "shopify:2")


def test_name_and_address_link_an_account_without_phone_to_one_with_a_phone():
    result = resolve(identifiers([
        customer(1, zip_code="10001", street="12 Oak St", phone="212-555-0101"),
        customer(2, zip_code="10001", street="12 Oak St")]))
    assert together(result, "shopify:1", "shopify:2")


def test_name_and_postcode_without_the_same_street_do_not_link():
    result = resolve(identifiers([customer(1, zip_code="10001", street="12 Oak St"),
                                  customer(2, zip_code="10001", street="40 Elm St"),
                                  customer(3, zip_code="10001")]))
    assert len(set(profile_of(result).values())) == 3


def test_guest_checkout_joins_the_account_with_its_email():
    result = resolve(identifiers([customer(1, "ann@yahoo.com")], [guest_order(7, "ANN@yahoo.com")]))
    assert together(result, "shopify:1", "shopify-guest-order:7")
    assert result.members.set_index("source_key").loc["shopify-guest-order:7", "linked_by"] == "email"


FOUR = [customer(i, phone="212-555-0199", first="Ann", email=f"ann{i}@yahoo.com") for i in (1, 2, 3, 4)]


def test_group_of_more_than_three_accounts_is_queued_with_evidence_and_kept_apart():
    result = resolve(identifiers(FOUR))
    assert len(set(profile_of(result).values())) == 4
    [entry] = result.queue
    assert entry["status"] == "pending" and entry["accounts"] == 4
    assert entry["group_key"] == group_key([f"shopify:{i}" for i in (1, 2, 3, 4)])
    [evidence] = json.loads(entry["evidence"])
    assert evidence["kind"] == "phone" and evidence["value"] == "+12125550199"


def test_approved_group_merges_on_the_next_run_and_history_says_so():
    first = resolve(identifiers(FOUR), run_id="r1")
    decision = {first.queue[0]["group_key"]: {"decision": "approve", "decided_by": "kim"}}
    second = resolve(identifiers(FOUR), first.members, decision, run_id="r2")
    assert together(second, *[f"shopify:{i}" for i in (1, 2, 3, 4)])
    assert second.queue[0]["status"] == "approved"
    [merge] = [e for e in second.history if e["event"] == "merge"]
    assert merge["decided_by"] == "manual" and merge["identifier_kind"] == "phone"
    assert len(json.loads(merge["related_profile_ids"])) == 3  # three profiles absorbed into one


def test_rejected_group_stays_apart_and_is_not_pending():
    first = resolve(identifiers(FOUR))
    decision = {first.queue[0]["group_key"]: {"decision": "reject", "decided_by": "kim"}}
    second = resolve(identifiers(FOUR), first.members, decision)
    assert len(set(profile_of(second).values())) == 4
    assert second.queue[0]["status"] == "rejected" and second.stats["queued_groups"] == 0


def test_profile_id_survives_a_new_order_joining():
    first = resolve(identifiers([customer(1, "ann@yahoo.com"), customer(2, "bob@yahoo.com", first="Bob")]))
    second = resolve(identifiers([customer(1, "ann@yahoo.com"), customer(2, "bob@yahoo.com", first="Bob")],
                                 [guest_order(9, "ann@yahoo.com")]), first.members)
    assert profile_of(second)["shopify:1"] == profile_of(first)["shopify:1"]
    assert profile_of(second)["shopify-guest-order:9"] == profile_of(first)["shopify:1"]


def test_rerun_with_no_new_data_changes_nothing():
    rows = identifiers([customer(1, "ann@yahoo.com"), customer(2, "ANN@yahoo.com")], [guest_order(5, "ann@yahoo.com")])
    first = resolve(rows, run_id="r1")
    second = resolve(rows, first.members, run_id="r2")
    pd.testing.assert_frame_equal(second.members, first.members)
    assert second.history == []


def test_same_data_gives_the_same_ids_on_any_run():
    rows = identifiers([customer(1, "ann@yahoo.com"), customer(2, "ann@yahoo.com"), customer(3, "cy@yahoo.com")])
    assert profile_of(resolve(rows)) == profile_of(resolve(rows))


def test_removing_a_link_splits_the_profile_and_the_larger_part_keeps_the_id():
    before = [customer(1, "ann@yahoo.com"), customer(2, "ann@yahoo.com"), customer(3, "ann@yahoo.com", "212-555-0111")]
    first = resolve(identifiers(before))
    kept = profile_of(first)["shopify:1"]
    rules = IdentifierRules(blocklist=Blocklist(values=[("email", "ann@yahoo.com")]))
    after = [customer(1, phone="212-555-0111"), customer(2, phone="212-555-0111"), customer(3, "ann@yahoo.com")]
    second = resolve(identifiers(after, rules=rules), first.members)
    assert together(second, "shopify:1", "shopify:2") and profile_of(second)["shopify:1"] == kept
    assert profile_of(second)["shopify:3"] != kept
    [split] = [e for e in second.history if e["event"] == "split"]
    assert split["profile_id"] == kept and json.loads(split["source_keys"]) == ["shopify:3"]


def test_joining_two_profiles_keeps_the_larger_ones_id():
    first = resolve(identifiers([customer(1, "ann@yahoo.com"), customer(2, "ann@yahoo.com"), customer(3, "a.lee@gmail.com")]))
    big, small = profile_of(first)["shopify:1"], profile_of(first)["shopify:3"]
    second = resolve(identifiers([customer(1, "ann@yahoo.com"), customer(2, "ann@yahoo.com"), customer(3, "a.lee@gmail.com")],
                                 [guest_order(4, "alee@gmail.com"), guest_order(4, "ann@yahoo.com")]), first.members)
    assert together(second, "shopify:1", "shopify:3") and profile_of(second)["shopify:3"] == big
    [merge] = [e for e in second.history if e["event"] == "merge"]
    assert json.loads(merge["related_profile_ids"]) == [small] and merge["decided_by"] == "rule"


def test_records_without_a_match_key_never_link_to_each_other():
    rows = identifiers([customer(1, "ann@yahoo.com"), customer(2, "bob@yahoo.com", first="Bob")])
    rows["match_key"] = None  # as if no value could be matched: nothing may join on "nothing"
    assert len(set(profile_of(resolve(rows)).values())) == 2

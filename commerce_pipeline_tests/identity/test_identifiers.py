"""Identifier extraction: normalised values per source record, with the reason a value must not link."""

import pandas as pd

from commerce_pipeline.identity.blocklist import Blocklist
from commerce_pipeline.identity.identifiers import IdentifierRules, extract_identifiers


def _customer(key, email=None, phone=None):
    return {"source_customer_key": key, "email_raw": email, "phone_raw": phone}


def _by(rows, key, kind):
    return [r for r in rows if r["source_key"] == key and r["kind"] == kind]


def test_customer_yields_its_source_id_and_normalised_email_and_phone():
    rows = extract_identifiers([_customer("shopify:1", " Ann@Example.COM ", "(555) 123-4567")], [])
    assert _by(rows, "shopify:1", "source_id")[0]["value"] == "shopify:1"
    assert _by(rows, "shopify:1", "email")[0]["value"] == "ann@example.com"
    assert _by(rows, "shopify:1", "phone")[0]["value"] == "+15551234567"


def test_order_identifiers_attach_to_their_customer_and_duplicates_collapse():
    orders = [{"shopify_order_id": 9, "shopify_customer_id": 1, "email_raw": "ann@example.com", "phone_raw": None}]
    rows = extract_identifiers([_customer("shopify:1", "ann@example.com")], orders)
    assert len(_by(rows, "shopify:1", "email")) == 1


def test_guest_order_becomes_its_own_source_record():
    orders = [{"shopify_order_id": 9, "shopify_customer_id": None, "email_raw": "bo@example.com", "phone_raw": None}]
    rows = extract_identifiers([], orders)
    assert _by(rows, "shopify-guest-order:9", "email")[0]["value"] == "bo@example.com"


def test_junk_is_kept_with_its_reason():
    rows = extract_identifiers([_customer("shopify:1", "test@test.com", "0000000000")], [])
    assert all(r["excluded_reason"] for r in rows if r["kind"] != "source_id")


def test_unparseable_input_is_kept_as_invalid():
    rows = extract_identifiers([_customer("shopify:1", "not an email")], [])
    assert _by(rows, "shopify:1", "email")[0]["excluded_reason"] == "not a valid email"


def test_value_shared_by_more_customers_than_allowed_is_a_hub():
    customers = [_customer(f"shopify:{i}", phone="212-555-0100") for i in range(4)]
    rows = extract_identifiers(customers, [], IdentifierRules(max_customers_per_value=3))
    assert {r["excluded_reason"] for r in rows if r["kind"] == "phone"} == {"hub: shared by more than 3 customers"}
    rows = extract_identifiers(customers, [], IdentifierRules(max_customers_per_value=4))
    assert {r["excluded_reason"] for r in rows if r["kind"] == "phone"} == {None}


def test_tenant_default_country_parses_national_numbers():
    rows = extract_identifiers([_customer("shopify:1", phone="020 7946 0958")], [], IdentifierRules(default_country="GB"))
    assert _by(rows, "shopify:1", "phone")[0]["value"] == "+442079460958"


def _order(order_id, customer_id=None, email=None, phone=None):
    return {"shopify_order_id": order_id, "shopify_customer_id": customer_id,
            "email_raw": email, "phone_raw": phone}


def test_repeat_orders_give_the_same_rows_as_one_order():
    customers = [_customer("shopify:1", "ann@example.com", "(555) 123-4567")]
    one = [_order(9, 1, " Ann.B@Example.com", "555.123.4567")]
    repeats = [_order(10 + i, 1, " Ann.B@Example.com", "555.123.4567") for i in range(3)]
    assert extract_identifiers(customers, one + repeats) == extract_identifiers(customers, one)


def test_one_raw_text_is_judged_separately_as_email_and_as_phone():
    rows = extract_identifiers([_customer("shopify:1", email="5551234567", phone="5551234567")], [])
    assert _by(rows, "shopify:1", "email")[0]["excluded_reason"] == "not a valid email"
    assert _by(rows, "shopify:1", "phone")[0]["value"] == "+15551234567"


def test_two_spellings_of_one_junk_phone_both_carry_its_reason_and_other_phones_do_not():
    rows = extract_identifiers([_customer("shopify:1", phone="000-000-0000")],
                               [_order(9, 1, phone="(000) 000 0000"), _order(10, None, phone="0000000000"),
                                _order(11, 1, phone="(555) 123-4567")])
    assert [r["excluded_reason"] for r in rows if r["kind"] == "phone"] == [
        "built-in junk phone (all the same digit)", "built-in junk phone (all the same digit)", None]


def test_each_extraction_judges_with_its_own_rules():
    customers = [_customer("shopify:1", phone="020 7946 0958")]
    gb = IdentifierRules(default_country="GB")
    blocked = IdentifierRules(default_country="GB",
                              blocklist=Blocklist([("phone", "+442079460958")], default_country="GB"))
    phone = [_by(extract_identifiers(customers, [], rules), "shopify:1", "phone")[0]
             for rules in (gb, IdentifierRules(default_country="US"), blocked, gb)]
    assert [(p["value"], p["excluded_reason"]) for p in phone] == [
        ("+442079460958", None), ("020 7946 0958", "not a valid phone"),
        ("+442079460958", "tenant blocklist value"), ("+442079460958", None)]


def test_guest_orders_sharing_an_email_are_each_a_record():
    rows = extract_identifiers([], [_order(1, email="bo@example.com"), _order(2, email="bo@example.com")])
    assert [r["source_key"] for r in rows if r["kind"] == "email"] == [
        "shopify-guest-order:1", "shopify-guest-order:2"]


def test_one_customer_holding_an_inbox_under_two_spellings_is_one_holder():
    rows = extract_identifiers([_customer("shopify:1", "a.b@gmail.com")], [_order(9, 1, "ab@gmail.com")],
                               IdentifierRules(max_customers_per_value=1))
    assert [r["excluded_reason"] for r in rows if r["kind"] == "email"] == [None, None]


def test_identifier_frame_is_the_frame_of_extract_identifiers_rows_from_inputs_read_once():
    from commerce_pipeline.identity.identifiers import identifier_frame
    from commerce_pipeline.simulator import generate_store
    from commerce_pipeline.simulator.staged import identity_inputs

    customers, orders = identity_inputs(generate_store("frame-store", seed=3, customers=300))
    expected = pd.DataFrame(extract_identifiers(customers, orders))
    frame = identifier_frame(iter(customers), iter(orders))  # iterators: read once, in order
    pd.testing.assert_frame_equal(frame, expected)
    assert expected["excluded_reason"].notna().any() and expected["given_name"].isna().any()


def test_extracted_columns_are_the_identifier_table_columns_in_their_declared_order():
    # identifiers.py keeps its own column list so the pure extraction does not import the
    # warehouse code; this keeps the two from drifting apart.
    from commerce_pipeline.identity import identifiers, tables

    assert identifiers.COLUMNS == list(tables.IDENTIFIER_COLUMNS)

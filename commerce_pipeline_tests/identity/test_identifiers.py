"""Identifier extraction: normalised values per source record, with the reason a value must not link."""

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

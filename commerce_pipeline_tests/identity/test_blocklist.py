"""Junk rules, tenant blocklists and hub detection, checked on a simulated store too."""

import pytest

from commerce_pipeline.identity.blocklist import KINDS, Blocklist, hub_values, is_junk
from commerce_pipeline.identity.normalize import normalize_email, normalize_id, normalize_phone
from commerce_pipeline.simulator import generate_store

CONTROLS = {
    "email": "mary.smith@example.com", "phone": "+15125550123", "whatsapp": "+447700900123",
    "loyalty_id": "LOY-000123", "device_id": "3f2b9c1e-7a4d", "cookie_id": "ck_AbC9",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", ["null", "NONE", "unknown", "n/a", "na", "-", "0", "",
                                   "000000", "--", "0-0-0"])
def test_generic_placeholders_are_junk_for_every_kind(kind, value):
    assert is_junk(kind, value) == f"built-in junk value ({value!r})"


@pytest.mark.parametrize("kind", KINDS)
def test_real_looking_value_is_not_junk_for_every_kind(kind):
    assert is_junk(kind, CONTROLS[kind]) is None


@pytest.mark.parametrize("email, local", [
    ("test@test.com", "test"), ("none@none.com", "none"), ("noemail@example.com", "noemail"),
    ("no-reply@shop.com", "no-reply"), ("noreply@shop.com", "noreply"), ("na@gmail.com", "na"),
    ("null@yahoo.com", "null"), ("unknown@gmail.com", "unknown"),
    ("example@example.com", "example"),
])
def test_placeholder_email_local_part_is_junk(email, local):
    assert is_junk("email", email) == f"built-in junk email (placeholder local part '{local}')"


@pytest.mark.parametrize("email", ["mary@test.com", "jo@mailinator.com", "x1@none.com"])
def test_placeholder_email_domain_is_junk(email):
    domain = email.split("@")[1]
    assert is_junk("email", email) == f"built-in junk email (placeholder domain '{domain}')"


def test_reserved_tld_email_is_junk():
    assert is_junk("email", "mary@shop.invalid") == (
        "built-in junk email (reserved domain 'shop.invalid')")


def test_repeated_character_local_part_is_junk():
    assert "repeated-character" in is_junk("email", "xxx@gmail.com")


@pytest.mark.parametrize("email", ["mary.smith@example.com", "liam99@example.net",
                                   "testa.smith@gmail.com", "nathan@none.org"])
def test_ordinary_email_is_not_junk(email):
    assert is_junk("email", email) is None


@pytest.mark.parametrize("kind", ["phone", "whatsapp"])
@pytest.mark.parametrize("phone", ["+10000000000", "+11111111111", "+15555555555"])
def test_all_same_digit_phone_is_junk(kind, phone):
    assert is_junk(kind, phone) == "built-in junk phone (all the same digit)"


@pytest.mark.parametrize("phone", ["+11234567890", "+19876543210", "1234567890"])
def test_consecutive_digit_run_phone_is_junk(phone):
    assert is_junk("phone", phone) == "built-in junk phone (consecutive digit run)"


def test_phone_with_fewer_than_7_national_digits_is_junk():
    assert is_junk("phone", "+1555123") == "built-in junk phone (fewer than 7 national digits)"


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown identifier kind 'fax'"):
        is_junk("fax", "+15125550123")


def test_blocklist_checks_built_in_rules_first():
    blocklist = Blocklist(values=[("email", "test@test.com")])
    assert blocklist.reason("email", "test@test.com").startswith("built-in junk email")


def test_tenant_value_is_compared_normalised():
    blocklist = Blocklist(values=[("phone", "(512) 555-0199"), ("email", " Desk@Shop.com ")])
    assert blocklist.reason("phone", "+15125550199") == "tenant blocklist value"
    assert blocklist.reason("email", "desk@shop.com") == "tenant blocklist value"


def test_tenant_value_only_blocks_its_own_kind():
    blocklist = Blocklist(values=[("loyalty_id", "STAFF-1")])
    assert blocklist.reason("loyalty_id", "STAFF-1") == "tenant blocklist value"
    assert blocklist.reason("device_id", "STAFF-1") is None


def test_tenant_pattern_must_match_the_whole_value():
    blocklist = Blocklist(patterns=[("email", r"^.*@ourstore\.com$"), ("device_id", "pos-")])
    assert blocklist.reason("email", "till3@ourstore.com") == (
        "tenant blocklist pattern '^.*@ourstore\\.com$'")
    assert blocklist.reason("device_id", "pos-17") is None  # "pos-" matches only a prefix


def test_value_not_on_any_list_passes():
    blocklist = Blocklist(values=[("phone", "+15125550199")], patterns=[("email", ".*@x\\.com")])
    assert blocklist.reason("phone", "+15125550123") is None


def test_invalid_regex_raises_naming_the_pattern():
    with pytest.raises(ValueError, match=r"invalid tenant blocklist pattern '\(unclosed'"):
        Blocklist(patterns=[("email", "(unclosed")])


def test_tenant_value_that_cannot_normalise_raises():
    with pytest.raises(ValueError, match="does not normalise"):
        Blocklist(values=[("email", "not-an-email")])


def test_hub_at_exactly_max_customers_is_not_a_hub():
    pairs = [("+15125550199", f"c{i}") for i in range(3)]
    assert hub_values(pairs, max_customers=3) == set()


def test_hub_above_max_customers_is_a_hub():
    pairs = [("+15125550199", f"c{i}") for i in range(4)] + [("+15125550123", "c9")]
    assert hub_values(pairs, max_customers=3) == {"+15125550199"}


def test_hub_counts_a_repeated_customer_once():
    pairs = [("+15125550199", "c1")] * 10 + [("+15125550199", "c2")]
    assert hub_values(pairs, max_customers=1) == {"+15125550199"}
    assert hub_values(pairs, max_customers=2) == set()


def test_hub_skips_missing_values():
    assert hub_values(iter([(None, "a"), ("", "b"), (None, "c")]), max_customers=0) == set()


def _normalised(value: str) -> tuple[str, str]:
    """(kind, normalised value) of a raw simulator identifier; unparseable → id text."""
    kind = "email" if "@" in value or not any(ch.isdigit() for ch in value) else "phone"
    normal = normalize_email(value) if kind == "email" else normalize_phone(value)
    return kind, normal if normal is not None else normalize_id(value)


@pytest.fixture(scope="module")
def store():
    return generate_store("blk-store", seed=3, customers=300)


def test_simulator_junk_is_caught_and_ordinary_customers_are_not(store):
    junk = store.ground_truth["junk_identifiers"]
    assert junk  # the store must exercise the rules
    blocklist = Blocklist()
    assert [v for v in junk if blocklist.reason(*_normalised(v)) is None] == []
    values = [(kind, normal) for c in store.records("customers")
              for kind, raw in (("email", c["email"]), ("phone", c["phone"]))
              if raw and raw not in junk
              for normal in [normalize_email(raw) if kind == "email" else normalize_phone(raw)]
              if normal]
    flagged = [v for v in values if blocklist.reason(*v)]
    assert len(flagged) < 0.01 * len(values), flagged


def test_simulator_hub_phones_are_found_by_hub_values(store):
    pairs = [(normalize_phone(c["phone"]), c["id"]) for c in store.records("customers")
             if c["phone"]]
    hubs = {normalize_phone(h) for h in store.ground_truth["hub_identifiers"]}
    assert hubs <= hub_values(pairs, max_customers=5)

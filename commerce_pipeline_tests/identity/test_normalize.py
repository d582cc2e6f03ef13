"""Identifier normalisation: the formats customers and tills type, and what is rejected."""

import pytest

from commerce_pipeline.identity.normalize import (
    canonical_email,
    canonical_given_name,
    normalize_email,
    normalize_id,
    normalize_phone,
    normalize_street,
)


def test_email_is_trimmed_and_lower_cased():
    assert normalize_email("  Mary.Smith@GMail.Com\t") == "mary.smith@gmail.com"


def test_email_keeps_dots_and_plus_tags():
    assert normalize_email("m.smith+shop@gmail.com") == "m.smith+shop@gmail.com"


def test_email_allows_apostrophe_and_percent_in_local_part():
    assert normalize_email("o'brien%x@mail.co.uk") == "o'brien%x@mail.co.uk"


@pytest.mark.parametrize("raw", [
    None, "", "   ", "n/a", "mary", "mary@", "@gmail.com", "a@@b.com", "a@b@c.com",
    "mary@gmail", "mary@gmail.c", "mary@gmail.c0m", ".mary@gmail.com", "mary.@gmail.com",
    "ma..ry@gmail.com", "mary@gmail..com", "ma ry@gmail.com", "mary@gm_ail.com",
    "mary!@gmail.com",
])
def test_invalid_email_is_none(raw):
    assert normalize_email(raw) is None


def test_canonical_gmail_drops_dots_and_plus_tag():
    assert canonical_email("Ma.Ry.Smith+promo@gmail.com") == "marysmith@gmail.com"


def test_canonical_googlemail_maps_to_gmail():
    assert canonical_email("mary.smith@googlemail.com") == "marysmith@gmail.com"


def test_canonical_other_domains_keep_dots_and_drop_plus_tag():
    assert canonical_email("Mary.Smith+shop@Yahoo.com") == "mary.smith@yahoo.com"


def test_given_name_folds_case_and_nicknames():
    assert canonical_given_name("  Bill ") == canonical_given_name("WILLIAM") == "william"
    assert canonical_given_name("Mary Ann") == "mary"
    assert canonical_given_name("") is None


def test_canonical_of_invalid_or_tag_only_gmail_is_none():
    assert canonical_email("not an email") is None
    assert canonical_email("+tag@gmail.com") is None


@pytest.mark.parametrize("raw", [
    "+15551234567", "(555) 123-4567", "555.123.4567", "555-123-4567", "5551234567",
    " 555 123 4567 ",
])
def test_us_phone_formats_become_e164(raw):
    assert normalize_phone(raw) == "+15551234567"


def test_phone_with_00_international_prefix_from_the_us():
    assert normalize_phone("001 555 123 4567") == "+15551234567"


def test_phone_extension_is_dropped():
    assert normalize_phone("555-123-4567 ext 2") == "+15551234567"


def test_foreign_number_in_international_format_with_us_default():
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("raw", ["020 7946 0958", "0044 20 7946 0958", "+44 20 7946 0958"])
def test_gb_phone_with_gb_default_country(raw):
    assert normalize_phone(raw, default_country="GB") == "+442079460958"


def test_fictional_555_number_is_accepted_though_not_valid():
    assert normalize_phone("(212) 555-0100") == "+12125550100"


def test_repeated_digits_still_normalise():
    # junk detection is the blocklist's job, so it can say why
    assert normalize_phone("0000000000") == "+10000000000"
    assert normalize_phone("123-456-7890") == "+11234567890"


@pytest.mark.parametrize("raw", [None, "", "  ", "n/a", "abc", "12", "0", "555123",
                                 "+1 555 123 4567 8901 2345"])
def test_unparseable_or_impossible_phone_is_none(raw):
    assert normalize_phone(raw) is None


def test_local_only_phone_without_area_code_is_none():
    assert normalize_phone("555-1234") is None


def test_id_is_trimmed_text_with_case_kept():
    assert normalize_id("  AbC-123 ") == "AbC-123"
    assert normalize_id(4711) == "4711"


def test_empty_id_is_none():
    assert normalize_id(None) is None
    assert normalize_id("   ") is None


@pytest.mark.parametrize("raw", ["12 Oak Street", "12 oak st.", " 12  OAK  ST ", "12 Oak St"])
def test_street_types_and_punctuation_fold_to_one_key(raw):
    assert normalize_street(raw) == "12 oak st"


def test_street_directions_are_abbreviated():
    assert normalize_street("400 North Main Avenue, Apartment 3") == "400 n main ave apt 3"


@pytest.mark.parametrize("raw", [None, "", " , "])
def test_empty_street_is_none(raw):
    assert normalize_street(raw) is None

"""The registry refuses bad input with messages that name the rule, on both backends."""

import pytest

from commerce_pipeline.tenants.registry import InvalidTenantField, TenantExists
# Fixtures shared with test_registry.py (SQLite + PostgreSQL backends).
from commerce_pipeline_tests.tenants import add_acme

BAD_IDS = ["Acme Shoes", "a", "under_score", "-x", "x" * 41]


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_invalid_tenant_id_is_refused_naming_the_rule(registry, bad_id):
    with pytest.raises(InvalidTenantField) as excinfo:
        add_acme(registry, bad_id)
    assert "lower-case letters, digits and single hyphens" in str(excinfo.value)
    assert registry.list() == []


def test_forty_character_id_is_accepted(registry):
    assert add_acme(registry, "x" * 40).id == "x" * 40


def test_duplicate_tenant_is_refused(registry):
    add_acme(registry)
    with pytest.raises(TenantExists, match="'acme' is already registered"):
        add_acme(registry)


def test_invalid_plan_is_refused_listing_the_plans(registry):
    with pytest.raises(InvalidTenantField, match="hourly, daily, weekly, manual"):
        add_acme(registry, sync_plan="monthly")


@pytest.mark.parametrize("country", ["USA", "XX", "1A", ""])
def test_invalid_country_is_refused(registry, country):
    with pytest.raises(InvalidTenantField, match="ISO 3166-1 alpha-2"):
        add_acme(registry, default_country=country)


def test_lower_case_country_is_normalised(registry):
    assert add_acme(registry, default_country="gb").default_country == "GB"


@pytest.mark.parametrize("version", ["2025-13", "2025-1", "25-01", "latest"])
def test_invalid_api_version_is_refused(registry, version):
    with pytest.raises(InvalidTenantField, match="YYYY-MM"):
        add_acme(registry, api_version=version)


@pytest.mark.parametrize("domain", [
    "https://acme.myshopify.com", "acme", "acme.myshopify.com/admin", "-acme.myshopify.com",
    "acme shoes.myshopify.com", "",
])
def test_invalid_shop_domain_is_refused(registry, domain):
    with pytest.raises(InvalidTenantField, match="host name only"):
        add_acme(registry, shop_domain=domain)


def test_shop_domain_is_lower_cased(registry):
    assert add_acme(registry, shop_domain="Acme.MyShopify.com").shop_domain == "acme.myshopify.com"


@pytest.mark.parametrize("url", ["ftp://host/x", "127.0.0.1:8765", "http://", "http://h:99999"])
def test_invalid_api_base_url_is_refused(registry, url):
    with pytest.raises(InvalidTenantField, match="API base URL"):
        add_acme(registry, api_base_url=url)


def test_invalid_status_is_refused(registry):
    add_acme(registry)
    with pytest.raises(InvalidTenantField, match="active, paused"):
        registry.set_status("acme", "deleted")


def test_update_validates_like_add(registry):
    add_acme(registry)
    with pytest.raises(InvalidTenantField):
        registry.update("acme", sync_plan="monthly")
    assert registry.get("acme").sync_plan == "daily"


def test_update_refuses_unknown_fields(registry):
    add_acme(registry)
    with pytest.raises(InvalidTenantField, match="cannot set platform"):
        registry.update("acme", platform="woocommerce")


def test_list_refuses_an_unknown_plan_filter(registry):
    with pytest.raises(InvalidTenantField):
        registry.list(plan="monthly")

"""TenantRegistry against SQLite and the real PostgreSQL (one schema per test)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from commerce_pipeline.settings import get_settings
from commerce_pipeline.tenants.registry import RegistryError, TenantNotFound, TenantRegistry
from commerce_pipeline_tests.tenants import add_acme


def test_added_tenant_can_be_read_back_with_defaults(registry):
    add_acme(registry)
    tenant = registry.get("acme")
    assert (tenant.id, tenant.display_name, tenant.shop_domain) == (
        "acme", "Acme Shoes", "acme.myshopify.com")
    assert (tenant.platform, tenant.sync_plan, tenant.status, tenant.default_country) == (
        "shopify", "daily", "active", "US")
    assert tenant.has_token is False
    assert tenant.last_sync_at is None and tenant.last_sync_status is None


def test_timestamps_are_timezone_aware_utc(registry):
    tenant = add_acme(registry)
    stored = registry.get("acme")
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert abs(stored.created_at - tenant.created_at) < timedelta(milliseconds=1)


def test_effective_urls_default_to_the_shop_domain_and_settings_version(registry):
    tenant = add_acme(registry)
    assert tenant.base_url == "https://acme.myshopify.com"
    assert tenant.effective_api_version == get_settings().shopify_api_version
    assert tenant.graphql_url == (
        f"https://acme.myshopify.com/admin/api/{get_settings().shopify_api_version}/graphql.json")


def test_explicit_base_url_and_version_override_the_defaults(registry):
    tenant = add_acme(registry, api_base_url="http://127.0.0.1:8765/stores/acme/",
                      api_version="2024-10")
    assert tenant.base_url == "http://127.0.0.1:8765/stores/acme"
    assert tenant.graphql_url == "http://127.0.0.1:8765/stores/acme/admin/api/2024-10/graphql.json"


def test_list_is_sorted_by_id(registry):
    for tenant_id in ("zeta", "acme", "mid-shop"):
        add_acme(registry, tenant_id)
    assert [t.id for t in registry.list()] == ["acme", "mid-shop", "zeta"]


def test_list_filters_by_plan_and_status(registry):
    add_acme(registry, "hourly-one", sync_plan="hourly")
    add_acme(registry, "hourly-paused", sync_plan="hourly", status="paused")
    add_acme(registry, "daily-one")
    assert [t.id for t in registry.list(plan="hourly")] == ["hourly-one", "hourly-paused"]
    assert [t.id for t in registry.list(status="paused")] == ["hourly-paused"]
    assert [t.id for t in registry.list(plan="hourly", status="active")] == ["hourly-one"]


def test_removed_tenant_is_gone(registry):
    add_acme(registry)
    registry.remove("acme")
    assert registry.list() == []
    with pytest.raises(TenantNotFound):
        registry.get("acme")


def test_unknown_tenant_error_names_it(registry):
    with pytest.raises(TenantNotFound, match="no tenant 'ghost' is registered"):
        registry.get("ghost")


def test_removing_an_unknown_tenant_is_refused(registry):
    with pytest.raises(TenantNotFound):
        registry.remove("ghost")


def test_errors_share_one_base_class():
    assert issubclass(TenantNotFound, RegistryError) and issubclass(RegistryError, ValueError)


def test_set_plan_and_set_status_change_the_row(registry):
    add_acme(registry)
    registry.set_plan("acme", "weekly")
    registry.set_status("acme", "paused")
    tenant = registry.get("acme")
    assert (tenant.sync_plan, tenant.status) == ("weekly", "paused")


def test_update_changes_fields_and_bumps_updated_at(registry):
    before = add_acme(registry)
    after = registry.update("acme", display_name="Acme Boots", default_country="de")
    assert (after.display_name, after.default_country) == ("Acme Boots", "DE")
    assert after.updated_at >= before.updated_at
    assert registry.get("acme").display_name == "Acme Boots"


def test_successful_sync_is_recorded(registry):
    add_acme(registry)
    at = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
    registry.record_sync("acme", success=True, at=at)
    tenant = registry.get("acme")
    assert (tenant.last_sync_at, tenant.last_sync_status, tenant.last_success_at) == (
        at, "success", at)
    assert tenant.last_sync_error is None


def test_failed_sync_keeps_the_last_success_time(registry):
    add_acme(registry)
    ok = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    failed = ok + timedelta(hours=1)
    registry.record_sync("acme", success=True, at=ok)
    registry.record_sync("acme", success=False, at=failed, error="HTTP 401 from Shopify")
    tenant = registry.get("acme")
    assert (tenant.last_sync_at, tenant.last_sync_status, tenant.last_success_at) == (
        failed, "failure", ok)
    assert tenant.last_sync_error == "HTTP 401 from Shopify"


def test_sync_times_in_other_zones_are_stored_as_utc(registry):
    add_acme(registry)
    at = datetime(2025, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    registry.record_sync("acme", success=True, at=at)
    stored = registry.get("acme").last_sync_at
    assert stored == at and stored.tzinfo == UTC


def test_upsert_adds_a_missing_tenant(registry):
    registry.upsert("acme", display_name="Acme", shop_domain="acme.myshopify.com",
                    api_base_url="http://127.0.0.1:8765/stores/acme")
    assert registry.get("acme").sync_plan == "daily"


def test_upsert_updates_api_base_url_of_an_existing_tenant(registry):
    add_acme(registry, api_base_url="http://127.0.0.1:8765/stores/acme")
    registry.upsert("acme", display_name="Acme Shoes", shop_domain="acme.myshopify.com",
                    api_base_url="http://127.0.0.1:9999/stores/acme")
    assert registry.get("acme").base_url == "http://127.0.0.1:9999/stores/acme"


def test_upsert_keeps_fields_it_was_not_given(registry):
    add_acme(registry)
    registry.set_plan("acme", "hourly")
    registry.upsert("acme", display_name="Acme Shoes", shop_domain="acme.myshopify.com")
    assert registry.get("acme").sync_plan == "hourly"


def test_registries_on_the_same_database_see_each_others_writes(make_registry):
    add_acme(make_registry())
    assert [t.id for t in make_registry().list()] == ["acme"]


def test_default_url_is_a_sqlite_file_in_the_data_home(commerce_home):
    registry = TenantRegistry()
    try:
        add_acme(registry)
    finally:
        registry.close()
    assert (commerce_home / "control.db").is_file()

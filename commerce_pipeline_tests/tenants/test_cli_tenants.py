"""`commerce-pipeline tenants ...` through click's test runner, on the default SQLite registry."""

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from commerce_pipeline.cli import main
from commerce_pipeline.settings import get_settings
from commerce_pipeline.storage import tenant_home
from commerce_pipeline.tenants.registry import TenantRegistry

TOKEN = "shpat_cli_secret_42"


def run(*args, input=None):
    return CliRunner().invoke(main, ["tenants", *args], input=input)


def add(tenant_id="acme", *extra):
    return run("add", tenant_id, "--name", "Acme Shoes", "--shop-domain", "acme.myshopify.com",
               *extra)


@pytest.fixture
def secret_key(monkeypatch):
    monkeypatch.setenv("COMMERCE_SECRET_KEY", Fernet.generate_key().decode())


def registry():
    return TenantRegistry(settings=get_settings())


def test_added_tenant_is_listed_with_its_plan():
    assert add("acme", "--plan", "hourly").exit_code == 0
    result = run("list")
    assert result.exit_code == 0
    header, row = result.output.splitlines()
    assert header.split()[:5] == ["ID", "NAME", "SHOP", "PLAN", "STATUS"]
    assert row.split()[:6] == ["acme", "Acme", "Shoes", "acme.myshopify.com", "hourly", "active"]
    assert row.split()[-3:] == ["never", "-", "no"]


def test_list_shows_last_success_sync_status_and_token_presence(secret_key):
    add("acme", "--token", TOKEN)
    registry().record_sync("acme", success=True, at=datetime(2025, 3, 1, 12, 30, tzinfo=UTC))
    row = run("list").output.splitlines()[1]
    assert "2025-03-01 12:30 UTC" in row
    assert row.split()[-2:] == ["success", "yes"]


def test_list_json_is_machine_readable():
    add("acme")
    data = json.loads(run("list", "--json").output)
    assert [t["id"] for t in data] == ["acme"]
    assert data[0]["graphql_url"].startswith("https://acme.myshopify.com/admin/api/")
    assert data[0]["has_token"] is False


def test_empty_list_says_how_to_add_a_tenant():
    assert "commerce-pipeline tenants add" in run("list").output


def test_invalid_id_exits_2_with_the_rule_and_no_traceback():
    result = add("Acme Shoes")
    assert result.exit_code == 2
    assert "lower-case letters, digits and single hyphens" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_duplicate_add_exits_2():
    add("acme")
    result = add("acme")
    assert result.exit_code == 2
    assert "already registered" in result.output


def test_token_without_a_key_exits_2_with_the_fix():
    result = add("acme", "--token", TOKEN)
    assert result.exit_code == 2
    assert "init-key" in result.output and TOKEN not in result.output


def test_token_from_env_var_is_stored_but_never_printed(secret_key, monkeypatch):
    monkeypatch.setenv("ACME_TOKEN", TOKEN)
    outputs = [add("acme", "--token-env", "ACME_TOKEN").output, run("list").output,
               run("list", "--json").output]
    assert registry().access_token("acme") == TOKEN
    assert all(TOKEN not in out for out in outputs)
    assert "token stored encrypted" in outputs[0]


def test_token_and_token_env_together_are_refused(secret_key):
    result = add("acme", "--token", TOKEN, "--token-env", "X")
    assert result.exit_code == 2 and TOKEN not in result.output


def test_set_plan_changes_the_plan():
    add("acme")
    result = run("set-plan", "acme", "weekly")
    assert result.exit_code == 0
    assert registry().get("acme").sync_plan == "weekly"


def test_set_plan_to_an_unknown_plan_exits_2():
    add("acme")
    result = run("set-plan", "acme", "monthly")
    assert result.exit_code == 2 and "hourly, daily, weekly, manual" in result.output


def test_pause_and_resume_toggle_the_status():
    add("acme")
    run("pause", "acme")
    assert registry().get("acme").status == "paused"
    run("resume", "acme")
    assert registry().get("acme").status == "active"


def test_set_token_replaces_the_stored_token(secret_key):
    add("acme", "--token", TOKEN)
    result = run("set-token", "acme", "--token", "shpat_new")
    assert result.exit_code == 0 and "shpat_new" not in result.output
    assert registry().access_token("acme") == "shpat_new"


def test_remove_yes_purge_data_deletes_the_tenant_and_its_directory():
    add("acme")
    home = tenant_home("acme")
    (home / "dlt").mkdir(parents=True)
    (home / "warehouse.duckdb").write_text("data")
    result = run("remove", "acme", "--yes", "--purge-data")
    assert result.exit_code == 0
    assert not home.exists()
    assert registry().list() == []


def test_remove_without_purge_keeps_the_directory():
    add("acme")
    tenant_home("acme").mkdir(parents=True)
    run("remove", "acme", "--yes")
    assert tenant_home("acme").is_dir()


def test_remove_asks_and_declining_keeps_the_tenant():
    add("acme")
    result = run("remove", "acme", input="n\n")
    assert result.exit_code != 0
    assert [t.id for t in registry().list()] == ["acme"]


def test_remove_unknown_tenant_exits_2():
    result = run("remove", "ghost", "--yes")
    assert result.exit_code == 2 and "no tenant 'ghost'" in result.output


def test_init_key_creates_the_key_file_and_prints_where():
    result = run("init-key")
    path = get_settings().secret_key_file
    assert result.exit_code == 0 and str(path) in result.output
    assert path.is_file()


def test_init_key_with_env_key_writes_no_file(secret_key):
    result = run("init-key")
    assert result.exit_code == 0 and "COMMERCE_SECRET_KEY" in result.output
    assert not get_settings().secret_key_file.exists()

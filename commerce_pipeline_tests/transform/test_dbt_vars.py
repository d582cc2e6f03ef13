"""What dbt is told about a tenant, without running dbt: the --vars, the profile and the file.

dbt re-parses the whole project when the --vars or the profile's connection values differ from
those of its saved parse, so DuckDB tenants must give dbt identical ones (and the Postgres
tenants, whose schema dbt renders into the parse, must not)."""

import json

import yaml

from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline.settings import get_settings
from commerce_pipeline.storage import DUCKDB_SCHEMA, tenant_dbt_target, tenant_warehouse
from commerce_pipeline.transform.duckdb_tenant import WAREHOUSE_FILE, tenant_duckdb_path
from commerce_pipeline.transform.project import DBT_PROJECT_DIR
from commerce_pipeline.transform.vars import dbt_vars, dbt_vars_arg, project_var_defaults

DEFAULT_OFFSETS = ModelSettings().feature_cutoff_offsets()


def duckdb_profile() -> dict:
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    return profiles["commerce"]["outputs"]["duckdb"]


def test_two_duckdb_tenants_give_dbt_identical_vars_so_they_share_one_parse(commerce_home):
    assert dbt_vars("acme-shoes") == dbt_vars("zebra-socks") == {}
    assert dbt_vars_arg("acme-shoes", feature_cutoff_offsets=DEFAULT_OFFSETS) == []


def test_duckdb_profile_has_no_value_that_depends_on_the_run():
    """Every connection value is hashed into dbt's saved parse: none may be rendered per run."""
    profile = duckdb_profile()
    assert "{{" not in json.dumps(profile)
    assert profile["schema"] == DUCKDB_SCHEMA
    assert profile["database"] == WAREHOUSE_FILE.removesuffix(".duckdb")
    assert [p["module"] for p in profile["plugins"]] == ["commerce_pipeline.transform.duckdb_tenant"]


def test_duckdb_tenants_keep_their_own_file_where_dbt_opens_it(commerce_home):
    a, b = tenant_warehouse("acme-shoes"), tenant_warehouse("zebra-socks")
    assert a.duckdb_path != b.duckdb_path and a.schema == b.schema == DUCKDB_SCHEMA
    assert a.duckdb_path == get_settings().home / "tenants" / "acme-shoes" / WAREHOUSE_FILE
    # dbt is given the tenant's target folder (DBT_TARGET_PATH) and opens the file beside it.
    assert tenant_duckdb_path(tenant_dbt_target("acme-shoes")) == a.duckdb_path


def test_postgres_vars_name_the_tenant_schema_and_hold_no_password(monkeypatch):
    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", "postgresql://u:secret@h:6543/db")
    out = dbt_vars("acme-shoes")
    assert (out["warehouse"], out["tenant_schema"]) == ("postgres", "tenant_acme_shoes")
    assert (out["pg_host"], out["pg_port"], out["pg_user"], out["pg_database"]) == ("h", 6543, "u", "db")
    assert dbt_vars("zebra-socks")["tenant_schema"] == "tenant_zebra_socks"
    assert "duckdb_path" not in out
    assert "secret" not in json.dumps(out)


def test_project_default_cutoff_offsets_are_the_default_model_settings_ones():
    """A tenant on default model settings then passes no var and keeps the shared parse."""
    assert project_var_defaults()["feature_cutoff_offsets"] == DEFAULT_OFFSETS


def test_vars_that_differ_from_the_project_defaults_are_passed(commerce_home):
    out = dbt_vars("acme-shoes", feature_cutoff_offsets=[0, 30], reference_date="2026-06-30")
    assert out == {"feature_cutoff_offsets": [0, 30], "reference_date": "2026-06-30"}
    assert dbt_vars("acme-shoes", reference_date=None) == {}


def test_vars_arg_is_json_for_the_cli(commerce_home):
    flag, payload = dbt_vars_arg("acme-shoes", reference_date="2026-06-30")
    assert flag == "--vars" and json.loads(payload)["reference_date"] == "2026-06-30"

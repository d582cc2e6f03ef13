"""The dbt --vars builder points the one profile at one tenant, without running dbt."""

import json

from commerce_pipeline.settings import get_settings
from commerce_pipeline.transform.vars import dbt_vars, dbt_vars_arg


def test_duckdb_vars_name_the_tenant_file_and_schema(commerce_home):
    out = dbt_vars("acme-shoes")
    assert out["tenant_id"] == "acme-shoes"
    assert out["tenant_schema"] == "tenant_acme_shoes"
    assert out["warehouse"] == "duckdb"
    assert out["duckdb_path"] == str(get_settings().home / "tenants" / "acme-shoes" / "warehouse.duckdb")


def test_postgres_vars_have_a_schema_and_no_file(monkeypatch):
    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", "postgresql://u:secret@h:6543/db")
    out = dbt_vars("acme-shoes")
    assert (out["warehouse"], out["tenant_schema"]) == ("postgres", "tenant_acme_shoes")
    assert (out["pg_host"], out["pg_port"], out["pg_user"], out["pg_database"]) == ("h", 6543, "u", "db")
    assert "duckdb_path" not in out
    assert "secret" not in json.dumps(out)


def test_vars_arg_is_json_for_the_cli():
    flag, payload = dbt_vars_arg("acme-shoes", reference_date="2026-06-30")
    assert flag == "--vars" and json.loads(payload)["reference_date"] == "2026-06-30"

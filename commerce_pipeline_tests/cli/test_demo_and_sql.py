"""`commerce-pipeline demo` runs the main job on the embedded default; `sql` reads a tenant read-only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _cli(home, *args, timeout=600):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COMMERCE_HOME": str(home)}
    env.pop("DAGSTER_HOME", None)  # the CLI makes one under the data home
    return subprocess.run([str(BIN / "commerce-pipeline"), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    return tmp_path_factory.mktemp("demo_home")


@pytest.fixture(scope="module")
def demo_run(demo_home):
    """One demo run shared by this module's tests (it is the slow part)."""
    proc = _cli(demo_home, "demo", "--size", "tiny", "--port", "0")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_demo_materializes_every_tenant_and_prints_what_landed(demo_run):
    table = demo_run.stdout.split("What landed per tenant:")[1]
    for tenant in ("demo-corner-shop", "demo-outfitters"):
        line = next(row for row in table.splitlines() if row.startswith(tenant))
        assert line.rstrip().endswith("ok")
    assert "FAILED" not in table


def test_demo_builds_unified_profiles_from_the_synced_records(demo_run, demo_home):
    proc = _cli(demo_home, "sql", "demo-outfitters",
                "select count(*) as profiles, sum(total_orders) as orders from customer_profile", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    [row] = json.loads(proc.stdout)
    raw = json.loads(_cli(demo_home, "sql", "demo-outfitters",
                          "select count(distinct source_key) as n from profile_members", "--format", "json").stdout)
    assert 0 < row["profiles"] <= raw[0]["n"] and row["orders"] > 0


def test_sql_reads_a_demo_tenant_and_tenants_list_shows_the_sync(demo_run, demo_home):
    proc = _cli(demo_home, "sql", "demo-outfitters", "select count(*) as n from shopify_orders", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["n"] > 0
    listing = _cli(demo_home, "tenants", "list", "--json")
    rows = {t["id"]: t for t in json.loads(listing.stdout)}
    assert rows["demo-outfitters"]["last_sync_status"] == "success"


def test_sql_refuses_writes(demo_run, demo_home):
    proc = _cli(demo_home, "sql", "demo-outfitters", "delete from shopify_orders")
    assert proc.returncode != 0 and "read-only" in (proc.stdout + proc.stderr).lower()


def test_sql_on_an_unknown_tenant_says_there_is_no_data(commerce_home):
    proc = _cli(commerce_home, "sql", "nobody-here", "select 1")
    assert proc.returncode != 0 and "no warehouse yet" in proc.stderr


def test_demo_writes_campaign_emails_to_the_outbox_without_a_sendgrid_key(demo_run, demo_home):
    emails = sorted((demo_home / "tenants").glob("*/outbox/*/*.eml"))
    assert emails, demo_run.stdout[-2000:]
    text = emails[0].read_text()
    assert "X-Commerce-Campaign:" in text and "Content-Type: text/plain" in text
    table = demo_run.stdout.split("What landed per tenant:")[1]
    assert "outbox emails" in table

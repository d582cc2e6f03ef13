"""Identity resolution end to end: simulator store -> dlt -> dbt staging -> identifiers ->
profiles, measured against the store's ground truth; reviews through the CLI and control plane."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from commerce_pipeline.cli import main
from commerce_pipeline.identity.assets import customer_identifiers, identity_resolution
from commerce_pipeline.identity.identifiers import extract_identifiers
from commerce_pipeline.identity.resolution_run import run_resolution
from commerce_pipeline.identity.tables import IDENTIFIER_COLUMNS, read_table
from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.settings import get_settings
from commerce_pipeline.simulator import SimulatorServer, generate_store, write_ground_truth
from commerce_pipeline.storage import tenant_ground_truth, tenant_warehouse
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline_tests.helpers import asset_metadata, sync

IDENTITY = (shopify_assets, commerce_dbt_staging, customer_identifiers, identity_resolution)


@pytest.fixture
def evaluated_tenant(tmp_path, registry, dagster_instance):
    """A 1,000-customer simulator store (about 190 same-person pairs: one pair moves recall by
    half a percent) registered as a tenant, with its ground truth in place."""
    store = generate_store("truth-store", seed=5, customers=1000)
    server = SimulatorServer([store], restore_rate=20000.0, data_dir=tmp_path / "sim").start()
    registry.add("truth-store", display_name="truth", shop_domain="truth-store.myshopify.com",
                 api_base_url=server.base_url(store.shop), access_token=store.access_token)
    dagster_instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, ["truth-store"])
    write_ground_truth(store, tenant_ground_truth("truth-store"))
    yield "truth-store", store
    server.stop()


def test_simulator_store_resolves_within_quality_targets_shown_as_metadata(evaluated_tenant, dagster_instance):
    tenant, store = evaluated_tenant
    result = sync(dagster_instance, tenant, assets=IDENTITY)
    meta = asset_metadata(result, "profile_members")
    assert meta["pairwise_precision"] >= 0.99
    assert meta["pairwise_recall"] >= 0.97
    assert meta["junk_or_hub_merges"] == 0
    assert meta["largest_profile_accounts"] <= 3
    assert meta["accounts_evaluated"] == store.count("customers")


def test_second_run_with_no_new_data_changes_no_profile(tenants, dagster_instance):
    tenant = tenants[0]
    sync(dagster_instance, tenant, assets=IDENTITY)
    before = read_table(tenant_warehouse(tenant), "profile_members").drop(columns=["_dlt_load_id", "_dlt_id"])
    again = sync(dagster_instance, tenant, assets=(customer_identifiers, identity_resolution))
    after = read_table(tenant_warehouse(tenant), "profile_members").drop(columns=["_dlt_load_id", "_dlt_id"])
    key = ["source_key"]
    pd.testing.assert_frame_equal(before.sort_values(key, ignore_index=True), after.sort_values(key, ignore_index=True))
    assert asset_metadata(again, "merge_history")["merges"] == 0


def _household(n):
    return {"source_customer_key": f"shopify:{n}", "email_raw": f"kid{n}@yahoo.com",
            "phone_raw": "212-555-0199", "first_name": "Sam", "last_name": "Lee", "address_zip": None}


def test_reviewer_approval_through_the_cli_merges_the_group_on_the_next_run(registry):
    tenant = "review-store"
    registry.add(tenant, display_name="r", shop_domain="review-store.myshopify.com", access_token="x")
    rows = extract_identifiers([_household(n) for n in (1, 2, 3, 4)], [])
    write_tables(tenant, "identity", {"customer_identifiers": (rows, "replace", IDENTIFIER_COLUMNS)})
    url = get_settings().control_db_url
    run_resolution(tenant, url, "run-1")
    queue = read_table(tenant_warehouse(tenant), "manual_merge_queue")
    assert list(queue["status"]) == ["pending"]
    listing = CliRunner().invoke(main, ["identity", "queue", tenant])
    assert queue["group_key"][0] in listing.output and "phone +12125550199 x4" in listing.output

    decided = CliRunner().invoke(main, ["identity", "decide", tenant, queue["group_key"][0], "approve", "--by", "kim"])
    assert decided.exit_code == 0, decided.output
    run_resolution(tenant, url, "run-2")
    members = read_table(tenant_warehouse(tenant), "profile_members")
    assert members["profile_id"].nunique() == 1
    history = read_table(tenant_warehouse(tenant), "merge_history")
    manual = history[history["decided_by"] == "manual"]
    assert list(manual["run_id"]) == ["run-2"] and len(json.loads(manual["related_profile_ids"].iloc[0])) == 3


def test_decision_on_an_unknown_group_key_is_refused(registry):
    result = CliRunner().invoke(main, ["identity", "decide", "review-store", "not-a-key", "approve"])
    assert result.exit_code != 0 and "not a merge group key" in result.output

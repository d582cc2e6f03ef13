"""The code location loads and validates, and every per-tenant asset uses the one tenants partitioning."""

import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, Definitions

from commerce_pipeline.definitions import defs
from commerce_pipeline.tenants.partitions import tenants_partitions

REPO = Path(__file__).resolve().parents[2]


def test_definitions_validate_in_process():
    Definitions.validate_loadable(defs)


def test_shopify_assets_are_partitioned_by_tenant():
    graph = defs.resolve_asset_graph()
    for name in ("shopify_customers", "shopify_orders", "shopify_products"):
        assert graph.get(AssetKey(name)).partitions_def == tenants_partitions


def test_dagster_cli_validates_the_definitions(dagster_instance):
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(bin_dir / "dagster"), "definitions", "validate", "-m", "commerce_pipeline.definitions"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_model_assets_and_customer_360_follow_fresh_features_per_tenant():
    graph = defs.resolve_asset_graph()
    for name in ("churn_model", "lifetime_value_model", "segment_model", "customer_predictions",
                 "customer_360"):
        node = graph.get(AssetKey(name))
        assert node.partitions_def == tenants_partitions
        assert node.automation_condition is not None
    assert AssetKey("customer_features_at_cutoffs") in graph.get(AssetKey("churn_model")).parent_keys
    assert AssetKey("customer_predictions") in graph.get(AssetKey("customer_360")).parent_keys

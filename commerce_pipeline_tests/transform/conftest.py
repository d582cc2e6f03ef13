"""The test store built end to end on Postgres and as a leakage tenant, once per session, and
the store's raw records flattened for the independent pandas computations.

Building takes about a minute (four Dagster steps, three of them dbt), so the profile, feature,
mart and parity tests share one build instead of paying for it per test.
"""

from __future__ import annotations

import uuid

import pandas as pd
import pytest

from commerce_pipeline.simulator import Store
from commerce_pipeline_tests.stores import (  # noqa: F401 (the tests import these from here)
    CUTOFF_OFFSETS,
    EARLIER,
    STORE,
    BuiltTenant,
    build_tenant,
    make_store,
)

# `duckdb_store` (the same store on DuckDB) is in the package conftest: the model tests use it too.

@pytest.fixture(scope="session")
def postgres_store(tmp_path_factory, postgres_url) -> BuiltTenant:
    """The same store built on Postgres (schema dropped afterwards)."""
    tenant = f"profile-pg-{uuid.uuid4().hex[:8]}"
    env = {"COMMERCE_WAREHOUSE": "postgres", "COMMERCE_PG_URL": postgres_url.replace("+psycopg2", "")}
    built = build_tenant(tmp_path_factory.mktemp("postgres_store"), env, make_store(), tenant,
                         CUTOFF_OFFSETS)
    yield built
    from commerce_pipeline_tests.helpers import drop_pg_schema

    drop_pg_schema(postgres_url, built.warehouse.schema)


@pytest.fixture(scope="session")
def leakage_store(tmp_path_factory) -> BuiltTenant:
    """The same store in a tenant of its own, which the leakage test adds later data to."""
    return build_tenant(tmp_path_factory.mktemp("leakage"), {}, make_store(), "profile-leak")


@pytest.fixture(scope="session")
def features_as_of_earlier(leakage_store) -> pd.DataFrame:
    """customer_features of the leakage tenant rebuilt as of EARLIER, read before any test
    changes its data."""
    assert leakage_store.build_models(reference_date=EARLIER).success
    return leakage_store.table("customer_features").sort_values("profile_id", ignore_index=True)


# -- the store's raw records, flattened for the independent pandas computations ------------------
def gid_number(gid: str) -> int:
    return int(gid.rsplit("/", 1)[1])


def _money(node: dict, field: str) -> float:
    return float(node[field]["shopMoney"]["amount"])


def member_key(order: dict) -> str:
    """The profile_members source key of an order: its customer account, else the guest order."""
    if order["customer"]:
        return f"shopify:{gid_number(order['customer']['id'])}"
    return f"shopify-guest-order:{gid_number(order['id'])}"


def raw_orders(store: Store, members: dict[str, str]) -> pd.DataFrame:
    """Every order of the store with its profile, UTC order date and money, from the raw records."""
    rows = []
    for order in store.records("orders"):
        created = pd.Timestamp(order["createdAt"])
        rows.append({
            "order_id": gid_number(order["id"]), "profile_id": members[member_key(order)],
            "created_at": created, "order_date": created.date(),
            "counted": order["cancelledAt"] is None and not order["test"],
            "source_name": order["sourceName"], "total": _money(order, "totalPriceSet"),
            "refunded": _money(order, "totalRefundedSet"), "discounts": _money(order, "totalDiscountsSet"),
            "refunds": [(pd.Timestamp(r["createdAt"]).date(), _money(r, "totalRefundedSet")) for r in order["refunds"]],
            "lines": [(gid_number(li["product"]["id"]), li["quantity"], _money(li, "discountedTotalSet"))
                      for li in order["lineItems"]],
        })
    return pd.DataFrame(rows)

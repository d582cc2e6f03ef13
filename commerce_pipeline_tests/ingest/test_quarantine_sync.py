"""A record the mapper refuses lands in `shopify_quarantine` with its payload and reason; the rest loads."""

import json

from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import asset_metadata, scalar, sync


def _corrupt_two_orders(store):
    # The simulator's custom scalars pass values through untouched, so these reach
    # the client on the wire exactly as a malformed API record would.
    first, second = store.records("orders")[3], store.records("orders")[7]
    first["processedAt"] = "last tuesday"
    second["totalPriceSet"]["shopMoney"]["amount"] = "twelve"
    return {first["id"], second["id"]}


def test_malformed_records_are_quarantined_and_the_rest_loads(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    store = simulator.stores[tenant]
    bad_ids = _corrupt_two_orders(store)
    result = sync(dagster_instance, tenant)
    assert result.success
    meta = asset_metadata(result, "shopify_orders")
    assert meta["records_quarantined"] == 2
    assert meta["records_fetched"] == store.count("orders")
    assert scalar(tenant, "select count(*) from shopify_orders") == store.count("orders") - 2
    _, rows = query_readonly(
        tenant_warehouse(tenant),
        "select tenant_id, resource, source_id, reason, payload from shopify_quarantine order by source_id",
    )
    assert {json.loads(r[4])["id"] for r in rows} == bad_ids
    assert {r[0] for r in rows} == {tenant} and {r[1] for r in rows} == {"orders"}
    reasons = " | ".join(r[3] for r in rows)
    assert "processed_at" in reasons and "total_price" in reasons

"""A store's records in the shape the staging models give identity resolution.

The identifiers asset reads these columns from stg_shopify__customers and stg_shopify__orders;
benchmarks and tests that resolve a simulator store without running dlt and dbt build the same
rows here, from the records the API would serve.
"""

from __future__ import annotations

from commerce_pipeline.simulator.store import Store


def _gid(value: str) -> int:
    return int(value.rsplit("/", 1)[1])


def identity_inputs(store: Store) -> tuple[list[dict], list[dict]]:
    """(customers, orders) with the staging columns `extract_identifiers` reads."""
    customers = []
    for c in store.records("customers", keep=False):
        address = c.get("defaultAddress") or {}
        customers.append({"source_customer_key": f"shopify:{_gid(c['id'])}",
                          "email_raw": c.get("email"), "phone_raw": c.get("phone"),
                          "first_name": c.get("firstName"), "last_name": c.get("lastName"),
                          "address_line1": address.get("address1"), "address_zip": address.get("zip")})
    orders = [{"shopify_order_id": _gid(o["id"]), "email_raw": o.get("email"), "phone_raw": o.get("phone"),
               "shopify_customer_id": _gid(o["customer"]["id"]) if o.get("customer") else None}
              for o in store.records("orders", keep=False)]
    return customers, orders

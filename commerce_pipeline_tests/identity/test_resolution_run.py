"""The identity step's own reading and writing helpers, one behaviour each."""

import math

import numpy as np
import pandas as pd

from commerce_pipeline.identity.identifiers import extract_identifiers
from commerce_pipeline.identity.resolution import resolve
from commerce_pipeline.identity.resolution_run import records_of
from commerce_pipeline.identity.tables import IDENTIFIER_COLUMNS, read_identifiers, read_table
from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.storage import tenant_warehouse


def _same(a, b) -> bool:
    both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    return a is b or a == b or both_nan


def test_records_of_gives_what_to_dict_records_gives():
    frame = pd.DataFrame({
        "at": pd.to_datetime(["2026-01-01", None, "2026-01-01"]).tz_localize("UTC"),
        "naive": pd.to_datetime(["2026-01-01", "2026-01-02", None]),
        "text": ["a", None, "b"], "number": [1, 2, 3], "real": [1.5, np.nan, 2.0]})
    expected, got = frame.to_dict("records"), records_of(frame)
    assert len(got) == len(expected)
    for want, row in zip(expected, got):
        assert list(row) == list(want)
        assert all(type(row[k]) is type(want[k]) and _same(row[k], want[k]) for k in want)


def test_read_identifiers_reads_what_read_table_reads(registry):
    tenant = "read-store"
    registry.add(tenant, display_name="r", shop_domain="read-store.myshopify.com", access_token="x")
    customers = [{"source_customer_key": f"shopify:{n}", "email_raw": f"a{n % 2}@yahoo.com",
                  "phone_raw": None, "first_name": "Ann", "last_name": "Lee",
                  "address_zip": "10001"}
                 for n in range(4)]
    write_tables(tenant, "identity", {"customer_identifiers": (
        extract_identifiers(customers, []), "replace", IDENTIFIER_COLUMNS)})
    warehouse = tenant_warehouse(tenant)
    expected = read_table(warehouse, "customer_identifiers")
    pd.testing.assert_frame_equal(read_identifiers(warehouse), expected)


def test_resolve_reports_the_time_of_each_phase():
    customers = [{"source_customer_key": "shopify:1", "email_raw": "ann@yahoo.com"}]
    seconds = resolve(pd.DataFrame(extract_identifiers(customers, []))).seconds
    assert list(seconds) == ["graph", "components", "queue", "stable_ids", "history", "members"]

"""The rows the audience step writes to the warehouse."""

import math

import pandas as pd

from commerce_pipeline.marketing.audience import warehouse_rows


def test_warehouse_rows_are_plain_values_with_none_for_anything_missing():
    frame = pd.DataFrame({"profile_id": ["p1", "p2", "p3"], "first_name": ["Ana", None, float("nan")],
                          "churn_probability": [0.25, float("nan"), 1.0], "campaign": [None, "win_back", "vip"]},
                         dtype=object).astype({"churn_probability": float})
    rows = warehouse_rows(frame)
    assert rows == [{"profile_id": "p1", "first_name": "Ana", "churn_probability": 0.25, "campaign": None},
                    {"profile_id": "p2", "first_name": None, "churn_probability": None, "campaign": "win_back"},
                    {"profile_id": "p3", "first_name": None, "churn_probability": 1.0, "campaign": "vip"}]
    assert type(rows[0]["churn_probability"]) is float and not any(
        isinstance(v, float) and math.isnan(v) for row in rows for v in row.values())
    assert rows == frame.astype(object).where(frame.notna(), None).to_dict("records")

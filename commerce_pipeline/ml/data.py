"""Reading the model assets' inputs from a tenant's warehouse and writing predictions."""

from __future__ import annotations

from datetime import date

import pandas as pd

from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.ingest.shopify.columns import column_hints
from commerce_pipeline.ml.settings import ModelSettings
from commerce_pipeline.ml.truth import evaluate_predictions, future_outcomes
from commerce_pipeline.storage import tenant_ground_truth, tenant_warehouse
from commerce_pipeline.warehouse import query_frame, readonly_duckdb

_T, _TS, _I, _F = "text", "timestamp", "bigint", "double"
PREDICTION_COLUMN_HINTS = column_hints(
    ("profile_id",), profile_id=_T, reference_date=_T, churn_probability=_F, churn_risk_band=_T,
    churn_source=_T, predicted_value=_F, value_window_days=_I, segment=_T, segment_source=_T,
    rfm_segment=_T, churn_model_version=_I, value_model_version=_I, segment_model_version=_I,
    scored_at=_TS, run_id=_T)


def _frame(tenant_id: str, sql: str) -> pd.DataFrame:
    """`query_frame`'s frame, read column-wise from DuckDB rather than as row tuples: 0.4 s of
    CPU instead of 2 s for the 270k feature rows of 100k customers. Dates stay dates and
    integers int64 (float64 with NULLs) as there; decimals arrive as the same doubles
    `float(Decimal)` gives, which is what every consumer here converts them to."""
    warehouse = tenant_warehouse(tenant_id)
    if warehouse.kind != "duckdb" or not warehouse.duckdb_path.exists():
        return query_frame(tenant_id, sql)  # PostgreSQL; or no warehouse, which it explains
    with readonly_duckdb(warehouse) as con:
        schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
        if warehouse.schema in schemas:
            con.execute(f"set search_path = '{warehouse.schema}'")
        cursor = con.execute(sql)
        types = {d[0]: str(d[1]) for d in cursor.description}
        frame = cursor.df()
    for name, kind in types.items():
        column = frame[name]
        if kind == "DATE":
            frame[name] = column.dt.date.where(column.notna(), None)
        elif pd.api.types.is_integer_dtype(column.dtype):
            frame[name] = column.astype("float64" if column.isna().any() else "int64")
    if "profile_id" in frame:
        frame["profile_id"] = frame["profile_id"].astype(str)
    return frame


def reference_date(tenant_id: str) -> date:
    value = query_frame(tenant_id, "select reference_date from feature_reference_date")["reference_date"]
    if value.empty or pd.isna(value.iloc[0]):
        raise RuntimeError(f"tenant '{tenant_id}' has no counted orders yet: nothing to train or score")
    return pd.Timestamp(value.iloc[0]).date()


def training_inputs(tenant_id: str) -> tuple[pd.DataFrame, pd.DataFrame, date]:
    """(features at every cutoff, counted orders with net revenue, reference date)."""
    cutoffs = _frame(tenant_id, "select * from customer_features_at_cutoffs")
    orders = _frame(tenant_id, "select profile_id, order_date, cast(total_price as double precision) "
                              "as total_price, cast(net_revenue as double precision) as net_revenue "
                              "from feature_orders")
    return cutoffs, orders, reference_date(tenant_id)


def scoring_inputs(tenant_id: str) -> tuple[pd.DataFrame, pd.DataFrame, date]:
    """(features as of the reference date, profile strength per profile, reference date)."""
    features = _frame(tenant_id, "select * from customer_features")
    profiles = _frame(tenant_id, "select profile_id, profile_strength from customer_profile")
    return features, profiles, reference_date(tenant_id)


def write_predictions(tenant_id: str, predictions: pd.DataFrame) -> None:
    rows = predictions.astype(object).where(predictions.notna(), None).to_dict("records")
    write_tables(tenant_id, "model_scoring", {"customer_predictions": (rows, "replace", PREDICTION_COLUMN_HINTS)})


def ground_truth_metrics(tenant_id: str, predictions: pd.DataFrame, features: pd.DataFrame,
                         reference: date, settings: ModelSettings) -> dict:
    """Where the tenant ships ground truth: the scored rows against the next windows."""
    path = tenant_ground_truth(tenant_id)
    if not path.exists():
        return {}
    members = query_frame(tenant_id, "select source_key, profile_id from profile_members")
    scored = predictions.merge(features[["profile_id", "recency_days"]], on="profile_id", how="left")
    return evaluate_predictions(
        scored, future_outcomes(path, members, reference, settings.churn_window_days),
        future_outcomes(path, members, reference, settings.value_window_days))

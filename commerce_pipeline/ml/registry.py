"""The model registry: every training is a version record (`model_versions` in the tenant's
warehouse) and, when a model was fitted, a pickled artifact beside the tenant's data.

Scoring reads the latest version that passed its quality gate, so a rejected retrain never
replaces a good model. The IO manager below is how Dagster assets reach it: a model asset's
output is recorded here, and a downstream input loads the latest promoted version.
"""

from __future__ import annotations

import json
import os
import pickle
from datetime import UTC, datetime
from pathlib import Path

from dagster import ConfigurableIOManager, InputContext, OutputContext

from commerce_pipeline.ingest.pipelines import write_tables
from commerce_pipeline.ingest.shopify.columns import column_hints
from commerce_pipeline.ml.trained import TrainedModel
from commerce_pipeline.storage import tenant_model_artifact, tenant_warehouse
from commerce_pipeline.warehouse import query_if_exists

_T, _TS, _I, _B = "text", "timestamp", "bigint", "bool"
VERSION_COLUMNS = column_hints(
    ("tenant_id", "model", "version", "status"), tenant_id=_T, model=_T, version=_I, status=_T,
    promoted=_B, reason=_T, trained_at=_TS, reference_date=_T, training_cutoff=_T, window_days=_I,
    data_window=_T, parameters=_T, metrics=_T, features=_T, artifact_location=_T, run_id=_T)


def versions(tenant_id: str, model: str | None = None) -> list[dict]:
    """The tenant's version records, oldest first (all models unless one is named)."""
    where = f" where model = '{model}'" if model else ""  # model names are ours, never user input
    found = query_if_exists(tenant_warehouse(tenant_id), "model_versions",
                            f"select * from model_versions{where} order by model, version")
    if found is None:
        return []
    columns, rows = found
    return [dict(zip(columns, row)) for row in rows]


def headline(row: dict) -> str:
    """A version's one telling number: forward-in-time ROC-AUC or Spearman, else silhouette."""
    metrics = json.loads(row.get("metrics") or "{}")
    split = metrics.get("forward") or metrics.get("holdout") or {}
    model = split.get("model", {}) if isinstance(split, dict) else {}
    label = "forward" if "forward" in metrics else "holdout"
    for key in ("roc_auc", "spearman"):
        if model.get(key) is not None:
            return f"{label} {key} {model[key]:.3f}"
    if metrics.get("silhouette") is not None:
        return f"silhouette {metrics['silhouette']:.3f} (k={metrics.get('k')})"
    return ""


def _write_artifact(path: Path, trained: TrainedModel) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as f:
        pickle.dump(trained, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)  # a crash mid-write never leaves a truncated artifact behind


def record(trained: TrainedModel, run_id: str) -> dict:
    """Give `trained` the next version number, store its artifact, append its record."""
    existing = [r["version"] for r in versions(trained.tenant_id, trained.model)]
    trained.version = max(existing, default=0) + 1
    trained.trained_at = trained.trained_at or datetime.now(UTC)
    location = None
    if trained.trained:
        path = tenant_model_artifact(trained.tenant_id, trained.model, trained.version)
        _write_artifact(path, trained)
        location = str(path)
    row = {"tenant_id": trained.tenant_id, "model": trained.model, "version": trained.version,
           "status": trained.status, "promoted": trained.status == "promoted", "reason": trained.reason,
           "trained_at": trained.trained_at, "reference_date": trained.data_window.get("reference_date"),
           "training_cutoff": trained.data_window.get("training_cutoff"),
           "window_days": trained.data_window.get("window_days"),
           "data_window": json.dumps(trained.data_window, sort_keys=True, default=str),
           "parameters": json.dumps(trained.parameters, sort_keys=True, default=str),
           "metrics": json.dumps(trained.metrics, sort_keys=True, default=str),
           "features": json.dumps(list(trained.features)), "artifact_location": location, "run_id": run_id}
    write_tables(trained.tenant_id, "model_registry", {"model_versions": ([row], "append", VERSION_COLUMNS)})
    return row


def latest_promoted(tenant_id: str, model: str) -> TrainedModel | None:
    """The newest version of `model` that passed its quality gate, loaded; None if none has."""
    promoted = [r for r in versions(tenant_id, model) if r["promoted"]]
    if not promoted:
        return None
    newest = promoted[-1]
    path = Path(newest["artifact_location"])
    if not path.exists():
        raise FileNotFoundError(f"tenant '{tenant_id}': {model} version {newest['version']} is promoted "
                                f"but its artifact is missing at {path}")
    with path.open("rb") as f:
        return pickle.load(f)


class ModelRegistryIOManager(ConfigurableIOManager):
    """Model assets' outputs go to the registry; inputs get the latest promoted version (or
    None, when no version of that model has passed its gate: the consumer falls back)."""

    def handle_output(self, context: OutputContext, obj: TrainedModel) -> None:
        if obj.status == "not_due":  # nothing was trained: no new version to record
            context.add_output_metadata({"version": "unchanged"})
            return
        row = record(obj, context.run_id)
        context.add_output_metadata({"version": row["version"], "promoted": row["promoted"],
                                     "artifact": row["artifact_location"] or "none (not trained)"})

    def load_input(self, context: InputContext) -> TrainedModel | None:
        model = context.upstream_output.asset_key.path[-1]
        return latest_promoted(context.asset_partition_key, model)

"""Asset metadata for the Dagster UI: headline numbers, the full metrics, and plots."""

from __future__ import annotations

import numpy as np
from dagster import MetadataValue

from commerce_pipeline.ml.metrics import decile_table, roc_points
from commerce_pipeline.ml.plots import (
    bar_png,
    decile_png,
    markdown_image,
    roc_curve_png,
    scatter_png,
)
from commerce_pipeline.ml.trained import TrainedModel

HEADLINE = {"churn_model": ("roc_auc", "pr_auc", "brier", "f1"),
            "lifetime_value_model": ("spearman", "normalized_gini", "rmse", "total_ratio")}


def _headline(trained: TrainedModel) -> dict:
    out = {}
    for split, by_name in trained.metrics.items():
        if not isinstance(by_name, dict):
            continue
        for name, metrics in by_name.items():
            if not isinstance(metrics, dict):
                continue
            for metric in HEADLINE.get(trained.model, ()):
                if metrics.get(metric) is not None:
                    out[f"{split}_{name}_{metric}"] = float(metrics[metric])
    return out


def _top(importance: dict, n: int = 12) -> dict:
    return dict(sorted(importance.items(), key=lambda kv: -kv[1])[:n])


def _plots(trained: TrainedModel, details: dict) -> dict:
    plots = {}
    split = "forward" if "forward" in details else "holdout"
    truth = details.get(f"{split}_truth")
    scores = details.get(split)
    if truth is None or scores is None:
        return plots
    if trained.model == "churn_model":
        curves = {name: tuple(roc_points(truth, s).values()) for name, s in scores.items()}
        aucs = {name: trained.metrics[split][name].get("roc_auc") for name in scores}
        plots["roc_curve"] = roc_curve_png(curves, f"Churn ROC ({split})", aucs)
        plots["lift_chart"] = decile_png(decile_table(truth, scores["model"]), f"Churn by decile ({split})")
    else:
        plots["lift_chart"] = decile_png(decile_table(truth, scores["model"]), f"Value by decile ({split})")
        plots["predicted_vs_actual"] = scatter_png(truth, scores["model"], f"Window value ({split})")
    if details.get("importance"):
        plots["feature_importance"] = bar_png(_top(details["importance"]), "Feature importance", "gain")
    return plots


def model_metadata(trained: TrainedModel, details: dict | None = None) -> dict:
    meta = {"tenant": trained.tenant_id, "status": trained.status, "reason": trained.reason,
            "data_window": MetadataValue.json(trained.data_window)}
    if trained.metrics:
        meta["metrics"] = MetadataValue.json(trained.metrics)
    meta.update(_headline(trained))
    if trained.model == "segment_model" and trained.trained:
        sizes = trained.metrics["segment_sizes"]
        meta.update(k=trained.metrics["k"], silhouette=trained.metrics["silhouette"],
                    inertia=trained.metrics["inertia"])
        meta["segment_sizes_plot"] = MetadataValue.md(markdown_image(
            bar_png({str(k): float(v) for k, v in sizes.items()}, "Segment sizes", "customers"),
            "segment sizes"))
    for name, png in _plots(trained, details or {}).items():
        meta[name] = MetadataValue.md(markdown_image(png, name.replace("_", " ")))
    return meta


def predictions_metadata(tenant_id: str, predictions, truth_metrics: dict) -> dict:
    meta = {"tenant": tenant_id, "profiles_scored": len(predictions),
            "churn_source": str(predictions["churn_source"].iloc[0]) if len(predictions) else "none",
            "segment_source": str(predictions["segment_source"].iloc[0]) if len(predictions) else "none",
            "segments": MetadataValue.json(predictions["segment"].value_counts().to_dict()),
            "risk_bands": MetadataValue.json(predictions["churn_risk_band"].value_counts().to_dict())}
    if predictions["predicted_value"].notna().any():
        meta["predicted_value_total"] = float(np.round(predictions["predicted_value"].astype(float).sum(), 2))
    for key, metrics in truth_metrics.items():
        for metric in ("roc_auc", "spearman", "normalized_gini", "total_ratio"):
            if metrics.get(metric) is not None:
                meta[f"ground_truth_{key}_{metric}"] = float(metrics[metric])
    return meta

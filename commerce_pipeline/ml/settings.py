"""Per-tenant model settings: label windows, retraining cadence, minimums and risk bands.

Defaults suit a typical online store (most repeat buyers come back within a quarter); a
merchant changes them with `commerce-pipeline models settings TENANT --set name=value`. They
live in the control plane, next to the tenant registry, because people change them outside
any run and the next run reads them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from commerce_pipeline.tenant_settings import TenantSettingsStore


class InvalidModelSetting(ValueError):
    pass


@dataclass(frozen=True)
class ModelSettings:
    churn_window_days: int = 90  # churned = no purchase within this many days after the cutoff
    value_window_days: int = 180  # lifetime value = net revenue within this many days
    retrain_every_days: int = 7  # scoring follows every feature refresh; training at most this often
    min_customers: int = 200  # customers with an order at the training cutoff
    min_positives: int = 20  # of each class (churners and stayers; buyers for value)
    holdout_share: float = 0.2  # customers held out for the out-of-sample evaluation
    promotion_margin: float = 0.0  # a new model must beat every baseline by more than this
    high_risk_probability: float = 0.7  # churn risk bands: high at or above this...
    medium_risk_probability: float = 0.4  # ...medium at or above this, else low
    segments_k_min: int = 3
    segments_k_max: int = 8
    seed: int = 0

    def __post_init__(self):
        for name in ("churn_window_days", "value_window_days", "retrain_every_days", "min_customers",
                     "min_positives", "segments_k_min"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise InvalidModelSetting(f"{name} must be a positive whole number, got {getattr(self, name)!r}")
        if not 0.05 <= self.holdout_share <= 0.5:
            raise InvalidModelSetting(f"holdout_share must be between 0.05 and 0.5, got {self.holdout_share}")
        if not 0 < self.medium_risk_probability < self.high_risk_probability < 1:
            raise InvalidModelSetting("risk bands need 0 < medium_risk_probability < high_risk_probability < 1")
        if not 2 <= self.segments_k_min <= self.segments_k_max <= 8:  # eight segment names
            raise InvalidModelSetting("segments need 2 <= segments_k_min <= segments_k_max <= 8")

    def with_changes(self, changes: dict[str, str | int | float]) -> ModelSettings:
        """Apply name=value changes, converting strings to each field's type."""
        types = {f.name: type(getattr(self, f.name)) for f in fields(self)}
        converted = {}
        for name, value in changes.items():
            if name not in types:
                raise InvalidModelSetting(f"unknown model setting {name!r}; known: {', '.join(sorted(types))}")
            try:
                converted[name] = types[name](value)
            except (TypeError, ValueError):
                kind = "whole number" if types[name] is int else "number"
                raise InvalidModelSetting(f"{name} must be a {kind}, got {value!r}") from None
        return replace(self, **converted)

    def feature_cutoff_offsets(self) -> list[int]:
        """Days before the reference date at which dbt computes features: now (scoring), one
        window back (training, labelled by the latest window) and two windows back (the
        forward-in-time evaluation trains there and tests one window later)."""
        windows = (self.churn_window_days, self.value_window_days)
        return sorted({0, *windows, *(2 * w for w in windows)})


class ModelSettingsStore(TenantSettingsStore[ModelSettings]):
    table = "model_settings"
    settings_class = ModelSettings


def describe(settings: ModelSettings) -> dict:
    return asdict(settings)

"""Model assets per tenant: churn, lifetime value and segments (trained and recorded in the
model registry), then `customer_predictions` scored with the latest promoted versions.

Training follows fresh features automatically but refits at most every `retrain_every_days`
(a per-tenant setting); scoring follows every refresh. Run config `force_retrain` refits now.
"""


from datetime import UTC, datetime, timedelta

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AutomationCondition,
    Config,
    MaterializeResult,
    Output,
    asset,
)
from pydantic import Field

from commerce_pipeline.ml import data
from commerce_pipeline.ml.churn import CHURN
from commerce_pipeline.ml.lifetime_value import LIFETIME_VALUE
from commerce_pipeline.ml.registry import latest_promoted, versions
from commerce_pipeline.ml.reporting import model_metadata, predictions_metadata
from commerce_pipeline.ml.scoring import score
from commerce_pipeline.ml.segment_training import train_segments
from commerce_pipeline.ml.settings import ModelSettings, ModelSettingsStore
from commerce_pipeline.ml.supervised import train
from commerce_pipeline.ml.trained import TrainedModel
from commerce_pipeline.resources import TenantRegistryResource
from commerce_pipeline.tenants.partitions import tenants_partitions

EAGER = AutomationCondition.eager()
MODEL_DEPS = [AssetKey("customer_features_at_cutoffs"), AssetKey("feature_orders")]


class ModelTrainingConfig(Config):
    force_retrain: bool = Field(default=False, description="refit now even if the last fit is recent")
    parameters: dict[str, float] = Field(
        default={}, description="LightGBM parameter overrides for this fit (an experiment); the "
        "quality gate still decides whether the result is promoted")

    def lightgbm_parameters(self) -> dict:
        # Config values arrive as floats; LightGBM wants whole-number parameters as ints.
        return {k: int(v) if float(v).is_integer() else v for k, v in self.parameters.items()}


def _settings(tenant_registry: TenantRegistryResource, tenant_id: str) -> ModelSettings:
    with ModelSettingsStore(tenant_registry.control_db_url_or_default()) as store:
        return store.get(tenant_id)


def retrain_due(tenant_id: str, model: str, settings: ModelSettings, now: datetime) -> str | None:
    """None when a refit is due, else why not (a version younger than the cadence exists).
    A skipped attempt never counts: a growing tenant is retried on every refresh."""
    fitted = [r for r in versions(tenant_id, model) if r["status"] != "skipped"]
    if not fitted:
        return None
    last = fitted[-1]["trained_at"]
    last = last if last.tzinfo else last.replace(tzinfo=UTC)
    if now - last >= timedelta(days=settings.retrain_every_days):
        return None
    return (f"not retrained: version {fitted[-1]['version']} was fitted {last:%Y-%m-%d %H:%M} UTC and "
            f"this tenant retrains every {settings.retrain_every_days} days (force with force_retrain)")


def _train(context, config, tenant_registry, model: str, fit) -> Output:
    tenant_id = context.partition_key
    settings = _settings(tenant_registry, tenant_id)
    now = datetime.now(UTC)
    waiting = None if config.force_retrain else retrain_due(tenant_id, model, settings, now)
    if waiting:
        context.log.info(f"tenant '{tenant_id}' {model}: {waiting}")
        trained = TrainedModel(model, tenant_id, "not_due", waiting)
        return Output(trained, metadata=model_metadata(trained))
    trained, details = fit(tenant_id, settings, now)
    log = context.log.info if trained.status == "promoted" else context.log.warning
    log(f"tenant '{tenant_id}' {model} {trained.status}: {trained.reason}")
    return Output(trained, metadata=model_metadata(trained, details))


def _supervised(task, config: ModelTrainingConfig):
    def fit(tenant_id, settings, now):
        cutoffs, orders, reference = data.training_inputs(tenant_id)
        return train(task, tenant_id, cutoffs, orders, reference, settings, now, config.lightgbm_parameters())
    return fit


_MODEL = dict(partitions_def=tenants_partitions, automation_condition=EAGER, group_name="models",
              io_manager_key="model_registry")


@asset(deps=MODEL_DEPS, kinds={"python", "lightgbm"}, **_MODEL,
       description="LightGBM churn classifier (no purchase within the churn window), evaluated on "
       "held-out customers and forward in time against recency and purchase-rate baselines.")
def churn_model(context: AssetExecutionContext, config: ModelTrainingConfig,
                tenant_registry: TenantRegistryResource) -> Output[TrainedModel]:
    return _train(context, config, tenant_registry, "churn_model", _supervised(CHURN, config))


@asset(deps=MODEL_DEPS, kinds={"python", "lightgbm"}, **_MODEL,
       description="LightGBM regressor of each customer's net revenue in the value window, evaluated "
       "on held-out customers and forward in time against historical-rate and previous-window baselines.")
def lifetime_value_model(context: AssetExecutionContext, config: ModelTrainingConfig,
                         tenant_registry: TenantRegistryResource) -> Output[TrainedModel]:
    return _train(context, config, tenant_registry, "lifetime_value_model", _supervised(LIFETIME_VALUE, config))


@asset(deps=[AssetKey("customer_features"), AssetKey("customer_profile")], kinds={"python", "scikitlearn"},
       **_MODEL, description="KMeans segments on scaled RFM and profile strength, k by silhouette, "
       "clusters named by their centroids with names kept across retrains.")
def segment_model(context: AssetExecutionContext, config: ModelTrainingConfig,
                  tenant_registry: TenantRegistryResource) -> Output[TrainedModel]:
    def fit(tenant_id, settings, now):
        features, profiles, reference = data.scoring_inputs(tenant_id)
        previous = latest_promoted(tenant_id, "segment_model")
        return train_segments(tenant_id, features, profiles, reference, settings, previous, now), {}
    return _train(context, config, tenant_registry, "segment_model", fit)


@asset(partitions_def=tenants_partitions, automation_condition=EAGER, group_name="models",
       ins={name: AssetIn(name) for name in ("churn_model", "lifetime_value_model", "segment_model")},
       deps=[AssetKey("customer_features"), AssetKey("customer_profile")], kinds={"python", "dlt"},
       description="Per profile: churn probability and risk band, predicted value, segment and the "
       "model versions behind them; RFM rule segments where no model is promoted.")
def customer_predictions(context: AssetExecutionContext, tenant_registry: TenantRegistryResource,
                         churn_model: TrainedModel | None, lifetime_value_model: TrainedModel | None,
                         segment_model: TrainedModel | None) -> MaterializeResult:
    tenant_id = context.partition_key
    settings = _settings(tenant_registry, tenant_id)
    features, profiles, reference = data.scoring_inputs(tenant_id)
    predictions = score(features, profiles, churn_model, lifetime_value_model, segment_model, settings,
                        datetime.now(UTC), context.run.run_id)
    data.write_predictions(tenant_id, predictions)
    truth = data.ground_truth_metrics(tenant_id, predictions, features, reference, settings)
    return MaterializeResult(metadata=predictions_metadata(tenant_id, predictions, truth))


model_assets = [churn_model, lifetime_value_model, segment_model, customer_predictions]

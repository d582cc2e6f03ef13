"""Declarative automation: downstream assets follow a tenant's fresh ingestion, per partition."""

from dagster import AssetSelection, AutomationConditionSensorDefinition, DefaultSensorStatus

automation_sensor = AutomationConditionSensorDefinition(
    "commerce_automation",
    target=AssetSelection.all(),
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Materializes downstream assets (dbt models, ...) for each tenant whose parents updated.",
)

"""Resources, registered in one place."""

from __future__ import annotations

from dagster import ConfigurableResource
from dagster_dlt import DagsterDltResource
from pydantic import Field

from commerce_pipeline.settings import get_settings


class TenantRegistryResource(ConfigurableResource):
    """The control-plane tenant registry (SQLite under the data home unless configured)."""

    control_db_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to COMMERCE_CONTROL_DB_URL or SQLite"
    )

    def control_db_url_or_default(self) -> str:
        return self.control_db_url or get_settings().control_db_url

    def registry(self):
        from commerce_pipeline.tenants.registry import TenantRegistry

        return TenantRegistry(self.control_db_url_or_default())


class ShopifySyncResource(ConfigurableResource):
    """How Shopify syncs behave; defaults come from the environment."""

    sync_lag_seconds: float | None = Field(
        default=None, description="how far the updated_at window trails the clock"
    )
    mode: str = Field(default="auto", description="auto (bulk first, then pages), bulk or pages")
    # The first pause between bulk status polls; it grows to a quarter of the time waited (bulk.py).
    # A large first sync runs its windows back to back, so each completion noticed late idles the
    # shop: 0.25 s instead of 1 s took a 30k-customer store's ingestion from 40-44 s to 35-37 s.
    bulk_poll_interval: float = Field(default=0.25, description="seconds before the first bulk status poll")
    max_attempts: int = Field(default=6, description="tries per request on 429, 5xx and network errors")
    backoff_base_seconds: float = Field(default=0.5, description="first retry delay; doubles per try")

    def client_factory(self):
        from commerce_pipeline.ingest.shopify.client import RetryPolicy, ShopifyGraphQLClient

        policy = RetryPolicy(max_attempts=self.max_attempts, backoff_base=self.backoff_base_seconds)
        return lambda connection: ShopifyGraphQLClient(connection, policy=policy)

    def lag(self) -> float:
        if self.sync_lag_seconds is not None:
            return self.sync_lag_seconds
        return get_settings().sync_lag_seconds


def build_resources() -> dict:
    from commerce_pipeline.marketing.resources import SendGridResource
    from commerce_pipeline.ml.registry import ModelRegistryIOManager
    from commerce_pipeline.transform.project import dbt_project
    from commerce_pipeline.transform.resource import CommerceDbtCliResource

    return {
        "dbt": CommerceDbtCliResource(project_dir=dbt_project),
        "dlt": DagsterDltResource(),
        "tenant_registry": TenantRegistryResource(),
        "shopify_sync": ShopifySyncResource(),
        "model_registry": ModelRegistryIOManager(),
        "sendgrid": SendGridResource(),
    }

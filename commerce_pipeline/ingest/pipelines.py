"""dlt pipelines: one per tenant and source, so cursors and state never collide."""

from __future__ import annotations

import tempfile
from pathlib import Path

import dlt

from commerce_pipeline.ingest.shopify.arrow_tables import upgrade_version_log_schema
from commerce_pipeline.settings import Settings
from commerce_pipeline.storage import tenant_home, tenant_warehouse


def pipeline_name(source: str, tenant_id: str) -> str:
    return f"{source}_{tenant_id.replace('-', '_')}"


def tenant_pipeline(source: str, tenant_id: str, settings: Settings | None = None) -> dlt.Pipeline:
    warehouse = tenant_warehouse(tenant_id, settings)
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name(source, tenant_id),
        pipelines_dir=str(tenant_home(tenant_id, settings) / "dlt"),
        destination=warehouse.dlt_destination(),
        dataset_name=warehouse.schema,
    )
    if source == "shopify":
        upgrade_version_log_schema(pipeline)
    return pipeline


def write_tables(tenant_id: str, source: str, tables: dict[str, tuple[list[dict], str, dict]]) -> None:
    """Load {table: (rows, write_disposition, columns)} in one dlt run of the tenant's pipeline
    for `source` (identity, model and marketing tables; the Shopify source loads itself)."""
    resources = [dlt.resource(rows, name=name, write_disposition=disposition, columns=columns)
                 for name, (rows, disposition, columns) in tables.items()]
    file_format = tenant_warehouse(tenant_id).loader_file_format
    tenant_pipeline(source, tenant_id).run(resources, loader_file_format=file_format).raise_on_failed_jobs()


def definitions_pipeline(source: str) -> dlt.Pipeline:
    """The pipeline @dlt_assets reads asset specs from; runs always use `tenant_pipeline`."""
    return dlt.pipeline(
        pipeline_name=f"{source}_definitions",
        pipelines_dir=str(Path(tempfile.gettempdir()) / "commerce_pipeline_dlt_definitions"),
        destination="duckdb",
        dataset_name=source,
    )

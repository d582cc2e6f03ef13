"""The one partitions definition every per-tenant asset uses: a partition is a tenant."""

from dagster import DynamicPartitionsDefinition

TENANTS_PARTITION_NAME = "tenants"
tenants_partitions = DynamicPartitionsDefinition(name=TENANTS_PARTITION_NAME)


def tenant_run_tags(tenant_id: str, **extra: str) -> dict[str, str]:
    """Tags every tenant run carries; the instance limits concurrency on `tenant`."""
    return {"tenant": tenant_id, **extra}

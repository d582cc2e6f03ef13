"""Tests of the tenant registry, credentials and the tenants CLI."""


def add_acme(registry, tenant_id="acme", **overrides):
    kwargs = dict(display_name="Acme Shoes", shop_domain="acme.myshopify.com") | overrides
    return registry.add(tenant_id, **kwargs)

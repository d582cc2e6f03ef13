"""A tenant's own blocklist: kept in the control plane, managed with the CLI, applied by
customer_identifiers on its next run."""

from click.testing import CliRunner

from commerce_pipeline.cli import main
from commerce_pipeline.identity.assets import customer_identifiers
from commerce_pipeline.identity.control import IdentityControl
from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.settings import get_settings
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline_tests.helpers import asset_metadata, scalar, sync


def cli(*args):
    return CliRunner().invoke(main, ["identity", *args])


def test_blocked_value_and_pattern_are_listed_until_unblocked(registry):
    registry.add("acme", display_name="a", shop_domain="acme.myshopify.com", access_token="x")
    assert cli("block", "acme", "phone", "(212) 555-0100").exit_code == 0
    assert cli("block", "acme", "email", r"orders@.*", "--pattern").exit_code == 0
    control = IdentityControl(get_settings().control_db_url)
    assert control.blocklist("acme") == ([("phone", "(212) 555-0100")], [("email", "orders@.*")])
    assert cli("block", "acme", "phone", "(212) 555-0100", "--unblock").exit_code == 0
    assert control.blocklist("acme") == ([], [("email", "orders@.*")])
    control.close()


def test_value_that_can_never_match_is_refused_at_once(registry):
    registry.add("acme", display_name="a", shop_domain="acme.myshopify.com", access_token="x")
    result = cli("block", "acme", "email", "not an email")
    assert result.exit_code != 0 and "does not normalise" in result.output


def test_invalid_pattern_is_refused(registry):
    registry.add("acme", display_name="a", shop_domain="acme.myshopify.com", access_token="x")
    result = cli("block", "acme", "email", "(unclosed", "--pattern")
    assert result.exit_code != 0 and "invalid pattern" in result.output


def test_next_identifiers_run_excludes_the_tenants_blocked_value(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging, customer_identifiers))
    email = scalar(tenant, "select value from customer_identifiers where kind = 'email' "
                           "and excluded_reason is null order by value limit 1")
    assert cli("block", tenant, "email", email.upper()).exit_code == 0
    again = sync(dagster_instance, tenant, assets=(customer_identifiers,))
    reasons = scalar(tenant, f"select string_agg(distinct excluded_reason, ',') from customer_identifiers "
                             f"where kind = 'email' and value = '{email}'")
    assert reasons == "tenant blocklist value"
    assert asset_metadata(again, "customer_identifiers")["tenant_blocklist_entries"] == 1

import pytest

from commerce_pipeline.tenants.plans import SYNC_PLANS, InvalidPlan, plan_cron, validate_plan


def test_scheduled_plans_map_to_their_crons():
    assert SYNC_PLANS == {"hourly": "0 * * * *", "daily": "0 2 * * *", "weekly": "0 3 * * 1"}


def test_manual_plan_is_valid_and_has_no_schedule():
    assert validate_plan("manual") == "manual"
    assert plan_cron("manual") is None


def test_unknown_plan_error_lists_the_valid_plans():
    with pytest.raises(InvalidPlan) as excinfo:
        validate_plan("monthly")
    message = str(excinfo.value)
    assert "'monthly'" in message
    for plan in ("hourly", "daily", "weekly", "manual"):
        assert plan in message

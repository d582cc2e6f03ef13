"""Sync plans: how often a tenant's stores are synced.

A plan maps to a cron schedule; "manual" tenants have no schedule and sync only
when someone runs `commerce-pipeline sync` (or launches a run by hand).
"""

from __future__ import annotations

SYNC_PLANS: dict[str, str] = {
    "hourly": "0 * * * *",
    "daily": "0 2 * * *",
    "weekly": "0 3 * * 1",
}
MANUAL_PLAN = "manual"
VALID_PLANS: tuple[str, ...] = (*SYNC_PLANS, MANUAL_PLAN)


class InvalidPlan(ValueError):
    pass


def validate_plan(name: object) -> str:
    if not isinstance(name, str) or name not in VALID_PLANS:
        raise InvalidPlan(
            f"invalid sync plan {name!r}: choose one of {', '.join(VALID_PLANS)}"
        )
    return name


def plan_cron(name: str) -> str | None:
    """The cron schedule of a plan, or None for the manual plan."""
    return SYNC_PLANS.get(validate_plan(name))

"""The pure choice of who gets which marketing email. An email sent twice, too often or
without consent costs a merchant trust, so every customer gets one row: send or skip, and the
first rule that decided. Settings live in `campaign_settings`."""

from __future__ import annotations

import math
from collections import namedtuple
from datetime import date, timedelta

import numpy as np
import pandas as pd

from commerce_pipeline.marketing.campaign_settings import (  # noqa: F401 (one import for callers)
    _EPOCH,
    CAMPAIGNS,
    CampaignSettings,
    CampaignSettingsStore,
    InvalidCampaignSetting,
    normalize_email,
)

# -- who gets which email --------------------------------------------------------------------
CUSTOMER_COLUMNS = ("profile_id", "email", "first_name", "marketing_consent", "segment", "churn_probability")
HISTORY_COLUMNS = ("profile_id", "email", "campaign", "sent_at")
RECIPIENT_COLUMNS = ("profile_id", "email", "first_name", "segment", "churn_probability", "campaign",
                     "decision", "reason", "period")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    if missing := [c for c in columns if c not in frame.columns]:
        raise ValueError(f"{what} lacks columns: {', '.join(missing)}")


def _missing(value: object) -> bool:
    if value is None:  # the common cases first: pd.isna costs more than the rest
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):  # numpy's float64 too
        return math.isnan(value)
    try:
        return bool(pd.isna(value))  # NaT, pd.NA...
    except (TypeError, ValueError):  # list-likes are values, not missing
        return False


def _shown(p: float, threshold: float) -> tuple[str, str]:
    """Two decimals, unless rounding would hide which side of the threshold p is on."""
    a, b = f"{p:.2f}", f"{threshold:.2f}"
    return (repr(p), repr(threshold)) if a == b and p != threshold else (a, b)


def campaign_for(segment: str | None, churn_probability: float | None,
                 settings: CampaignSettings) -> tuple[str | None, str]:
    """(campaign or None, why). Win-back comes first: a slipping customer needs the offer more
    than the thank-you, whatever their value segment says."""
    segment = None if _missing(segment) else str(segment)
    churn = None if _missing(churn_probability) else float(churn_probability)
    threshold = settings.winback_churn_probability
    if segment in settings.winback_segments:
        return "win_back", f"segment {segment}"
    if churn is not None and churn >= threshold:
        return "win_back", "churn probability {} >= {}".format(*_shown(churn, threshold))
    if segment in settings.vip_segments:
        return "vip_reward", f"segment {segment}"
    why = f"segment {segment if segment is not None else '(none)'} is not targeted"
    if churn is not None:
        why += " (churn probability {} < {})".format(*_shown(churn, threshold))
    return None, why


def period_key(campaign: str, today: date, settings: CampaignSettings) -> str:
    """The cooldown period `today` falls in, counted from 1970-01-01 in whole cooldowns; with
    tenant and profile it is the key that makes a send at most once, even across reruns."""
    days = settings.cooldown_days(campaign)
    start = _EPOCH + timedelta(days=(today - _EPOCH).days // days * days)
    return f"{campaign}/{start.isoformat()}/{days}d"


def _consent_problem(value: object) -> str | None:
    if _missing(value):
        return "no marketing consent (not recorded)"
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
        return None if bool(value) else "no marketing consent"
    return f"no marketing consent (unreadable value {value!r})"  # never guess a yes


def _history_index(history: pd.DataFrame | None, today: date) -> tuple[list[tuple[str, date]], dict, dict]:
    """(campaign, UTC send day) per earlier send, with row numbers by profile and by email."""
    if history is None or history.empty:
        return [], {}, {}
    _require(history, HISTORY_COLUMNS, "history")
    sent_at = pd.to_datetime(history["sent_at"], utc=True)  # naive times are taken as UTC
    sends, by_profile, by_email = [], {}, {}
    for i, (profile, email, campaign, at) in enumerate(zip(
            history["profile_id"], history["email"], history["campaign"], sent_at)):
        sends.append((str(campaign), today if pd.isna(at) else at.date()))  # undated: counted as today
        if not _missing(profile):
            by_profile.setdefault(str(profile), []).append(i)
        if normalize_email(email):
            by_email.setdefault(normalize_email(email), []).append(i)
    return sends, by_profile, by_email


def select_recipients(customers: pd.DataFrame, settings: CampaignSettings, suppressed: dict[str, str],
                      history: pd.DataFrame, today: date) -> pd.DataFrame:
    """One row per customer, sorted by profile_id: the campaign, send or skip, and the first
    rule that decided it. Earlier sends count by profile or by email, so a merged or re-keyed
    profile cannot dodge a cooldown or the frequency cap."""
    _require(customers, CUSTOMER_COLUMNS, "customers")
    frame = customers.loc[:, list(CUSTOMER_COLUMNS)].assign(profile_id=customers["profile_id"].astype(str))
    duplicated = frame["profile_id"][frame["profile_id"].duplicated()]
    if len(duplicated):
        raise ValueError(f"customers lists profile {duplicated.iloc[0]} more than once")
    blocked = {str(e).strip().lower(): reason for e, reason in suppressed.items()}
    sends, by_profile, by_email = _history_index(history, today)
    chosen: dict[str, str] = {}  # email -> the profile it goes to in this run
    periods = {campaign: period_key(campaign, today, settings) for campaign in CAMPAIGNS}
    rows = []
    for c in _records(frame.sort_values("profile_id", kind="stable")):
        campaign, why = campaign_for(c.segment, c.churn_probability, settings)
        email = normalize_email(c.email)
        earlier = sorted(set(by_profile.get(c.profile_id, [])) | set(by_email.get(email, [])))
        reason = _skip_reason(c, campaign, why, email, settings, blocked, [sends[i] for i in earlier], today)
        if reason is None and email in chosen:  # one inbox never gets two copies in one run
            reason = f"email already chosen for profile {chosen[email]}"
        if reason is None:
            chosen[email] = c.profile_id
        rows.append({
            "profile_id": c.profile_id, "email": email or (None if _missing(c.email) else c.email),
            "first_name": None if _missing(c.first_name) else c.first_name, "segment": c.segment,
            "churn_probability": None if _missing(c.churn_probability) else float(c.churn_probability),
            "campaign": campaign, "decision": "skip" if reason else "send",
            "reason": reason or f"{why}: {campaign}",
            "period": periods[campaign] if campaign else None})
    out = pd.DataFrame(rows, columns=list(RECIPIENT_COLUMNS), dtype=object)  # None stays None
    return out.astype({"churn_probability": float})


def _records(frame: pd.DataFrame):
    """itertuples(index=False), from each column's values as a list: iterating pyarrow-backed
    text columns value by value cost more than the rules."""
    row = namedtuple("Customer", frame.columns, rename=True)
    return map(row._make, zip(*(frame[name].tolist() for name in frame.columns)))


def _skip_reason(c, campaign: str | None, why: str, email: str | None, settings: CampaignSettings,
                 blocked: dict[str, str], earlier: list[tuple[str, date]], today: date) -> str | None:
    """The first rule this customer fails, in the documented order; None: send."""
    if campaign is None:
        return why
    if problem := _consent_problem(c.marketing_consent):
        return problem
    if email is None:
        return "missing email" if _missing(c.email) else f"invalid email {str(c.email).strip()!r}"
    if email in blocked:  # a bounce or unsubscribe always wins, even for the best customer
        return f"suppressed ({blocked[email]})"
    cooldown = settings.cooldown_days(campaign)
    recent = [day for name, day in earlier if name == campaign and (today - day).days < cooldown]
    if recent:
        return f"{campaign} sent {max(recent).isoformat()}, within the {cooldown}-day cooldown"
    period, cap = settings.frequency_period_days, settings.max_emails_per_period
    count = sum(1 for _, day in earlier if (today - day).days < period)
    if count >= cap:
        return f"{count} marketing email{'s' if count != 1 else ''} in the last {period} days (cap {cap})"
    return None

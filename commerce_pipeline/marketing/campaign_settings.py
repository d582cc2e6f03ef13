"""Per-tenant campaign settings, validated, kept in the control plane like the model settings:
which segments get which campaign, the offers, cooldowns and frequency cap, sender and branding."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from urllib.parse import urlsplit

from commerce_pipeline.tenant_settings import TenantSettingsStore

CAMPAIGNS = ("vip_reward", "win_back")
# One @, something on both sides, a dot inside the domain, no whitespace; the characters that
# could break out of an address header (<>",;) are refused as well.
_EMAIL = re.compile(r'^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$')
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TEMPLATE_ID = re.compile(r"^d-[0-9a-f]{32}$")  # SendGrid dynamic templates: "d-" + 32 hex
_EPOCH = date(1970, 1, 1)


class InvalidCampaignSetting(ValueError):
    pass


def normalize_email(value: object) -> str | None:
    """Trimmed and lower-cased, or None when missing or not a plausible address."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    return email if _EMAIL.match(email) else None


@dataclass(frozen=True)
class CampaignSettings:
    vip_segments: tuple[str, ...] = ("Champions", "Loyal")  # segments offered the VIP reward
    winback_segments: tuple[str, ...] = ("At Risk", "Lost", "Can't Lose Them")  # offered win-back
    winback_churn_probability: float = 0.7  # ...as is anyone whose churn probability is at least this
    vip_discount_percent: int = 15
    winback_discount_percent: int = 20
    vip_cooldown_days: int = 60  # a customer gets a given campaign at most once per cooldown
    winback_cooldown_days: int = 45
    max_emails_per_period: int = 2  # any marketing email at most this many times per period
    frequency_period_days: int = 30
    sender_email: str | None = None  # None: hello@<the tenant's shop domain>
    sender_name: str | None = None  # None: the tenant's display name
    reply_to: str | None = None  # None: replies go to the sender
    brand_color: str = "#1f6feb"  # #rrggbb, the header and button colour
    logo_url: str | None = None  # https image shown in the header; None: the brand name alone
    vip_template_id: str | None = None  # a SendGrid dynamic template instead of our Jinja2 one
    winback_template_id: str | None = None

    def __post_init__(self):
        for name in ("vip_segments", "winback_segments"):
            if isinstance(getattr(self, name), list):  # hashable even when built from a list
                object.__setattr__(self, name, tuple(getattr(self, name)))
        for name, (ok, expected) in _RULES.items():
            if not ok(getattr(self, name)):
                raise InvalidCampaignSetting(f"{name} must be {expected}, got {getattr(self, name)!r}")
        both = sorted(set(self.vip_segments) & set(self.winback_segments))
        if both:  # win-back would silently take them; say so instead
            raise InvalidCampaignSetting(f"segment {both[0]!r} is in both vip_segments and winback_segments")
        for name in ("sender_email", "reply_to"):  # compared trimmed and lower-cased everywhere
            object.__setattr__(self, name, getattr(self, name) and normalize_email(getattr(self, name)))

    def with_changes(self, changes: dict[str, object]) -> CampaignSettings:
        """Apply name=value changes, converting strings to each field's type: segment lists as
        comma-separated names, and an empty string clears an optional field back to its default."""
        defaults = {f.name: f.default for f in fields(self)}
        converted: dict[str, object] = {}
        for name, value in changes.items():
            if name not in defaults:
                known = ", ".join(sorted(defaults))
                raise InvalidCampaignSetting(f"unknown campaign setting {name!r}; known: {known}")
            converted[name] = _convert(name, defaults[name], value)
        return replace(self, **converted)

    def cooldown_days(self, campaign: str) -> int:
        if campaign not in CAMPAIGNS:
            raise ValueError(f"unknown campaign {campaign!r}; known: {', '.join(CAMPAIGNS)}")
        return self.vip_cooldown_days if campaign == "vip_reward" else self.winback_cooldown_days


def _segments(value: object) -> bool:
    names = isinstance(value, tuple) and all(isinstance(s, str) and s.strip() == s != "" and "," not in s
                                             for s in value)
    return names and len(set(value)) == len(value)


def _whole(low: int, high: int = 10**9):
    return lambda value: type(value) is int and low <= value <= high  # type(): a bool is no count


def _optional(check):
    return lambda value: value is None or (isinstance(value, str) and bool(check(value)))


def _https(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.netloc) and not any(c.isspace() for c in value)


_TEMPLATE = (_optional(_TEMPLATE_ID.match), "a SendGrid dynamic template id (d- and 32 hex digits)")
_RULES = {
    "vip_segments": (_segments, "distinct segment names without commas"),
    "winback_segments": (_segments, "distinct segment names without commas"),
    "winback_churn_probability": (lambda v: type(v) in (int, float) and 0 < v <= 1, "above 0 and at most 1"),
    "vip_discount_percent": (_whole(1, 100), "a whole number from 1 to 100"),
    "winback_discount_percent": (_whole(1, 100), "a whole number from 1 to 100"),
    **{name: (_whole(1), "a positive whole number") for name in (
        "vip_cooldown_days", "winback_cooldown_days", "max_emails_per_period", "frequency_period_days")},
    "sender_email": (_optional(normalize_email), "an email address"),
    "sender_name": (_optional(lambda v: v.strip() and not {"\r", "\n"} & set(v)), "one non-empty line"),
    "reply_to": (_optional(normalize_email), "an email address"),
    "brand_color": (lambda v: isinstance(v, str) and bool(_COLOR.match(v)), "a colour like #1f6feb"),
    "logo_url": (_optional(_https), "an https:// address"),
    "vip_template_id": _TEMPLATE,
    "winback_template_id": _TEMPLATE,
}


def _convert(name: str, default: object, value: object) -> object:
    """One setting from the CLI (a string) or the store (JSON: a list, number or null)."""
    if isinstance(default, tuple):
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            raise InvalidCampaignSetting(f"{name} must be comma-separated segment names, got {value!r}")
        return tuple(str(item).strip() for item in items if str(item).strip())
    if default is None or isinstance(default, str):
        text = value.strip() if isinstance(value, str) else value
        return None if text in ("", None) and default is None else text
    kind = type(default)
    try:
        if isinstance(value, bool) or (kind is int and isinstance(value, float) and not value.is_integer()):
            raise ValueError
        return kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise InvalidCampaignSetting(f"{name} must be a {'whole number' if kind is int else 'number'}, "
                                     f"got {value!r}") from None


class CampaignSettingsStore(TenantSettingsStore[CampaignSettings]):
    """Campaign settings changes per tenant (the latest change of each field wins)."""

    table = "campaign_settings"
    settings_class = CampaignSettings

"""Marketing emails rendered per tenant: branding, Jinja2 templates, discount codes and
personalisation (the dry-run outbox that shows them is outbox.py).

A campaign is rendered once with SendGrid substitution tags (-first_name-, -discount_code-) and
personalised per recipient by SendGrid, or by `personalize` for the outbox, the same way.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from commerce_pipeline.marketing.campaigns import CAMPAIGNS, CampaignSettings, normalize_email

SUBSTITUTION_TAGS = ("-first_name-", "-discount_code-")
UNSUBSCRIBE_TAG = "<%asm_group_unsubscribe_raw_url%>"  # SendGrid fills in the group's unsubscribe URL
CODE_PREFIX = {"vip_reward": "VIP", "win_back": "BACK"}
SUBJECTS = {"vip_reward": "A thank-you from {brand}: {percent}% off your next order",
            "win_back": "We miss you at {brand}: {percent}% off your next order"}
PROFILE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")  # a profile id that is a safe file name
_CODE = re.compile(r"^[A-Z0-9-]{1,40}$")
_UNSAFE_NAME = re.compile(r'[<>&"\x00-\x1f\x7f]')
_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Branding:
    brand_name: str
    sender_email: str
    sender_name: str
    reply_to: str | None
    brand_color: str
    logo_url: str | None
    shop_url: str


def branding_for(tenant_display_name: str, shop_domain: str, settings: CampaignSettings) -> Branding:
    """Everything tenant-specific in an email comes from here, so two tenants never share a
    sender or a brand by accident."""
    domain, name = shop_domain.strip().lower(), " ".join(tenant_display_name.split())
    sender = settings.sender_email or normalize_email(f"hello@{domain}")
    if not sender or not name:
        raise ValueError(f"no sender address or brand name for {tenant_display_name!r} at {shop_domain!r}")
    return Branding(brand_name=name, sender_email=sender, sender_name=settings.sender_name or name,
                    reply_to=settings.reply_to, brand_color=settings.brand_color,
                    logo_url=settings.logo_url, shop_url=f"https://{domain}")


@dataclass(frozen=True)
class RenderedCampaign:
    """One campaign for every recipient: subject, HTML and text still hold the substitution tags."""

    campaign: str
    subject: str
    html: str
    text: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Autoescape for *.html.j2 only: a brand like "Bob's <Shop>" is escaped in HTML and stays
    # as written in the text part. StrictUndefined: a typo in a template fails, never renders "".
    return Environment(loader=FileSystemLoader(_TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False,
                                                    default_for_string=False),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def check_campaign(campaign: str) -> str:
    if campaign not in CAMPAIGNS:
        raise ValueError(f"unknown campaign {campaign!r}; known: {', '.join(CAMPAIGNS)}")
    return campaign


def render_campaign(campaign: str, branding: Branding, settings: CampaignSettings) -> RenderedCampaign:
    percent = (settings.vip_discount_percent if check_campaign(campaign) == "vip_reward"
               else settings.winback_discount_percent)
    subject = " ".join(SUBJECTS[campaign].format(brand=branding.brand_name, percent=percent).split())
    context = {
        "brand": branding, "percent": percent, "subject": subject, "campaign": campaign,
        "first_name": SUBSTITUTION_TAGS[0], "discount_code": SUBSTITUTION_TAGS[1],
        # Campaign-tagged link so the merchant's analytics credit the email with the visit.
        "cta_url": f"{branding.shop_url}/?utm_source=email&utm_medium=email&utm_campaign={campaign}",
        "unsubscribe_url": Markup(UNSUBSCRIBE_TAG),  # SendGrid's tag must reach it unescaped
    }
    env = _environment()
    return RenderedCampaign(campaign=campaign, subject=subject,
                            html=env.get_template(f"{campaign}.html.j2").render(context),
                            text=env.get_template(f"{campaign}.txt.j2").render(context))


def discount_code(tenant_id: str, campaign: str, profile_id: str, period: str) -> str:
    """The same inputs always give the same code (a rerun re-sends nothing new), and a different
    tenant, profile or period gives another. 8 base32 characters: 40 bits."""
    key = "\x1f".join((tenant_id, check_campaign(campaign), profile_id, period))  # unambiguous join
    # base32 turns each 5 bytes into 8 characters: the digest's first 5 give its first 8
    digest = base64.b32encode(hashlib.sha256(key.encode()).digest()[:5]).decode()
    return f"{CODE_PREFIX[campaign]}-{digest}"


def substitutions(recipient_first_name: str | None, code: str) -> dict[str, str]:
    """SendGrid puts substitution values into the HTML part as raw text, so the name is made
    HTML-safe here by removing <, >, & and " (and control characters) rather than escaping
    them, which would show as &amp; in the text part. An empty result greets "there"."""
    name = recipient_first_name if isinstance(recipient_first_name, str) else ""
    name = " ".join(_UNSAFE_NAME.sub("", name).split())[:50]  # one short line
    for tag in SUBSTITUTION_TAGS:  # a name is never read as another tag
        name = name.replace(tag, "")
    if not _CODE.match(code):
        raise ValueError(f"discount code {code!r} must be upper-case letters, digits and hyphens")
    return {SUBSTITUTION_TAGS[0]: name.strip() or "there", SUBSTITUTION_TAGS[1]: code}


def personalize(rendered: RenderedCampaign, subs: dict[str, str]) -> tuple[str, str, str]:
    """(subject, html, text) with every tag replaced, in one pass so that a value is never
    substituted again: what SendGrid would send to this recipient."""
    if missing := [tag for tag in SUBSTITUTION_TAGS if tag not in subs]:
        raise ValueError(f"no value for {', '.join(missing)}")
    tags = tuple(sorted(subs, key=len, reverse=True))  # the longest tag first where two overlap

    def fill(part: str) -> str:
        pieces = list(_pieces(part, tags))  # text, tag, text, ..., text
        pieces[1::2] = [subs[tag] for tag in pieces[1::2]]
        return "".join(pieces)
    return fill(rendered.subject), fill(rendered.html), fill(rendered.text)


@lru_cache(maxsize=64)  # a campaign's three parts, split once for all its recipients
def _pieces(part: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(re.split("(" + "|".join(re.escape(tag) for tag in tags) + ")", part))

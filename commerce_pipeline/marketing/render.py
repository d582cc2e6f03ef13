"""Marketing emails rendered per tenant: branding, Jinja2 templates, discount codes, and a dry-run
outbox of .eml files a person can open in a browser before anything is really sent.

A campaign is rendered once with SendGrid substitution tags (-first_name-, -discount_code-) and
personalised per recipient by SendGrid, or by `personalize` for the outbox, the same way.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from commerce_pipeline.marketing import eml
from commerce_pipeline.marketing.campaigns import CAMPAIGNS, CampaignSettings, normalize_email
from commerce_pipeline.tenants.slugs import validate_tenant_id

SUBSTITUTION_TAGS = ("-first_name-", "-discount_code-")
UNSUBSCRIBE_TAG = "<%asm_group_unsubscribe_raw_url%>"  # SendGrid fills in the group's unsubscribe URL
CODE_PREFIX = {"vip_reward": "VIP", "win_back": "BACK"}
SUBJECTS = {"vip_reward": "A thank-you from {brand}: {percent}% off your next order",
            "win_back": "We miss you at {brand}: {percent}% off your next order"}
_PROFILE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")  # a profile id that is a safe file name
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


def _check_campaign(campaign: str) -> str:
    if campaign not in CAMPAIGNS:
        raise ValueError(f"unknown campaign {campaign!r}; known: {', '.join(CAMPAIGNS)}")
    return campaign


def render_campaign(campaign: str, branding: Branding, settings: CampaignSettings) -> RenderedCampaign:
    percent = (settings.vip_discount_percent if _check_campaign(campaign) == "vip_reward"
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
    key = "\x1f".join((tenant_id, _check_campaign(campaign), profile_id, period))  # unambiguous join
    digest = base64.b32encode(hashlib.sha256(key.encode()).digest()).decode()
    return f"{CODE_PREFIX[campaign]}-{digest[:8]}"


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
    pattern = re.compile("|".join(re.escape(tag) for tag in sorted(subs, key=len, reverse=True)))
    fill = lambda part: pattern.sub(lambda m: subs[m.group(0)], part)  # noqa: E731
    return fill(rendered.subject), fill(rendered.html), fill(rendered.text)


def _write_atomically(path: Path, data: bytes) -> None:
    # A reader (or a crash) never sees half a file; a rewrite simply replaces it. The temporary
    # name is this writer's own (process and thread), so no random name is needed.
    tmp = path.with_name(f".tmp-{path.name}.{os.getpid()}.{threading.get_ident()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(tmp, flags, 0o600)  # the mode mkstemp gave these files
    except FileNotFoundError:  # the first file of a campaign folder
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_outbox(folder: Path, *, tenant_id: str, campaign: str, profile_id: str, to_email: str,
                 to_name: str | None, branding: Branding, subject: str, html: str, text: str,
                 categories: list[str], custom_args: dict[str, str], sent_at: datetime | None = None,
                 index: bool = True) -> Path:
    """Write <folder>/<campaign>/<profile_id>.eml (text part first, HTML second, as mail clients
    expect) and, unless `index` is False (a caller writing many calls write_index once), rewrite
    <folder>/index.html. One file per campaign and profile: writing the same
    email again overwrites it. `sent_at` (default now) is the Date header.

    The bytes are an EmailMessage's with these headers in this order, set_content(text),
    add_alternative(html, subtype="html") and as_bytes(policy=SMTP), built by eml.py."""
    if not _PROFILE_FILE.match(profile_id):
        raise ValueError(f"profile id {profile_id!r} cannot name an outbox file")
    name = " ".join(to_name.split()) if isinstance(to_name, str) else ""  # a warehouse null may be NaN
    headers = [eml.folded_address("From", branding.sender_name, branding.sender_email),
               eml.folded_to(name, to_email)]
    if branding.reply_to:
        headers.append(eml.folded_address("Reply-To", "", branding.reply_to))
    headers += [eml.folded_text("Subject", subject),
                eml.folded_text("Date", format_datetime(sent_at or datetime.now(UTC))),
                eml.folded_text("X-Commerce-Tenant", validate_tenant_id(tenant_id)),
                eml.folded_text("X-Commerce-Campaign", _check_campaign(campaign)),
                eml.folded("X-Commerce-Profile", profile_id),
                eml.folded_text("X-Commerce-Categories", ", ".join(categories)),  # what SendGrid gets
                eml.folded("X-Commerce-Custom-Args", json.dumps(custom_args, sort_keys=True))]
    # A boundary from the content, not a random one: the same email rewrites to the same bytes.
    boundary = "=_" + hashlib.sha256(f"{text}\x1f{html}".encode()).hexdigest()[:32]
    path = Path(folder) / campaign / f"{profile_id}.eml"
    _write_atomically(path, eml.message_bytes(headers, boundary, text, html))  # CRLF lines
    if index:
        write_index(Path(folder))
    return path


def write_index(folder: Path) -> Path:
    """<folder>/index.html: one row per .eml in the outbox (campaign, profile, to, subject)."""
    rows = []
    # compat32 keeps each header's raw value (split as policy.default splits them) and builds
    # no header objects; eml.header_text reads the four cells as policy.default would.
    parser = BytesParser(policy=policy.compat32)
    for path in sorted(folder.glob("*/*.eml")):
        raw = path.read_bytes()
        end = raw.find(b"\r\n\r\n")  # the body plays no part in the headers
        headers = parser.parsebytes(raw if end < 0 else raw[:end + 4], headersonly=True)
        found = {}
        for name, value in headers.raw_items():  # the first of each, as Message.get finds it
            found.setdefault(name.lower(), (name, value))
        cells = [eml.header_text(*found[key]) if key in found else "" for key in
                 ("x-commerce-campaign", "x-commerce-profile", "to", "subject")]
        link = quote(path.relative_to(folder).as_posix())
        rows.append("<tr>" + "".join(f"<td>{html_lib.escape(str(cell))}</td>" for cell in cells)
                    + f'<td><a href="{html_lib.escape(link)}">open</a></td></tr>')
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Outbox</title></head>\n"
            f"<body>\n<h1>Outbox: {len(rows)} email{'s' if len(rows) != 1 else ''}</h1>\n"
            "<table border=\"1\" cellpadding=\"4\">\n"
            "<tr><th>Campaign</th><th>Profile</th><th>To</th><th>Subject</th><th>Email</th></tr>\n"
            + "\n".join(rows) + "\n</table>\n</body>\n</html>\n")
    index = folder / "index.html"
    _write_atomically(index, page.encode("utf-8"))
    return index

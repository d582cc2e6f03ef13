"""The dry-run outbox: each email as a .eml file a person can open before anything is really
sent, <folder>/<campaign>/<profile_id>.eml, and <folder>/index.html listing them all.

The bytes are built by eml.py, the email package's own output without its per-email cost.
"""

from __future__ import annotations

import contextlib
import hashlib
import html as html_lib
import json
import os
import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from commerce_pipeline.marketing import eml
from commerce_pipeline.marketing.render import PROFILE_FILE, Branding, check_campaign
from commerce_pipeline.tenants.slugs import validate_tenant_id

_INDEX_CELLS = ("x-commerce-campaign", "x-commerce-profile", "to", "subject")  # header names


class OutboxEmail(NamedTuple):
    relative: str  # <campaign>/<profile_id>.eml
    data: bytes
    index_row: str  # its row of index.html, as index_row() reads it back from the file


def outbox_email(*, tenant_id: str, campaign: str, profile_id: str, to_email: str, to_name: str | None,
                 branding: Branding, subject: str, html: str, text: str, categories: list[str],
                 custom_args: dict[str, str], sent_at: datetime | None = None) -> OutboxEmail:
    """One email of the outbox: text part first, HTML second, as mail clients expect. `sent_at`
    (default now) is the Date header.

    The bytes are an EmailMessage's with these headers in this order, set_content(text),
    add_alternative(html, subtype="html") and as_bytes(policy=SMTP), built by eml.py."""
    if not PROFILE_FILE.match(profile_id):
        raise ValueError(f"profile id {profile_id!r} cannot name an outbox file")
    name = " ".join(to_name.split()) if isinstance(to_name, str) else ""  # a warehouse null may be NaN
    (to, to_text), subject_line = eml.to_field(name, to_email), eml.folded_text("Subject", subject)
    campaign_line = eml.folded_text("X-Commerce-Campaign", check_campaign(campaign))
    profile_line = eml.folded_plain("X-Commerce-Profile", profile_id)
    headers = [eml.folded_address("From", branding.sender_name, branding.sender_email), to]
    if branding.reply_to:
        headers.append(eml.folded_address("Reply-To", "", branding.reply_to))
    headers += [subject_line,
                eml.folded_text("Date", format_datetime(sent_at)) if sent_at
                else _date_now(datetime.now(UTC).replace(microsecond=0)),
                eml.folded_text("X-Commerce-Tenant", validate_tenant_id(tenant_id)), campaign_line, profile_line,
                eml.folded_text("X-Commerce-Categories", ", ".join(categories)),  # what SendGrid gets
                eml.folded_plain("X-Commerce-Custom-Args", json.dumps(custom_args, sort_keys=True))]
    # A boundary from the content, not a random one: the same email rewrites to the same bytes.
    boundary = "=_" + hashlib.sha256(f"{text}\x1f{html}".encode()).hexdigest()[:32]
    relative = f"{campaign}/{profile_id}.eml"
    return OutboxEmail(relative, eml.message_bytes(headers, boundary, text, html),  # CRLF lines
                       _row(relative, [_shared_text(campaign_line), eml.field_text(profile_line),
                                       to_text, _shared_text(subject_line)]))


_shared_text = lru_cache(maxsize=64)(eml.field_text)  # a campaign's and a subject's: every email's


@lru_cache(maxsize=4)
def _date_now(second: datetime) -> bytes:  # format_datetime shows whole seconds
    return eml.folded_text("Date", format_datetime(second))


def write_outbox(folder: Path, *, index: bool = True, **email) -> Path:
    """Write outbox_email(**email) into `folder` and, unless `index` is False (a caller writing
    many calls write_index once), rewrite <folder>/index.html. One file per campaign and
    profile: writing the same email again overwrites it."""
    written = outbox_email(**email)
    path = os.path.join(folder, written.relative)
    write_atomically(path, written.data)
    if index:
        write_index(Path(folder))
    return Path(path)


def write_atomically(path: str, data: bytes) -> None:
    """A reader (or a crash) never sees half a file; a rewrite simply replaces it. The temporary
    name is this writer's own (process and thread), so no random name is needed. Plain
    strings, not Paths: pathlib's parsing cost more than the write, file after file."""
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".tmp-{name}.{os.getpid()}.{threading.get_ident()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(tmp, flags, 0o600)  # the mode mkstemp gave these files
    except FileNotFoundError:  # the first file of a campaign folder
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, flags, 0o600)
    try:
        try:  # os.write, not a file object: that costs three more system calls per file
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def index_row(relative: str, raw: bytes) -> str:
    """The index row of the email `raw` at `relative`: campaign, profile, to and subject as
    policy.default reads them, from each header's raw value (no header objects)."""
    end = raw.find(b"\r\n\r\n")  # the body plays no part in the headers
    found = eml.first_fields(raw if end < 0 else raw[:end + 4], _INDEX_CELLS)
    return _row(relative, [eml.header_text(*found[key]) if key in found else "" for key in _INDEX_CELLS])


def _row(relative: str, cells: list[str]) -> str:
    return ("<tr>" + "".join(f"<td>{html_lib.escape(str(cell))}</td>" for cell in cells)
            + f'<td><a href="{html_lib.escape(quote(relative))}">open</a></td></tr>')


def write_index(folder: Path, known: dict[str, str] | None = None) -> Path:
    """<folder>/index.html: one row per .eml in the outbox (campaign, profile, to, subject).
    `known`: index_row()s of emails this run has just written, by relative path, so that they
    are not read back; every other email is read from its file."""
    rows = []
    for path in sorted(Path(folder).glob("*/*.eml"), key=lambda p: p.parts):  # as Paths sort
        relative = f"{path.parent.name}/{path.name}"
        row = known.get(relative) if known else None
        rows.append(row if row is not None else index_row(relative, path.read_bytes()))
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Outbox</title></head>\n"
            f"<body>\n<h1>Outbox: {len(rows)} email{'s' if len(rows) != 1 else ''}</h1>\n"
            "<table border=\"1\" cellpadding=\"4\">\n"
            "<tr><th>Campaign</th><th>Profile</th><th>To</th><th>Subject</th><th>Email</th></tr>\n"
            + "\n".join(rows) + "\n</table>\n</body>\n</html>\n")
    index = Path(folder) / "index.html"
    write_atomically(str(index), page.encode("utf-8"))
    return index

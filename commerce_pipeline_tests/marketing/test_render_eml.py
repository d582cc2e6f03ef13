"""The outbox's .eml bytes and index cells are the email package's own, built faster (eml.py)."""

from __future__ import annotations

import hashlib
import html as html_lib
import itertools
import json
import random
import string
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.contentmanager import _encode_text
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime

import pytest

from commerce_pipeline.marketing import eml
from commerce_pipeline.marketing.campaigns import CampaignSettings
from commerce_pipeline.marketing.outbox import index_row, outbox_email, write_index, write_outbox
from commerce_pipeline.marketing.render import branding_for

NAMES = [None, float("nan"), "", "Ana", "Mary Ann", "O'Brien", "Jean-Luc", "José", " Zoë   Ann ",
         "Bob <&>", 'Al "Big" Capone', "Smith, John", "Dr. Who", "x" * 70, "山田 太郎", "=?utf-8?q?hi?="]
EMAILS = ["a@example.com", "first.last+tag@sub.example.co.uk", "x" * 60 + "@example.com",
          "o'brien@example.com"]
SUBJECTS = ["A thank-you from Acme: 15% off", "Ünïcødé — 15% off at Bäckerei Müller & Söhne",
            "word " * 30, "=?utf-8?q?looks_encoded?= but is not", "  double  spaces "]
BODIES = [("Hi Ana,\nshort ascii\n", "<p>hi</p>\n"),  # 7bit
          ("Hi José,\nshort\n", "<p>José</p>"),  # 8bit
          ("long " * 40 + "\nline two\n", "<p>" + "y" * 200 + "</p>\n"),  # quoted-printable
          ("山田 " * 100, "中文内容 " * 200),  # base64
          ("crlf\r\nline\rcr only\n\n\ntrailing", "")]
SENDERS = [("Acme Outdoor & Co", None), ("Bäckerei Müller", "reply@example.com"),
           ('The "Best" Shop, Ltd.', None)]


def reference_bytes(*, tenant_id, campaign, profile_id, to_email, to_name, branding, subject, html,
                    text, categories, custom_args, sent_at) -> bytes:
    """The outbox email as the email package builds it (what write_outbox did before eml.py)."""
    message = EmailMessage()
    message["From"] = Address(display_name=branding.sender_name, addr_spec=branding.sender_email)
    name = " ".join(to_name.split()) if isinstance(to_name, str) else ""
    message["To"] = Address(display_name=name, addr_spec=to_email)
    if branding.reply_to:
        message["Reply-To"] = Address(addr_spec=branding.reply_to)
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["X-Commerce-Tenant"] = tenant_id
    message["X-Commerce-Campaign"] = campaign
    message["X-Commerce-Profile"] = profile_id
    message["X-Commerce-Categories"] = ", ".join(categories)
    message["X-Commerce-Custom-Args"] = json.dumps(custom_args, sort_keys=True)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message.set_boundary("=_" + hashlib.sha256(f"{text}\x1f{html}".encode()).hexdigest()[:32])
    return message.as_bytes(policy=policy.SMTP)


def reference_index_cells(data: bytes) -> list[str]:
    headers = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
    return [str(headers.get(name, "")) for name in
            ("X-Commerce-Campaign", "X-Commerce-Profile", "To", "Subject")]


def test_outbox_email_bytes_are_the_email_packages(tmp_path):
    cases = list(itertools.product(NAMES, EMAILS, SUBJECTS, BODIES, SENDERS))[::9]
    for case, (name, email, subject, (text, html), (sender, reply_to)) in enumerate(cases):
        settings = CampaignSettings(sender_name=sender, reply_to=reply_to)
        arguments = dict(
            tenant_id="acme", campaign=("vip_reward", "win_back")[case % 2], profile_id=f"p{case}",
            to_email=email, to_name=name, branding=branding_for(sender, "acme.myshopify.com", settings),
            subject=subject, html=html, text=text, categories=["tenant:acme", "campaign:x"],
            custom_args={"tenant": "acme", "profile_id": f"p{case}", "note": "x" * (case % 90)},
            sent_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=case % 5))))
        written = write_outbox(tmp_path, **arguments, index=False).read_bytes()
        assert written == reference_bytes(**arguments), arguments


def test_plain_to_line_is_folded_as_the_email_package_folds_it():
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'-"
    for _ in range(3000):
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(1, 14)))
                 for _ in range(rng.randint(0, 4))]
        name = " ".join(words)
        local = ".".join("".join(rng.choice("abcxyz019_+-") for _ in range(rng.randint(1, 20)))
                         for _ in range(rng.randint(1, 3)))
        address = f"{local}@{rng.choice(['example.com', 'a-b.co.uk', 'x.io'])}"
        try:
            expected = eml.folded("To", Address(display_name=name, addr_spec=address))
        except ValueError:  # a name the email package refuses must be refused the same way
            with pytest.raises(ValueError):
                eml.to_field(name, address)
            continue
        assert eml.to_field(name, address)[0] == expected, (name, address)


def test_to_line_and_its_text_for_any_name_are_the_email_packages():
    rng = random.Random(17)
    names = ["Zoë", "José María", "山田 太郎", "Bob <&>", 'Al "Big" Capone', "Smith, John", "Dr. Who",
             "=?utf-8?q?hi?=", "x" * 70, "Ünïcødé " * 6, "O'Brien", "Ana"]
    for _ in range(1500):
        local = ".".join("".join(rng.choice("abcXYZ019_+-") for _ in range(rng.randint(1, 30)))
                         for _ in range(rng.randint(1, 3)))
        address = f"{local}@{rng.choice(['example.com', 'a-b.co.uk', 'x.io', 'Mail.EXAMPLE.org'])}"
        name = rng.choice(names)
        try:
            line = eml.folded("To", Address(display_name=name, addr_spec=address))
        except ValueError:
            with pytest.raises(ValueError):
                eml.to_field(name, address)
            continue
        assert eml.to_field(name, address) == (line, eml.field_text(line)), (name, address)


def test_a_plain_value_moved_to_a_line_of_its_own_is_folded_as_the_email_package_folds_it():
    for profile in ["p1", "p00000001", "c-1f2e3d"]:  # the whole value fits on a line of its own
        value = json.dumps({"campaign": "win_back", "profile_id": profile, "tenant": "acme"}, sort_keys=True)
        expected = eml.folded("X-Commerce-Custom-Args", value)
        assert expected.startswith(b"X-Commerce-Custom-Args:\r\n ")  # the break this is about
        assert eml.folded_plain("X-Commerce-Custom-Args", value) == expected


def test_multipart_boundary_line_is_folded_as_the_email_package_folds_it():
    for seed in range(200):
        boundary = "=_" + hashlib.sha256(str(seed).encode()).hexdigest()[:32]
        value = f'multipart/alternative; boundary="{boundary}"'
        assert eml.folded_multipart(boundary) == eml.folded("Content-Type", value)


@pytest.mark.parametrize("name,raw", [
    ("Subject", "A thank-you from Acme Outdoor & Co: 15% off your next\r\n order"),
    ("Subject", "=?utf-8?q?Caf=C3=A9?= open"), ("Subject", "  spaced   out  "),
    ("X-Commerce-Profile", "\r\n  a-long-folded-profile"), ("To", "Mary Ann <m.a+x@example.com>"),
    ("To", "=?utf-8?q?Jos=C3=A9?= <j@x.com>"), ("To", '"Smith, John" <s@x.com>'),
    ("To", "Friends: a@x.com, b@y.org;"), ("to", "  Ann   Lee  <a@x.co> "), ("To", "a@x.com"),
    ("Subject", "caf\udcc3\udca9 raw bytes"),
])
def test_header_text_reads_a_raw_value_as_policy_default_does(name, raw):
    assert eml.header_text(name, raw) == str(policy.default.header_fetch_parse(name, raw))


def test_outbox_index_cells_are_what_policy_default_parses(tmp_path):
    settings = CampaignSettings()
    branding = branding_for("Acme Outdoor & Co", "acme.myshopify.com", settings)
    for i, (name, subject) in enumerate(itertools.product(NAMES, SUBJECTS)):
        write_outbox(tmp_path, tenant_id="acme", campaign="vip_reward", profile_id=f"p{i}",
                     to_email="a@example.com", to_name=name, branding=branding, subject=subject,
                     html="<p>x</p>", text="x", categories=[], custom_args={}, index=False,
                     sent_at=datetime(2026, 1, 1, tzinfo=UTC))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "odd.eml").write_bytes(
        b"subject: first\r\nSubject: second\r\nTO: =?utf-8?q?Zo=C3=AB?= <z@x.com>\r\n"
        b"X-Commerce-Profile:\r\n  folded\r\n\r\nbody")
    page = write_index(tmp_path).read_text()
    for path in sorted(tmp_path.glob("*/*.eml")):
        cells = reference_index_cells(path.read_bytes())
        assert "".join(f"<td>{html_lib.escape(cell)}</td>" for cell in cells) in page


def test_an_emails_index_row_is_the_one_read_back_from_its_file(tmp_path):
    settings = CampaignSettings(reply_to="reply@example.com")
    for i, (name, email, subject) in enumerate(itertools.product(NAMES, EMAILS, SUBJECTS)):
        profile = f"p{i}-" + "x" * (i % 70)  # long ids fold
        written = outbox_email(
            tenant_id="acme", campaign="win_back", profile_id=profile, to_email=email, to_name=name,
            branding=branding_for("Bäckerei Müller", "acme.myshopify.com", settings), subject=subject,
            html="<p>x</p>", text="x", categories=[], custom_args={"profile_id": profile})
        (tmp_path / written.relative).parent.mkdir(exist_ok=True)
        (tmp_path / written.relative).write_bytes(written.data)
        assert written.index_row == index_row(written.relative, (tmp_path / written.relative).read_bytes())


def test_plain_text_headers_are_folded_as_the_email_package_folds_them():
    rng = random.Random(11)
    characters = string.ascii_letters + string.digits + "\"'{}[]():;,.-_/\\!#$%&*+<>@^`|~=?"
    for _ in range(3000):
        words = ["".join(rng.choice(characters) for _ in range(rng.choice([1, 3, 8, 12, 40, 90])))
                 for _ in range(rng.randint(1, 12))]
        value = "".join(word + " " * rng.choice([1, 1, 2]) for word in words).rstrip()
        name = rng.choice(["X-Commerce-Profile", "X-Commerce-Custom-Args", "Subject"])
        assert eml.folded_plain(name, value) == eml.folded(name, value), (name, value)


def test_text_parts_are_encoded_as_set_content_encodes_them():
    rng = random.Random(5)
    lines = ["Hi José,", "a" * 78, "b" * 79, "山田 " * 30, "plain", "", "x " * 60, "tab\tend\t", "end ",
             "=3D= " * 30, "\x0b\x0c\x85", "café " * 40]
    tie = "é" * 7 + "a" * 68 + "\n"  # quoted-printable exactly as long as base64: set_content picks qp
    assert eml.encode_text(tie) == _encode_text(tie, "utf-8", None, policy.default) == (
        "quoted-printable", "=C3=A9" * 7 + "a" * 35 + "=\n" + "a" * 33 + "\n")
    for _ in range(3000):
        content = "".join(rng.choice(lines) + rng.choice(["\n", "\r\n", "\r", ""])
                          for _ in range(rng.randint(0, 25)))
        assert eml.encode_text(content) == _encode_text(content, "utf-8", None, policy.default), content


def test_header_fields_are_read_as_the_compat32_parser_reads_them():
    rng = random.Random(3)
    lines = [b"Subject: hi", b"To: A <a@x.com>", b" folded", b"\tfolded tab", b"X-Empty:", b"subject:  x ",
             b"From x", b"From: me", b":novalue", b"bad line", b"caf\xc3\xa9: v", b"TO: caf\xc3\xa9", b"X: a\rb",
             b"X: a\nb", b"", b"X-Commerce-Profile:", b"  p1", b"x-commerce-campaign: vip"]
    names = ("x-commerce-campaign", "x-commerce-profile", "to", "subject")
    for _ in range(5000):
        block = b"".join(rng.choice(lines) + rng.choice([b"\r\n"] * 12 + [b"\n", b"\r"])
                         for _ in range(rng.randint(0, 10))) + rng.choice([b"\r\n", b"\r\n\r\n", b""])
        expected = {}
        for name, value in BytesParser(policy=policy.compat32).parsebytes(block, headersonly=True).raw_items():
            if name.lower() in names:
                expected.setdefault(name.lower(), (name, value))
        assert eml.first_fields(block, names) == expected, block


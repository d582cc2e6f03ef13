"""The bytes of one dry-run outbox email, exactly as the email package writes them, quickly.

The outbox used to build each email as an EmailMessage (headers in order, set_content(text),
add_alternative(html, subtype="html"), as_bytes(policy=SMTP)); most of that time went into
the email package's header objects, rebuilt for every recipient. Here each header line is
folded by the email package itself (`folded`), once per run for the ones every email shares,
and the two parts get the package's own body encoding (`_encode_text`, what set_content
uses) inside the fixed multipart layout its generator writes. Two narrow shortcuts skip it
where its output is known: a plain ASCII `To` that fits on one line, and the boundary line
(always "=_" and 32 hex digits, so it folds like the sample). test_render_eml.py holds all of
this to the email package's bytes.
"""

from __future__ import annotations

import re
from email import policy
from email.contentmanager import _encode_text  # what EmailMessage.set_content encodes with
from email.headerregistry import Address, AddressHeader, UnstructuredHeader
from functools import lru_cache

_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*)*")
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PLAIN_TO = re.compile(rf"{_PLAIN_NAME.pattern} <{_PLAIN_ADDRESS.pattern}>|{_PLAIN_ADDRESS.pattern}")
_BOUNDARY = re.compile(r"=_[0-9a-f]{32}")
_BOUNDARY_SAMPLE = "=_" + "0" * 32
_NEWLINES = re.compile(r"\r\n|\r|\n")  # the generator's line splitting
_CRLF = re.compile(r"\n|\r")  # header_fetch_parse's unfolding


def folded(name: str, value) -> bytes:
    """One header line as EmailMessage stores it and writes it with the SMTP policy."""
    return policy.SMTP.fold_binary(*policy.default.header_store_parse(name, value))


@lru_cache(maxsize=1024)  # sender, subject, tenant, campaign, date...: shared by many emails
def folded_text(name: str, value: str) -> bytes:
    return folded(name, value)


def address(display_name: str, addr_spec: str) -> Address:
    return Address(display_name=display_name, addr_spec=addr_spec)


@lru_cache(maxsize=256)
def folded_address(name: str, display_name: str, addr_spec: str) -> bytes:
    return folded(name, address(display_name, addr_spec))


def folded_to(display_name: str, addr_spec: str) -> bytes:
    """`To: name <address>`: a plain name and address on one line are written as they are."""
    line = f"To: {display_name} <{addr_spec}>" if display_name else f"To: {addr_spec}"
    if (len(line) <= policy.SMTP.max_line_length and _PLAIN_ADDRESS.fullmatch(addr_spec)
            and (not display_name or _PLAIN_NAME.fullmatch(display_name))):
        return line.encode("ascii") + b"\r\n"
    return folded("To", address(display_name, addr_spec))


@lru_cache(maxsize=1)
def _multipart_sample() -> bytes:
    return folded("Content-Type", f'multipart/alternative; boundary="{_BOUNDARY_SAMPLE}"')


def folded_multipart(boundary: str) -> bytes:
    if not _BOUNDARY.fullmatch(boundary):
        return folded("Content-Type", f'multipart/alternative; boundary="{boundary}"')
    return _multipart_sample().replace(_BOUNDARY_SAMPLE.encode(), boundary.encode())


def _text_part(content: str, subtype: str, last_headers: bytes = b"") -> bytes:
    """A text part as set_content(content, subtype) makes it and BytesGenerator writes it."""
    cte, payload = _encode_text(content, "utf-8", None, policy.default)
    return (folded_text("Content-Type", f'text/{subtype}; charset="utf-8"')
            + folded_text("Content-Transfer-Encoding", cte) + last_headers + b"\r\n"
            + _NEWLINES.sub("\r\n", payload).encode("ascii", "surrogateescape"))


def message_bytes(headers: list[bytes], boundary: str, text: str, html: str) -> bytes:
    """`headers` (folded, in order), then the text and HTML alternatives. The HTML part, made
    as a message of its own by add_alternative, carries its own MIME-Version."""
    mark = boundary.encode()
    return b"".join([
        *headers, folded_text("MIME-Version", "1.0"), folded_multipart(boundary),
        b"\r\n--", mark, b"\r\n", _text_part(text, "plain"),
        b"\r\n--", mark, b"\r\n", _text_part(html, "html", folded_text("MIME-Version", "1.0")),
        b"\r\n--", mark, b"--\r\n",
    ])


def header_text(name: str, raw: str) -> str:
    """str(message.get(name)) for a header read with policy.default, from its raw value.

    ASCII unstructured text without encoded words, and a plain `name <address>`, read back as
    the unfolded text; anything else is parsed by the email package."""
    value = _CRLF.sub("", raw)
    if value.isascii() and "=?" not in value:
        factory = policy.default.header_factory
        kind = factory.registry.get(name.lower(), factory.default_class)
        if issubclass(kind, UnstructuredHeader):
            return value
        if issubclass(kind, AddressHeader) and _PLAIN_TO.fullmatch(value):
            return value
    return str(policy.default.header_fetch_parse(name, raw))

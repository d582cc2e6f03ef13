"""The bytes of one dry-run outbox email, exactly as the email package writes them, quickly.

The outbox used to build each email as an EmailMessage (headers in order, set_content(text),
add_alternative(html, subtype="html"), as_bytes(policy=SMTP)); most of that time went into
the email package's header objects, rebuilt for every recipient. Here each header line is
folded by the email package itself (`folded`), once per run for the ones every email shares,
and the two parts get the package's own body encoding (`_encode_text`, what set_content
uses) inside the fixed multipart layout its generator writes. Narrow shortcuts skip it where
its output is known: a plain ASCII `To` that fits on one line, the boundary line (always "=_"
and 32 hex digits, so it folds like the sample), plain ASCII text folded like a cached value
of the same shape, and quoted-printable bodies encoded line by line. The outbox index reads
simple header blocks without the parser. test_render_eml.py holds all of this to the email
package's output.
"""

from __future__ import annotations

import re
from email import policy, quoprimime
from email.contentmanager import _encode_text  # what EmailMessage.set_content encodes with
from email.headerregistry import Address, AddressHeader, UnstructuredHeader
from email.parser import BytesParser
from functools import lru_cache
from itertools import pairwise

_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*)*")
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PLAIN_TO = re.compile(rf"{_PLAIN_NAME.pattern} <{_PLAIN_ADDRESS.pattern}>|{_PLAIN_ADDRESS.pattern}")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_BOUNDARY = re.compile(r"=_[0-9a-f]{32}")
_BOUNDARY_SAMPLE = "=_" + "0" * 32
_NEWLINES = re.compile(r"\r\n|\r|\n")  # the generator's line splitting
_CRLF = re.compile(r"\n|\r")  # header_fetch_parse's unfolding
_PLAIN_TEXT = re.compile(r"[\x21-\x7e]+(?: +[\x21-\x7e]+)*")  # printable ASCII words
_NOT_SPACE = re.compile(r"[^ ]")
# A header line the feed parser takes as a field ("name:", its name without ":" or space) or
# as a continuation; "From " would be an mbox envelope line.
_FIELD_LINE = re.compile(r"[\x21-\x39\x3b-\x7e]+:|[ \t]")


def folded(name: str, value) -> bytes:
    """One header line as EmailMessage stores it and writes it with the SMTP policy."""
    return policy.SMTP.fold_binary(*policy.default.header_store_parse(name, value))


@lru_cache(maxsize=1024)  # sender, subject, tenant, campaign, date...: shared by many emails
def folded_text(name: str, value: str) -> bytes:
    return folded(name, value)


def folded_plain(name: str, value: str) -> bytes:
    """`folded(name, value)` for a text header. Printable ASCII words are parsed as plain text
    tokens, so only their lengths decide where the line breaks: the breaks are taken from a
    same-shaped value (every character but spaces an "x"), folded once and cached. A break may
    come right after the colon (a long value moved to a line of its own)."""
    if "=?" not in value and _PLAIN_TEXT.fullmatch(value):
        cuts = _fold_cuts(name, _NOT_SPACE.sub("x", value))
        if cuts is not None:
            line = f"{name}: {value}"
            return ("\r\n".join(line[start:end] for start, end in pairwise(cuts)) + "\r\n").encode("ascii")
    return folded(name, value)


@lru_cache(maxsize=256)
def _fold_cuts(name: str, shape: str) -> tuple[int, ...] | None:
    """Where the folded `name: shape` line breaks (offsets into it), if folding only inserted
    line breaks."""
    line, whole = folded(name, shape), f"{name}: {shape}".encode("ascii")
    if not line.endswith(b"\r\n"):
        return None
    pieces = line[:-2].split(b"\r\n")
    if b"".join(pieces) != whole:  # e.g. an over-long word made an encoded word
        return None
    cuts = [0]
    for piece in pieces:
        cuts.append(cuts[-1] + len(piece))
    return tuple(cuts)


def address(display_name: str, addr_spec: str) -> Address:
    return Address(display_name=display_name, addr_spec=addr_spec)


@lru_cache(maxsize=256)
def folded_address(name: str, display_name: str, addr_spec: str) -> bytes:
    return folded(name, address(display_name, addr_spec))


def to_field(display_name: str, addr_spec: str) -> tuple[bytes, str]:
    """(`folded("To", address(...))`, its `field_text`). A plain name and address on one line
    are written and read back as they are. Otherwise, for a plain address, the line is the one
    folded for the same name and a same-shaped address (letters and digits as "x": the same
    tokens of the same lengths), with the real address put in its place: a name repeats across
    many recipients, and the email package spent about a millisecond on each non-ASCII one."""
    line = f"To: {display_name} <{addr_spec}>" if display_name else f"To: {addr_spec}"
    plain_address = _PLAIN_ADDRESS.fullmatch(addr_spec)
    if plain_address and len(line) <= policy.SMTP.max_line_length and (
            not display_name or _PLAIN_NAME.fullmatch(display_name)):
        return line.encode("ascii") + b"\r\n", line[4:]
    shaped = _shaped_to(display_name, _ALNUM.sub("x", addr_spec)) if plain_address else None
    if shaped is None:
        line = folded("To", address(display_name, addr_spec))
        return line, field_text(line)
    (head, tail), (text_head, text_tail) = shaped
    return head + addr_spec.encode("ascii") + tail, text_head + addr_spec + text_tail


@lru_cache(maxsize=4096)
def _shaped_to(display_name: str, shape: str) -> tuple[tuple[bytes, bytes], tuple[str, str]] | None:
    """The To line and its text for `shape` split around the address, where it shows once in each."""
    try:
        line = folded("To", address(display_name, shape))
    except ValueError:  # the real address then raises as the email package would
        return None
    text = field_text(line)
    if line.count(shape.encode("ascii")) != 1 or text.count(shape) != 1:
        return None  # folded across lines, or ambiguous
    return tuple(line.split(shape.encode("ascii"))), tuple(text.split(shape))


@lru_cache(maxsize=1)
def _multipart_sample() -> bytes:
    return folded("Content-Type", f'multipart/alternative; boundary="{_BOUNDARY_SAMPLE}"')


def folded_multipart(boundary: str) -> bytes:
    if not _BOUNDARY.fullmatch(boundary):
        return folded("Content-Type", f'multipart/alternative; boundary="{boundary}"')
    return _multipart_sample().replace(_BOUNDARY_SAMPLE.encode(), boundary.encode())


@lru_cache(maxsize=4096)  # a campaign's lines are every recipient's but the personalised few
def _qp_line(line: bytes) -> str:
    return quoprimime.body_encode(line.decode("latin-1"), policy.default.max_line_length)


def encode_text(content: str) -> tuple[str, str]:
    """`_encode_text(content, "utf-8", None, policy.default)`: (transfer encoding, body).

    Quoted-printable (what a line longer than 78 bytes gets, unless base64 is shorter over the
    first ten lines) encodes each line on its own, so it is built from cached lines."""
    lines = content.encode("utf-8").splitlines()
    if lines and max(map(len, lines)) > policy.default.max_line_length:
        encoded = [_qp_line(line) for line in lines]
        sniffed = min(len(lines), 10)  # the lines _encode_text compares, a newline after each
        size = sum(map(len, lines[:sniffed])) + sniffed
        if sum(map(len, encoded[:sniffed])) + sniffed <= 4 * -(-size // 3) + 1:  # b2a_base64's length
            return "quoted-printable", "\n".join(encoded) + "\n"
    return _encode_text(content, "utf-8", None, policy.default)  # 7bit, 8bit or base64


def _text_part(content: str, subtype: str, last_headers: bytes = b"") -> bytes:
    """A text part as set_content(content, subtype) makes it and BytesGenerator writes it."""
    cte, payload = encode_text(content)
    return (folded_text("Content-Type", f'text/{subtype}; charset="utf-8"')
            + folded_text("Content-Transfer-Encoding", cte) + last_headers + b"\r\n"
            + _crlf(payload).encode("ascii", "surrogateescape"))


def _crlf(payload: str) -> str:
    """The generator's line endings: the encoders end lines with LF alone, which replace()
    turns to CRLF faster than the generator's own splitting (kept for anything else)."""
    return payload.replace("\n", "\r\n") if "\r" not in payload else _NEWLINES.sub("\r\n", payload)


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


def first_fields(block: bytes, names: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """{lower-case name: (name, raw value)} of the first field of each of `names` (lower-case)
    in a header block (up to and with its blank line), as the first of each in
    BytesParser(policy=compat32).parsebytes(block, headersonly=True).raw_items().

    A block of CRLF lines that are all fields or continuations is split here; anything else
    (bare CR or LF, a line the parser would take as body or envelope) goes to the parser."""
    text = block.decode("ascii", "surrogateescape")
    lines = text.split("\r\n")
    bare = text.replace("\r\n", "")
    if (len(lines) < 3 or lines[-2:] != ["", ""] or "\r" in bare or "\n" in bare
            or lines[0][:1] in (" ", "\t") or not all(_FIELD_LINE.match(line) for line in lines[:-2])):
        parsed = BytesParser(policy=policy.compat32).parsebytes(block, headersonly=True)
        return _first_of(parsed.raw_items(), names)
    found: dict[str, tuple[str, str]] = {}
    current: list[str] | None = None  # the lines of a wanted field being read
    for line in lines[:-2]:
        if line[0] in " \t":
            if current is not None:
                current.append(line + "\r\n")
            continue
        if current is not None:
            found.setdefault(*_source_parse(current))
        name = line[:line.index(":")]
        current = [line + "\r\n"] if name.lower() in names and name.lower() not in found else None
    if current is not None:
        found.setdefault(*_source_parse(current))
    return found


def _source_parse(lines: list[str]) -> tuple[str, tuple[str, str]]:
    name, value = policy.compat32.header_source_parse(lines)
    return name.lower(), (name, value)


def _first_of(items, names: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for name, value in items:  # the first of each, as Message.get finds it
        if name.lower() in names:
            found.setdefault(name.lower(), (name, value))
    return found


def field_text(line: bytes) -> str:
    """header_text of one folded field (a `folded` line) as first_fields reads it back."""
    lines = line.decode("ascii", "surrogateescape").split("\r\n")[:-1]
    return header_text(*policy.compat32.header_source_parse([part + "\r\n" for part in lines]))


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

"""What SendGrid's v3 Mail Send checks in a payload before it queues a message, as the list of
`{"errors": [...]}` entries a 400 answer carries (used by the fake in `sendgrid.py`)."""

from __future__ import annotations

import json
import re

MAIL_SEND = "/v3/mail/send"
MAX_PERSONALIZATIONS = MAX_RECIPIENTS = 1000
MAX_CATEGORIES, MAX_CATEGORY_LENGTH, MAX_CUSTOM_ARGS_BYTES = 10, 255, 10_000
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
UNAUTHORIZED = "The provided authorization grant is invalid, expired, or revoked"
_INJECTED_MESSAGES = {429: "too many requests", 503: "service unavailable"}

Response = tuple[int, dict[str, str], bytes]


def _error(message: str, field: str | None = None) -> dict:
    return {"message": message, "field": field, "help": None}


def _json(status: int, payload: dict, headers: dict[str, str] | None = None) -> Response:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(
        payload).encode()


def _address(value: object) -> str | None:
    return value.get("email") if isinstance(value, dict) else None


def _mapping(parent: dict, key: str) -> dict:
    return parent[key] if isinstance(parent.get(key), dict) else {}


def validate(payload: object) -> list[dict]:
    """Every problem the real API would report for this body; [] when it would be queued."""
    if not isinstance(payload, dict):
        return [_error("The request body must be a JSON object.")]
    errors: list[dict] = []

    def fail(message: str, field: str) -> None:
        errors.append(_error(message, field))

    sender = _address(payload.get("from"))
    if not sender:
        fail("The from object must be provided for every email send. It is an object that "
             "requires the email parameter, but may also contain a name parameter.", "from.email")
    elif not _EMAIL.match(str(sender)):
        fail("The from email does not contain a valid address.", "from.email")
    personalizations = payload.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        fail("The personalizations field is required and must have at least one "
             "personalization.", "personalizations")
        personalizations = []
    elif len(personalizations) > MAX_PERSONALIZATIONS:
        fail(f"The personalization block is limited to {MAX_PERSONALIZATIONS} personalizations "
             f"per API request. You have provided {len(personalizations)} personalizations. "
             "Please consider splitting this into multiple requests and resending your request.",
             "personalizations")
    total = 0
    for i, p in enumerate(personalizations):
        p = p if isinstance(p, dict) else {}
        if not isinstance(p.get("to"), list) or not p["to"]:
            fail("The to array is required for all personalization objects, and must have at "
                 "least one email object with a valid email address.", f"personalizations.{i}.to")
        seen: set[str] = set()
        duplicate: str | None = None
        for kind in ("to", "cc", "bcc"):
            entries = p.get(kind) if isinstance(p.get(kind), list) else []
            total += len(entries)
            for j, entry in enumerate(entries):
                email = str(_address(entry) or "")
                if not _EMAIL.match(email):
                    fail("Does not contain a valid address.",
                         f"personalizations.{i}.{kind}.{j}.email")
                elif email.lower() in seen and duplicate is None:
                    duplicate = email  # the API names only the first duplicate
                    fail("Each email address in the personalization block should be unique "
                         "between to, cc, and bcc. We found the first duplicate instance of "
                         f"[{email}] in the personalizations.{i}.{kind} field.",
                         f"personalizations.{i}")
                seen.add(email.lower())
        custom_args = {**_mapping(payload, "custom_args"), **_mapping(p, "custom_args")}
        if len(json.dumps(custom_args).encode()) > MAX_CUSTOM_ARGS_BYTES:
            fail(f"The custom_args (mail-wide and personalization) may not exceed "
                 f"{MAX_CUSTOM_ARGS_BYTES} bytes.", f"personalizations.{i}.custom_args")
    if total > MAX_RECIPIENTS:
        fail(f"There is a limit of {MAX_RECIPIENTS} total recipients (to + cc + bcc) per "
             "request.", "personalizations")
    if not payload.get("template_id"):  # a template brings its own subject and content
        if not payload.get("subject") and not (personalizations and all(
                isinstance(p, dict) and p.get("subject") for p in personalizations)):
            fail("The subject is required. You can get around this requirement if you use a "
                 "template with a subject defined or if every personalization has a subject "
                 "defined.", "subject")
        content = payload.get("content")
        if not isinstance(content, list) or not content:
            fail("Unless a valid template_id is provided, the content parameter is required. "
                 "There must be at least one defined content block.", "content")
            content = []
        types = [c.get("type") if isinstance(c, dict) else None for c in content]
        if "text/plain" in types and types[0] != "text/plain":
            fail("If present, text/plain content must be first, followed by text/html, followed "
                 "by any other content.", "content")
        for k, c in enumerate(content):
            if not isinstance(c, dict) or not isinstance(c.get("value"), str) or not c["value"]:
                fail("The content value must be a string at least one character in length.",
                     f"content.{k}.value")
    categories = payload.get("categories") if isinstance(payload.get("categories"), list) else []
    if len(categories) > MAX_CATEGORIES:
        fail(f"You cannot have more than {MAX_CATEGORIES} categories associated with an email.",
             "categories")
    for k, category in enumerate(categories):
        if len(str(category)) > MAX_CATEGORY_LENGTH:
            fail(f"A category cannot have more than {MAX_CATEGORY_LENGTH} characters.",
                 f"categories.{k}")
    return errors

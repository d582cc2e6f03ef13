"""Campaign email through SendGrid's v3 Mail Send API, with the official `sendgrid` client.

One request carries one campaign message to up to 1000 recipients, one personalization each
(their address, substitutions or dynamic template data, and a `profile_id` custom arg that
the event webhook uses to find the profile again). Rate limits, server errors and network
failures are retried with backoff; any other 4xx fails the whole batch without a retry,
because sending the same payload again cannot succeed.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sendgrid
from python_http_client.exceptions import HTTPError
from sendgrid.helpers.mail import (
    Category,
    CustomArg,
    From,
    HtmlContent,
    Mail,
    Personalization,
    PlainTextContent,
    ReplyTo,
    Subject,
    Substitution,
    TemplateId,
    To,
)

DEFAULT_HOST = "https://api.sendgrid.com"
MAX_RECIPIENTS = 1000  # the API's limit of personalizations (and recipients) per request


@dataclass(frozen=True)
class Message:
    """One campaign's email, shared by all its recipients."""

    sender_email: str
    sender_name: str
    reply_to: str | None
    subject: str  # may contain substitution tags like -first_name-
    html: str | None
    text: str | None
    template_id: str | None = None  # a dynamic template ("d-...") instead of subject/html/text
    categories: tuple[str, ...] = ()
    custom_args: dict[str, str] = field(default_factory=dict)  # message-wide


@dataclass(frozen=True)
class Recipient:
    profile_id: str
    email: str
    name: str | None = None
    substitutions: dict[str, str] = field(default_factory=dict)
    dynamic_data: dict = field(default_factory=dict)  # for template_id messages


@dataclass(frozen=True)
class Outcome:
    profile_id: str
    email: str
    status: str  # "sent" | "failed"
    message_id: str | None
    error: str | None
    attempts: int


class SendGridUnavailable(RuntimeError):
    """429, 5xx or network errors that outlasted the retries."""


def build_mail(message: Message, recipients: list[Recipient]) -> Mail:
    """The Mail Send payload for one batch; pure, so its JSON (`mail.get()`) can be tested."""
    mail = Mail()
    mail.from_email = From(message.sender_email, message.sender_name or None)
    if message.reply_to:
        mail.reply_to = ReplyTo(message.reply_to)
    if message.template_id:
        # the dynamic template supplies subject and body; substitutions are not allowed with it
        mail.template_id = TemplateId(message.template_id)
    else:
        mail.subject = Subject(message.subject)
        # add_content keeps text/plain first whatever the call order; the API requires it
        if message.text:
            mail.add_content(PlainTextContent(message.text))
        if message.html:
            mail.add_content(HtmlContent(message.html))
    for index, recipient in enumerate(recipients):
        personalization = Personalization()
        personalization.add_to(To(recipient.email, recipient.name or None))
        if message.template_id:
            if recipient.dynamic_data:
                personalization.dynamic_template_data = dict(recipient.dynamic_data)
        else:
            for tag, value in recipient.substitutions.items():
                personalization.add_substitution(Substitution(tag, value))
        personalization.add_custom_arg(CustomArg("profile_id", recipient.profile_id))
        # add_personalization inserts at index 0 by default, which would reverse the list
        mail.add_personalization(personalization, index=index)
    # the helpers insert categories and custom args at the front: add them back to front
    for category in reversed(message.categories):
        mail.add_category(Category(category))
    for key, value in reversed(list(message.custom_args.items())):
        mail.add_custom_arg(CustomArg(key, value))
    return mail


class SendGridSender:
    BATCH_SIZE = MAX_RECIPIENTS

    def __init__(self, api_key: str, host: str | None = None, *, max_attempts: int = 5,
                 backoff_base: float = 0.5, sleep: Callable[[float], None] = time.sleep,
                 timeout: float = 30.0):
        if not api_key:
            # the client would silently fall back to $SENDGRID_API_KEY: no hidden global state
            raise ValueError("api_key is required")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts, self.backoff_base, self._sleep = max_attempts, backoff_base, sleep
        self._client = sendgrid.SendGridAPIClient(api_key=api_key, host=host or DEFAULT_HOST)
        # send() takes no timeout; the http client hands its own to every request it builds
        self._client.client.timeout = timeout

    @staticmethod
    def batches(recipients: list[Recipient], size: int = MAX_RECIPIENTS) -> list[list[Recipient]]:
        if size < 1:
            raise ValueError("batch size must be at least 1")
        return [recipients[start:start + size] for start in range(0, len(recipients), size)]

    def send_batch(self, message: Message, recipients: list[Recipient]) -> list[Outcome]:
        """Send one request for up to 1000 recipients; every recipient shares its outcome."""
        if len(recipients) > self.BATCH_SIZE:
            raise ValueError(f"{len(recipients)} recipients in one batch; "
                             f"SendGrid takes at most {self.BATCH_SIZE} (use batches())")
        if not recipients:
            return []
        mail = build_mail(message, recipients)
        status: int | None = None
        body = ""
        for attempt in range(1, self.max_attempts + 1):
            retry_after: float | None = None
            try:
                response = self._client.send(mail)
            except HTTPError as exc:
                status, body = exc.status_code, _text(exc.body)
                if status != 429 and status < 500:
                    # a request the API refuses as such: the same payload would fail again
                    return _outcomes(recipients, "failed", None, _error_messages(status, body),
                                     attempt)
                retry_after = _retry_after(exc.headers)
            except (OSError, http.client.HTTPException) as exc:
                # urllib's URLError, timeouts, refused or reset connections
                status, body = None, repr(exc)
            else:
                return _outcomes(recipients, "sent", response.headers.get("X-Message-Id"), None,
                                 attempt)
            if attempt < self.max_attempts:
                delay = self.backoff_base * 2 ** (attempt - 1)
                self._sleep(retry_after if retry_after is not None else delay)
        raise SendGridUnavailable(
            f"SendGrid mail send failed after {self.max_attempts} attempts: "
            f"last status {status if status is not None else 'none (network error)'}: {body}")


def _outcomes(recipients: list[Recipient], status: str, message_id: str | None,
              error: str | None, attempts: int) -> list[Outcome]:
    return [Outcome(r.profile_id, r.email, status, message_id, error, attempts)
            for r in recipients]


def _text(body: bytes | str | None) -> str:
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return body or ""


def _error_messages(status: int, body: str) -> str:
    """The API's `errors[].message`s, joined; the raw body when it is not that shape."""
    try:
        errors = json.loads(body)["errors"]
        messages = [str(error["message"]) for error in errors if error.get("message")]
    except (ValueError, KeyError, TypeError, AttributeError):
        messages = []
    if messages:
        return "; ".join(messages)
    return f"HTTP {status}: {body}" if body else f"HTTP {status}"


def _retry_after(headers) -> float | None:
    """Retry-After in seconds; None when absent or an HTTP date (then the backoff applies)."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None

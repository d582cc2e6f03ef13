"""A local fake of SendGrid's v3 Mail Send API (POST /v3/mail/send) on 127.0.0.1.

It checks what the real API checks before it queues a message: the Bearer API key (401)
and the payload's shape (400, listing every problem as `{"errors": [{message, field, help}]}`),
and answers 202 with an empty body and a unique `X-Message-Id`. Accepted payloads are kept so
tests can read what each recipient would have received (`deliveries()`); `fail_next` injects
429s and 5xxs. Messages follow the API's documented wording; `help` links are left null.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from commerce_pipeline.simulator.sendgrid_payload import (  # noqa: F401 (re-exported for tests)
    _INJECTED_MESSAGES,
    MAIL_SEND,
    MAX_PERSONALIZATIONS,
    MAX_RECIPIENTS,
    UNAUTHORIZED,
    Response,
    _error,
    _json,
    validate,
)


class FakeSendGrid:
    def __init__(self, api_keys: str | Iterable[str], port: int = 0):
        self.api_keys = {api_keys} if isinstance(api_keys, str) else set(api_keys)
        self._requested_port = port
        self._lock = threading.Lock()
        self.accepted: list[dict] = []  # JSON payloads answered 202, in order
        self.rejected: list[tuple[int, dict]] = []  # (status, payload) of every other answer
        self.requests = 0  # POSTs to /v3/mail/send, injected failures included
        self._message_ids: list[str] = []  # parallel to accepted
        self._failures: deque[tuple[int, int | None]] = deque()
        self._scheduled: list[tuple[int, int, int, int | None]] = []  # (after accepted, status, times, retry)
        self._hold_after: int | None = None  # requests after this many accepted ones wait for release()
        self._released = threading.Event()
        self.held: list[dict] = []  # payloads that arrived while held (a client may die waiting)
        self._httpd: ThreadingHTTPServer | None = None
        self._port: int | None = None

    def start(self) -> None:
        if self._httpd is None:
            self._httpd = ThreadingHTTPServer(("127.0.0.1", self._requested_port), _handler(self))
            self._httpd.daemon_threads = True
            self._port = self._httpd.server_address[1]
            threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                             daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the fake SendGrid has not been started")
        return f"http://127.0.0.1:{self._port}"

    def fail_next(self, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` mail sends with `status`, before any other check."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * times)

    def fail_after(self, accepted: int, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """Like fail_next, but only once `accepted` requests have been accepted: an outage that
        starts in the middle of a job."""
        with self._lock:
            self._scheduled.append((accepted, status, times, retry_after))

    def hold_after(self, accepted: int) -> None:
        """Once `accepted` requests have been accepted, keep later ones waiting (unanswered)
        until release(): a test can kill a client while its request is in flight."""
        with self._lock:
            self._hold_after, self._released = accepted, threading.Event()

    def release(self) -> None:
        with self._lock:
            self._hold_after = None
        self._released.set()

    def deliveries(self) -> list[dict]:
        """One dict per recipient of every accepted request, as that recipient would get it."""
        with self._lock:
            sent = list(zip(self.accepted, self._message_ids, strict=True))
        return [delivery for payload, message_id in sent
                for delivery in _deliveries(payload, message_id)]

    def handle(self, method: str, path: str, authorization: str | None, body: bytes) -> Response:
        if method != "POST" or path.split("?", 1)[0] != MAIL_SEND:
            return _json(404, {"errors": [_error("resource not found")]})
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        record = payload if isinstance(payload, dict) else {}
        with self._lock:
            self.requests += 1
            for item in [i for i in self._scheduled if len(self.accepted) >= i[0]]:
                self._scheduled.remove(item)
                self._failures.extend([(item[1], item[3])] * item[2])
            injected = self._failures.popleft() if self._failures else None
            hold = self._hold_after is not None and len(self.accepted) >= self._hold_after
            if hold:
                self.held.append(record)
        if hold:
            self._released.wait(timeout=120)
            return _json(503, {"errors": [_error("service unavailable")]})
        if injected is not None:
            status, retry_after = injected
            message = _INJECTED_MESSAGES.get(status, "internal server error")
            response = _json(status, {"errors": [_error(message)]},
                             {"Retry-After": str(retry_after)} if retry_after is not None else {})
        elif authorization not in {f"Bearer {key}" for key in self.api_keys}:
            response = _json(401, {"errors": [_error(UNAUTHORIZED)]})
        elif payload is None:
            response = _json(400, {"errors": [_error("The request body must be valid JSON.")]})
        elif errors := validate(payload):
            response = _json(400, {"errors": errors})
        else:
            message_id = secrets.token_urlsafe(16)  # 22 characters, like the real ids
            with self._lock:
                self.accepted.append(payload)
                self._message_ids.append(message_id)
            return 202, {"X-Message-Id": message_id}, b""
        with self._lock:
            self.rejected.append((response[0], record))
        return response


def _deliveries(payload: dict, message_id: str) -> list[dict]:
    content = {c["type"]: c["value"] for c in payload.get("content", [])}
    out = []
    for p in payload["personalizations"]:
        subs = p.get("substitutions", {})
        sender = p.get("from") or payload["from"]
        for to in [*p.get("to", []), *p.get("cc", []), *p.get("bcc", [])]:
            out.append({
                "email": to["email"], "name": to.get("name"),
                "from_email": sender["email"], "from_name": sender.get("name"),
                "reply_to": (payload.get("reply_to") or {}).get("email"),
                "subject": _fill(p.get("subject") or payload.get("subject"), subs),
                "html": _fill(content.get("text/html"), subs),
                "text": _fill(content.get("text/plain"), subs),
                "template_id": payload.get("template_id"),
                "dynamic_data": p.get("dynamic_template_data", {}),
                "categories": list(payload.get("categories", [])),
                "custom_args": {**payload.get("custom_args", {}), **p.get("custom_args", {})},
                "message_id": message_id,
            })
    return out


def _fill(text: str | None, substitutions: dict) -> str | None:
    for tag, value in substitutions.items() if text is not None else ():
        text = text.replace(tag, str(value))
    return text


def _handler(fake: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                status, headers, payload = fake.handle(self.command, self.path,
                                                       self.headers.get("Authorization"), body)
            except Exception as exc:  # noqa: BLE001 - answer 500 rather than drop the connection
                status, headers, payload = _json(500, {"errors": [_error(f"fake: {exc!r}")]})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: no line per request on stderr

    return Handler

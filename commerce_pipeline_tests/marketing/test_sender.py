"""SendGridSender against the local fake SendGrid, over real HTTP with the real client."""

from __future__ import annotations

import pytest

from commerce_pipeline.marketing.sender import (
    Message,
    Recipient,
    SendGridSender,
    SendGridUnavailable,
    build_mail,
)
from commerce_pipeline.simulator.sendgrid import UNAUTHORIZED, FakeSendGrid

API_KEY = "SG.test-key.secret"
MESSAGE = Message(
    sender_email="news@acme.example", sender_name="Acme", reply_to="help@acme.example",
    subject="A gift for you, -first_name-", html="<p>Hi -first_name-, use -discount_code-</p>",
    text="Hi -first_name-, use -discount_code-", categories=("tenant:acme", "campaign:vip"),
    custom_args={"tenant": "acme", "campaign": "vip"},
)
TEMPLATE = Message(sender_email="news@acme.example", sender_name="Acme", reply_to=None,
                   subject="", html=None, text=None, template_id="d-0123456789abcdef")


def people(n: int, start: int = 0) -> list[Recipient]:
    return [Recipient(f"p{i}", f"user{i}@example.com", f"User {i}",
                      {"-first_name-": f"U{i}", "-discount_code-": f"VIP-{i:04d}"})
            for i in range(start, start + n)]


@pytest.fixture
def fake():
    server = FakeSendGrid(API_KEY)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def sender(fake, sleeps) -> SendGridSender:
    return SendGridSender(API_KEY, fake.base_url, sleep=sleeps.append, timeout=5)


def test_build_mail_puts_text_plain_before_text_html():
    assert [c["type"] for c in build_mail(MESSAGE, people(1)).get()["content"]] == [
        "text/plain", "text/html"]


def test_build_mail_has_one_personalization_per_recipient_in_order():
    payload = build_mail(MESSAGE, people(3)).get()
    assert payload["personalizations"] == [
        {"to": [{"name": f"User {i}", "email": f"user{i}@example.com"}],
         "substitutions": {"-first_name-": f"U{i}", "-discount_code-": f"VIP-{i:04d}"},
         "custom_args": {"profile_id": f"p{i}"}}
        for i in range(3)]


def test_build_mail_puts_sender_categories_and_custom_args_on_the_mail():
    payload = build_mail(MESSAGE, people(1)).get()
    assert payload["from"] == {"name": "Acme", "email": "news@acme.example"}
    assert payload["reply_to"] == {"email": "help@acme.example"}
    assert payload["subject"] == "A gift for you, -first_name-"
    assert payload["categories"] == ["tenant:acme", "campaign:vip"]
    assert payload["custom_args"] == {"tenant": "acme", "campaign": "vip"}


def test_batches_split_2500_recipients_into_1000_1000_500():
    recipients = people(2500)
    batches = SendGridSender.batches(recipients)
    assert [len(b) for b in batches] == [1000, 1000, 500]
    assert [r for b in batches for r in b] == recipients


def test_batch_is_delivered_to_exactly_its_recipients_with_substitutions_applied(fake, sender):
    outcomes = sender.send_batch(MESSAGE, people(3))
    deliveries = fake.deliveries()
    assert [d["email"] for d in deliveries] == [f"user{i}@example.com" for i in range(3)]
    assert deliveries[1]["subject"] == "A gift for you, U1"
    assert deliveries[1]["text"] == "Hi U1, use VIP-0001"
    assert deliveries[1]["html"] == "<p>Hi U1, use VIP-0001</p>"
    assert deliveries[1]["custom_args"] == {"tenant": "acme", "campaign": "vip",
                                            "profile_id": "p1"}
    assert [(o.profile_id, o.status, o.attempts) for o in outcomes] == [
        ("p0", "sent", 1), ("p1", "sent", 1), ("p2", "sent", 1)]
    assert {o.message_id for o in outcomes} == {deliveries[0]["message_id"]}


def test_full_batch_of_1000_is_accepted_in_one_request(fake, sender):
    outcomes = sender.send_batch(MESSAGE, people(1000))
    assert {o.status for o in outcomes} == {"sent"}
    assert fake.requests == 1
    assert len(fake.deliveries()) == 1000


def test_dynamic_template_carries_template_id_and_per_recipient_data_without_content(fake,
                                                                                     sender):
    recipients = [Recipient("p1", "ana@example.com", "Ana", dynamic_data={"first_name": "Ana"}),
                  Recipient("p2", "bo@example.com", dynamic_data={"first_name": "Bo"})]
    outcomes = sender.send_batch(TEMPLATE, recipients)
    payload = fake.accepted[0]
    assert payload["template_id"] == "d-0123456789abcdef"
    assert "content" not in payload and "subject" not in payload
    assert [d["dynamic_data"] for d in fake.deliveries()] == [{"first_name": "Ana"},
                                                              {"first_name": "Bo"}]
    assert [o.status for o in outcomes] == ["sent", "sent"]


def test_wrong_api_key_fails_every_recipient_with_the_401_message_without_retry(fake, sleeps):
    sender = SendGridSender("SG.wrong.key", fake.base_url, sleep=sleeps.append)
    outcomes = sender.send_batch(MESSAGE, people(2))
    assert [(o.status, o.error, o.attempts, o.message_id) for o in outcomes] == [
        ("failed", UNAUTHORIZED, 1, None)] * 2
    assert fake.requests == 1
    assert sleeps == []


def test_429_with_retry_after_is_retried_after_that_many_seconds(fake, sender, sleeps):
    fake.fail_next(429, retry_after=1)
    outcomes = sender.send_batch(MESSAGE, people(1))
    assert (outcomes[0].status, outcomes[0].attempts) == ("sent", 2)
    assert sleeps == [1.0]


def test_5xx_without_retry_after_backs_off_exponentially(fake, sender, sleeps):
    fake.fail_next(503, times=2)
    outcomes = sender.send_batch(MESSAGE, people(1))
    assert (outcomes[0].status, outcomes[0].attempts) == ("sent", 3)
    assert sleeps == [0.5, 1.0]


def test_500_three_times_then_success_is_sent(fake, sender):
    fake.fail_next(500, times=3)
    outcomes = sender.send_batch(MESSAGE, people(2))
    assert [(o.status, o.attempts) for o in outcomes] == [("sent", 4), ("sent", 4)]
    assert len(fake.accepted) == 1
    assert fake.requests == 4


def test_500_past_max_attempts_raises_sendgrid_unavailable(fake, sleeps):
    sender = SendGridSender(API_KEY, fake.base_url, max_attempts=3, sleep=sleeps.append)
    fake.fail_next(500, times=5)
    with pytest.raises(SendGridUnavailable, match=r"last status 500: .*internal server error"):
        sender.send_batch(MESSAGE, people(1))
    assert fake.requests == 3
    assert sleeps == [0.5, 1.0]


def test_refused_connection_is_retried_then_raises_sendgrid_unavailable(sleeps):
    closed = FakeSendGrid(API_KEY)
    closed.start()
    url = closed.base_url
    closed.stop()  # nothing listens on that port any more
    sender = SendGridSender(API_KEY, url, max_attempts=2, sleep=sleeps.append, timeout=2)
    with pytest.raises(SendGridUnavailable, match="network error"):
        sender.send_batch(MESSAGE, people(1))
    assert sleeps == [0.5]


def test_bad_sender_email_fails_every_recipient_with_the_api_message(fake, sender):
    message = Message(sender_email="not-an-address", sender_name="Acme", reply_to=None,
                      subject="Hi", html="<p>Hi</p>", text="Hi")
    outcomes = sender.send_batch(message, people(2))
    assert [(o.status, o.error) for o in outcomes] == [
        ("failed", "The from email does not contain a valid address.")] * 2
    assert fake.requests == 1
    assert fake.deliveries() == []


def test_send_batch_over_1000_recipients_raises_value_error(fake, sender):
    with pytest.raises(ValueError, match="1001 recipients"):
        sender.send_batch(MESSAGE, people(1001))
    assert fake.requests == 0


def test_empty_api_key_is_refused_rather_than_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.from.env")
    with pytest.raises(ValueError, match="api_key"):
        SendGridSender("")

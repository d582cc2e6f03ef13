"""The fake SendGrid answers raw requests the way the real v3 Mail Send API does."""

from __future__ import annotations

import pytest
import requests

from commerce_pipeline.simulator.sendgrid import UNAUTHORIZED, FakeSendGrid

KEY = "SG.fake.key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def fake():
    server = FakeSendGrid([KEY, "SG.other.key"])
    server.start()
    yield server
    server.stop()


def mail(**overrides) -> dict:
    payload = {
        "personalizations": [{"to": [{"email": "ana@example.com", "name": "Ana"}]}],
        "from": {"email": "news@acme.example", "name": "Acme"},
        "subject": "Hello",
        "content": [{"type": "text/plain", "value": "Hi"},
                    {"type": "text/html", "value": "<p>Hi</p>"}],
    }
    payload.update(overrides)
    return payload


def post(fake: FakeSendGrid, payload=None, headers=AUTH, data=None) -> requests.Response:
    return requests.post(f"{fake.base_url}/v3/mail/send", json=payload, data=data,
                         headers=headers, timeout=5)


def fields(response: requests.Response) -> list[str | None]:
    assert response.status_code == 400
    return [error["field"] for error in response.json()["errors"]]


def test_valid_mail_is_accepted_with_202_empty_body_and_unique_message_ids(fake):
    first, second = post(fake, mail()), post(fake, mail())
    assert (first.status_code, first.content) == (202, b"")
    assert len(first.headers["X-Message-Id"]) == 22
    assert first.headers["X-Message-Id"] != second.headers["X-Message-Id"]
    assert fake.accepted == [mail(), mail()]


def test_any_accepted_key_is_honoured(fake):
    assert post(fake, mail(), headers={"Authorization": "Bearer SG.other.key"}).status_code == 202


def test_missing_authorization_is_401_with_the_real_message(fake):
    response = post(fake, mail(), headers={})
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": UNAUTHORIZED, "field": None,
                                           "help": None}]}
    assert fake.rejected == [(401, mail())]


def test_unknown_path_is_404_json(fake):
    response = requests.get(f"{fake.base_url}/v3/mail/send", headers=AUTH, timeout=5)
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"] == "resource not found"


def test_body_that_is_not_json_is_400(fake):
    response = post(fake, data=b"{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert fields(response) == [None]


def test_more_than_1000_personalizations_is_rejected(fake):
    many = [{"to": [{"email": f"u{i}@example.com"}]} for i in range(1001)]
    response = post(fake, mail(personalizations=many))
    assert fields(response) == ["personalizations", "personalizations"]  # both limits
    assert "You have provided 1001 personalizations" in response.json()["errors"][0]["message"]


def test_missing_personalizations_is_rejected(fake):
    payload = mail()
    del payload["personalizations"]
    assert fields(post(fake, payload)) == ["personalizations"]


def test_personalization_without_to_is_rejected(fake):
    assert fields(post(fake, mail(personalizations=[{"subject": "x"}]))) == [
        "personalizations.0.to"]


def test_invalid_recipient_address_is_rejected(fake):
    payload = mail(personalizations=[{"to": [{"email": "ana@example.com"},
                                             {"email": "bob at example"}]}])
    assert fields(post(fake, payload)) == ["personalizations.0.to.1.email"]


def test_missing_subject_is_rejected(fake):
    payload = mail()
    del payload["subject"]
    response = post(fake, payload)
    assert fields(response) == ["subject"]
    assert response.json()["errors"][0]["message"].startswith("The subject is required.")


def test_subject_on_every_personalization_replaces_the_mail_subject(fake):
    payload = mail(personalizations=[{"to": [{"email": "ana@example.com"}], "subject": "Yo"}])
    del payload["subject"]
    assert post(fake, payload).status_code == 202
    assert fake.deliveries()[0]["subject"] == "Yo"


def test_html_before_text_is_rejected(fake):
    content = [{"type": "text/html", "value": "<p>Hi</p>"}, {"type": "text/plain", "value": "Hi"}]
    response = post(fake, mail(content=content))
    assert fields(response) == ["content"]
    assert "text/plain content must be first" in response.json()["errors"][0]["message"]


def test_missing_content_is_rejected_unless_a_template_is_used(fake):
    payload = mail()
    del payload["content"], payload["subject"]
    assert fields(post(fake, payload)) == ["subject", "content"]
    assert post(fake, {**payload, "template_id": "d-abc"}).status_code == 202


def test_duplicate_address_in_one_personalization_is_rejected(fake):
    payload = mail(personalizations=[{"to": [{"email": "ana@example.com"}],
                                      "cc": [{"email": "ANA@example.com"}]}])
    response = post(fake, payload)
    assert fields(response) == ["personalizations.0"]
    assert "[ANA@example.com] in the personalizations.0.cc field" in \
        response.json()["errors"][0]["message"]


def test_too_many_and_too_long_categories_are_rejected(fake):
    categories = [f"c{i}" for i in range(10)] + ["x" * 256]
    assert fields(post(fake, mail(categories=categories))) == ["categories", "categories.10"]


def test_custom_args_over_10000_bytes_together_are_rejected(fake):
    payload = mail(custom_args={"a": "x" * 6000},
                   personalizations=[{"to": [{"email": "ana@example.com"}],
                                      "custom_args": {"b": "y" * 6000}}])
    assert fields(post(fake, payload)) == ["personalizations.0.custom_args"]


def test_every_problem_is_listed_in_one_answer(fake):
    payload = mail(**{"from": {"email": "nobody"}}, content=[])
    assert fields(post(fake, payload)) == ["from.email", "content"]
    assert fake.rejected[0][0] == 400


def test_fail_next_answers_the_injected_status_then_recovers(fake):
    fake.fail_next(429, times=2, retry_after=3)
    first, second, third = post(fake, mail()), post(fake, mail()), post(fake, mail())
    assert (first.status_code, first.headers["Retry-After"]) == (429, "3")
    assert second.status_code == 429
    assert third.status_code == 202
    assert fake.requests == 3
    assert [status for status, _ in fake.rejected] == [429, 429]


def test_deliveries_merge_custom_args_and_apply_substitutions(fake):
    payload = mail(subject="Hi -name-", custom_args={"tenant": "acme"}, reply_to={
        "email": "help@acme.example"}, categories=["tenant:acme"],
        personalizations=[{"to": [{"email": "ana@example.com", "name": "Ana"}],
                           "substitutions": {"-name-": "Ana"},
                           "custom_args": {"profile_id": "p1"}}])
    response = post(fake, payload)
    assert fake.deliveries() == [{
        "email": "ana@example.com", "name": "Ana", "from_email": "news@acme.example",
        "from_name": "Acme", "reply_to": "help@acme.example", "subject": "Hi Ana",
        "html": "<p>Hi</p>", "text": "Hi", "template_id": None, "dynamic_data": {},
        "categories": ["tenant:acme"], "custom_args": {"tenant": "acme", "profile_id": "p1"},
        "message_id": response.headers["X-Message-Id"]}]

"""The real twilio client, through `TwilioSender`, against a local double of Twilio's REST API."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.channels.base import Failed, OptedOut, RetryLater, SendOutcome, Sent
from bot.channels.twilio_sms.send import TwilioSender, parse_retry_after
from tests.fakes.live_server import live_server
from tests.fakes.twilio_api import (
    FakeTwilioApi,
    Reply,
    invalid_to_number,
    server_error,
    slow,
    too_many_requests,
    unsubscribed_recipient,
)

ACCOUNT = "AC" + "f" * 32
TOKEN = "test-auth-token-not-real"
SENDER_NUMBER = "+447700900001"
PERSON = "+447700900123"
CALLBACK = "https://heard.example.org/webhooks/twilio/status"


@pytest.fixture
def fake() -> Iterator[tuple[FakeTwilioApi, str]]:
    api = FakeTwilioApi(ACCOUNT, TOKEN)
    with live_server(api.app) as url:
        yield api, url


def send(
    url: str,
    text: str,
    token: str = TOKEN,
    timeout: float = 5,
    messaging_service_sid: str | None = None,
) -> SendOutcome:
    sender = TwilioSender(
        ACCOUNT,
        token,
        from_number=None if messaging_service_sid else SENDER_NUMBER,
        messaging_service_sid=messaging_service_sid,
        status_callback_url=CALLBACK,
        api_base_url=url,
        timeout=timeout,
    )
    try:
        return asyncio.run(sender.send(PERSON, text, ("Yes", "No"), "msg-0001"))
    finally:
        sender.close()


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        pytest.param("Do you want to say more?\n1 Yes\n2 No", "1", id="gsm-7"),
        pytest.param("Czy chcesz powiedzieć więcej?\n1 Tak\n2 Nie", "1", id="polish-ucs-2"),
        pytest.param("ہاں " * 20, "2", id="urdu-two-segments"),
    ],
)
def test_sends_final_text_with_status_callback(
    fake: tuple[FakeTwilioApi, str], text: str, segments: str
) -> None:
    api, url = fake
    outcome = send(url, text)
    [request] = api.requests
    assert request.authorised
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    # The text goes out exactly as rendered: the sender adds no numbered choices of its own.
    assert request.form == {
        "To": PERSON,
        "From": SENDER_NUMBER,
        "Body": text,
        "StatusCallback": CALLBACK,
    }
    [created] = api.created
    assert outcome == Sent(created["sid"])
    assert created["num_segments"] == segments


def test_sends_through_a_messaging_service(fake: tuple[FakeTwilioApi, str]) -> None:
    api, url = fake
    service = "MG" + "e" * 32
    outcome = send(url, "Thank you", messaging_service_sid=service)
    [request] = api.requests
    assert request.form["MessagingServiceSid"] == service
    assert "From" not in request.form
    assert outcome == Sent(api.created[0]["sid"])


@pytest.mark.parametrize(
    ("reply", "timeout", "expected"),
    [
        pytest.param(
            too_many_requests(retry_after="3"),
            5,
            RetryLater("twilio: HTTP 429 error 20429", retry_after=3.0),
            id="429-with-retry-after",
        ),
        pytest.param(
            too_many_requests(),
            5,
            RetryLater("twilio: HTTP 429 error 20429", retry_after=None),
            id="429-without-retry-after",
        ),
        pytest.param(server_error(), 5, RetryLater("twilio: HTTP 500 error 20500"), id="500"),
        pytest.param(
            Reply(503, {}, {"Retry-After": "120"}), 5, RetryLater("twilio: HTTP 503"), id="503"
        ),
        pytest.param(unsubscribed_recipient(), 5, OptedOut("21610"), id="21610-opted-out"),
        pytest.param(
            invalid_to_number(), 5, Failed("twilio: HTTP 400 error 21211", "21211"), id="400"
        ),
        pytest.param(
            slow(1.5), 0.3, RetryLater("twilio: timed out", retry_after=0.3), id="timeout"
        ),
    ],
)
def test_provider_errors_map_to_outcomes(
    fake: tuple[FakeTwilioApi, str], reply: Reply, timeout: float, expected: SendOutcome
) -> None:
    api, url = fake
    api.program(reply)
    assert send(url, "Hello", timeout=timeout) == expected
    assert len(api.requests) == 1, "the sender itself never retries"


def test_reasons_never_quote_the_phone_number(fake: tuple[FakeTwilioApi, str]) -> None:
    api, url = fake
    api.program(invalid_to_number())
    outcome = send(url, "Hello")
    assert isinstance(outcome, Failed)
    assert "+447700900" not in outcome.reason


def test_a_retry_after_a_failure_is_sent(fake: tuple[FakeTwilioApi, str]) -> None:
    api, url = fake
    api.program(server_error())
    assert isinstance(send(url, "Hello"), RetryLater)
    assert send(url, "Hello") == Sent(api.created[0]["sid"])


def test_wrong_credentials_fail_without_retrying(fake: tuple[FakeTwilioApi, str]) -> None:
    api, url = fake
    assert send(url, "Hello", token="wrong-token-not-real") == Failed(
        "twilio: HTTP 401 error 20003", "20003"
    )
    assert api.created == []


def test_unreachable_api_means_retry_later() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    outcome = send(f"http://127.0.0.1:{closed_port}", "Hello")
    assert outcome == RetryLater("twilio: ConnectionError")


def test_exactly_one_sender_identity_is_required() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        TwilioSender(ACCOUNT, TOKEN, from_number=SENDER_NUMBER, messaging_service_sid="MG1")
    with pytest.raises(ValueError, match="exactly one"):
        TwilioSender(ACCOUNT, TOKEN)


NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("3", 3.0, id="seconds"),
        pytest.param(" 2.5 ", 2.5, id="fraction-with-spaces"),
        pytest.param("0", 0.0, id="zero"),
        pytest.param("-4", 0.0, id="negative-is-now"),
        pytest.param(format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0, id="date"),
        pytest.param(format_datetime(NOW - timedelta(seconds=90), usegmt=True), 0.0, id="past"),
        pytest.param(None, None, id="absent"),
        pytest.param("", None, id="empty"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("inf", None, id="infinite"),
        pytest.param("nan", None, id="not-a-number"),
    ],
)
def test_retry_after_header(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected

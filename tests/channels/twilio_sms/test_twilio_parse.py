from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.base import InboundMessage
from bot.channels.twilio_sms.webhook import TwilioStatus, parse_twilio_inbound, parse_twilio_status
from tests.fakes.twilio_api import inbound_form, status_form

ACCOUNT = "AC" + "f" * 32
PERSON = "+447700900123"
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "opt_out", "expected_text", "expected_opt_out"),
    [
        pytest.param("Yes", None, "Yes", None, id="ordinary"),
        pytest.param("STOP", "STOP", "STOP", "STOP", id="stop"),
        pytest.param("start", "START", "start", "START", id="start"),
        pytest.param("Help", "HELP", "Help", "HELP", id="help"),
        pytest.param("stop", "stop", "stop", "STOP", id="opt-out-type-any-case"),
        pytest.param("hi", "SOMETHINGNEW", "hi", None, id="unknown-opt-out-type"),
        pytest.param("a" * 5000, None, "a" * 5000, None, id="5000-characters"),
        pytest.param(
            "Pomóż mi, proszę — źle się czuję",
            None,
            "Pomóż mi, proszę — źle się czuję",
            None,
            id="polish",
        ),
        pytest.param("مجھے مدد چاہیے", None, "مجھے مدد چاہیے", None, id="urdu"),
        pytest.param("👍 ok", None, "👍 ok", None, id="emoji"),
        pytest.param(None, None, "", None, id="missing-body"),
    ],
)
def test_inbound_sms_becomes_an_inbound_message(
    body: str | None, opt_out: str | None, expected_text: str, expected_opt_out: str | None
) -> None:
    form = inbound_form(ACCOUNT, from_=PERSON, body=body, opt_out_type=opt_out)
    assert parse_twilio_inbound(form, at=AT) == InboundMessage(
        channel="sms",
        address=PERSON,
        text=expected_text,
        provider_key=form["MessageSid"],
        at=AT,
        opt_out_type=expected_opt_out,
    )


@pytest.mark.parametrize(
    ("body", "pictures", "media"),
    [("", "1", True), ("", "0", False), ("Our day centre", "1", False), ("  ", "2", True)],
)
def test_a_picture_message_without_words_is_media(body: str, pictures: str, media: bool) -> None:
    form = inbound_form(ACCOUNT, from_=PERSON, body=body) | {"NumMedia": pictures}
    assert parse_twilio_inbound(form, at=AT).media is media


def test_location_fields_go_no_further() -> None:
    form = inbound_form(ACCOUNT, from_=PERSON, body="hello", with_geography=True)
    parsed = parse_twilio_inbound(form, at=AT)
    assert "CARDIFF" not in repr(parsed)
    assert "CF10" not in repr(parsed)


def test_arrival_time_defaults_to_now() -> None:
    before = datetime.now(UTC)
    parsed = parse_twilio_inbound(inbound_form(ACCOUNT, from_=PERSON, body="hi"))
    assert before <= parsed.at <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("status", "error_code", "expected"),
    [
        pytest.param("sent", None, TwilioStatus("SMx", "sent", None), id="sent"),
        pytest.param("delivered", None, TwilioStatus("SMx", "delivered", None), id="delivered"),
        pytest.param(
            "undelivered", 30003, TwilioStatus("SMx", "undelivered", 30003), id="unreachable"
        ),
        pytest.param("failed", 21610, TwilioStatus("SMx", "failed", 21610), id="opted-out"),
    ],
)
def test_status_callback(status: str, error_code: int | None, expected: TwilioStatus) -> None:
    assert parse_twilio_status(status_form(ACCOUNT, "SMx", status, error_code)) == expected


def test_one_number_written_two_ways_is_one_address() -> None:
    from bot.channels.twilio_sms.routes import normalise_number

    assert normalise_number("+44 7700 900123") == normalise_number("+447700900123")
    assert normalise_number("whatsapp:+44 (7700) 900-123") == "whatsapp:+447700900123"

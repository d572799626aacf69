"""The autouse guard in conftest: tests here cannot reach beyond this machine."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from bot.channels.twilio_sms.send import TwilioSender
from tests.fakes.netguard import NetworkGuard, NonLoopbackConnection, is_loopback


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("192.0.2.10", False),
        ("api.twilio.com", False),
        ("api.telegram.org", False),
        ("2001:db8::1", False),
    ],
)
def test_what_counts_as_this_machine(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_a_raw_connection_is_refused(network_guard: NetworkGuard) -> None:
    with socket.socket() as sock, pytest.raises(NonLoopbackConnection):
        sock.connect(("192.0.2.10", 443))
    assert network_guard.refused == ["192.0.2.10"]
    network_guard.refused.clear()  # acknowledged: this test wanted the refusal


def test_an_http_client_cannot_look_up_a_real_host(network_guard: NetworkGuard) -> None:
    with pytest.raises(NonLoopbackConnection):
        httpx.get("https://api.telegram.org/")
    assert network_guard.refused == ["api.telegram.org"]
    network_guard.refused.clear()


def test_a_sender_left_pointing_at_twilio_is_stopped(network_guard: NetworkGuard) -> None:
    # Without a base URL the sender calls api.twilio.com. The refusal is not an OSError, so it
    # is not mistaken for "retry later"; and it is recorded, so the fixture would fail a test
    # that caught it and carried on.
    sender = TwilioSender("AC" + "f" * 32, "test-auth-token-not-real", from_number="+447700900001")
    try:
        with pytest.raises(NonLoopbackConnection):
            asyncio.run(sender.send("+447700900123", "Hello", (), "msg-1"))
    finally:
        sender.close()
    assert network_guard.refused == ["api.twilio.com"]
    network_guard.refused.clear()

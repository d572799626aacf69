"""What the inbox stores per item, read back: messages (also those queued as version 1, before
provider opt-outs went through the inbox) and provider opt-outs, whose repeat is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.base import InboundMessage
from bot.inbox.payload import PayloadError, ProviderOptOut, from_payload, to_payload
from storage.sql import SqlStore

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ADDRESS = "+447700900777"


def test_a_message_and_an_opt_out_read_back_as_stored() -> None:
    message = InboundMessage("sms", ADDRESS, "Hello", "SM" + "a" * 32, AT, deep_link=None)
    opt_out = ProviderOptOut("telegram", "7700900777", "m" * 32, "403", AT)
    assert from_payload("sms", message.provider_key, to_payload(message)) == message
    assert from_payload("telegram", opt_out.provider_key, to_payload(opt_out)) == opt_out


def test_a_version_1_payload_is_a_message() -> None:
    v1 = {"v": 1, "address": ADDRESS, "text": "Hi", "at": AT.isoformat(), "media": False}
    entry = from_payload("sms", "SMx", v1)
    assert isinstance(entry, InboundMessage) and entry.text == "Hi"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"v": 3, "kind": "message"}, id="future-version"),
        pytest.param({"v": 2, "kind": "gossip", "at": AT.isoformat()}, id="unknown-kind"),
        pytest.param({"v": 2, "kind": "provider_opt_out", "at": AT.isoformat()}, id="no-address"),
    ],
)
def test_an_unreadable_payload_is_refused(payload: dict[str, object]) -> None:
    with pytest.raises(PayloadError):
        from_payload("sms", "key", payload)


def test_a_repeated_opt_out_of_the_same_message_is_refused(store: SqlStore) -> None:
    opt_out = ProviderOptOut("sms", ADDRESS, "m" * 32, "21610", AT)
    added = []
    for _ in range(2):
        with store.unit_of_work() as uow:
            added.append(
                uow.inbox.add("sms", opt_out.provider_key, to_payload(opt_out), AT, sender=ADDRESS)
            )
            uow.commit()
    assert added == [True, False]

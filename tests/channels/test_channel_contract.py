"""Every channel keeps the contract of bot/channels/base.py: what it renders matches the
capabilities it declares, for every message the engine can say in every language, and the
simulator's channels render exactly like the channels they imitate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.channels.base import Capabilities
from bot.channels.names import RENDERING
from bot.channels.registry import render_for
from bot.channels.simulator.channel import SimulatorChannel
from bot.channels.simulator.hub import SimulatorHub
from bot.channels.telegram import channel as telegram
from bot.channels.twilio_sms import channel as twilio_sms
from bot.engine.events import Choice, MessageCreated

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DECLARED: dict[str, Capabilities] = {
    "sms": twilio_sms.CAPABILITIES,
    "telegram": telegram.CAPABILITIES,
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def question(catalogue: Catalogue, language: str, text_id: str) -> MessageCreated:
    resolved = catalogue.text(language, "standard", text_id)
    labels = [catalogue.text(language, "standard", t).text for t in ("common.yes", "common.no")]
    return MessageCreated(
        at=AT,
        message_id="m-1",
        text_id=text_id,
        text=resolved.text,
        language=resolved.language,
        register="standard",
        choices=tuple(Choice(n, v, label) for n, (v, label) in enumerate(
            zip(("yes", "no"), labels, strict=True), start=1
        )),
        direction=resolved.direction,
    )


@pytest.mark.parametrize("channel", sorted(RENDERING))
def test_what_a_channel_renders_fits_what_it_declares(
    channel: str, catalogue: Catalogue
) -> None:
    capabilities = DECLARED[RENDERING[channel]]
    for language in catalogue.codes:
        message = question(catalogue, language, "consent.ask_share_views")
        rendered = render_for(channel)(message, catalogue)
        labels = [c.label for c in message.choices]
        numbered = all(f"{c.number} " in rendered.text for c in message.choices)
        assert numbered is capabilities.numbered_choices, language
        # Buttons carry the labels; a channel without keyboards keeps them only as a record.
        assert list(rendered.choices) == labels
        if capabilities.max_chars is not None:
            assert len(rendered.text) <= capabilities.max_chars
        if capabilities.cost_by_segments:
            assert rendered.encoding in ("gsm7", "ucs2") and rendered.segments >= 1
        else:
            assert rendered.encoding is None


@pytest.mark.parametrize("name", ["sim-sms", "sim-telegram"])
def test_a_simulated_channel_renders_like_the_channel_it_imitates(
    name: str, catalogue: Catalogue
) -> None:
    simulated = SimulatorChannel(SimulatorHub(), name)
    imitated = RENDERING[name]
    assert simulated.capabilities == DECLARED[imitated]
    message = question(catalogue, "pl", "consent.ask_share_views")
    assert simulated.render(message, catalogue) == render_for(imitated)(message, catalogue)

"""What each channel can show, as data, so renderers and senders need no channel switches."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelCapabilities:
    """The limits a rendering must fit.

    `max_chars` counts characters on channels that count characters; SMS is bounded by
    `max_segments` instead, because one non-GSM-7 character changes every segment's size.
    """

    channel: str
    numbered_choices: bool  # choices are written into the text as "1 Yes", "2 No"
    keyboards: bool  # choices can be buttons
    markup: bool  # bold, links and the like can be shown
    max_chars: int | None
    max_segments: int | None


SMS = ChannelCapabilities(
    channel="sms",
    numbered_choices=True,
    keyboards=False,
    markup=False,
    max_chars=None,
    max_segments=2,  # a budget: longer texts cost more and arrive out of order on some phones
)

TELEGRAM = ChannelCapabilities(
    channel="telegram",
    numbered_choices=False,
    keyboards=True,
    markup=False,  # Heard sends plain text: participants' words are never parsed as markup
    max_chars=4096,
    max_segments=None,
)

BY_CHANNEL: dict[str, ChannelCapabilities] = {c.channel: c for c in (SMS, TELEGRAM)}

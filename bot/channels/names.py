"""Channel names as the queues know them, and which rendering each one uses.

The simulator's conversations run on channels of their own (`sim-sms`, `sim-telegram`), so
they never reach a provider, never share a rate limit with real people, and are told apart from
real answers in every stored record; each renders exactly like the channel it imitates.
"""

from __future__ import annotations

from typing import Literal

from bot.terms import SIM_SMS, SIM_TELEGRAM, SMS, TELEGRAM

Rendering = Literal["sms", "telegram"]

RENDERING: dict[str, Rendering] = {
    SMS: "sms",
    TELEGRAM: "telegram",
    SIM_SMS: "sms",
    SIM_TELEGRAM: "telegram",
}
SIMULATED: dict[Rendering, str] = {"sms": SIM_SMS, "telegram": SIM_TELEGRAM}


def rendering_of(channel: str) -> Rendering:
    """KeyError for a channel Heard does not know (a programming mistake)."""
    return RENDERING[channel]

"""The closed vocabularies every part of Heard shares, defined once: registers, consent purposes
and channel names. The bottom layer (docs/DESIGN.md, "Layers"): it imports nothing of Heard.

`storage/` imports nothing of `bot/`, so it stores and returns these as plain `str` (checked
where they come in: the flow schema, the catalogue loader, the channel adapters).
"""

from __future__ import annotations

from typing import Literal, get_args

# The two registers of every message: standard, and easy read.
Register = Literal["standard", "easy"]
REGISTERS: tuple[Register, ...] = get_args(Register)

# What a person can agree to in a flow (`consent` steps, `requires_consent`). The host also
# records `messages` (being sent messages at all) on STOP and START (bot.service.conversation).
# `updates`: being sent "you said, we did" updates (asked after a view, only where the deployment
# sends them: bot.updates).
Purpose = Literal["share_views", "contact_group", "about_you", "updates"]
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)

# Channel names as sessions, queues and stored records know them. The simulator's channels
# (`sim-*`) render like the channel they imitate and never reach a provider.
Channel = Literal["sms", "telegram", "sim-sms", "sim-telegram"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
SMS: Channel = "sms"
TELEGRAM: Channel = "telegram"
SIM_SMS: Channel = "sim-sms"
SIM_TELEGRAM: Channel = "sim-telegram"

# What a working group can offer the people who join it (set per group in the workspace). The
# bot names an offer only when a configured group makes it (docs/DESIGN.md, "Promises"); each
# has a label `wg.offer.<kind>` in the catalogue.
SupportKind = Literal[
    "interpreter", "easy_read", "bsl", "travel_costs", "childcare_costs", "step_free"
]
GROUP_SUPPORT_KINDS: tuple[SupportKind, ...] = get_args(SupportKind)
# How a working group meets.
Attendance = Literal["online", "in_person", "both"]
ATTENDANCE: tuple[Attendance, ...] = get_args(Attendance)

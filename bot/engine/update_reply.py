"""A reply to a "you said, we did" update (docs/DESIGN.md, "You said, we did").

The host hands the engine the update the person received after their last message
(`TurnInput.update`). When nothing but the menu waits (or the session had expired), a message
that is neither a safeguarding sign nor a command is the person's view on that update: it is
saved (`AnswerSaved`, flow `update`, question `update-<id>`, store `view`; the host keeps it only
under share_views) and thanked; the menu, if it was waiting, waits as before.
"""

from __future__ import annotations

from bot.engine.context import TurnContext
from bot.engine.events import AnswerSaved
from bot.engine.inputs import UpdateReceived
from bot.flowspec import texts

UPDATE_FLOW = "update"
UPDATES_CONSULTATION = "updates"
REPLY_FIELD = "update_reply"


def question_id(update_id: int) -> str:
    return f"update-{update_id}"


def keep_reply(ctx: TurnContext, update: UpdateReceived) -> None:
    ctx.emit(
        AnswerSaved(
            at=ctx.at,
            flow=UPDATE_FLOW,
            step=question_id(update.update_id),
            field=REPLY_FIELD,
            store="view",
            question_text_id=UPDATE_FLOW,
            question_text=update.text,
            value=ctx.inp.text,
            raw_text=ctx.inp.text,
            language=ctx.language,
            register=ctx.work.register,
            channel=ctx.inp.channel,
            consultation=UPDATES_CONSULTATION,
        )
    )
    ctx.say(texts.UPDATE_REPLY_THANKS)

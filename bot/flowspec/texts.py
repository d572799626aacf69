"""The text-id contract: catalogue ids and flow ids the engine uses by itself (docs/DESIGN.md,
"What the engine relies on in the content"). It sits in the flow format, below the engine, so the
flow validator (bot.flowspec.validate) checks that they exist and the engine names them, both
from here."""

from __future__ import annotations

WELCOME_FLOW = "welcome"
MENU_FLOW = "menu"
CONSENT_FLOW = "consent"
ENGINE_FLOWS = (WELCOME_FLOW, MENU_FLOW, CONSENT_FLOW)

YES = "common.yes"
NO = "common.no"
PREFER_NOT_TO_SAY = "common.prefer_not_to_say"
NOT_UNDERSTOOD = "common.not_understood"
STOPPED = "common.stopped"
# "thanks" or "bye" at a choice or number question: the place is kept, nothing is asked again.
PAUSED = "common.paused"
STARTED = "common.started"
# START after STOP, back at the question the person was at when they stopped.
STARTED_RESUME = "common.started_resume"
# HELP names PERSON only when the deployment has someone following such requests up.
HELP = "common.help"
HELP_PERSON = "common.help_person"
LANGUAGE_MENU = "common.language_menu"
LANGUAGE_CHANGED = "common.language_changed"
EASY_ON = "common.easy_on"
STANDARD_ON = "common.standard_on"
DELETE_CONFIRM = "common.delete_confirm"
DELETED = "common.deleted"
DELETE_CANCELLED = "common.delete_cancelled"
HANDOVER_DONE = "common.handover_done"  # promises a call back: only with Deployment.handover
HANDOVER_NOTED = "common.handover_noted"  # no one follows requests up, and no contact is set
HANDOVER_NOTED_CONTACT = "common.handover_noted_contact"  # ... the person can reach {contact}
WELCOME_BACK = "common.welcome_back"
CONSENT_NEEDED = "common.consent_needed"
# Said first in every help reply: the person is thanked and heard before anything else.
SAFEGUARDING_THANKS = "safeguarding.thanks"
# The help reply for each kind of risk the safeguarding screen finds (bot.engine.inputs).
SAFEGUARDING_HELP = {
    "risk_to_self": "safeguarding.help_self",
    "harm_from_others": "safeguarding.help_abuse",
    "immediate_danger": "safeguarding.help_danger",
    "unspecified": "safeguarding.help_general",
}
# "Carry on?" after a help reply; the second also says a coordinator will be in touch, and is
# used only when the deployment has coordinators who follow alerts up.
SAFEGUARDING_CONTINUE = "safeguarding.continue"
SAFEGUARDING_CONTINUE_FOLLOW_UP = "safeguarding.continue_follow_up"
# A kind check-in on an uncertain sign, with its two choices (yes: help now; no: carry on).
SAFEGUARDING_CHECK = "safeguarding.check"
SAFEGUARDING_CHECK_HELP = "safeguarding.check_help"
SAFEGUARDING_CHECK_CARRY_ON = "safeguarding.check_carry_on"
# A reply to a consultation that is closed or not open yet (bot.engine.consultations); the menu
# follows. And the menu's choice between open consultations (bot.service.consultations).
CONSULTATION_CLOSED = "consult.closed"
CHOOSE_CONSULTATION = "menu.choose_consultation"
# Needed only by content with a consultation that has dates or a keyword (bot.flowspec.validate).
DATED_CONSULTATION_TEXT_IDS = (CONSULTATION_CLOSED,)
BACK_AGAIN = "back.again"
BACK_NONE = "back.none"
# BACK at the first question of a consultation started from the menu: the menu again.
BACK_MENU = "back.menu"
# "You said, we did": the reply to someone who answers an update (kept as a view on it).
UPDATE_REPLY_THANKS = "update.reply_thanks"
# After a reply not understood: exactly what to send, per kind of question (bot.engine.retry).
RETRY_YES_NO = "retry.yes_no"
RETRY_YES_NO_TAP = "retry.yes_no_tap"
RETRY_CHOICE = "retry.choice"
RETRY_CHOICE_TAP = "retry.choice_tap"
RETRY_MULTI = "retry.multi"
RETRY_NUMBER = "retry.number"
RETRY_OPEN = "retry.open"
# The same for a question that can be skipped: the "prefer not to say" number named apart.
RETRY_YES_NO_SKIP = "retry.yes_no_skip"
RETRY_CHOICE_SKIP = "retry.choice_skip"
RETRY_MULTI_SKIP = "retry.multi_skip"
RETRY_NUMBER_SKIP = "retry.number_skip"
RETRY_OPEN_SKIP = "retry.open_skip"
RETRY_TEXT_IDS = (
    RETRY_YES_NO,
    RETRY_YES_NO_TAP,
    RETRY_CHOICE,
    RETRY_CHOICE_TAP,
    RETRY_MULTI,
    RETRY_NUMBER,
    RETRY_OPEN,
    RETRY_YES_NO_SKIP,
    RETRY_CHOICE_SKIP,
    RETRY_MULTI_SKIP,
    RETRY_NUMBER_SKIP,
    RETRY_OPEN_SKIP,
)

# A working group's invitation (bot.engine.pending.invite): the question, the same naming the
# support the group offers, and the replies to YES and NO. The offers' labels, one per
# bot.terms.GROUP_SUPPORT_KINDS, fill {invite_offers}.
INVITE = "wg.invite"
INVITE_OFFERS = "wg.invite_offers"
INVITE_YES = "wg.invite_yes"
INVITE_NO = "wg.invite_no"
OFFER_LABELS = {
    kind: f"wg.offer.{kind}"
    for kind in ("interpreter", "easy_read", "bsl", "travel_costs", "childcare_costs", "step_free")
}
INVITE_TEXT_IDS = (INVITE, INVITE_OFFERS, INVITE_YES, INVITE_NO, *OFFER_LABELS.values())

ENGINE_TEXT_IDS = (
    YES,
    NO,
    PREFER_NOT_TO_SAY,
    NOT_UNDERSTOOD,
    STOPPED,
    PAUSED,
    STARTED,
    STARTED_RESUME,
    HELP,
    HELP_PERSON,
    LANGUAGE_MENU,
    LANGUAGE_CHANGED,
    EASY_ON,
    STANDARD_ON,
    DELETE_CONFIRM,
    DELETED,
    DELETE_CANCELLED,
    HANDOVER_DONE,
    HANDOVER_NOTED,
    HANDOVER_NOTED_CONTACT,
    WELCOME_BACK,
    CONSENT_NEEDED,
    SAFEGUARDING_THANKS,
    *SAFEGUARDING_HELP.values(),
    SAFEGUARDING_CONTINUE,
    SAFEGUARDING_CONTINUE_FOLLOW_UP,
    SAFEGUARDING_CHECK,
    SAFEGUARDING_CHECK_HELP,
    SAFEGUARDING_CHECK_CARRY_ON,
    BACK_AGAIN,
    BACK_NONE,
    BACK_MENU,
    UPDATE_REPLY_THANKS,
    *RETRY_TEXT_IDS,
    *INVITE_TEXT_IDS,
)

# Optional: used when present, silently skipped when not.
# A goodbye after a person at risk says they do not want to carry on.
SAFEGUARDING_END = "safeguarding.end"
# Labels of the choices of a `register` ask without options of its own.
REGISTER_LABELS = {"standard": "common.register_standard", "easy": "common.register_easy"}

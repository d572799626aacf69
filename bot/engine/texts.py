"""Catalogue ids and flow ids the engine uses by itself (docs/DESIGN.md, "What the engine relies
on in the content"). The flow validator checks that they exist."""

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
STARTED = "common.started"
HELP = "common.help"
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
SAFEGUARDING_HELP = "safeguarding.help"
SAFEGUARDING_CONTINUE = "safeguarding.continue"

ENGINE_TEXT_IDS = (
    YES,
    NO,
    PREFER_NOT_TO_SAY,
    NOT_UNDERSTOOD,
    STOPPED,
    STARTED,
    HELP,
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
    SAFEGUARDING_HELP,
    SAFEGUARDING_CONTINUE,
)

# Optional: used when present, silently skipped when not.
# A goodbye after a person at risk says they do not want to carry on.
SAFEGUARDING_END = "safeguarding.end"
# Labels of the choices of a `register` ask without options of its own.
REGISTER_LABELS = {"standard": "common.register_standard", "easy": "common.register_easy"}

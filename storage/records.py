"""Plain records that cross the store's boundary (storage.unit_of_work). No SQLAlchemy here:
the service layer, the workers and the CLI use these, never rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal


@dataclass(frozen=True)
class Participant:
    participant_id: str  # pseudonymous, random; the only id used outside the address table
    created_at: datetime
    language: str | None
    register: str  # "standard" | "easy"
    opted_out: bool


@dataclass(frozen=True)
class ViewRecord:
    view_id: str
    participant_id: str
    consultation: str | None
    flow: str
    question_id: str  # the step id
    question_text: str  # as shown to the person, in their language
    answer_value: str  # normalised value (option value, yes/no, 1..5, number) or the free text
    original_text: str  # exactly what the person sent
    language: str
    register: str
    channel: str
    at: datetime
    consultation_version: int | None = None  # a workspace consultation's version


@dataclass(frozen=True)
class ProfileAnswer:
    participant_id: str
    field: str  # age_band | area | ethnic_group | disability | carer
    value: str  # may be "prefer_not_to_say"
    at: datetime


@dataclass(frozen=True)
class ConsentEntry:
    participant_id: str
    purpose: str  # share_views | contact_group | about_you | sms_messages
    granted: bool
    text_id: str
    language: str
    channel: str
    at: datetime


@dataclass(frozen=True)
class GroupInterest:
    participant_id: str
    topics: tuple[str, ...]
    availability: tuple[str, ...]
    access_needs: tuple[str, ...]
    interpreter_language: str | None
    contact_method: str | None
    language: str
    channel: str
    at: datetime


@dataclass(frozen=True)
class HandoverRequest:
    participant_id: str
    reason: str  # asked | help | safeguarding
    flow: str | None
    step: str | None
    language: str
    channel: str
    at: datetime


@dataclass(frozen=True)
class SafeguardingAlertRecord:
    participant_id: str
    kind: str  # risk_to_self | harm_from_others | immediate_danger | unspecified
    matched: str  # intent | keyword
    language: str
    channel: str
    at: datetime
    level: str = "clear"  # clear | check (the screen's certainty)
    # What the person wrote, for the coordinator who acts on the alert. Personal free text: it
    # crosses the store's boundary as a plain str, like a view's words, and is cleared when the
    # person is erased (the alert itself outlives erasure, anonymised).
    words: str | None = None


@dataclass(frozen=True)
class LoggedMessage:
    participant_id: str
    direction: str  # "in" | "out"
    channel: str
    # None when not kept: the person has not agreed to share their views, or the text is older
    # than the message log's retention (bot.service.conversation, bot.retention).
    text: str | None
    text_id: str | None
    language: str | None
    at: datetime


# --- durable channel queues (storage.repositories.inbox and .outbox)

InboxStatus = Literal["pending", "processing", "done", "failed", "dead"]
OutboxStatus = Literal["pending", "sending", "sent", "failed", "dead"]


@dataclass(frozen=True)
class InboxItem:
    """One inbound delivery as the provider sent it. `payload` holds the sender's address and
    text: it is stored encrypted and must never be logged."""

    item_id: int
    channel: str
    provider_key: str  # Twilio MessageSid, or Telegram "<bot_id>:<update_id>"
    payload: dict[str, Any] = field(repr=False)
    received_at: datetime
    status: InboxStatus
    attempts: int  # claims so far, this one included
    claimed_at: datetime | None
    processed_at: datetime | None
    error: str | None  # short reason, never the payload
    participant_id: str | None  # set by `inbox.done` once the sender is known


@dataclass(frozen=True)
class DeadLetter:
    """An inbox or outbox row given up on (`dead`): never claimed again, kept until the
    retention job purges it. No content: the error is an exception's type or a short reason."""

    queue: Literal["inbox", "outbox"]
    row_id: str  # the inbox item id, or the outbox message id
    channel: str
    queued_at: datetime
    attempts: int
    error: str | None


@dataclass(frozen=True)
class OutboxMessage:
    """One message to send. The recipient's address is not here: the outbox keeps it encrypted
    and `UnitOfWork.outbox.address` decrypts it for the sender only."""

    message_id: str  # ours (MessageCreated.message_id), unique
    participant_id: str | None  # None for a reply sent after the person was erased
    channel: str
    text: str
    created_at: datetime
    choices: tuple[str, ...] = ()  # button labels in order; SMS text already numbers them
    language: str | None = None
    encoding: str | None = None  # "gsm7" | "ucs2" for SMS; None elsewhere
    segments: int = 1
    status: OutboxStatus = "pending"
    attempts: int = 0  # claims so far
    next_attempt_at: datetime | None = None  # not before; while sending, the lease expiry
    provider_message_id: str | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    delivery_status: str | None = None  # from provider status callbacks
    delivery_error_code: str | None = None
    # A message to many ("you said, we did", a re-invitation): sent after every waiting reply
    # on its channel, so a person who texts during a broadcast is answered first.
    bulk: bool = False


@dataclass(frozen=True)
class TotalCount:
    """An anonymous counter kept after erasure, e.g. views per consultation and language.

    `subject` is what is counted within the metric (a consultation id, a consent purpose, a
    handover reason); empty strings mean "not applicable" or "not known"."""

    metric: str
    subject: str
    language: str
    channel: str
    count: int


# --- the views inbox, themes and working groups (storage.repositories.view_inbox, .themes,
# .groups)

ViewStatus = Literal["new", "read", "shared", "acted_on"]
VIEW_STATUSES: tuple[ViewStatus, ...] = ("new", "read", "shared", "acted_on")
TagState = Literal["confirmed", "suggested", "rejected"]
TagSource = Literal["person", "keyword", "similar"]


@dataclass(frozen=True)
class ViewFilters:
    """What the views inbox and the exports are narrowed to; None means any. `since` is
    inclusive and `until` exclusive. `group_ids` set (a working-group member) keeps only views
    shared with one of those groups."""

    consultation: str | None = None
    question_id: str | None = None
    language: str | None = None
    register: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    theme_id: int | None = None
    status: ViewStatus | None = None
    group_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ThemeTag:
    theme_id: int
    name: str
    state: TagState
    source: TagSource


@dataclass(frozen=True)
class InboxEntry:
    """One listed view: the person's latest answer to a question, its inbox state, its themes
    (confirmed and suggested; rejected ones are left out), how many earlier answers to the
    same question the person gave (its answer history), and the groups it is shared with."""

    view: ViewRecord
    status: ViewStatus
    themes: tuple[ThemeTag, ...] = ()
    earlier: int = 0
    groups: tuple[str, ...] = ()
    latest: bool = True


@dataclass(frozen=True)
class InboxPage:
    entries: tuple[InboxEntry, ...]
    next_cursor: str | None  # pass as `after` for the next (older) page; None on the last


@dataclass(frozen=True)
class InboxCounts:
    """Views matching the filters (`total`), and per status with the status filter left out
    (so each status tab shows what choosing it would give)."""

    total: int
    by_status: dict[str, int]


@dataclass(frozen=True)
class ThemeRecord:
    theme_id: int
    name: str
    description: str
    keywords: dict[str, tuple[str, ...]]  # language -> keyword rules
    group_id: int | None  # a working group's own theme; None: a coordinators' theme
    created_at: datetime


@dataclass(frozen=True)
class ThemeCount:
    theme: ThemeRecord
    confirmed: int  # listed views carrying it
    suggested: int  # listed views it is suggested for, waiting for a decision


@dataclass(frozen=True)
class NoteRecord:
    note_id: int
    view_id: str
    author: str
    text: str
    at: datetime


@dataclass(frozen=True)
class WorkingGroup:
    group_id: int
    name: str
    created_at: datetime
    # Recruitment details (coordinators' words, not a person's): see GroupDetails.
    purpose: str = ""
    topics: tuple[str, ...] = ()
    meeting_pattern: str = ""
    support: tuple[str, ...] = ()
    attendance: str = "in_person"  # online | in_person | both
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class GroupDetails:
    """What a coordinator writes about a working group. `topics` are the join flow's topic
    values; `support` the kinds bot.terms.GROUP_SUPPORT_KINDS names (checked where they come
    in, the workspace); `attendance`: online | in_person | both."""

    name: str
    purpose: str = ""
    topics: tuple[str, ...] = ()
    meeting_pattern: str = ""
    support: tuple[str, ...] = ()
    attendance: str = "in_person"


# A pipeline stage. `interested` is also the place of anyone whose join-flow interest matches the
# group's topics and who has not been moved yet.
PIPELINE_STAGES = ("interested", "contacted", "joined", "declined")


@dataclass(frozen=True)
class Recruit:
    """One person in one group's pipeline, as a coordinator sees them: never an address.
    `can_invite`: their latest contact_group consent stands granted and they never said STOP
    (or said START since)."""

    participant_id: str
    stage: str
    topics: tuple[str, ...]
    availability: tuple[str, ...]
    access_needs: tuple[str, ...]
    interpreter_language: str | None
    contact_method: str | None
    language: str
    register: str
    channel: str
    interested_at: datetime
    updated_at: datetime | None
    updated_by: str | None
    invited_for: str | None
    can_invite: bool


@dataclass(frozen=True)
class GroupMove:
    group_id: int
    participant_id: str
    from_stage: str
    to_stage: str
    invited: bool
    by: str | None  # None: the person, replying to an invitation
    at: datetime


# --- the coordinators' workspace (storage.repositories.users, tokens, web_sessions, audit)

Role = Literal["admin", "coordinator", "member"]
ROLES: tuple[Role, ...] = ("admin", "coordinator", "member")


@dataclass(frozen=True)
class UserRecord:
    user_id: int
    email: str
    role: Role
    groups: tuple[str, ...]  # working groups the user belongs to, by name
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True)
class ApiTokenRecord:
    token_id: int
    user_id: int
    prefix: str  # the token's first characters, to recognise it in a list
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class WebSession:
    session_id: int
    user_id: int
    csrf_token: str = field(repr=False)
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_user_id: int | None
    actor: str  # the user's email, or "command line"
    action: str  # e.g. "reveal_contact", "user_added", "token_revoked"
    subject: str  # what it was done to, e.g. "alert:12"
    reason: str = ""  # in the user's own words, when the action asks for one
    entry_id: int | None = None


# --- the safety queue (storage.repositories.safety)

SafetyItemType = Literal["alert", "request"]


@dataclass(frozen=True)
class SafetyItem:
    """One entry of the safety queue: a safeguarding alert, or a request to talk to a person
    (a handover). `item_id` is `alert-<n>` or `request-<n>`. `participant_id` and `words` are
    None once the person was erased (`anonymised`)."""

    item_id: str
    type: SafetyItemType
    number: int  # the row id within its type
    reason: str  # alerts: the risk kind; requests: asked | help | safeguarding
    level: str | None  # alerts: clear | check; requests: None
    words: str | None = field(repr=False)
    language: str
    channel: str
    at: datetime
    participant_id: str | None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    outcome: str | None = None
    anonymised: bool = False

    @property
    def waiting(self) -> bool:
        return self.acknowledged_at is None


# --- who has and has not been heard (storage.repositories.reach, .baselines)


@dataclass(frozen=True)
class ReachPerson:
    """One person who gave views (at least one view not withdrawn), as reach counts them.
    `profile` holds their latest "about you" answer per field, and only while their latest
    `about_you` consent is granted; otherwise it is empty (counted as not known)."""

    participant_id: str
    language: str | None
    register: str
    channel: str | None  # the channel of their first address
    opted_out: bool
    about_you: bool  # latest about_you consent granted
    contact_group: bool  # latest contact_group consent granted
    profile: Mapping[str, str]


@dataclass(frozen=True)
class BaselineShare:
    dimension: str
    category: str
    share: float  # percent of the population, 0..100


@dataclass(frozen=True)
class Baseline:
    shares: tuple[BaselineShare, ...]
    source: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class Reinvitation:
    reinvitation_id: int
    key: str
    dimension: str
    categories: tuple[str, ...]
    created_by: str
    created_at: datetime
    queued: int  # people it was queued for
# Consultations made in the workspace (storage.repositories.consultations).


@dataclass(frozen=True)
class ConsultationVersionRecord:
    version: int
    document: str  # JSON: {"flow": <flow document>, "texts": {text id: {lang: {register: text}}}}
    created_by: str
    created_at: datetime
    opened_at: datetime | None


@dataclass(frozen=True)
class ConsultationRecord:
    consultation_id: str
    keyword: str
    opens_at: datetime | None
    closes_at: datetime | None
    live_version: int | None  # None: never opened
    latest_version: int
    created_by: str
    created_at: datetime
    updated_at: datetime

    def is_open(self, at: datetime) -> bool:
        """Opened, and `at` is within its dates (opens inclusive, closes exclusive)."""
        return (
            self.live_version is not None
            and (self.opens_at is None or self.opens_at <= at)
            and (self.closes_at is None or at < self.closes_at)
        )
# --- "you said, we did" (storage.repositories.updates)


@dataclass(frozen=True)
class UpdateRecord:
    update_id: int
    theme_id: int
    title: str
    status: str  # draft | sending | sent
    created_by: str | None
    created_at: datetime
    send_requested_at: datetime | None
    finished_at: datetime | None
    texts: dict[tuple[str, str], str]  # (language, register) -> text


@dataclass(frozen=True)
class UpdateAudience:
    """One person an update is for: their language and register, the channel of their latest
    view on the theme, and their address on it (None when none is stored). Never logged."""

    participant_id: str
    language: str
    register: str
    channel: str
    address: str | None = field(repr=False)


@dataclass(frozen=True)
class AudienceCount:
    language: str
    register: str
    channel: str
    people: int


@dataclass(frozen=True)
class DeliveryCount:
    """Recipients of an update per language and channel, by outcome."""

    language: str
    channel: str
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    opted_out: int = 0
    held_back: int = 0


@dataclass(frozen=True)
class ReceivedUpdate:
    """The update a person last received, for the host to hand the engine."""

    update_id: int
    text: str
    at: datetime

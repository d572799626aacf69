"""The tables. Only `storage.sql` and the migrations use these; everything else sees records.

Every row that names a person carries `participant_id`, a random pseudonym, with a foreign key
to `participants` and no cascade: erasure deletes rows table by table, and a table it forgot
would make the final delete of the participant fail rather than leave data behind.
Addresses exist only as AES-GCM ciphertext plus an HMAC for lookup (storage.crypto).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.text import FreeText
from storage.timestamps import UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(64)
SHORT = String(64)
HMAC_HEX = String(64)


def open_rows(statuses: str) -> dict[str, Any]:
    """A partial index's predicate, `status IN (<statuses>)`, on both databases. Queries use it
    only when their WHERE names the same constants (storage.queues.status_in)."""
    predicate = text(f"status IN ({statuses})")
    return {"postgresql_where": predicate, "sqlite_where": predicate}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


def _person() -> Mapped[str]:
    return mapped_column(ID, ForeignKey("participants.id"), index=True)


class ParticipantRow(Base):
    __tablename__ = "participants"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    created_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(SHORT)
    register: Mapped[str] = mapped_column(SHORT)
    opted_out: Mapped[bool] = mapped_column(Boolean)


class AddressRow(Base):
    __tablename__ = "participant_addresses"
    __table_args__ = (UniqueConstraint("channel", "address_hmac"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[str] = _person()
    channel: Mapped[str] = mapped_column(SHORT)
    address_hmac: Mapped[str] = mapped_column(HMAC_HEX)
    address_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class SessionRow(Base):
    __tablename__ = "sessions"

    participant_id: Mapped[str] = mapped_column(ID, ForeignKey("participants.id"), primary_key=True)
    session_json: Mapped[str] = mapped_column(FreeText)
    updated_at: Mapped[datetime]


class ConsentRow(Base):
    """Append-only: rows are inserted, never updated; erasure deletes them all."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[str] = _person()
    purpose: Mapped[str] = mapped_column(SHORT)
    granted: Mapped[bool] = mapped_column(Boolean)
    text_id: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(SHORT)
    channel: Mapped[str] = mapped_column(SHORT)
    at: Mapped[datetime]


# The views inbox lists a person's latest answer to each question whose author still shares
# their views; every inbox index is partial on that, so the hidden rows cost nothing to skip.
LISTED = text("NOT superseded AND NOT withdrawn")


def _listed_index(name: str, *columns: str) -> Index:
    # INCLUDE status: the inbox's counts per status are index-only scans on PostgreSQL.
    return Index(
        name,
        *columns,
        postgresql_where=LISTED,
        sqlite_where=LISTED,
        postgresql_include=[] if "status" in columns else ["status"],
    )


class ViewRow(Base):
    __tablename__ = "views"
    __table_args__ = (
        _listed_index("ix_views_listed_at", "at", "view_id"),
        _listed_index("ix_views_listed_id", "view_id"),
        _listed_index("ix_views_listed_consultation", "consultation", "at", "view_id"),
        _listed_index("ix_views_listed_question", "question_id", "at", "view_id"),
        _listed_index("ix_views_listed_language", "language", "at", "view_id"),
        _listed_index("ix_views_listed_status", "status", "at", "view_id"),
        _listed_index("ix_views_listed_channel", "channel", "at", "view_id"),
        Index("ix_views_answers", "participant_id", "flow", "question_id"),
    )

    view_id: Mapped[str] = mapped_column(ID, primary_key=True)
    participant_id: Mapped[str] = _person()
    consultation: Mapped[str | None] = mapped_column(String(200), index=True)
    flow: Mapped[str] = mapped_column(String(200))
    question_id: Mapped[str] = mapped_column(String(200))
    question_text: Mapped[str] = mapped_column(FreeText)
    answer_value: Mapped[str] = mapped_column(FreeText)
    original_text: Mapped[str] = mapped_column(FreeText)
    language: Mapped[str] = mapped_column(SHORT)
    register: Mapped[str] = mapped_column(SHORT)
    channel: Mapped[str] = mapped_column(SHORT)
    at: Mapped[datetime]
    # The inbox's own state (storage.repositories.view_inbox): new | read | shared | acted_on.
    status: Mapped[str] = mapped_column(String(16), server_default="new")
    # True once the same person answered the same question again (the newer answer is listed;
    # this one is in its answer history).
    superseded: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # True while the person's latest share_views consent is a withdrawal (kept in step by
    # storage.repositories.consent): such views never reach coordinators.
    withdrawn: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # The version of a workspace consultation the answer was given to (storage.repositories.
    # consultations); None for a consultation of `flows/`.
    consultation_version: Mapped[int | None] = mapped_column(Integer)


class ViewTallyRow(Base):
    """How many listed views there are per key, in shards (storage.repositories.tallies)."""

    __tablename__ = "view_tallies"

    consultation: Mapped[str] = mapped_column(String(200), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    language: Mapped[str] = mapped_column(SHORT, primary_key=True)
    register: Mapped[str] = mapped_column(SHORT, primary_key=True)
    channel: Mapped[str] = mapped_column(SHORT, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class ThemeRow(Base):
    """A theme coordinators tag views with. `keywords_json` maps a language code to keyword
    rules (words or phrases) that suggest the theme for a view in that language."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, server_default="")
    keywords_json: Mapped[str] = mapped_column(Text, server_default="{}")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id"), index=True)
    created_at: Mapped[datetime]


class ViewThemeRow(Base):
    """A theme on a view: `confirmed` (a person tagged it or accepted a suggestion),
    `suggested` (by keyword rules or similar views) or `rejected` (a suggestion turned down,
    kept so it is not suggested again)."""

    __tablename__ = "view_themes"
    __table_args__ = (Index("ix_view_themes_theme_state", "theme_id", "state", "view_id"),)

    view_id: Mapped[str] = mapped_column(ID, ForeignKey("views.view_id"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))  # person | keyword | similar
    by: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]


class ViewNoteRow(Base):
    __tablename__ = "view_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    view_id: Mapped[str] = mapped_column(ID, ForeignKey("views.view_id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(FreeText)
    at: Mapped[datetime]


class WorkingGroupRow(Base):
    __tablename__ = "working_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    # Recruitment (migration 0008): what the group is for, the topics it recruits on (JSON array
    # of the join flow's topic values), when it meets, the support it offers (JSON array of
    # storage.vocabulary.GROUP_SUPPORT_KINDS) and how it meets (online | in_person | both).
    # Written by coordinators, never a person's words: stored plain.
    purpose: Mapped[str] = mapped_column(Text, server_default="")
    topics_json: Mapped[str] = mapped_column(Text, server_default="[]")
    meeting_pattern: Mapped[str] = mapped_column(String(500), server_default="")
    support_json: Mapped[str] = mapped_column(Text, server_default="[]")
    attendance: Mapped[str] = mapped_column(SHORT, server_default="in_person")
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str | None] = mapped_column(String(320))


class GroupRecruitRow(Base):
    """A person's place in a group's recruitment pipeline, once a coordinator moved them or
    they answered an invitation. People whose interest matches the group's topics and who have
    no row here are `interested`."""

    __tablename__ = "group_recruits"
    __table_args__ = (UniqueConstraint("group_id", "participant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"), index=True)
    participant_id: Mapped[str] = _person()
    stage: Mapped[str] = mapped_column(SHORT)  # interested | contacted | joined | declined
    invited_for: Mapped[str | None] = mapped_column(SHORT)  # the date an invitation gave
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(320))  # None: the person, by reply


class GroupMoveRow(Base):
    """Every pipeline move, who made it (a coordinator's email; None: the person's reply) and
    when. Erased with the person."""

    __tablename__ = "group_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"), index=True)
    participant_id: Mapped[str] = _person()
    from_stage: Mapped[str] = mapped_column(SHORT)
    to_stage: Mapped[str] = mapped_column(SHORT)
    invited: Mapped[bool] = mapped_column(Boolean, server_default=false())
    by: Mapped[str | None] = mapped_column(String(320))
    at: Mapped[datetime]


class ViewShareRow(Base):
    """A view shared with a working group: the group's members see it."""

    __tablename__ = "view_shares"
    __table_args__ = (Index("ix_view_shares_group", "group_id", "view_id"),)

    view_id: Mapped[str] = mapped_column(ID, ForeignKey("views.view_id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"), primary_key=True)
    by: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]


class ProfileAnswerRow(Base):
    __tablename__ = "profile_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[str] = _person()
    field: Mapped[str] = mapped_column(SHORT)
    value: Mapped[str] = mapped_column(FreeText)
    at: Mapped[datetime]


class GroupInterestRow(Base):
    """Tuple fields are JSON arrays of strings."""

    __tablename__ = "group_interests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[str] = _person()
    topics_json: Mapped[str] = mapped_column(FreeText)
    availability_json: Mapped[str] = mapped_column(FreeText)
    access_needs_json: Mapped[str] = mapped_column(FreeText)
    interpreter_language: Mapped[str | None] = mapped_column(SHORT)
    contact_method: Mapped[str | None] = mapped_column(SHORT)
    language: Mapped[str] = mapped_column(SHORT)
    channel: Mapped[str] = mapped_column(SHORT)
    at: Mapped[datetime]


class HandoverRow(Base):
    __tablename__ = "handover_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[str] = _person()
    reason: Mapped[str] = mapped_column(SHORT)
    flow: Mapped[str | None] = mapped_column(String(200))
    step: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(SHORT)
    channel: Mapped[str] = mapped_column(SHORT)
    at: Mapped[datetime]
    # The safety queue (bot.workspace): who acknowledged the request, when, and what was done.
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(320))
    outcome: Mapped[str | None] = mapped_column(FreeText)
    notified_at: Mapped[datetime | None]


class SafeguardingAlertRow(Base):
    """An alert outlives the person's erasure, anonymised: `participant_id` and `words` are
    cleared and `anonymised_at` set; kind, level, language, channel, times and the outcome stay
    (docs/DESIGN.md, "The safety queue")."""

    __tablename__ = "safeguarding_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("participants.id"), index=True
    )
    kind: Mapped[str] = mapped_column(SHORT)
    matched: Mapped[str] = mapped_column(SHORT)
    language: Mapped[str] = mapped_column(SHORT)
    channel: Mapped[str] = mapped_column(SHORT)
    at: Mapped[datetime]
    level: Mapped[str] = mapped_column(SHORT, server_default="clear")  # clear | check
    words: Mapped[str | None] = mapped_column(FreeText)  # what the person wrote
    notified_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None] = mapped_column(index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(320))
    outcome: Mapped[str | None] = mapped_column(FreeText)
    anonymised_at: Mapped[datetime | None]


class MessageLogRow(Base):
    __tablename__ = "message_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[str] = _person()
    direction: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(SHORT)
    text: Mapped[str | None] = mapped_column(FreeText)  # None: not kept (records.LoggedMessage)
    text_id: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(SHORT)
    at: Mapped[datetime]


class PersonKeyRow(Base):
    """A person's data key, wrapped under the keyring (storage.personal): their free text is
    sealed under it, and erasure deletes it first (crypto-shredding)."""

    __tablename__ = "person_keys"

    participant_id: Mapped[str] = mapped_column(ID, ForeignKey("participants.id"), primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class AnonymousTotalRow(Base):
    """Counters that survive erasure. Only ever incremented."""

    __tablename__ = "anonymous_totals"
    __table_args__ = (UniqueConstraint("metric", "subject", "language", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(SHORT)
    subject: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(SHORT)
    channel: Mapped[str] = mapped_column(SHORT)
    count: Mapped[int] = mapped_column(Integer)


class InboxRow(Base):
    """Inbound deliveries. `payload_ciphertext` is the raw provider payload, encrypted: it holds
    the sender's number and words. `sender_hmac` (optional) orders one sender's items."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "provider_key"),
        CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'failed', 'dead')", name="status"
        ),
        Index(None, "channel", "sender_hmac"),
        # The claim's own indexes (storage.repositories.inbox): only unfinished rows, so they
        # stay small however many done rows the table keeps, and a plan made before ANALYZE
        # or a prepared statement's generic plan still walks them in claim order. The sender
        # index leaves the channel out (the keyed hash already differs per channel), so the
        # only way to use it is the probe by sender.
        Index("ix_inbox_open", "id", **open_rows("'pending', 'processing'")),
        Index("ix_inbox_open_sender", "sender_hmac", "id", **open_rows("'pending', 'processing'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(SHORT)
    provider_key: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    payload_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    sender_hmac: Mapped[str | None] = mapped_column(HMAC_HEX)
    participant_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("participants.id"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))


class OutboxRow(Base):
    """Messages to send. `seq` orders them; `id` is our message id. The recipient is kept
    encrypted until the message is sent or failed, then wiped; `recipient_hmac` stays so a
    person's messages keep their order whoever they belong to."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'dead')", name="status"
        ),
        Index(None, "channel", "recipient_hmac"),
        # The claim's own indexes (storage.repositories.outbox), as the inbox's: replies before
        # bulk messages, each in queue order.
        Index("ix_outbox_open", "channel", "bulk", "seq", **open_rows("'pending', 'sending'")),
        Index(
            "ix_outbox_open_recipient", "recipient_hmac", "seq", **open_rows("'pending', 'sending'")
        ),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(ID, unique=True)
    participant_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("participants.id"), index=True
    )
    channel: Mapped[str] = mapped_column(SHORT)
    recipient_hmac: Mapped[str] = mapped_column(HMAC_HEX)
    recipient_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(FreeText)
    choices_json: Mapped[str] = mapped_column(FreeText)
    language: Mapped[str | None] = mapped_column(SHORT)
    encoding: Mapped[str | None] = mapped_column(String(16))
    segments: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    delivery_error_code: Mapped[str | None] = mapped_column(String(32))
    bulk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


# --- the coordinators' workspace (bot.workspace): accounts, sign-in, audit


class UserRow(Base):
    """A workspace account. `email` is kept lower-cased; `password_hash` is argon2id."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'coordinator', 'member')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class UserGroupRow(Base):
    """A user's membership of a working group, by the group's name."""

    __tablename__ = "user_groups"
    __table_args__ = (UniqueConstraint("user_id", "group_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    group_name: Mapped[str] = mapped_column(String(200), index=True)


class ApiTokenRow(Base):
    """A personal API token: only its SHA-256 is kept; `prefix` lets its owner recognise it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSessionRow(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is kept."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInFailureRow(Base):
    """A failed sign-in, under a keyed hash of the account or of the address it came from."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index(None, "subject", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]


class AuditRow(Base):
    """What a workspace user did that others must be able to check (a reveal of contact details
    with its reason, account changes). Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(SHORT)
    subject: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(FreeText)


# --- who has and has not been heard (bot.workspace.reach_pages): the population baseline a
# coordinator uploads, and re-invitations of under-heard groups


class BaselineShareRow(Base):
    """One category's share of the population (percent), from the baseline a coordinator
    uploaded last. A new upload replaces every row."""

    __tablename__ = "baseline_shares"

    dimension: Mapped[str] = mapped_column(SHORT, primary_key=True)
    category: Mapped[str] = mapped_column(SHORT, primary_key=True)
    share: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(500))
    uploaded_by: Mapped[str] = mapped_column(String(320))
    uploaded_at: Mapped[datetime]


class ReinvitationRow(Base):
    """A re-invitation of the under-heard groups of one dimension. `key` comes from the
    confirmation step, so confirming twice queues nothing more."""

    __tablename__ = "reinvitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    dimension: Mapped[str] = mapped_column(SHORT)
    categories: Mapped[str] = mapped_column(String(2000))  # comma-separated
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]


class ReinvitationRecipientRow(Base):
    """Who a re-invitation was queued for: at most once per person per re-invitation (the
    primary key). Names a person, so erasure deletes it."""

    __tablename__ = "reinvitation_recipients"

    reinvitation_id: Mapped[int] = mapped_column(ForeignKey("reinvitations.id"), primary_key=True)
    participant_id: Mapped[str] = mapped_column(
        ID, ForeignKey("participants.id"), primary_key=True, index=True
    )
    message_id: Mapped[str] = mapped_column(ID)
    at: Mapped[datetime]
# Consultations made in the workspace (storage.repositories.consultations; migration 0011).


class ConsultationRow(Base):
    """A consultation made in the workspace. `id` is stored with every view; `keyword`
    (folded) starts it by SMS and is a Telegram deep link's payload; `live_version` is the
    version people are given (None: never opened). Dates belong to the consultation, not to a
    version: changing them makes no new version."""

    __tablename__ = "consultations"

    id: Mapped[str] = mapped_column(SHORT, primary_key=True)
    keyword: Mapped[str] = mapped_column(SHORT, unique=True)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    live_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ConsultationVersionRow(Base):
    """One version of a consultation: the flow document and its texts, as JSON. A version that
    was ever live (version <= the consultation's live_version) is never changed again."""

    __tablename__ = "consultation_versions"

    consultation_id: Mapped[str] = mapped_column(
        SHORT, ForeignKey("consultations.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
# --- "you said, we did": updates sent to the people whose views carry a theme (bot.updates)


class UpdateRow(Base):
    """An update for a theme. `status`: draft (being written), sending (the sender fans it out
    to recipients and the outbox), sent (every recipient has a row)."""

    __tablename__ = "updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), server_default="draft")
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    send_requested_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class UpdateTextRow(Base):
    """The update's words in one language and register, as the coordinator wrote them."""

    __tablename__ = "update_texts"

    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id"), primary_key=True)
    language: Mapped[str] = mapped_column(SHORT, primary_key=True)
    register: Mapped[str] = mapped_column(SHORT, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class UpdateRecipientRow(Base):
    """One person an update is for, written before (and in the same transaction as) their
    outbox row: unique per (update, person), so a resumed fan-out never queues anyone twice.
    `state`: queued (an outbox row `outbox_id` exists) or held_back (no text in their language
    and register; never sent in another language)."""

    __tablename__ = "update_recipients"
    __table_args__ = (UniqueConstraint("update_id", "participant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id"))
    participant_id: Mapped[str] = _person()
    language: Mapped[str] = mapped_column(SHORT)
    register: Mapped[str] = mapped_column(SHORT)
    channel: Mapped[str] = mapped_column(SHORT)
    state: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[str | None] = mapped_column(ID, unique=True)
    created_at: Mapped[datetime]

"""\"You said, we did\": updates for a theme, their texts per language and register, their
recipients and delivery counts (bot.updates sends them).

Exactly once: a recipient row is unique per (update, person) and is written in the same
transaction as the person's outbox row (`add_recipient`, then `uow.outbox.add`), so a fan-out
resumed after a crash, or run by two workers at once, never queues anyone twice: the second
insert fails and its transaction is rolled back whole. Who an update is for is worked out in SQL
each time (`audience`): people with a listed view (not withdrawn) confirmed for the theme, not
opted out (STOP or the provider's opt-out), whose latest `updates` consent is a yes, and who
have no recipient row yet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.crypto import AddressCipher, DecryptionError
from storage.records import (
    AudienceCount,
    DeliveryCount,
    ReceivedUpdate,
    UpdateAudience,
    UpdateRecord,
)
from storage.repositories.rows import utc_or_none
from storage.timestamps import as_utc

UPDATES_PURPOSE = "updates"
OPTED_OUT_ERROR = "opted out"


def recipient_message_id(update_id: int, participant_id: str) -> str:
    """The outbox id of one person's copy of an update: the same on every attempt."""
    return f"update-{update_id}-{participant_id}"


class Updates:
    def __init__(self, db: Session, cipher: AddressCipher) -> None:
        self._db = db
        self._cipher = cipher

    # --- writing an update
    def create(self, theme_id: int, title: str, by: str | None, at: datetime) -> UpdateRecord:
        title = " ".join(title.split())
        if not title:
            raise ValueError("an update needs a title")
        if self._db.get(m.ThemeRow, theme_id) is None:
            raise KeyError(theme_id)
        row = m.UpdateRow(
            theme_id=theme_id, title=title[:200], status="draft", created_by=by,
            created_at=as_utc(at),
        )
        self._db.add(row)
        self._db.flush()
        return self._record(row)

    def set_text(
        self, update_id: int, language: str, register: str, text: str, at: datetime
    ) -> None:
        """The update's words in one language and register; empty text removes them."""
        row = self._db.get(m.UpdateTextRow, (update_id, language, register))
        text = text.strip()
        if not text:
            if row is not None:
                self._db.delete(row)
        elif row is None:
            self._db.add(
                m.UpdateTextRow(
                    update_id=update_id, language=language, register=register, text=text,
                    updated_at=as_utc(at),
                )
            )
        else:
            row.text, row.updated_at = text, as_utc(at)
        self._db.flush()

    def get(self, update_id: int) -> UpdateRecord | None:
        row = self._db.get(m.UpdateRow, update_id)
        return None if row is None else self._record(row)

    def all(self, theme_id: int | None = None) -> list[UpdateRecord]:
        query = select(m.UpdateRow).order_by(m.UpdateRow.id.desc())
        if theme_id is not None:
            query = query.where(m.UpdateRow.theme_id == theme_id)
        return [self._record(row) for row in self._db.scalars(query)]

    def _record(self, row: m.UpdateRow) -> UpdateRecord:
        texts = {
            (t.language, t.register): t.text
            for t in self._db.scalars(
                select(m.UpdateTextRow).where(m.UpdateTextRow.update_id == row.id)
            )
        }
        return UpdateRecord(
            row.id, row.theme_id, row.title, row.status, row.created_by, row.created_at,
            utc_or_none(row.send_requested_at), utc_or_none(row.finished_at), texts,
        )

    # --- sending
    def request_send(self, update_id: int, at: datetime) -> bool:
        """Marks the update `sending` (again, after a translation was added: the people held
        back for it are then sent it). False when there is no such update."""
        row = self._db.get(m.UpdateRow, update_id)
        if row is None:
            return False
        row.status, row.send_requested_at, row.finished_at = "sending", as_utc(at), None
        self._db.flush()
        return True

    def sending(self) -> list[int]:
        return list(
            self._db.scalars(
                select(m.UpdateRow.id).where(m.UpdateRow.status == "sending").order_by(
                    m.UpdateRow.id
                )
            )
        )

    def finish(self, update_id: int, at: datetime) -> None:
        self._db.execute(
            update(m.UpdateRow)
            .where(m.UpdateRow.id == update_id, m.UpdateRow.status == "sending")
            .values(status="sent", finished_at=as_utc(at))
            .execution_options(synchronize_session=False)
        )

    def _eligible(self, theme_id: int) -> Select[str]:
        """People with a listed view confirmed for the theme, not opted out, whose latest
        `updates` consent is a yes."""
        latest = (
            select(func.max(m.ConsentRow.id))
            .where(m.ConsentRow.purpose == UPDATES_PURPOSE)
            .group_by(m.ConsentRow.participant_id)
        )
        consented = select(m.ConsentRow.participant_id).where(
            m.ConsentRow.id.in_(latest), m.ConsentRow.granted.is_(True)
        )
        return (
            select(m.ViewRow.participant_id)
            .join(m.ViewThemeRow, m.ViewThemeRow.view_id == m.ViewRow.view_id)
            .join(m.ParticipantRow, m.ParticipantRow.id == m.ViewRow.participant_id)
            .where(
                m.ViewThemeRow.theme_id == theme_id,
                m.ViewThemeRow.state == "confirmed",
                m.ViewRow.withdrawn.is_(False),
                m.ParticipantRow.opted_out.is_(False),
                m.ViewRow.participant_id.in_(consented),
            )
            .distinct()
        )

    def audience(
        self, update_id: int, theme_id: int, limit: int = 500
    ) -> list[UpdateAudience]:
        """Up to `limit` people the update is for who have no recipient row yet, in
        participant order, each with the address of the channel of their latest view on the
        theme (decrypted here; never log it)."""
        eligible = self._eligible(theme_id).subquery()
        done = select(m.UpdateRecipientRow.participant_id).where(
            m.UpdateRecipientRow.update_id == update_id
        )
        ids = list(
            self._db.scalars(
                select(eligible.c.participant_id)
                .where(eligible.c.participant_id.not_in(done))
                .order_by(eligible.c.participant_id)
                .limit(limit)
            )
        )
        return self._audience_of(ids, theme_id)

    def _audience_of(self, ids: list[str], theme_id: int) -> list[UpdateAudience]:
        if not ids:
            return []
        found_people = select(m.ParticipantRow).where(m.ParticipantRow.id.in_(ids))
        people = {row.id: row for row in self._db.scalars(found_people)}
        latest: dict[str, tuple[datetime, str, str]] = {}
        for pid, at, channel, language in self._db.execute(
            select(m.ViewRow.participant_id, m.ViewRow.at, m.ViewRow.channel, m.ViewRow.language)
            .join(m.ViewThemeRow, m.ViewThemeRow.view_id == m.ViewRow.view_id)
            .where(
                m.ViewRow.participant_id.in_(ids),
                m.ViewThemeRow.theme_id == theme_id,
                m.ViewThemeRow.state == "confirmed",
            )
        ):
            if pid not in latest or at > latest[pid][0]:
                latest[pid] = (at, channel, language)
        addresses: dict[tuple[str, str], bytes | None] = {}
        for pid, channel, stored in self._db.execute(
            select(
                m.AddressRow.participant_id, m.AddressRow.channel, m.AddressRow.address_ciphertext
            ).where(m.AddressRow.participant_id.in_(ids))
        ):
            addresses[(pid, channel)] = stored
        found: list[UpdateAudience] = []
        for pid in ids:
            person = people[pid]
            _, channel, view_language = latest[pid]
            address: str | None = None
            ciphertext = addresses.get((pid, channel))
            if ciphertext is not None:
                try:
                    address = self._cipher.decrypt_address(channel, ciphertext)
                except DecryptionError:
                    address = None
            found.append(
                UpdateAudience(
                    pid, person.language or view_language, person.register, channel, address
                )
            )
        return found

    def held_back(self, update_id: int, theme_id: int) -> list[UpdateAudience]:
        """People held back for want of a text, as they stand now (still eligible)."""
        ids = list(
            self._db.scalars(
                select(m.UpdateRecipientRow.participant_id).where(
                    m.UpdateRecipientRow.update_id == update_id,
                    m.UpdateRecipientRow.state == "held_back",
                    m.UpdateRecipientRow.participant_id.in_(self._eligible(theme_id)),
                )
            )
        )
        return self._audience_of(ids, theme_id)

    def add_recipients(
        self, update_id: int, people: list[tuple[UpdateAudience, str | None]], at: datetime
    ) -> None:
        """Records that each person gets the update (with the outbox id of the row to queue in
        the same transaction, after this) or is held back (None), in one batched INSERT. A
        second row for the same person is refused by the database (IntegrityError at flush)."""
        self._db.add_all(
            [
                m.UpdateRecipientRow(
                    update_id=update_id,
                    participant_id=person.participant_id,
                    language=person.language,
                    register=person.register,
                    channel=person.channel,
                    state="held_back" if outbox_id is None else "queued",
                    outbox_id=outbox_id,
                    created_at=as_utc(at),
                )
                for person, outbox_id in people
            ]
        )
        self._db.flush()

    def add_recipient(
        self, update_id: int, person: UpdateAudience, outbox_id: str | None, at: datetime
    ) -> None:
        self.add_recipients(update_id, [(person, outbox_id)], at)

    def release(self, update_id: int, participant_id: str, outbox_id: str) -> bool:
        """A held-back recipient now queued (a text in their language was added). True when
        this call released them (compare-and-set on the state)."""
        result = self._db.execute(
            update(m.UpdateRecipientRow)
            .where(
                m.UpdateRecipientRow.update_id == update_id,
                m.UpdateRecipientRow.participant_id == participant_id,
                m.UpdateRecipientRow.state == "held_back",
            )
            .values(state="queued", outbox_id=outbox_id)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def withhold_pending(self, participant_id: str, at: datetime) -> int:
        """The person said STOP (or the provider opted them out): their updates not yet sent
        are never sent (marked failed, 'opted out'). Returns how many."""
        queued = select(m.UpdateRecipientRow.outbox_id).where(
            m.UpdateRecipientRow.participant_id == participant_id,
            m.UpdateRecipientRow.outbox_id.is_not(None),
        )
        result = self._db.execute(
            update(m.OutboxRow)
            .where(
                m.OutboxRow.id.in_(queued),
                m.OutboxRow.status == "pending",
            )
            .values(
                status="failed", last_error=OPTED_OUT_ERROR, failed_at=as_utc(at),
                next_attempt_at=None, recipient_ciphertext=None,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # --- what the coordinator sees
    def audience_counts(self, theme_id: int) -> list[AudienceCount]:
        """Everyone the theme's updates are for, per language, register and channel."""
        ids = list(self._db.scalars(self._eligible(theme_id)))
        tally: dict[tuple[str, str, str], int] = defaultdict(int)
        for start in range(0, len(ids), 500):
            for person in self._audience_of(ids[start : start + 500], theme_id):
                tally[(person.language, person.register, person.channel)] += 1
        return [AudienceCount(*key, n) for key, n in sorted(tally.items())]

    def delivery(self, update_id: int) -> list[DeliveryCount]:
        """Per language and channel: queued (not yet sent), sent (accepted by the provider, no
        delivery report yet), delivered, failed, opted out, held back. A recipient whose outbox
        row the retention job purged counts as sent."""
        rows = self._db.execute(
            select(
                m.UpdateRecipientRow.language,
                m.UpdateRecipientRow.channel,
                m.UpdateRecipientRow.state,
                m.OutboxRow.status,
                m.OutboxRow.delivery_status,
                m.OutboxRow.last_error,
                func.count(),
            )
            .outerjoin(m.OutboxRow, m.OutboxRow.id == m.UpdateRecipientRow.outbox_id)
            .where(m.UpdateRecipientRow.update_id == update_id)
            .group_by(
                m.UpdateRecipientRow.language,
                m.UpdateRecipientRow.channel,
                m.UpdateRecipientRow.state,
                m.OutboxRow.status,
                m.OutboxRow.delivery_status,
                m.OutboxRow.last_error,
            )
        )
        counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for language, channel, state, status, delivery, error, n in rows:
            counts[(language, channel)][_outcome(state, status, delivery, error)] += n
        return [
            DeliveryCount(language, channel, **dict(outcome))
            for (language, channel), outcome in sorted(counts.items())
        ]

    def last_received(self, participant_id: str, since: datetime) -> ReceivedUpdate | None:
        """The latest update queued for the person at or after `since`, with its text in their
        language and register: the host hands it to the engine so a reply can be kept as a
        view on that update. Read from the recipient rows alone (a turn never reads the
        outbox): an update still waiting in the outbox counts as received."""
        row = self._db.execute(
            select(
                m.UpdateRecipientRow.update_id,
                m.UpdateRecipientRow.language,
                m.UpdateRecipientRow.register,
                m.UpdateRecipientRow.created_at,
            )
            .where(
                m.UpdateRecipientRow.participant_id == participant_id,
                m.UpdateRecipientRow.state == "queued",
                m.UpdateRecipientRow.created_at >= as_utc(since),
            )
            .order_by(m.UpdateRecipientRow.created_at.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        update_id, language, register, queued_at = row
        text = self._db.get(m.UpdateTextRow, (update_id, language, register))
        return ReceivedUpdate(update_id, "" if text is None else text.text, as_utc(queued_at))


def _outcome(state: str, status: str | None, delivery: str | None, error: str | None) -> str:
    if state == "held_back":
        return "held_back"
    if status is None:
        return "sent"  # purged by retention after it finished
    if status in ("pending", "sending"):
        return "queued"
    if status in ("failed", "dead"):
        return "opted_out" if (error or "").startswith(OPTED_OUT_ERROR) else "failed"
    if delivery in ("delivered", "read"):
        return "delivered"
    if delivery in ("undelivered", "failed"):
        return "failed"
    return "sent"


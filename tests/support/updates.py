"""People who gave views on a theme, for the "you said, we did" tests: each with an address on
a channel, a language and register, a view tagged with the theme, and their consents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage.records import ConsentEntry, ViewRecord
from storage.sql import SqlStore

SEEDED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Contributor:
    address: str
    channel: str = "sms"
    language: str = "en"
    register: str = "standard"
    updates: bool | None = True  # their answer to the updates question; None: never asked
    opted_out: bool = False
    tagged: bool = True  # their view carries the theme


def seed(
    store: SqlStore, theme_name: str, people: Sequence[Contributor], *, batch: int = 500,
    at: datetime = SEEDED_AT,
) -> tuple[int, list[str]]:
    """Creates the theme (if needed) and the people; returns the theme id and their
    participant ids in the order given."""
    with store.unit_of_work() as uow:
        found = [t for t in uow.themes.all() if t.name == theme_name]
        theme = found[0] if found else uow.themes.create(theme_name, at)
        uow.commit()
    ids: list[str] = []
    for start in range(0, len(people), batch):
        with store.unit_of_work() as uow:
            for n, person in enumerate(people[start : start + batch], start=start):
                pid = uow.people.for_address(person.channel, person.address, at).participant_id
                ids.append(pid)
                uow.people.update(
                    pid, language=person.language, register=person.register,
                    opted_out=person.opted_out,
                )
                uow.consent.record(
                    ConsentEntry(pid, "share_views", True, "consent.ask_share_views",
                                 person.language, person.channel, at)
                )
                if person.updates is not None:
                    uow.consent.record(
                        ConsentEntry(pid, "updates", person.updates, "hys.ask_updates",
                                     person.language, person.channel, at + timedelta(seconds=1))
                    )
                view_id = f"view-{n}-{pid[:8]}"
                uow.views.save(
                    ViewRecord(
                        view_id, pid, "day-services-2026", "have_your_say", "q_better",
                        "What would make things better?", "more buses", "more buses",
                        person.language, person.register, person.channel, at,
                    )
                )
                if person.tagged:
                    uow.themes.tag([view_id], theme.theme_id, "confirmed", "person", "t", at)
            uow.commit()
    return theme.theme_id, ids


def seed_bulk(
    store: SqlStore, theme_name: str, people: Sequence[Contributor], *, batch: int = 2000,
    at: datetime = SEEDED_AT,
) -> int:
    """`seed` for thousands of people, written as rows in batched INSERTs (the broadcast
    test): the same tables and values an update reads (people, addresses encrypted under the
    store's keyring, consents, a view tagged with the theme), without the per-person work a
    conversation does (data keys, tallies: nothing here reads the view's words or counts)."""
    import secrets

    from sqlalchemy import insert

    from storage import models as m

    with store.unit_of_work() as uow:
        found = [t for t in uow.themes.all() if t.name == theme_name]
        theme_id = (found[0] if found else uow.themes.create(theme_name, at)).theme_id
        uow.commit()
    cipher = store.cipher
    for start in range(0, len(people), batch):
        rows: dict[str, list[dict[str, object]]] = {
            "participants": [], "addresses": [], "consents": [], "views": [], "tags": [],
        }
        for n, person in enumerate(people[start : start + batch], start=start):
            pid = secrets.token_hex(16)
            rows["participants"].append(
                {"id": pid, "created_at": at, "language": person.language,
                 "register": person.register, "opted_out": person.opted_out}
            )
            rows["addresses"].append(
                {"participant_id": pid, "channel": person.channel,
                 "address_hmac": cipher.lookup(person.channel, person.address),
                 "address_ciphertext": cipher.encrypt_address(person.channel, person.address),
                 "created_at": at}
            )
            consent = {"participant_id": pid, "language": person.language,
                       "channel": person.channel, "at": at}
            rows["consents"].append(
                {**consent, "purpose": "share_views", "granted": True, "text_id": "c"}
            )
            if person.updates is not None:
                rows["consents"].append(
                    {**consent, "purpose": "updates", "granted": person.updates,
                     "text_id": "hys.ask_updates"}
                )
            view_id = f"view-{n}-{pid[:8]}"
            rows["views"].append(
                {"view_id": view_id, "participant_id": pid, "consultation": "day-services-2026",
                 "flow": "have_your_say", "question_id": "q_better", "question_text": "q",
                 "answer_value": "more buses", "original_text": "more buses",
                 "language": person.language, "register": person.register,
                 "channel": person.channel, "at": at}
            )
            if person.tagged:
                rows["tags"].append(
                    {"view_id": view_id, "theme_id": theme_id, "state": "confirmed",
                     "source": "person", "by": "t", "at": at}
                )
        with store.engine.begin() as connection:
            for table, key in (
                (m.ParticipantRow, "participants"), (m.AddressRow, "addresses"),
                (m.ConsentRow, "consents"), (m.ViewRow, "views"), (m.ViewThemeRow, "tags"),
            ):
                if rows[key]:
                    connection.execute(insert(table), rows[key])
    return theme_id

"""Reach's repositories on every store (SQLite file, PostgreSQL): the people who gave views
with their "about you" answers only under that consent, the baseline replaced whole, and
re-invitations that reach each person at most once and go with the person's erasure."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import models as m
from storage.records import BaselineShare, ProfileAnswer
from storage.sql import SqlStore
from tests.storage.store_helpers import at, consent, view


def _person(uow: object, phone: str) -> str:
    from storage.unit_of_work import UnitOfWork

    assert isinstance(uow, UnitOfWork)
    return uow.people.for_address("sms", phone, at()).participant_id


def test_only_people_who_gave_views_count_and_their_answers_only_under_about_you(
    store: SqlStore,
) -> None:
    with store.unit_of_work() as uow:
        told = _person(uow, "+447700900001")
        withdrew = _person(uow, "+447700900002")
        silent = _person(uow, "+447700900003")  # no views
        hidden = _person(uow, "+447700900004")  # withdrew share_views: views hidden
        for pid in (told, withdrew, silent, hidden):
            uow.consent.record(consent(pid, "share_views", True, 0))
            uow.consent.record(consent(pid, "about_you", True, 0))
            uow.answers.save_profile(ProfileAnswer(pid, "carer", "yes", at(1)))
        uow.answers.save_profile(ProfileAnswer(told, "carer", "no", at(2)))  # a later answer
        uow.consent.record(consent(told, "contact_group", True, 3))
        uow.views.save(view(told, "v1", "housing"))
        uow.views.save(view(withdrew, "v2", "transport"))
        uow.views.save(view(hidden, "v3", "care"))
        uow.consent.record(consent(withdrew, "about_you", False, 5))
        uow.consent.record(consent(hidden, "share_views", False, 5))
        uow.commit()
    with store.reading() as uow:
        people = {p.participant_id: p for p in uow.reach.people()}
    assert set(people) == {told, withdrew}
    assert people[told].profile == {"carer": "no"} and people[told].about_you
    assert people[told].contact_group and people[told].channel == "sms"
    assert people[withdrew].profile == {} and not people[withdrew].about_you
    assert not people[withdrew].contact_group


def test_a_new_baseline_replaces_the_old_one_whole(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        assert uow.baselines.current() is None
        uow.baselines.replace(
            [BaselineShare("carer", "yes", 10.5), BaselineShare("carer", "no", 89.5)],
            "Census 2021 TS039", "a@example.org", at(),
        )
        uow.commit()
    with store.unit_of_work() as uow:
        uow.baselines.replace([BaselineShare("disability", "yes", 100.0)], "b", "b@x.org", at(1))
        uow.commit()
    with store.reading() as uow:
        found = uow.baselines.current()
    assert found is not None
    assert found.shares == (BaselineShare("disability", "yes", 100.0),)
    assert (found.source, found.uploaded_by, found.uploaded_at) == ("b", "b@x.org", at(1))


def test_a_reinvitation_reaches_each_person_once_and_goes_with_their_erasure(
    store: SqlStore,
) -> None:
    with store.unit_of_work() as uow:
        pid = _person(uow, "+447700900009")
        first = uow.reinvitations.create("key-1", "carer", ["yes"], "c@example.org", at())
        assert first is not None
        assert uow.reinvitations.add_recipient(first, pid, "m1", at()) is True
        assert uow.reinvitations.add_recipient(first, pid, "m2", at()) is False
        # A key already used makes nothing, and the unit of work goes on.
        assert uow.reinvitations.create("key-1", "carer", [], "d@example.org", at(1)) is None
        second = uow.reinvitations.create("key-2", "carer", ["yes"], "c@example.org", at(1))
        assert second is not None
        assert uow.reinvitations.add_recipient(second, pid, "m3", at(1)) is True
        uow.commit()
    with store.unit_of_work() as uow:
        found = uow.reinvitations.find("key-1")
        assert found is not None and found.queued == 1 and found.categories == ("yes",)
        assert uow.reinvitations.find("nope") is None
        assert [r.key for r in uow.reinvitations.recent()] == ["key-2", "key-1"]
        exported = uow.erasure.export(pid)["reinvitations"]
        assert [(e["reinvitation_id"], e["message_id"]) for e in exported] == [
            (first, "m1"), (second, "m3")
        ]
        uow.erasure.erase(pid, at(2))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.reinvitations.find("key-1").queued == 0  # type: ignore[union-attr]
    with store.engine.connect() as connection:
        left = connection.scalar(select(func.count()).select_from(m.ReinvitationRecipientRow))
    assert left == 0

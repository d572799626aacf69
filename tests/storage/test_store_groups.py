"""Working groups' recruitment on every store (SQLite file, PostgreSQL): group details, who is
interested in a group by its topics, moves with who and when, and erasure of a person's place."""

from __future__ import annotations

import pytest

from storage.records import GroupDetails, GroupInterest
from storage.repositories.groups import GroupNameTaken
from storage.sql import SqlStore
from storage.unit_of_work import UnitOfWork
from tests.storage.store_helpers import at, consent

CARERS = GroupDetails(
    "Carers voice", "Plan carers' breaks", ("carers",), "First Tuesday, 6pm",
    ("interpreter", "travel_costs"), "both",
)


def person(uow: UnitOfWork, number: str, topics: tuple[str, ...], *, agrees: bool = True) -> str:
    pid = uow.people.for_address("sms", number, at()).participant_id
    uow.consent.record(consent(pid, "contact_group", agrees, 1))
    uow.answers.save_group_interest(
        GroupInterest(
            pid, topics, ("weekend",), ("interpreter",), "Polish", "text_message", "pl", "sms",
            at(2),
        )
    )
    return pid


def test_a_group_keeps_its_details_and_names_stay_unique_in_any_case(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        group = uow.groups.create(CARERS, "c@example.org", at())
        uow.groups.ensure("Housing", at())
        uow.commit()
    with store.unit_of_work() as uow:
        found = uow.groups.get(group.group_id)
        assert found is not None
        assert (found.purpose, found.topics, found.meeting_pattern) == (
            "Plan carers' breaks", ("carers",), "First Tuesday, 6pm",
        )
        assert found.support == ("interpreter", "travel_costs") and found.attendance == "both"
        assert found.updated_by == "c@example.org"
        with pytest.raises(GroupNameTaken):
            uow.groups.create(GroupDetails("CARERS VOICE"), None, at())
        with pytest.raises(GroupNameTaken):
            uow.groups.update(group.group_id, GroupDetails("housing"), None, at())
        changed = uow.groups.update(
            group.group_id, GroupDetails("Carers voice", support=("step_free",)), None, at(1)
        )
        assert changed is not None and changed.support == ("step_free",)
        assert uow.groups.offers() == {"step_free"}
        assert uow.groups.update(999, CARERS, None, at()) is None


def test_people_interested_in_a_groups_topics_are_in_its_pipeline(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        group = uow.groups.create(CARERS, None, at())
        carer = person(uow, "+447700900001", ("carers", "housing"))
        other = person(uow, "+447700900002", ("home_care",))
        person(uow, "+447700900003", ("carers",), agrees=False)
        uow.commit()
    with store.unit_of_work() as uow:
        listed = uow.recruitment.pipeline(group.group_id, group.topics)
        assert [r.participant_id for r in listed] == [carer]
        (r,) = listed
        assert r.stage == "interested" and r.access_needs == ("interpreter",)
        assert r.contact_method == "text_message" and r.language == "pl" and r.can_invite
        # A group with no topics takes everyone who agreed to be contacted.
        everyone = uow.recruitment.pipeline(group.group_id, ())
        assert {x.participant_id for x in everyone} == {carer, other}
        both = uow.recruitment.pipelines([(group.group_id, group.topics), (99, ("home_care",))])
        assert both[group.group_id] == listed
        assert [x.participant_id for x in both[99]] == [other]


def test_moves_are_recorded_with_who_and_when_and_erased_with_the_person(
    store: SqlStore,
) -> None:
    with store.unit_of_work() as uow:
        group = uow.groups.create(CARERS, None, at())
        pid = person(uow, "+447700900001", ("carers",))
        uow.commit()
    with store.unit_of_work() as uow:
        first = uow.recruitment.move(
            group.group_id, pid, "contacted", "c@example.org", at(5),
            invited_for="2026-12-09", invited=True,
        )
        assert (first.from_stage, first.to_stage) == ("interested", "contacted") and first.invited
        uow.recruitment.move(group.group_id, pid, "joined", None, at(6))
        uow.commit()
    with store.unit_of_work() as uow:
        (r,) = uow.recruitment.pipeline(group.group_id, group.topics)
        assert r.stage == "joined" and r.updated_by is None and r.invited_for == "2026-12-09"
        moves = uow.recruitment.moves(group.group_id)
        assert [(m.to_stage, m.by, m.at) for m in moves] == [
            ("joined", None, at(6)), ("contacted", "c@example.org", at(5)),
        ]
        exported = uow.erasure.export(pid)  # the subject access document lists the moves
        assert [m["to_stage"] for m in exported["working_group_moves"]] == ["contacted", "joined"]
        uow.erasure.erase(pid, at(7))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.recruitment.pipeline(group.group_id, ()) == []
        assert uow.recruitment.moves(group.group_id) == []


def test_someone_who_said_stop_stays_listed_but_cannot_be_invited(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        group = uow.groups.create(CARERS, None, at())
        pid = person(uow, "+447700900001", ("carers",))
        uow.people.update(pid, opted_out=True)
        uow.commit()
    with store.unit_of_work() as uow:
        (r,) = uow.recruitment.pipeline(group.group_id, group.topics)
        assert not r.can_invite

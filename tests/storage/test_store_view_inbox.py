"""The views inbox as coordinators and working-group members read it, on SQLite and
PostgreSQL: filters and their counts, keyset pages, one answer history per person and
question, no views of people who withdrew, themes, notes, groups; and erasure of all of it."""

from __future__ import annotations

import pytest

from storage.records import ViewFilters
from storage.repositories.themes import ThemeExists
from storage.repositories.view_inbox import BadCursor
from storage.sql import SqlStore
from tests.storage.store_helpers import at, consent, view


def _person(store: SqlStore, number: str) -> str:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", number, at()).participant_id
        uow.consent.record(consent(pid, "share_views", True, 0))
        uow.commit()
    return pid


def _seed(store: SqlStore) -> tuple[str, str]:
    ann = _person(store, "+447700900201")
    bob = _person(store, "+447700900202")
    with store.unit_of_work() as uow:
        uow.views.save(view(ann, "a1", "buses", 1, language="pl", original="autobusy"))
        uow.views.save(view(ann, "a2", "good", 2, question_id="q_scale"))
        uow.views.save(view(bob, "b1", "lifts", 3, channel="telegram"))
        uow.views.save(view(bob, "b2", "4", 4, question_id="q_scale", consultation="other"))
        uow.commit()
    return ann, bob


def _ids(store: SqlStore, filters: ViewFilters) -> list[str]:
    with store.unit_of_work() as uow:
        return [e.view.view_id for e in uow.view_inbox.page(filters).entries]


def test_the_inbox_lists_newest_first_and_filters_with_matching_counts(store: SqlStore) -> None:
    _seed(store)
    assert _ids(store, ViewFilters()) == ["b2", "b1", "a2", "a1"]
    cases = {
        ViewFilters(language="pl"): ["a1"],
        ViewFilters(channel="telegram"): ["b1"],
        ViewFilters(consultation="other"): ["b2"],
        ViewFilters(question_id="q_scale"): ["b2", "a2"],
        ViewFilters(since=at(2), until=at(4)): ["b1", "a2"],
        ViewFilters(register="easy"): [],
    }
    for filters, expected in cases.items():
        assert _ids(store, filters) == expected
        with store.unit_of_work() as uow:
            assert uow.view_inbox.counts(filters).total == len(expected)


def test_keyset_pages_walk_every_view_once(store: SqlStore) -> None:
    _seed(store)
    seen: list[str] = []
    cursor = None
    with store.unit_of_work() as uow:
        while True:
            page = uow.view_inbox.page(ViewFilters(), after=cursor, limit=1)
            seen += [e.view.view_id for e in page.entries]
            cursor = page.next_cursor
            if cursor is None:
                break
        with pytest.raises(BadCursor):
            uow.view_inbox.page(ViewFilters(), after="not-a-cursor!")
    assert seen == ["b2", "b1", "a2", "a1"]


def test_a_repeat_answer_is_one_answer_history_latest_first(store: SqlStore) -> None:
    ann, _ = _seed(store)
    with store.unit_of_work() as uow:
        uow.views.save(view(ann, "a3", "shops", 10))  # q_matters again, another run
        uow.commit()
    with store.unit_of_work() as uow:
        entries = uow.view_inbox.page(ViewFilters(question_id="q_matters")).entries
        assert [e.view.view_id for e in entries] == ["a3", "b1"]
        assert entries[0].earlier == 1
        assert uow.view_inbox.counts(ViewFilters(question_id="q_matters")).total == 2
        history = uow.view_inbox.history("a3")
        assert [h.view.view_id for h in history] == ["a3", "a1"]
        assert [h.latest for h in history] == [True, False]


def test_back_replaces_the_current_answer_and_keeps_the_history(store: SqlStore) -> None:
    ann, _ = _seed(store)
    with store.unit_of_work() as uow:
        uow.views.save(view(ann, "a3", "shops", 10))
        uow.views.withdraw(ann, "have_your_say", "q_matters")  # BACK to the question
        uow.views.save(view(ann, "a4", "parks", 11))
        uow.commit()
    with store.unit_of_work() as uow:
        assert [h.view.view_id for h in uow.view_inbox.history("a4")] == ["a4", "a1"]


def test_views_of_someone_who_withdrew_never_appear_and_return_if_they_agree(
    store: SqlStore,
) -> None:
    _, bob = _seed(store)
    with store.unit_of_work() as uow:
        uow.consent.record(consent(bob, "share_views", False, 20))
        uow.commit()
    assert _ids(store, ViewFilters()) == ["a2", "a1"]
    with store.unit_of_work() as uow:
        assert uow.view_inbox.counts(ViewFilters()).total == 2
        assert uow.view_inbox.get("b1") is None
        assert uow.view_inbox.history("b1") == []
        assert [e.view.view_id for e in uow.view_inbox.stream(ViewFilters())] == ["a1", "a2"]
        uow.consent.record(consent(bob, "share_views", True, 30))
        uow.commit()
    assert len(_ids(store, ViewFilters())) == 4


def test_statuses_notes_and_counts_per_status(store: SqlStore) -> None:
    _seed(store)
    with store.unit_of_work() as uow:
        uow.view_inbox.mark_read(["a1", "b1"])
        assert uow.view_inbox.set_status(["b1"], "acted_on") == 1
        uow.view_inbox.add_note("b1", "coordinator@example.org", "Raised with transport", at(5))
        uow.commit()
    assert _ids(store, ViewFilters(status="acted_on")) == ["b1"]
    with store.unit_of_work() as uow:
        counts = uow.view_inbox.counts(ViewFilters(status="read"))
        assert counts.total == 1
        assert counts.by_status == {"new": 2, "read": 1, "shared": 0, "acted_on": 1}
        assert [n.text for n in uow.view_inbox.notes("b1")] == ["Raised with transport"]
        with pytest.raises(ValueError):
            uow.view_inbox.set_status(["b1"], "archived")  # type: ignore[arg-type]


def test_themes_tag_views_suggestions_never_override_and_count(store: SqlStore) -> None:
    _seed(store)
    with store.unit_of_work() as uow:
        rules = {"en": ["bus"], "pl": ["autobus"]}
        transport = uow.themes.create("Transport", at(), keywords=rules)
        lifts = uow.themes.create("Access", at())
        with pytest.raises(ThemeExists):
            uow.themes.create(" transport ", at())
        uow.themes.tag(["a1", "b1"], transport.theme_id, "confirmed", "person", "c@x", at())
        uow.themes.tag(["b1"], lifts.theme_id, "confirmed", "person", "c@x", at())
        uow.themes.tag(["a2"], transport.theme_id, "rejected", "person", "c@x", at())
        uow.themes.tag(["a2", "b2"], transport.theme_id, "suggested", "keyword", None, at())
        uow.commit()
    assert _ids(store, ViewFilters(theme_id=transport.theme_id)) == ["b1", "a1"]
    with store.unit_of_work() as uow:
        counts = {c.theme.name: (c.confirmed, c.suggested) for c in uow.themes.counts()}
        assert counts == {"Transport": (2, 1), "Access": (1, 0)}  # a2 stays rejected
        entry = uow.view_inbox.get("b1")
        assert entry is not None
        assert [t.name for t in entry.themes] == ["Access", "Transport"]
        assert uow.themes.get(transport.theme_id).keywords == {  # type: ignore[union-attr]
            "en": ("bus",),
            "pl": ("autobus",),
        }


def test_a_member_sees_only_views_shared_with_their_group(store: SqlStore) -> None:
    _seed(store)
    with store.unit_of_work() as uow:
        transport = uow.groups.ensure("Transport group", at())
        housing = uow.groups.ensure("Housing group", at())
        assert uow.groups.ensure("transport GROUP", at()) == transport
        assert uow.groups.share(["a1", "b1"], transport.group_id, "c@x", at()) == 2
        assert uow.groups.share(["a1"], transport.group_id, "c@x", at()) == 0
        uow.commit()
    member = ViewFilters(group_ids=(transport.group_id,))
    assert _ids(store, member) == ["b1", "a1"]
    assert _ids(store, ViewFilters(group_ids=(housing.group_id,))) == []
    assert _ids(store, ViewFilters(group_ids=())) == []
    with store.unit_of_work() as uow:
        assert uow.view_inbox.get("a2", member) is None
        assert uow.view_inbox.existing(["a1", "a2", "zz"], member) == {"a1"}
        entry = uow.view_inbox.get("a1", member)
        assert entry is not None and entry.status == "shared"
        assert entry.groups == ("Transport group",)


def test_erasure_takes_tags_notes_and_shares_with_the_views(store: SqlStore) -> None:
    ann, _ = _seed(store)
    with store.unit_of_work() as uow:
        theme = uow.themes.create("Transport", at())
        group = uow.groups.ensure("Transport group", at())
        uow.themes.tag(["a1"], theme.theme_id, "confirmed", "person", "c@x", at())
        uow.groups.share(["a1"], group.group_id, "c@x", at())
        uow.view_inbox.add_note("a1", "c@x", "note", at())
        uow.erasure.erase(ann, at(50))
        uow.commit()
    assert _ids(store, ViewFilters()) == ["b2", "b1"]
    with store.unit_of_work() as uow:
        assert uow.themes.counts()[0].confirmed == 0
        assert uow.groups.shared_count(group.group_id) == 0


def test_counts_from_the_tallies_equal_counting_after_every_kind_of_change(
    store: SqlStore,
) -> None:
    ann, bob = _seed(store)
    filter_sets = [
        ViewFilters(),
        ViewFilters(language="pl"),
        ViewFilters(consultation="other"),
        ViewFilters(question_id="q_scale", status="new"),
        ViewFilters(channel="telegram", register="standard"),
    ]

    def agree() -> None:
        with store.unit_of_work() as uow:
            for filters in filter_sets:
                assert uow.view_inbox.counts(filters) == uow.view_inbox.counts(
                    filters, exact=True
                ), filters

    agree()
    steps = [
        lambda uow: uow.views.save(view(ann, "a3", "shops", 10)),  # supersedes a1
        lambda uow: uow.view_inbox.mark_read(["a3", "b1"]),
        lambda uow: uow.view_inbox.set_status(["b2"], "acted_on"),
        lambda uow: uow.groups.share(
            ["a2", "b2"], uow.groups.ensure("g", at()).group_id, "c@x", at()
        ),
        lambda uow: uow.consent.record(consent(bob, "share_views", False, 20)),
        lambda uow: uow.view_inbox.set_status(["b1"], "new"),  # hidden: tallies stay
        lambda uow: uow.consent.record(consent(bob, "share_views", True, 30)),
        lambda uow: uow.views.withdraw(ann, "have_your_say", "q_matters"),  # BACK: a3 goes
        lambda uow: uow.views.save(view(ann, "a4", "parks", 11, language="pl")),
        lambda uow: uow.erasure.erase(bob, at(60)),
    ]
    for step in steps:
        with store.unit_of_work() as uow:
            step(uow)
            uow.commit()
        agree()

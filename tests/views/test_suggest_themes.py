"""Theme suggestions a coordinator confirms or rejects: keyword rules per language (folded,
whole words) and views like those already confirmed (the classifier's features)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.views.suggest import suggest_by_keywords, suggest_similar
from storage.records import ConsentEntry, ViewFilters, ViewRecord
from storage.sql import SqlStore

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TEXTS = {
    "v1": ("en", "The bus to the centre is always late"),
    "v2": ("pl", "Autobus do ośrodka się spóźnia"),
    "v3": ("en", "Staff are kind and the food is good"),
    "v4": ("en", "the buses are late every single morning"),
    "v5": ("pl", "Jedzenie jest dobre"),
    "v6": ("en", "I like the omnibus museum"),  # "bus" inside a word: no match
}


def _seed(store: SqlStore) -> int:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", "+447700900131", AT).participant_id
        uow.consent.record(ConsentEntry(pid, "share_views", True, "c", "en", "sms", AT))
        for n, (view_id, (language, text)) in enumerate(TEXTS.items()):
            uow.views.save(
                ViewRecord(
                    view_id, pid, "day-services-2026", "have_your_say", f"q{n}", "?", text,
                    text, language, "standard", "sms", AT + timedelta(minutes=n),
                )
            )
        theme = uow.themes.create(
            "Transport", AT, keywords={"en": ["bus", "buses"], "pl": ["autobus"]}
        )
        uow.commit()
    return theme.theme_id


def _tags(store: SqlStore, theme_id: int, state: str) -> set[str]:
    with store.unit_of_work() as uow:
        return set(uow.themes.tagged(theme_id, state))  # type: ignore[arg-type]


def test_keyword_rules_suggest_in_each_language_and_a_rejection_sticks(store: SqlStore) -> None:
    theme_id = _seed(store)
    with store.unit_of_work() as uow:
        uow.themes.tag(["v4"], theme_id, "rejected", "person", "c@x", AT)
        assert suggest_by_keywords(uow, theme_id, AT) == 2
        uow.commit()
    assert _tags(store, theme_id, "suggested") == {"v1", "v2"}
    assert _tags(store, theme_id, "rejected") == {"v4"}
    with store.unit_of_work() as uow:
        assert suggest_by_keywords(uow, theme_id, AT, ViewFilters(language="pl")) == 0


def test_similar_views_are_suggested_from_confirmed_ones(store: SqlStore) -> None:
    theme_id = _seed(store)
    with store.unit_of_work() as uow:
        uow.themes.tag(["v1"], theme_id, "confirmed", "person", "c@x", AT)
        made = suggest_similar(uow, theme_id, AT, threshold=0.2)
        uow.commit()
    suggested = _tags(store, theme_id, "suggested")
    assert made == len(suggested)
    assert "v4" in suggested  # "the buses are late" is like "the bus ... is always late"
    assert "v5" not in suggested

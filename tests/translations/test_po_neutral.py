"""The PO format and the review rule without the catalogue: what an adapter for texts kept
elsewhere (a consultation in the database) uses. Here the store is a plain dict."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.terms import REGISTERS, Register
from bot.translations.po import PoEntry, read_po, write_po
from bot.translations.review import Current, check_sources, decide

NOW = datetime(2026, 11, 27, tzinfo=UTC)
ENGLISH = {
    ("park.q_open", "standard"): "What would make the park better for you?",
    ("park.q_open", "easy"): "What would make the park better?",
    ("park.thanks", "standard"): "Thank you. {org} will read every answer.",
    ("park.thanks", "easy"): "Thank you. {org} will read your answer.",
}


def english(text_id: str, register: Register) -> str | None:
    return ENGLISH.get((text_id, register))


def entries(store: dict[str, Current]) -> list[PoEntry]:
    out = []
    for (text_id, register), source in ENGLISH.items():
        current = store.get(text_id)
        out.append(
            PoEntry(
                text_id,
                register,
                source,
                current.variant(register) if current else "",
                current.reviewed if current else False,
                ("A consultation question.",),
            )
        )
    return out


def test_an_adapter_over_a_dict_exports_reads_and_applies_the_review_rule() -> None:
    store = {
        "park.q_open": Current("Beth fyddai'n gwella'r parc i chi?", "Beth fyddai'n well?", True)
    }
    po = write_po(entries(store), language="cy", project="Park", header="Park", now=NOW)
    assert 'msgctxt "park.thanks|easy"' in po
    assert "#, python-brace-format" in po  # {org}: translation tools check it is kept
    every = "Thank you. {org} will read every answer."
    yours = "Thank you. {org} will read your answer."
    translated = po.replace(
        f'msgid "{every}"\nmsgstr ""',
        f'msgid "{every}"\nmsgstr "Diolch. Bydd {{org}} yn darllen pob ateb."',
    ).replace(
        f'msgid "{yours}"\nmsgstr ""',
        f'msgid "{yours}"\nmsgstr "Diolch. Bydd {{org}} yn darllen eich ateb."',
    )
    read = read_po(translated.encode())
    assert read.language == "cy" and not read.problems
    grouped, problems = check_sources(read.entries, english)
    assert problems == [] and set(grouped) == {"park.q_open", "park.thanks"}

    new = decide(store.get("park.thanks"), grouped["park.thanks"], reviewer=None)
    assert (new.changed, new.review) == (True, "draft")
    assert new.standard == "Diolch. Bydd {org} yn darllen pob ateb."
    unchanged = decide(store["park.q_open"], grouped["park.q_open"], reviewer=None)
    assert (unchanged.changed, unchanged.review) == (False, "keep")

    # The same file from a named reviewer: the new texts were written without the fuzzy flag
    # (a translation's first version is not a draft in the tool), so they are reviewed.
    reviewed = decide(store.get("park.thanks"), grouped["park.thanks"], reviewer="Ana Jones")
    assert reviewed.review == "reviewed"
    assert all(reviewed.variant(r) for r in REGISTERS)


def test_entries_of_unknown_messages_or_older_english_are_problems_with_their_lines() -> None:
    po = write_po(entries({}), language="so", project="Park", header="Park", now=NOW)
    po = po.replace("What would make the park better?", "What would make it better?")
    po = po.replace('msgctxt "park.thanks|easy"', 'msgctxt "park.bye|easy"')
    grouped, problems = check_sources(read_po(po.encode()).entries, english)
    lines = po.splitlines()
    assert sorted((p.text_id, p.line) for p in problems) == sorted(
        [
            ("park.q_open", lines.index('msgid "What would make it better?"') + 1),
            ("park.bye", lines.index('msgctxt "park.bye|easy"') + 2),
        ]
    )
    assert set(grouped) == {"park.q_open", "park.thanks"}

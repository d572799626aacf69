"""The editor's fields read back into the consultation they show, blank slots left out."""

from __future__ import annotations

from bot.catalogue import load_catalogue
from bot.workspace.consult import ConsultationIn
from bot.workspace.consult_form import body, draft, fields, layout, with_slot
from tests.consult.drafts import buses

CODES = load_catalogue().codes


def test_fields_read_back_into_the_same_consultation() -> None:
    original = ConsultationIn.model_validate(buses())
    values = fields(original.model_dump())
    assert values["q.2.c.1.value"] == "bus"
    assert values["q.1.text.pl.easy"] == "Jak autobus może być lepszy?"
    assert [q["choices"] for q in layout(values)] == [[], [1, 2]]
    read, issues = draft(values, CODES)
    assert issues == [] and read == original


def test_blank_slots_and_removed_questions_are_left_out() -> None:
    data = with_slot(with_slot(buses(), "add_question"), "add_choice:2")
    values = fields(data)
    assert values["questions"] == "3" and values["q.2.choices"] == "3"
    values["q.1.kind"] = "remove"
    read = body(values, CODES)
    assert [q["kind"] for q in read["questions"]] == ["choice", "open"]
    assert [c["value"] for c in read["questions"][0]["choices"]] == ["bus", "taxi"]
    assert read["questions"][1]["text"] == {}  # the blank question: its texts are missing


def test_a_bad_field_is_named_by_its_question() -> None:
    values = fields(buses())
    values["q.2.c.1.value"] = "Bus Stop!"
    read, issues = draft(values, CODES)
    assert read is None
    assert [i.where for i in issues] == ["Question 2"]

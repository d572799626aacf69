"""A consultation written in the workspace is checked by the same schema and lint as `flows/`
(bot.workspace.consult.check): each problem names the question, language, register and reason,
and any error keeps it from being opened."""

from __future__ import annotations

from typing import Any

from bot.catalogue import load_catalogue
from bot.flowspec import load_flows
from bot.workspace.consult import ConsultationIn, Issue, check, document, errors
from tests.consult.drafts import buses

FLOWS = load_flows()
CATALOGUE = load_catalogue()


def _check(body: dict[str, Any], **kw: Any) -> list[Issue]:
    return check(ConsultationIn.model_validate(body), "buses", 1, FLOWS, CATALOGUE, **kw)


def test_a_good_consultation_has_no_problems_and_is_a_flow_of_the_flows_format() -> None:
    assert _check(buses()) == []
    built = document(ConsultationIn.model_validate(buses()), "buses", 3)
    assert built.flow["flow"] == "ws_buses_v3"
    assert built.flow["consultation"] == {"id": "buses", "title": "ws.buses.v3.title", "version": 3}
    asks = [s for s in built.flow["steps"] if s["type"] == "ask"]
    assert [(s["answer"], s["store"]) for s in asks] == [("open", "view"), ("choice", "view")]


def test_a_missing_translation_and_a_missing_easy_read_text_are_errors() -> None:
    body = buses()
    del body["title"]["so"]
    body["questions"][1]["choices"][0]["text"]["ro"]["easy"] = ""
    found = errors(_check(body))
    assert any(
        (i.where, i.language, i.rule) == ("Title", "so", "ER-19") and "missing" in i.reason
        for i in found
    )
    assert any(
        (i.where, i.language, i.register, i.rule)
        == ("Question 2, choice bus", "ro", "easy", "ER-19")
        for i in found
    )


def test_a_question_too_long_for_sms_is_refused_with_its_size() -> None:
    body = buses()
    long = "Please tell us, in as much detail as you like, " * 8 + "what would help?"
    body["questions"][0]["text"]["en"]["standard"] = long
    (issue,) = [i for i in errors(_check(body)) if i.rule == "ER-15"]
    assert (issue.where, issue.language, issue.register) == ("Question 1", "en", "standard")
    assert "SMS segments" in issue.reason


def test_easy_read_rules_apply_to_the_easy_read_text() -> None:
    body = buses()
    body["questions"][0]["text"]["en"]["easy"] = (
        "Notwithstanding prior considerations, what improvements would you recommend for the"
        " transportation arrangements and scheduling?"
    )
    found = [i for i in _check(body) if i.where == "Question 1" and i.register == "easy"]
    assert any(i.rule.startswith("ER-") and i.rule != "ER-19" for i in found), found


def test_a_placeholder_missing_from_a_translation_is_an_error() -> None:
    body = buses()
    body["questions"][0]["text"]["en"]["standard"] = "What would make the bus better, {org}?"
    found = errors(_check(body))
    assert any(
        i.rule == "ER-19" and i.language == "cy" and "placeholders" in i.reason for i in found
    )


def test_shape_problems_name_their_question() -> None:
    body = buses()
    body["questions"][1]["choices"] = body["questions"][1]["choices"][:1]
    body["questions"][0]["choices"] = buses()["questions"][1]["choices"]
    found = errors(_check(body))
    assert any(i.where == "Question 2" and "at least 2 options" in i.reason for i in found)
    assert any(
        i.where == "Question 1" and "open question has no choices" in i.reason for i in found
    )


def test_keywords_people_already_send_unknown_languages_and_backwards_dates_are_errors() -> None:
    for word in ("STOP", "help", "tak", "yes", "two", "hello"):
        assert any(i.where == "Keyword" for i in errors(_check(buses(word)))), word
    assert any(i.where == "Keyword" for i in errors(_check(buses("b s"))))
    assert any(i.where == "Keyword" for i in errors(_check(buses(), keyword_taken=True)))
    body = buses()
    body["title"]["xx"] = {"standard": "?", "easy": "?"}
    assert any(i.rule == "LANGUAGE" and i.language == "xx" for i in errors(_check(body)))
    backwards = buses(opens_at="2027-02-01T00:00:00Z", closes_at="2027-01-01T00:00:00Z")
    assert any(i.where == "Dates" for i in errors(_check(backwards)))

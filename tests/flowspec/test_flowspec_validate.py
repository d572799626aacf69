"""Broken flows are reported at the right file, step and rule; valid ones load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.flowspec import FlowError, load_flows, validate_flows
from bot.flowspec.model import AskStep, BranchStep, EndStep, SetStep

ENGINE_TEXTS = """
  common.yes: {standard: "Yes", easy: "Yes"}
  common.no: {standard: "No", easy: "No"}
  common.prefer_not_to_say: {standard: "Prefer not to say", easy: "Prefer not to say"}
  common.not_understood: {standard: "Sorry?", easy: "Sorry?"}
  common.paused: {standard: "Thanks. Reply when ready.", easy: "Thanks. Reply when ready."}
  back.again: {standard: "Again.", easy: "Again."}
  back.none: {standard: "Nothing before.", easy: "Nothing before."}
  back.menu: {standard: "The menu again.", easy: "The menu again."}
  update.reply_thanks: {standard: "Thank you.", easy: "Thank you."}
  retry.yes_no: {standard: "1 or 2?", easy: "1 or 2?"}
  retry.yes_no_tap: {standard: "Yes or No?", easy: "Yes or No?"}
  retry.choice: {standard: "1 to {last}?", easy: "1 to {last}?"}
  retry.choice_tap: {standard: "Tap one.", easy: "Tap one."}
  retry.multi: {standard: "1 to {last}?", easy: "1 to {last}?"}
  retry.number: {standard: "{low} to {high}?", easy: "{low} to {high}?"}
  retry.open: {standard: "Your words?", easy: "Your words?"}
  retry.yes_no_skip: {standard: "1, 2 or {skip}?", easy: "1, 2 or {skip}?"}
  retry.choice_skip: {standard: "1 to {last} or {skip}?", easy: "1 to {last} or {skip}?"}
  retry.multi_skip: {standard: "1 to {last} or {skip}?", easy: "1 to {last} or {skip}?"}
  retry.number_skip: {standard: "{low} to {high} or {skip}?", easy: "{low} to {high} or {skip}?"}
  retry.open_skip: {standard: "Your words or {skip}?", easy: "Your words or {skip}?"}
  common.stopped: {standard: "Stopped.", easy: "Stopped."}
  common.started: {standard: "Started.", easy: "Started."}
  common.started_resume: {standard: "Started again.", easy: "Started again."}
  common.help: {standard: "Help.", easy: "Help."}
  common.help_person: {standard: "Help or a person.", easy: "Help or a person."}
  common.language_menu: {standard: "Language?", easy: "Language?"}
  common.language_changed: {standard: "Changed.", easy: "Changed."}
  common.easy_on: {standard: "Easy.", easy: "Easy."}
  common.standard_on: {standard: "Standard.", easy: "Standard."}
  common.delete_confirm: {standard: "Delete?", easy: "Delete?"}
  common.deleted: {standard: "Deleted.", easy: "Deleted."}
  common.delete_cancelled: {standard: "Kept.", easy: "Kept."}
  common.handover_done: {standard: "Asked.", easy: "Asked."}
  common.handover_noted: {standard: "Noted.", easy: "Noted."}
  common.handover_noted_contact: {standard: "Noted: {contact}", easy: "Noted: {contact}"}
  common.welcome_back: {standard: "Back.", easy: "Back."}
  common.consent_needed: {standard: "Consent.", easy: "Consent."}
  safeguarding.thanks: {standard: "Thanks.", easy: "Thanks."}
  safeguarding.help_self: {standard: "Call {helpline_self}.", easy: "Call {helpline_self}."}
  safeguarding.help_abuse: {standard: "Call {helpline_abuse}.", easy: "Call {helpline_abuse}."}
  safeguarding.help_danger: {standard: "Call {emergency}.", easy: "Call {emergency}."}
  safeguarding.help_general: {standard: "Call {emergency}.", easy: "Call {emergency}."}
  safeguarding.continue: {standard: "Carry on?", easy: "Carry on?"}
  safeguarding.continue_follow_up: {standard: "We will call. Carry on?", easy: "Carry on?"}
  safeguarding.check: {standard: "OK?", easy: "OK?"}
  safeguarding.check_help: {standard: "Help", easy: "Help"}
  safeguarding.check_carry_on: {standard: "Carry on", easy: "Carry on"}
  wg.invite: {standard: "Join {invite_group} on {invite_date}?", easy: "Come on {invite_date}?"}
  wg.invite_offers: {standard: "Offers: {invite_offers}.", easy: "Offers: {invite_offers}."}
  wg.invite_yes: {standard: "Noted.", easy: "Noted."}
  wg.invite_no: {standard: "Noted.", easy: "Noted."}
  wg.offer.interpreter: {standard: "interpreter", easy: "interpreter"}
  wg.offer.easy_read: {standard: "easy_read", easy: "easy_read"}
  wg.offer.bsl: {standard: "bsl", easy: "bsl"}
  wg.offer.travel_costs: {standard: "travel_costs", easy: "travel_costs"}
  wg.offer.childcare_costs: {standard: "childcare_costs", easy: "childcare_costs"}
  wg.offer.step_free: {standard: "step_free", easy: "step_free"}
"""
FLOW_TEXTS = ["t.hello", "t.ask", "t.a", "t.b", "t.bye", "t.q1"]

ENGINE_FLOWS = {
    "welcome.yaml": """
        spec_version: 1
        flow: welcome
        kind: system
        start: hello
        steps:
          - {id: hello, type: send, text: t.hello, next: go}
          - {id: go, type: enter, flow: consent, next: done}
          - {id: done, type: end}
    """,
    "consent.yaml": """
        spec_version: 1
        flow: consent
        kind: system
        start: ask
        steps:
          - id: ask
            type: ask
            answer: yes_no
            text: t.ask
            save_as: consent_views
            store: none
            next: record
            other: ask
          - {id: record, type: consent, purpose: share_views, from: consent_views, next: done}
          - {id: done, type: end}
    """,
    "menu.yaml": """
        spec_version: 1
        flow: menu
        kind: system
        start: choose
        steps:
          - id: choose
            type: ask
            answer: choice
            text: t.ask
            save_as: menu_choice
            store: none
            options:
              - {value: sample, text: t.a}
              - {value: finish, text: t.b}
            next: route
            other: choose
          - id: route
            type: branch
            on: menu_choice
            cases:
              - {when: sample, next: go}
            default: bye
          - {id: go, type: enter, flow: sample, next: choose}
          - {id: bye, type: end, text: t.bye}
    """,
}

VALID_SAMPLE = """
    spec_version: 1
    flow: sample
    kind: consultation
    consultation: {id: sample-2026, title: t.hello}
    requires_consent: [share_views]
    start: q1
    steps:
      - id: q1
        type: ask
        answer: choice
        text: t.q1
        save_as: q1
        store: view
        options:
          - {value: a, text: t.a}
          - {value: b, text: t.b}
        next: check
        other: q1
      - id: check
        type: branch
        on: q1
        cases:
          - when: a
            next: done
        default: done
      - {id: done, type: end, text: t.bye}
"""


def _options(count: int) -> str:
    return "\n".join(f"      - {{value: v{n}, text: t.a}}" for n in range(count))


def sample_with(old: str, new: str) -> str:
    text = textwrap.dedent(VALID_SAMPLE)
    assert old in text, old
    return text.replace(old, new)


BROKEN = [
    # (case, sample.yaml, step, rule, words in the message)
    (
        "duplicate step id",
        sample_with(
            "- {id: done, type: end, text: t.bye}",
            "- {id: done, type: end}\n  - {id: done, type: end, text: t.bye}",
        ),
        "done",
        "FLOW-ID",
        "used 2 times",
    ),
    ("dangling next", sample_with("next: check", "next: nowhere"), "q1", "FLOW-REF", "nowhere"),
    ("dangling other", sample_with("other: q1", "other: gone"), "q1", "FLOW-REF", "gone"),
    (
        "dangling default",
        sample_with("default: done", "default: gone"),
        "check",
        "FLOW-REF",
        "gone",
    ),
    ("dangling start", sample_with("start: q1", "start: gone"), "", "FLOW-REF", "gone"),
    (
        "unreachable step",
        sample_with(
            "- {id: done, type: end, text: t.bye}",
            "- {id: done, type: end, text: t.bye}\n  - {id: lost, type: end}",
        ),
        "lost",
        "FLOW-UNREACHABLE",
        "not reachable",
    ),
    ("ask without other", sample_with("    other: q1\n", ""), "q1", "FLOW-OTHER", "other"),
    (
        "one option",
        sample_with("      - {value: b, text: t.b}\n", ""),
        "q1",
        "FLOW-OPTIONS",
        "at least 2",
    ),
    (
        "repeated option value",
        sample_with("{value: b, text: t.b}", "{value: a, text: t.b}"),
        "q1",
        "FLOW-OPTIONS",
        "repeat",
    ),
    (
        "too many options",
        sample_with("      - {value: a, text: t.a}\n      - {value: b, text: t.b}", _options(10)),
        "q1",
        "FLOW-LIMIT",
        "10 options",
    ),
    ("missing text id", sample_with("text: t.q1", "text: t.nope"), "q1", "FLOW-TEXT", "t.nope"),
    (
        "bad spec_version",
        sample_with("spec_version: 1", "spec_version: 2"),
        "",
        "FLOW-VERSION",
        "spec_version 2",
    ),
    ("no spec_version", sample_with("spec_version: 1\n", ""), "", "FLOW-VERSION", "spec_version"),
    (
        "yaml syntax error",
        sample_with("start: q1", "start: [q1"),
        "line 8",
        "FLOW-SCHEMA",
        "not valid YAML",
    ),
    (
        "unknown step type",
        sample_with("type: branch", "type: jump"),
        "check",
        "FLOW-SCHEMA",
        "jump",
    ),
    ("ask without save_as", sample_with("    save_as: q1\n", ""), "q1", "FLOW-SCHEMA", "save_as"),
    (
        "unknown answer kind",
        sample_with("answer: choice", "answer: essay"),
        "q1",
        "FLOW-SCHEMA",
        "essay",
    ),
    (
        "consultation without its id",
        sample_with(
            "consultation: {id: sample-2026, title: t.hello}", "consultation: {title: t.hello}"
        ),
        "",
        "FLOW-SCHEMA",
        "'id' is a required property",
    ),
    (
        "no end reachable",
        sample_with("next: done\n    default: done", "next: q1\n    default: q1"),
        "q1",
        "FLOW-END",
        "end step",
    ),
    (
        "enter a missing flow",
        sample_with("type: end, text: t.bye}", "type: enter, flow: gone, next: q1}"),
        "done",
        "FLOW-REF",
        "gone",
    ),
]


def write_catalogue(directory: Path, drop_in_pl: str | None = None) -> Catalogue:
    directory.mkdir()
    flow_texts = "".join(f'  {t}: {{standard: "{t}", easy: "{t}"}}\n' for t in FLOW_TEXTS)
    for code, name in (("en", "English"), ("pl", "Polski")):
        texts = ENGINE_TEXTS + flow_texts
        if code == "pl" and drop_in_pl:
            texts = "".join(line + "\n" for line in texts.splitlines() if drop_in_pl not in line)
        (directory / f"{code}.yaml").write_text(
            f"language: {code}\nname: {name}\nmessages:\n{texts}", encoding="utf-8"
        )
    return load_catalogue(directory)


def write_flows(directory: Path, sample: str) -> Path:
    directory.mkdir()
    for name, text in ENGINE_FLOWS.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (directory / "sample.yaml").write_text(sample, encoding="utf-8")
    return directory


def test_the_valid_set_has_no_problems_and_loads(tmp_path: Path) -> None:
    catalogue = write_catalogue(tmp_path / "catalogue")
    flows_dir = write_flows(tmp_path / "flows", textwrap.dedent(VALID_SAMPLE))
    assert validate_flows(flows_dir, catalogue) == []
    flows = load_flows(flows_dir, catalogue=catalogue)
    sample = flows["sample"]
    assert sample.consultation is not None and sample.consultation.id == "sample-2026"
    assert isinstance(sample.step("q1"), AskStep)
    branch = sample.step("check")
    assert isinstance(branch, BranchStep) and branch.on == "q1"  # the YAML key `on` is no boolean
    assert isinstance(sample.step("done"), EndStep)


@pytest.mark.parametrize(
    ("sample", "step", "rule", "words"),
    [pytest.param(s, step, rule, words, id=case) for case, s, step, rule, words in BROKEN],
)
def test_a_broken_flow_is_reported_at_its_file_and_step(
    tmp_path: Path, sample: str, step: str, rule: str, words: str
) -> None:
    catalogue = write_catalogue(tmp_path / "catalogue")
    flows_dir = write_flows(tmp_path / "flows", sample)
    problems = validate_flows(flows_dir, catalogue)
    matching = [
        p
        for p in problems
        if p.file.endswith("sample.yaml") and p.location == step and p.rule == rule
    ]
    assert matching, [str(p) for p in problems]
    assert any(words in p.message for p in matching), [str(p) for p in matching]
    assert all(p.severity == "error" for p in matching)
    with pytest.raises(FlowError) as raised:
        load_flows(flows_dir, catalogue=catalogue)
    assert f"sample.yaml:{step}: " in str(raised.value) or (
        not step and "sample.yaml: " in str(raised.value)
    )


def test_a_text_missing_in_one_language_names_the_language(tmp_path: Path) -> None:
    catalogue = write_catalogue(tmp_path / "catalogue", drop_in_pl="t.q1")
    flows_dir = write_flows(tmp_path / "flows", textwrap.dedent(VALID_SAMPLE))
    problems = validate_flows(flows_dir, catalogue)
    assert [(p.location, p.rule, p.message) for p in problems] == [
        ("q1", "FLOW-TEXT", "text 't.q1' is missing in pl")
    ]


def test_a_duplicate_flow_id_is_reported_on_the_second_file(tmp_path: Path) -> None:
    flows_dir = write_flows(tmp_path / "flows", textwrap.dedent(VALID_SAMPLE))
    (flows_dir / "sample_copy.yaml").write_text(textwrap.dedent(VALID_SAMPLE), encoding="utf-8")
    problems = validate_flows(flows_dir, None)
    assert [(Path(p.file).name, p.rule) for p in problems] == [("sample_copy.yaml", "FLOW-ID")]


def test_the_engine_flows_must_exist(tmp_path: Path) -> None:
    flows_dir = tmp_path / "flows"
    flows_dir.mkdir()
    (flows_dir / "sample.yaml").write_text(textwrap.dedent(VALID_SAMPLE), encoding="utf-8")
    problems = validate_flows(flows_dir, None)
    messages = {p.message for p in problems if p.rule == "FLOW-REF"}
    assert {"the engine needs a flow 'welcome'", "the engine needs a flow 'menu'"} <= messages


def test_a_set_step_reads_unquoted_yes_as_text(tmp_path: Path) -> None:
    sample = sample_with("next: check\n", "next: mark\n").replace(
        "  - id: check",
        "  - {id: mark, type: set, field: liked, value: yes, next: check}\n  - id: check",
    )
    flows = load_flows(write_flows(tmp_path / "flows", sample))
    step = flows["sample"].step("mark")
    assert isinstance(step, SetStep) and step.value == "yes"


def test_the_message_lists_every_problem(tmp_path: Path) -> None:
    sample = sample_with("next: check", "next: nowhere").replace("other: q1", "other: gone")
    flows_dir = write_flows(tmp_path / "flows", sample)
    with pytest.raises(FlowError) as raised:
        load_flows(flows_dir)
    lines = [line for line in str(raised.value).splitlines() if "sample.yaml:q1:" in line]
    assert any("'nowhere'" in line for line in lines)
    assert any("'gone'" in line for line in lines)

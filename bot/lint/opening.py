"""OPEN-01: the opening path: what a new person receives before the first consultation question.

The path is walked with the engine itself, on the shipped flows and catalogue, as a scripted
person who says yes to every question before the first one (and picks their language from the
menu when it was not recognised). It is walked in every language and register, by both routes:
`recognised` (the first message was recognised as the person's language) and `language menu`
(it was not: Heard asks which language first); and for a language with a plain-letter table,
also as a person who writes without accents.

The preamble is every message the person receives before the first question, in their
language; on the `language menu` route the menu itself (shown before the language is known)
is counted apart. Its SMS segments must stay within the budget: `OPENING_SEGMENTS_GSM7` for a
language written in GSM-7 (or rendered in plain letters), `OPENING_SEGMENTS_UCS2` otherwise.
A view is stored when the person answers the first question, so `inbound` counts that answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot.catalogue import Catalogue
from bot.channels.twilio_sms.render import SmsRendering, render_sms
from bot.config import DEFAULT_SESSION_TIMEOUT_MINUTES, default_deployment
from bot.engine.engine import Engine
from bot.engine.events import MessageCreated
from bot.engine.ids import counting_ids
from bot.engine.inputs import TurnInput, Understanding
from bot.engine.session import Session
from bot.engine.settings import Deployment, EngineSettings
from bot.flowspec.model import AskStep, FlowSet
from bot.flowspec.problems import Problem
from bot.lint.config import OPENING_SEGMENTS_GSM7, OPENING_SEGMENTS_UCS2, PLACEHOLDER_SAMPLES
from bot.terms import REGISTERS, Register

Route = Literal["recognised", "language menu"]
ROUTES: tuple[Route, ...] = ("recognised", "language menu")
MAX_TURNS = 12
_AT = datetime(2000, 1, 1, tzinfo=UTC)
# A first message with enough plain ASCII letters says "writes without accents"; one with an
# accented letter says the opposite (bot.engine.letters).
# Not a greeting of any one language (a greeting names its language and skips the menu).
_FIRST_MESSAGE = {True: "about the survey", False: "abóut thé survéy"}


class OpeningError(Exception):
    """The opening asks something the scripted person cannot answer, or never reaches a
    consultation question."""


@dataclass(frozen=True)
class OpeningPath:
    language: str
    register: Register
    route: Route
    plain: bool  # rendered for a person who writes without accents
    menu: tuple[SmsRendering, ...]  # the language menu, before the language is known
    preamble: tuple[tuple[str, SmsRendering], ...]  # (text id, SMS) in the person's language
    inbound: int  # messages the person sends up to and including the first stored answer

    @property
    def segments(self) -> int:
        return sum(r.segments for _, r in self.preamble)

    @property
    def menu_segments(self) -> int:
        return sum(r.segments for r in self.menu)

    @property
    def encoding(self) -> str:
        return "UCS-2" if any(r.encoding == "UCS-2" for _, r in self.preamble) else "GSM-7"


def lint_deployment() -> Deployment:
    """A deployment as production runs it (a contact is required there), promising nothing."""
    return replace(
        default_deployment(), org=PLACEHOLDER_SAMPLES["org"], contact=PLACEHOLDER_SAMPLES["contact"]
    )


def _first_question(flows: FlowSet, session: Session) -> AskStep | None:
    """The consultation question the session waits on, if it waits on one."""
    position = session.position
    flow = flows.get(position.flow) if position else None
    if flow is None or flow.consultation is None or position is None:
        return None
    step = flow.steps.get(position.step)
    return step if isinstance(step, AskStep) else None


def _reply(flows: FlowSet, catalogue: Catalogue, session: Session, language: str,
           register: Register) -> str:
    position = session.position
    flow = flows.get(position.flow) if position else None
    step = flow.steps.get(position.step) if flow and position else None
    if not isinstance(step, AskStep):
        raise OpeningError(f"the opening waits on {position} before the first question")
    if step.answer == "yes_no":
        return "1"
    if step.answer == "language":
        return str(catalogue.codes.index(language) + 1)
    if step.answer == "register":
        return "1" if register == "standard" else "2"
    raise OpeningError(f"the opening asks {step.id} ({step.answer}) before the first question")


def walk(
    flows: FlowSet,
    catalogue: Catalogue,
    language: str,
    register: Register,
    route: Route,
    plain: bool = False,
    deployment: Deployment | None = None,
) -> OpeningPath:
    engine = Engine(
        flows,
        catalogue,
        EngineSettings(
            session_timeout=timedelta(minutes=DEFAULT_SESSION_TIMEOUT_MINUTES),
            deployment=deployment or lint_deployment(),
        ),
        counting_ids("lint"),
    )
    info = catalogue.languages[language]
    table = info.plain_letters if plain else None
    session: Session | None = None
    if register == "easy":  # as if the person had asked for easy read before anything else
        session = Session("lint", "lint", "sms", _AT, _AT, register="easy")
    text = _FIRST_MESSAGE[plain]
    understanding = (
        Understanding(language=language, language_confidence=1.0)
        if route == "recognised"
        else Understanding()
    )
    menu: list[SmsRendering] = []
    preamble: list[tuple[str, SmsRendering]] = []
    at = _AT
    for turn_number in range(1, MAX_TURNS + 1):
        at += timedelta(minutes=1)
        known = session is not None and session.language is not None
        turn = engine.handle(session, TurnInput("lint", "sms", text, at, understanding))
        session = turn.session
        asked = _first_question(flows, session)
        said = [e for e in turn.events if isinstance(e, MessageCreated)]
        if asked is not None:
            said = said[:-1]  # the first question itself is not preamble
        for message in said:
            rendering = render_sms(message, normalise=info.gsm7_normalise, plain=table)
            if known or session.language is not None:
                preamble.append((message.text_id, rendering))
            else:
                menu.append(rendering)
        if asked is not None:
            return OpeningPath(
                language, register, route, plain, tuple(menu), tuple(preamble), turn_number + 1
            )
        text = _reply(flows, catalogue, session, language, register)
        understanding = Understanding()
    raise OpeningError(f"no consultation question within {MAX_TURNS} messages")


def budget(path: OpeningPath) -> int:
    gsm7 = path.plain or path.encoding == "GSM-7"
    return OPENING_SEGMENTS_GSM7 if gsm7 else OPENING_SEGMENTS_UCS2


def opening_paths(flows: FlowSet, catalogue: Catalogue) -> list[OpeningPath]:
    registers: tuple[Register, ...] = REGISTERS
    paths: list[OpeningPath] = []
    for language, info in catalogue.languages.items():
        for register in registers:
            for route in ROUTES:
                for plain in (False, True) if info.plain_letters else (False,):
                    paths.append(walk(flows, catalogue, language, register, route, plain))
    return paths


def check_opening(
    flows: FlowSet, catalogue: Catalogue, file_of: dict[str, str]
) -> tuple[list[Problem], list[OpeningPath]]:
    """OPEN-01 problems (error: over budget, or no way to a first question) and the paths."""
    try:
        paths = opening_paths(flows, catalogue)
    except OpeningError as exc:
        return [Problem("error", file_of.get("welcome", "flows"), "", "OPEN-01", str(exc))], []
    problems: list[Problem] = []
    for path in paths:
        limit = budget(path)
        if path.segments > limit:
            plain = ", plain letters" if path.plain else ""
            problems.append(
                Problem(
                    "error",
                    file_of.get(path.language, ""),
                    f"opening [{path.language}/{path.register}, {path.route}{plain}]",
                    "OPEN-01",
                    f"{path.segments} SMS segments before the first question (budget {limit}):"
                    f" {', '.join(text_id for text_id, _ in path.preamble)}",
                )
            )
    return problems, paths


def format_opening(paths: list[OpeningPath], names: dict[str, str]) -> list[str]:
    """The report's table: preamble messages and segments per language, register and route."""
    if not paths:
        return []
    lines = [
        "Opening: what a new person receives before the first question "
        f"(budget {OPENING_SEGMENTS_GSM7} SMS segments in GSM-7, {OPENING_SEGMENTS_UCS2} in UCS-2)",
        f"{'language':<12}{'register':<10}{'recognised':>14}{'via menu':>14}"
        f"{'plain letters':>15}{'to 1st view':>13}",
    ]
    by_key = {(p.language, p.register, p.route, p.plain): p for p in paths}
    for path in paths:
        if path.route != "recognised" or path.plain:
            continue
        key = (path.language, path.register)
        menu = by_key[(*key, "language menu", False)]
        plain = by_key.get((*key, "recognised", True))
        plain_cell = f"{len(plain.preamble)} msg {plain.segments} seg" if plain else "-"
        menu_cell = f"{menu.segments} +{menu.menu_segments} menu"
        lines.append(
            f"{path.language + ' ' + names.get(path.language, ''):<12.12}{path.register:<10}"
            f"{f'{len(path.preamble)} msg {path.segments} seg':>14}{menu_cell:>14}"
            f"{plain_cell:>15}{f'{path.inbound} / {menu.inbound} in':>13}"
        )
    lines.append(
        "(via menu: segments in the person's language, then those of the language menu shown "
        "before it; to 1st view: messages the person sends, recognised / via menu)"
    )
    return lines

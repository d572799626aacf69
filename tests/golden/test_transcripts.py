"""Golden transcripts: every shipped flow x every catalogue language x both channels.

A failure shows a diff of what a person would now see. If the change is intended, rewrite the
files with `.venv/bin/python -m pytest tests/golden --update-golden` and review the diff in git.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from bot.catalogue import load_catalogue
from tests.golden.harness import Harness, Persona

GOLDEN = Path(__file__).parent / "transcripts"
LANGUAGES = load_catalogue().codes
CHANNELS = ("sms", "telegram")
# Scenario name -> the menu option the person picks (None: welcome and consent only).
SCENARIOS: dict[str, str | None] = {
    "opening": None,
    "welcome_and_consent": None,
    "have_your_say": "have_your_say",
    "working_group": "working_group",
    "about_you": "about_you",
}
# The first message of the opening scenario: a greeting in the person's own language, so the
# transcript shows the opening when the language is recognised (the other scenarios say "hi",
# which names no language, and show the language menu).
GREETINGS = {
    "en": "Hello there",
    "cy": "Shwmae, bore da",
    "pl": "Dzień dobry",
    "ur": "السلام علیکم، کیا حال ہے",
    "pa": "ਸਤਿ ਸ੍ਰੀ ਅਕਾਲ ਜੀ",
    "bn": "নমস্কার, কেমন আছেন",
    "ar": "مرحبا، كيف الحال",
    "so": "Iska warran, subax wanaagsan",
    "ro": "Bună ziua",
}
OPEN_ANSWERS = {
    "en": "More help at weekends, please.",
    "cy": "Mwy o help ar benwythnosau, plis.",
    "pl": "Więcej pomocy w weekendy, proszę.",
    "ur": "ہفتے کے آخر میں زیادہ مدد چاہیے",
    "pa": "ਹਫ਼ਤੇ ਦੇ ਅੰਤ ਵਿੱਚ ਹੋਰ ਮਦਦ ਚਾਹੀਦੀ ਹੈ",
    "bn": "সপ্তাহান্তে আরও সাহায্য চাই",
    "ar": "أريد مساعدة أكثر في عطلة نهاية الأسبوع",
    "so": "Caawimaad dheeraad ah maalmaha fasaxa, fadlan.",
    "ro": "Mai mult ajutor în weekend, vă rog.",
}


def check(path: Path, text: str, update: bool) -> None:
    if update or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not update:
            pytest.fail(f"{path} did not exist and was written: review and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if expected != text:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                str(path),
                "now",
            )
        )
        pytest.fail(f"transcript changed (rerun with --update-golden if intended):\n{diff}")


def transcript(harness: Harness, title: str) -> str:
    return "\n".join([f"# {title}", *harness.lines, "", "# stored", *harness.records(), ""])


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_flow_transcript(
    harness: Harness, scenario: str, language: str, channel: str, update_golden: bool
) -> None:
    persona = Persona(
        language, channel, SCENARIOS[scenario], OPEN_ANSWERS.get(language, OPEN_ANSWERS["en"])
    )
    if scenario == "opening":
        persona.greeting = GREETINGS.get(language, "hi")
    harness.play(persona)
    text = transcript(harness, f"{scenario} in {language} over {channel}")
    check(GOLDEN / scenario / f"{language}.{channel}.txt", text, update_golden)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_commands_transcript(
    harness: Harness, language: str, channel: str, update_golden: bool
) -> None:
    persona = Persona(language, channel, None, OPEN_ANSWERS.get(language, OPEN_ANSWERS["en"]))
    harness.play_commands(persona)
    text = transcript(harness, f"commands in {language} over {channel}")
    check(GOLDEN / "commands" / f"{language}.{channel}.txt", text, update_golden)


# People who text without accents: the opening and the rest in plain letters, on SMS only
# (Telegram costs nothing per segment and keeps every letter).
PLAIN = {
    "pl": ("Dzien dobry wszystkim", "Wiecej pomocy w weekendy, prosze."),
    "ro": ("Buna ziua, ce mai faceti", "Mai mult ajutor in weekend, va rog."),
}


@pytest.mark.parametrize(
    "language", [c for c, i in load_catalogue().languages.items() if i.plain_letters]
)
def test_plain_letters_transcript(harness: Harness, language: str, update_golden: bool) -> None:
    greeting, answer = PLAIN[language]
    persona = Persona(language, "sms", None, answer, greeting=greeting)
    harness.play(persona)
    text = transcript(harness, f"opening in {language} over sms, written without accents")
    check(GOLDEN / "plain_letters" / f"{language}.sms.txt", text, update_golden)

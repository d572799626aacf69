"""Loads `flows/catalogue/<lang>.yaml` files into a `Catalogue`.

Shape errors raise `CatalogueError` naming the file; content problems (missing translations,
placeholder mismatches, SMS size) are not errors here: `heard lint` reports them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from bot.catalogue.model import (
    BASE_LANGUAGE,
    Catalogue,
    CatalogueError,
    LanguageInfo,
    MessageEntry,
    fold,
    phrase_key,
)
from bot.catalogue.words import load_words, words_dir
from bot.parse_cache import ParseCache
from bot.yamlio import SAFE_LOADER, safe_load

# Menu order: English first, then the languages of Wales and of the largest communities Heard
# serves. Languages not listed here follow in file-name order.
LANGUAGE_ORDER = ("en", "cy", "pl", "ur", "pa", "bn", "ar", "so", "ro")


def default_catalogue_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "flows" / "catalogue"


def _require(data: dict[str, Any], key: str, path: Path) -> Any:
    if key not in data:
        raise CatalogueError(f"{path}: missing top-level key {key!r}")
    return data[key]


def _load_language(path: Path, cache: ParseCache | None) -> LanguageInfo:
    try:
        text = path.read_text(encoding="utf-8")
        data = cache.load_yaml(text, SAFE_LOADER) if cache else safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a mapping at the top level")
    code = str(_require(data, "language", path))
    if path.stem != code:
        raise CatalogueError(f"{path}: file name and language {code!r} differ")
    review = data.get("review") or {}
    default_status = str(review.get("status", "draft"))
    messages_raw = data.get("messages") or {}
    if not isinstance(messages_raw, dict):
        raise CatalogueError(f"{path}: 'messages' must be a mapping of id -> texts")
    messages: dict[str, MessageEntry] = {}
    for text_id, body in messages_raw.items():
        if not isinstance(body, dict) or "standard" not in body:
            raise CatalogueError(f"{path}: message {text_id!r} needs 'standard' and 'easy'")
        standard = str(body.get("standard") or "")
        easy = str(body.get("easy") or "")
        reviewer = body.get("reviewed_by", review.get("reviewed_by"))
        fingerprint = body.get("reviewed_text")
        messages[str(text_id)] = MessageEntry(
            str(text_id),
            standard,
            easy,
            str(body.get("status", default_status)),
            str(reviewer) if reviewer else None,
            str(fingerprint) if fingerprint is not None else None,
        )
    keywords_raw = data.get("keywords") or {}
    keywords = {
        str(cmd): tuple(dict.fromkeys(fold(str(w)) for w in (words or [])))
        for cmd, words in keywords_raw.items()
    }
    numbers_raw = data.get("numbers") or {}
    if not isinstance(numbers_raw, dict):
        raise CatalogueError(f"{path}: 'numbers' must map number words to values")
    numbers = {fold(str(word)): int(value) for word, value in numbers_raw.items()}
    direction = str(data.get("direction", "ltr"))
    if direction not in ("ltr", "rtl"):
        raise CatalogueError(f"{path}: direction must be ltr or rtl, not {direction!r}")
    sms = data.get("sms") or {}
    phrases = {key: _phrases(data, key, path) for key in ("stop_phrases", "greetings")}
    plain = sms.get("plain_letters") or {}
    if not isinstance(plain, dict) or not all(
        isinstance(k, str) and len(k) == 1 and isinstance(v, str) for k, v in plain.items()
    ):
        raise CatalogueError(f"{path}: sms.plain_letters must map single letters to text")
    return LanguageInfo(
        code=code,
        name=str(_require(data, "name", path)),
        english_name=str(data.get("english_name", code)),
        direction="rtl" if direction == "rtl" else "ltr",
        review_status=default_status,
        reviewed_by=review.get("reviewed_by"),
        gsm7_normalise=bool(sms.get("gsm7_normalise", True)),
        keywords=keywords,
        numbers=numbers,
        messages=messages,
        source=str(path),
        stop_phrases=phrases["stop_phrases"],
        greetings=phrases["greetings"],
        plain_letters=dict(plain),
    )


def _phrases(data: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    raw = data.get(key) or []
    if not isinstance(raw, list):
        raise CatalogueError(f"{path}: {key!r} must be a list of phrases")
    return tuple(dict.fromkeys(k for k in (phrase_key(str(p)) for p in raw) if k))


def load_catalogue(directory: Path | None = None, cache: ParseCache | None = None) -> Catalogue:
    """Every language in `directory`. With `cache`, YAML parsed by an earlier process is read
    from disk when a file's content is unchanged (`bot.parse_cache`)."""
    directory = directory or default_catalogue_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueError(f"{directory}: no catalogue files (*.yaml)")
    loaded = {info.code: info for info in (_load_language(p, cache) for p in files)}
    lists = load_words(words_dir(directory))
    loaded = {
        code: replace(info, words=lists[code]) if code in lists else info
        for code, info in loaded.items()
    }
    if BASE_LANGUAGE not in loaded:
        raise CatalogueError(f"{directory}: the base language file {BASE_LANGUAGE}.yaml is missing")
    order = [c for c in LANGUAGE_ORDER if c in loaded] + sorted(
        c for c in loaded if c not in LANGUAGE_ORDER
    )
    return Catalogue({code: loaded[code] for code in order})

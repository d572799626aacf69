"""Builds Heard's parts from `Settings`: the one place that knows how they fit together.

Loading order matters for error messages: flows and catalogue are validated first, so a bad
flow stops start-up with file, step and reason before anything touches the database.

Each part imports what builds it only when it is first asked for, so a command that needs the
classifier alone (`heard nlu parse`) never imports the engine, SQLAlchemy or Alembic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from bot.catalogue import Catalogue, load_catalogue
from bot.config import Settings
from bot.nlu.base import NLU, LanguageGuesser
from bot.parse_cache import ParseCache

if TYPE_CHECKING:
    from bot.engine.engine import Engine
    from bot.flowspec.model import FlowSet
    from bot.nlu.keywords import PhraseMatcher
    from bot.service.conversation import Conversation
    from bot.service.understanding import Understander
    from bot.views.questions import QuestionTexts
    from storage.sql import SqlStore

log = logging.getLogger("heard")


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def parse_cache(self) -> ParseCache:
        """Parsed YAML and passed flow schema checks, kept by content in the data directory."""
        return ParseCache(self.settings.data_dir / "parse-cache")

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.settings.catalogue_dir, self.parse_cache)

    @cached_property
    def flows(self) -> FlowSet:
        from bot.flowspec.loader import load_flows

        return load_flows(self.settings.flows_dir, cache=self.parse_cache)

    @cached_property
    def questions(self) -> QuestionTexts:
        """Views' questions in a coordinator's language (exports, the views inbox)."""
        from bot.views.questions import QuestionTexts

        return QuestionTexts(self.flows, self.catalogue)

    @cached_property
    def engine(self) -> Engine:
        from bot.engine.engine import Engine
        from bot.engine.ids import random_ids
        from bot.engine.settings import Deployment, EngineSettings

        flows = self.flows
        return Engine(
            flows,
            self.catalogue,
            EngineSettings(
                session_timeout=timedelta(minutes=self.settings.session_timeout_minutes),
                deployment=Deployment.from_mapping(self.settings.deployment),
            ),
            random_ids(),
        )

    @cached_property
    def store(self) -> SqlStore:
        from storage.crypto import AddressCipher
        from storage.db import make_engine, migrate
        from storage.sql import SqlStore

        db = make_engine(self.settings.database_url)
        migrate(db)
        return SqlStore(db, AddressCipher(self.settings.keyring))

    @cached_property
    def embedded_nlu(self) -> NLU:
        from bot.nlu.embedded import EmbeddedNLU

        return EmbeddedNLU.from_directory(
            self.settings.flows_dir.parent / "nlu_data",
            cache_dir=self.settings.data_dir / "nlu-cache",
        )

    @cached_property
    def nlu(self) -> NLU:
        settings = self.settings
        if not settings.rasa_url:
            return self.embedded_nlu  # no Rasa: no HTTP client to import
        from bot.nlu.rasa import nlu_from_env

        env = {"RASA_URL": settings.rasa_url or "", "RASA_TOKEN": settings.rasa_token or ""}
        return nlu_from_env(self.embedded_nlu, env, self.settings.data_dir / "rasa-token")

    @cached_property
    def guesser(self) -> LanguageGuesser:
        from bot.nlu.langid import HeardLanguageGuesser, catalogue_vocabulary

        catalogue = self.catalogue
        return HeardLanguageGuesser(
            catalogue.codes,
            catalogue_vocabulary(catalogue, self.parse_cache),
            catalogue.word_lists,
            cache=self.parse_cache,
        )

    @cached_property
    def safeguarding_phrases(self) -> PhraseMatcher:
        from bot.nlu.keywords import load_matcher

        return load_matcher(self.settings.flows_dir / "safeguarding", self.parse_cache)

    @cached_property
    def understander(self) -> Understander:
        from bot.service.understanding import Understander

        return Understander(self.nlu, self.guesser, self.safeguarding_phrases)

    @cached_property
    def conversation(self) -> Conversation:
        from bot.engine.ids import random_ids
        from bot.service.conversation import Conversation

        return Conversation(self.engine, self.understander, random_ids())

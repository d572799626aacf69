"""Builds Heard's parts from `Settings`: the one place that knows how they fit together.

Loading order matters for error messages: flows and catalogue are validated first, so a bad
flow stops start-up with file, step and reason before anything touches the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from bot.catalogue import Catalogue, load_catalogue
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.ids import random_ids
from bot.engine.settings import Deployment, EngineSettings
from bot.flowspec.loader import load_flows
from bot.flowspec.model import FlowSet
from bot.nlu.base import NLU, LanguageGuesser
from bot.service.conversation import Conversation
from bot.service.understanding import Understander
from bot.views.questions import QuestionTexts
from storage.crypto import AddressCipher
from storage.db import make_engine, migrate
from storage.sql import SqlStore

log = logging.getLogger("heard")


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.settings.catalogue_dir)

    @cached_property
    def flows(self) -> FlowSet:
        return load_flows(self.settings.flows_dir)

    @cached_property
    def questions(self) -> QuestionTexts:
        """Views' questions in a coordinator's language (exports, the views inbox)."""
        return QuestionTexts(self.flows, self.catalogue)

    @cached_property
    def engine(self) -> Engine:
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
        db = make_engine(self.settings.database_url)
        migrate(db)
        return SqlStore(db, AddressCipher(self.settings.secret_key))

    @cached_property
    def embedded_nlu(self) -> NLU:
        from bot.nlu.embedded import EmbeddedNLU

        return EmbeddedNLU.from_directory(
            self.settings.flows_dir.parent / "nlu_data",
            cache_dir=self.settings.data_dir / "nlu-cache",
        )

    @cached_property
    def nlu(self) -> NLU:
        from bot.nlu.rasa import nlu_from_env

        settings = self.settings
        env = {"RASA_URL": settings.rasa_url or "", "RASA_TOKEN": settings.rasa_token or ""}
        return nlu_from_env(self.embedded_nlu, env, self.settings.data_dir / "rasa-token")

    @cached_property
    def guesser(self) -> LanguageGuesser:
        from bot.nlu.langid import HeardLanguageGuesser, catalogue_vocabulary

        return HeardLanguageGuesser(self.catalogue.codes, catalogue_vocabulary(self.catalogue))

    @cached_property
    def conversation(self) -> Conversation:
        return Conversation(self.engine, Understander(self.nlu, self.guesser), random_ids())

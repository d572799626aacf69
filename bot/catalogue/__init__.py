"""The message catalogue: every participant-facing text, per language and register."""

from bot.catalogue.loader import default_catalogue_dir, load_catalogue
from bot.catalogue.model import (
    Catalogue,
    CatalogueError,
    LanguageInfo,
    MessageEntry,
    ResolvedText,
)

__all__ = [
    "Catalogue",
    "CatalogueError",
    "LanguageInfo",
    "MessageEntry",
    "ResolvedText",
    "default_catalogue_dir",
    "load_catalogue",
]

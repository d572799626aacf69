"""Translators' files: gettext PO export and import of the catalogue, and review status."""

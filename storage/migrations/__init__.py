"""Alembic migrations of Heard's store (see storage.db.migrate)."""

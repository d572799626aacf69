"""Heard's shared store: SQLAlchemy 2 models, one repository layer, Alembic migrations."""

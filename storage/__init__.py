"""Heard's shared store: SQLAlchemy 2 models, a unit of work over small repositories
(storage.unit_of_work, storage.repositories), Alembic migrations."""

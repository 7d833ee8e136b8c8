"""Alembic migrations of the history store, run by ``history.migrate`` (no alembic CLI)."""

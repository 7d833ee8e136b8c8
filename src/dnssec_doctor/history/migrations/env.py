"""Alembic's environment: migrate on the connection ``history.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from dnssec_doctor.history.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()

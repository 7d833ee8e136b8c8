"""Bring a history database to this version's schema with the packaged Alembic migrations.

Run programmatically on every open: a database at the current revision costs one
small query (Alembic itself is imported only when there is something to do); an
empty database is created; an older one is upgraded in one transaction; a newer
one (written by a later dnssec-doctor) is refused, never migrated down.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from dnssec_doctor.errors import DoctorError
from dnssec_doctor.history.schema import SCHEMA_REVISION

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


def current_revision(connection: Connection) -> str | None:
    """The database's schema revision; None when it has none (a new database)."""
    tables = set(inspect(connection).get_table_names())
    if VERSION_TABLE not in tables:
        if "observations" in tables:
            raise DoctorError("not a dnssec-doctor history database (no schema revision)")
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    if len(rows) != 1:
        raise DoctorError(
            f"the history database's schema revision is unreadable ({len(rows)} rows)"
        )
    return str(rows[0][0])


def ensure_schema(engine: Engine, shown_url: str) -> None:
    """Create or upgrade the schema; DoctorError when the database is newer than this tool."""
    with engine.connect() as connection:
        current = current_revision(connection)
    if current == SCHEMA_REVISION:
        return
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise DoctorError(
            f"the history database {shown_url} has schema revision {current}, newer than this "
            f"dnssec-doctor knows (up to {SCHEMA_REVISION}): upgrade dnssec-doctor; the "
            "database was left as it is"
        )
    from alembic import command

    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

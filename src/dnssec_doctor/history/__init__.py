"""The history store and what is computed from it: timelines, changes, forecasts.

``facts`` (pure) normalises what the servers served; ``store`` records observations
in SQLite or PostgreSQL (SQLAlchemy Core, Alembic migrations), and ``litestore`` does
the same on an SQLite file at the current schema with the standard library's sqlite3
(``opener`` picks one; ``records`` holds what both speak); ``timeline`` (pure)
lists what changed; ``lastgood`` and ``forecast`` (pure) turn history into findings.
"""

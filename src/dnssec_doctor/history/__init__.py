"""The history store and what is computed from it: timelines, changes, forecasts.

``facts`` (pure) normalises what the servers served; ``store`` records observations
in SQLite or PostgreSQL (SQLAlchemy Core, Alembic migrations), and ``directstore``
does the same straight on the driver (sqlite3, psycopg) for a database at the current
schema (``opener`` picks one; ``records`` holds what both speak); ``timeline`` (pure)
lists what changed; ``lastgood`` and ``forecast`` (pure) turn history into findings.
"""

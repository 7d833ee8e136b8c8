"""The history store and what is computed from it: timelines, changes, forecasts.

``facts`` (pure) normalises what the servers served; ``store`` records observations
in SQLite or PostgreSQL (SQLAlchemy Core, Alembic migrations); ``timeline`` (pure)
lists what changed; ``lastgood`` and ``forecast`` (pure) turn history into findings.
"""

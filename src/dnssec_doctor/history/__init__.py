"""The history store and what is computed from it: timelines, changes, forecasts.

``facts`` (pure) normalises what the servers served; ``store`` records observations
in SQLite or PostgreSQL (SQLAlchemy Core, Alembic migrations), and ``directstore``
does the same straight on the driver (sqlite3, psycopg) for a database at the current
schema (``opener`` picks one; ``records`` holds what both speak); ``timeline`` (pure)
lists what changed; ``lastgood`` and ``forecast`` (pure) turn history into findings.

Value types here are named tuples (immutable, hashable, ordered field by field), not the
frozen dataclasses used elsewhere: ``check --db`` imports this package after its probe,
and Python 3.11 takes about 0.35 ms to define a frozen dataclass (0.48 ms with
``order``) against 0.06 ms for a named tuple: the package's 24 dataclasses took about
9 ms, more than half of the CPU that recording a check added. Where equality must skip
a field (``ObservationFacts.digest``), a tuple's own methods clash with a field name
(``StateRun.count``) or the value is mutable (``rollover.ZoneSets``), a dataclass remains.
"""

"""The history store's tables (SQLAlchemy Core), one schema for SQLite and PostgreSQL.

An *observation* is one check of one name at one time: its status, its diagnosis
and its capture. What the servers served is a *state*, stored once per distinct
content (keyed by the digest of the normalised facts): a zone watched every five
minutes between two re-signings repeats the same state, so the timeline of 10,000
observations reads a few states, not 10,000 copies. The migrations
(``history/migrations``) create exactly these tables; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

from dnssec_doctor.history.records import SCHEMA_REVISION

__all__ = ["SCHEMA_REVISION", "metadata"]

metadata = MetaData()

states = Table(
    "states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("observed_at", BigInteger, nullable=False),
    Column("recorded_at", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("worst", String(10), nullable=False),
    Column("exit_code", SmallInteger, nullable=False),
    Column("finding_count", Integer, nullable=False),
    Column("earliest_expiration", BigInteger, nullable=True),
    Column("state_id", Integer, ForeignKey("states.id"), nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("anchor_zones", Text, nullable=True),
    Index("ix_observations_name_time", "name", "observed_at"),
)
"""``anchor_zones``: the zones the check was anchored at (its trust anchors' owners), joined
by spaces (``records.stored_zones``); NULL for an observation recorded before revision 0002,
read as the root (``records.zones_from_stored``)."""

payloads = Table(
    "observation_payloads",
    metadata,
    Column("observation_id", Integer, ForeignKey("observations.id"), primary_key=True),
    Column("capture_gz", LargeBinary, nullable=False),
    Column("diagnosis_gz", LargeBinary, nullable=False),
)
"""The capture and the diagnosis JSON, gzipped; read only when asked for (not by timelines)."""

observation_findings = Table(
    "observation_findings",
    metadata,
    Column("observation_id", Integer, ForeignKey("observations.id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("zone", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Index("ix_observation_findings_observation", "observation_id"),
)

state_servers = Table(
    "state_servers",
    metadata,
    Column("state_id", Integer, ForeignKey("states.id"), nullable=False),
    Column("zone", Text, nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("server", String(64), nullable=False),
    Column("role", String(8), nullable=False),
    Column("answered", Boolean, nullable=False),
    Column("soa_serial", BigInteger, nullable=True),
    Column("soa_ttl", BigInteger, nullable=True),
    Column("dnskey_ttl", BigInteger, nullable=True),
    Column("ds_ttl", BigInteger, nullable=True),
    Column("ns_names", Text, nullable=False),
    Column("denial", String(8), nullable=False),
    Column("nsec3_algorithm", SmallInteger, nullable=True),
    Column("nsec3_flags", SmallInteger, nullable=True),
    Column("nsec3_iterations", Integer, nullable=True),
    Column("nsec3_salt", Text, nullable=True),
    Index("ix_state_servers_state", "state_id"),
)
"""``position`` is the zone's place on the chain (0: the root)."""

state_keys = Table(
    "state_keys",
    metadata,
    Column("state_id", Integer, ForeignKey("states.id"), nullable=False),
    Column("zone", Text, nullable=False),
    Column("server", String(64), nullable=False),
    Column("key_tag", Integer, nullable=False),
    Column("algorithm", SmallInteger, nullable=False),
    Column("flags", Integer, nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("ttl", BigInteger, nullable=False),
    Index("ix_state_keys_state", "state_id"),
)

state_ds = Table(
    "state_ds",
    metadata,
    Column("state_id", Integer, ForeignKey("states.id"), nullable=False),
    Column("zone", Text, nullable=False),
    Column("server", String(64), nullable=False),
    Column("key_tag", Integer, nullable=False),
    Column("algorithm", SmallInteger, nullable=False),
    Column("digest_type", SmallInteger, nullable=False),
    Column("digest", Text, nullable=False),
    Column("ttl", BigInteger, nullable=False),
    Index("ix_state_ds_state", "state_id"),
)

state_cds = Table(
    "state_cds",
    metadata,
    Column("state_id", Integer, ForeignKey("states.id"), nullable=False),
    Column("zone", Text, nullable=False),
    Column("server", String(64), nullable=False),
    Column("rrtype", String(8), nullable=False),
    Column("key_tag", Integer, nullable=False),
    Column("algorithm", SmallInteger, nullable=False),
    Column("digest_type", SmallInteger, nullable=False),
    Column("flags", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Column("ttl", BigInteger, nullable=False),
    Index("ix_state_cds_state", "state_id"),
)
"""CDS and CDNSKEY at the apex of the zone holding the name (``facts.CdsFact``)."""

state_signatures = Table(
    "state_signatures",
    metadata,
    Column("state_id", Integer, ForeignKey("states.id"), nullable=False),
    Column("zone", Text, nullable=False),
    Column("server", String(64), nullable=False),
    Column("owner", Text, nullable=False),
    Column("covered_type", String(16), nullable=False),
    Column("key_tag", Integer, nullable=False),
    Column("algorithm", SmallInteger, nullable=False),
    Column("inception", BigInteger, nullable=False),
    Column("expiration", BigInteger, nullable=False),
    Column("original_ttl", BigInteger, nullable=False),
    Index("ix_state_signatures_state", "state_id"),
)

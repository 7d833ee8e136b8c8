"""The first schema: observations, their payloads and findings, and the served states.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of ``history.schema`` as of revision 0001."""
    op.create_table(
        "states",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("observed_at", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("worst", sa.String(10), nullable=False),
        sa.Column("exit_code", sa.SmallInteger, nullable=False),
        sa.Column("finding_count", sa.Integer, nullable=False),
        sa.Column("earliest_expiration", sa.BigInteger, nullable=True),
        sa.Column("state_id", sa.Integer, sa.ForeignKey("states.id"), nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
    )
    op.create_index("ix_observations_name_time", "observations", ["name", "observed_at"])
    op.create_table(
        "observation_payloads",
        sa.Column("observation_id", sa.Integer, sa.ForeignKey("observations.id"), primary_key=True),
        sa.Column("capture_gz", sa.LargeBinary, nullable=False),
        sa.Column("diagnosis_gz", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "observation_findings",
        sa.Column("observation_id", sa.Integer, sa.ForeignKey("observations.id"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_observation_findings_observation", "observation_findings", ["observation_id"]
    )
    op.create_table(
        "state_servers",
        sa.Column("state_id", sa.Integer, sa.ForeignKey("states.id"), nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("soa_serial", sa.BigInteger, nullable=True),
        sa.Column("soa_ttl", sa.BigInteger, nullable=True),
        sa.Column("dnskey_ttl", sa.BigInteger, nullable=True),
        sa.Column("ds_ttl", sa.BigInteger, nullable=True),
        sa.Column("ns_names", sa.Text, nullable=False),
        sa.Column("denial", sa.String(8), nullable=False),
        sa.Column("nsec3_algorithm", sa.SmallInteger, nullable=True),
        sa.Column("nsec3_flags", sa.SmallInteger, nullable=True),
        sa.Column("nsec3_iterations", sa.Integer, nullable=True),
        sa.Column("nsec3_salt", sa.Text, nullable=True),
    )
    op.create_index("ix_state_servers_state", "state_servers", ["state_id"])
    op.create_table(
        "state_keys",
        sa.Column("state_id", sa.Integer, sa.ForeignKey("states.id"), nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("key_tag", sa.Integer, nullable=False),
        sa.Column("algorithm", sa.SmallInteger, nullable=False),
        sa.Column("flags", sa.Integer, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("ttl", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_state_keys_state", "state_keys", ["state_id"])
    op.create_table(
        "state_ds",
        sa.Column("state_id", sa.Integer, sa.ForeignKey("states.id"), nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("key_tag", sa.Integer, nullable=False),
        sa.Column("algorithm", sa.SmallInteger, nullable=False),
        sa.Column("digest_type", sa.SmallInteger, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("ttl", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_state_ds_state", "state_ds", ["state_id"])
    op.create_table(
        "state_signatures",
        sa.Column("state_id", sa.Integer, sa.ForeignKey("states.id"), nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("covered_type", sa.String(16), nullable=False),
        sa.Column("key_tag", sa.Integer, nullable=False),
        sa.Column("algorithm", sa.SmallInteger, nullable=False),
        sa.Column("inception", sa.BigInteger, nullable=False),
        sa.Column("expiration", sa.BigInteger, nullable=False),
        sa.Column("original_ttl", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_state_signatures_state", "state_signatures", ["state_id"])
    op.create_table(
        "state_cds",
        sa.Column("state_id", sa.Integer, sa.ForeignKey("states.id"), nullable=False),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("rrtype", sa.String(8), nullable=False),
        sa.Column("key_tag", sa.Integer, nullable=False),
        sa.Column("algorithm", sa.SmallInteger, nullable=False),
        sa.Column("digest_type", sa.SmallInteger, nullable=False),
        sa.Column("flags", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("ttl", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_state_cds_state", "state_cds", ["state_id"])


def downgrade() -> None:
    """Drop everything (never run by dnssec-doctor itself: it refuses to migrate down)."""
    for table in (
        "state_cds",
        "state_signatures",
        "state_ds",
        "state_keys",
        "state_servers",
        "observation_findings",
        "observation_payloads",
        "observations",
        "states",
    ):
        op.drop_table(table)

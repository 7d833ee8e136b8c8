"""Each observation records the zones its check was anchored at (its trust anchors' owners).

RFC5011_HOLDDOWN_RISK judges every zone a check was anchored at (RFC 5011 §2.4.1), not
only the root. Observations recorded before this revision keep NULL, read as the root:
what the rule judged then, and what a check was anchored at unless ``--trust-anchor``
said otherwise.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``observations.anchor_zones`` (nullable: existing rows stay as they are)."""
    op.add_column("observations", sa.Column("anchor_zones", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop the column (never run by dnssec-doctor itself: it refuses to migrate down)."""
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("anchor_zones")

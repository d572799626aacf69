"""Bulk outbox messages ("you said, we did" updates, re-invitations) wait behind replies: a
`bulk` flag, and the claim's index ordered by channel, then replies before bulk, then queue
order, so a person who texts during a broadcast is answered first.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

OUTBOX_OPEN = sa.text("status IN ('pending', 'sending')")
WHERE: dict[str, Any] = {"postgresql_where": OUTBOX_OPEN, "sqlite_where": OUTBOX_OPEN}


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("bulk", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.drop_index("ix_outbox_open", table_name="outbox")
    op.create_index("ix_outbox_open", "outbox", ["channel", "bulk", "seq"], **WHERE)


def downgrade() -> None:
    op.drop_index("ix_outbox_open", table_name="outbox")
    op.create_index("ix_outbox_open", "outbox", ["channel", "seq"], **WHERE)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("bulk")

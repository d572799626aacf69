"""Partial indexes for the inbox and outbox claims: only unfinished rows, in claim order, so a
claim stays fast on a database never analysed and under a prepared statement's generic plan.
The status indexes they replace go: with them the planner underestimated the waiting rows and
sorted every one of them.

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

INBOX_OPEN = sa.text("status IN ('pending', 'processing')")
OUTBOX_OPEN = sa.text("status IN ('pending', 'sending')")


def _where(predicate: sa.TextClause) -> dict[str, Any]:
    return {"postgresql_where": predicate, "sqlite_where": predicate}


def upgrade() -> None:
    op.drop_index("ix_inbox_status_id", table_name="inbox")
    op.drop_index("ix_outbox_channel_status_next_attempt_at", table_name="outbox")
    op.create_index("ix_inbox_open", "inbox", ["id"], **_where(INBOX_OPEN))
    op.create_index("ix_inbox_open_sender", "inbox", ["sender_hmac", "id"], **_where(INBOX_OPEN))
    op.create_index("ix_outbox_open", "outbox", ["channel", "seq"], **_where(OUTBOX_OPEN))
    op.create_index(
        "ix_outbox_open_recipient", "outbox", ["recipient_hmac", "seq"], **_where(OUTBOX_OPEN)
    )


def downgrade() -> None:
    for name, table in (
        ("ix_outbox_open_recipient", "outbox"),
        ("ix_outbox_open", "outbox"),
        ("ix_inbox_open_sender", "inbox"),
        ("ix_inbox_open", "inbox"),
    ):
        op.drop_index(name, table_name=table)
    op.create_index(
        "ix_outbox_channel_status_next_attempt_at",
        "outbox",
        ["channel", "status", "next_attempt_at"],
    )
    op.create_index("ix_inbox_status_id", "inbox", ["status", "id"])

"""Dead letters: inbox and outbox rows that cannot be handled go to `dead` and are never
claimed again (storage.repositories.inbox, .outbox).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_INBOX = "status IN ('pending', 'processing', 'done', 'failed', 'dead')"
_INBOX_BEFORE = "status IN ('pending', 'processing', 'done', 'failed')"
_OUTBOX = "status IN ('pending', 'sending', 'sent', 'failed', 'dead')"
_OUTBOX_BEFORE = "status IN ('pending', 'sending', 'sent', 'failed')"


def _check(table: str, condition: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(op.f(f"ck_{table}_status"), type_="check")
        batch.create_check_constraint(op.f(f"ck_{table}_status"), condition)


def upgrade() -> None:
    _check("inbox", _INBOX)
    _check("outbox", _OUTBOX)


def downgrade() -> None:
    op.execute("UPDATE inbox SET status = 'failed' WHERE status = 'dead'")
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'dead'")
    _check("inbox", _INBOX_BEFORE)
    _check("outbox", _OUTBOX_BEFORE)

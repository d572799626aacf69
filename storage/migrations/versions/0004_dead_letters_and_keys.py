"""Dead letters: inbox and outbox rows that cannot be handled go to `dead` and are never
claimed again (storage.repositories.inbox, .outbox). Per-person data keys (`person_keys`,
storage.personal): people's words are sealed under a key of their own, which erasure deletes.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
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
    op.create_table(
        "person_keys",
        sa.Column("participant_id", sa.String(length=64), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_person_keys_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_person_keys")),
    )


def downgrade() -> None:
    # Text sealed under the data keys cannot be read without them: downgrade only an empty
    # store, or one whose words are no longer needed.
    op.drop_table("person_keys")
    op.execute("UPDATE inbox SET status = 'failed' WHERE status = 'dead'")
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'dead'")
    _check("inbox", _INBOX_BEFORE)
    _check("outbox", _OUTBOX_BEFORE)

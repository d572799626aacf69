"""The message log may hold a message without its text: the text of a person who has not
agreed to share their views is not kept, and every text is cleared after the retention period.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("message_log") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE message_log SET text = '' WHERE text IS NULL")
    with op.batch_alter_table("message_log") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=False)

"""\"You said, we did\": updates for a theme, their texts per language and register, and one
recipient row per (update, person), written before the person's outbox row.

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), server_default="draft", nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], name="fk_updates_theme_id_themes"),
        sa.PrimaryKeyConstraint("id", name="pk_updates"),
    )
    op.create_index("ix_updates_theme_id", "updates", ["theme_id"])
    op.create_table(
        "update_texts",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(64), nullable=False),
        sa.Column("register", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"], ["updates.id"], name="fk_update_texts_update_id_updates"
        ),
        sa.PrimaryKeyConstraint("update_id", "language", "register", name="pk_update_texts"),
    )
    op.create_table(
        "update_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(64), nullable=False),
        sa.Column("language", sa.String(64), nullable=False),
        sa.Column("register", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("outbox_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"], ["updates.id"], name="fk_update_recipients_update_id_updates"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_update_recipients_participant_id_participants",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_update_recipients"),
        sa.UniqueConstraint(
            "update_id", "participant_id", name="uq_update_recipients_update_id_participant_id"
        ),
        sa.UniqueConstraint("outbox_id", name="uq_update_recipients_outbox_id"),
    )
    op.create_index(
        "ix_update_recipients_participant_id", "update_recipients", ["participant_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_update_recipients_participant_id", table_name="update_recipients")
    op.drop_table("update_recipients")
    op.drop_table("update_texts")
    op.drop_index("ix_updates_theme_id", table_name="updates")
    op.drop_table("updates")

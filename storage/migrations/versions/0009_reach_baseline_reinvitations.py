"""Who has and has not been heard: the population baseline a coordinator uploads (one share
per dimension and category) and re-invitations of under-heard groups, with who each was
queued for (at most once per person per re-invitation).

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "baseline_shares",
        sa.Column("dimension", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("uploaded_by", sa.String(length=320), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "category", name=op.f("pk_baseline_shares")),
    )
    op.create_table(
        "reinvitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.String(length=64), nullable=False),
        sa.Column("categories", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reinvitations")),
        sa.UniqueConstraint("key", name=op.f("uq_reinvitations_key")),
    )
    op.create_table(
        "reinvitation_recipients",
        sa.Column("reinvitation_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reinvitation_id"],
            ["reinvitations.id"],
            name=op.f("fk_reinvitation_recipients_reinvitation_id_reinvitations"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_reinvitation_recipients_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint(
            "reinvitation_id", "participant_id", name=op.f("pk_reinvitation_recipients")
        ),
    )
    op.create_index(
        op.f("ix_reinvitation_recipients_participant_id"),
        "reinvitation_recipients",
        ["participant_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_reinvitation_recipients_participant_id"), table_name="reinvitation_recipients"
    )
    op.drop_table("reinvitation_recipients")
    op.drop_table("reinvitations")
    op.drop_table("baseline_shares")

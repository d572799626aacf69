"""Working groups for recruitment: purpose, topics, meeting pattern, the support offered and how
the group meets, on `working_groups`; each person's place in a group's pipeline
(`group_recruits`) and every move made in it (`group_moves`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("working_groups") as batch:
        batch.add_column(sa.Column("purpose", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("topics_json", sa.Text(), server_default="[]", nullable=False))
        batch.add_column(
            sa.Column("meeting_pattern", sa.String(length=500), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("support_json", sa.Text(), server_default="[]", nullable=False))
        batch.add_column(
            sa.Column(
                "attendance", sa.String(length=64), server_default="in_person", nullable=False
            )
        )
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("updated_by", sa.String(length=320), nullable=True))
    op.create_table(
        "group_recruits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("invited_for", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["working_groups.id"],
            name=op.f("fk_group_recruits_group_id_working_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"],
            name=op.f("fk_group_recruits_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_recruits")),
        sa.UniqueConstraint(
            "group_id", "participant_id", name=op.f("uq_group_recruits_group_id_participant_id")
        ),
    )
    op.create_index(op.f("ix_group_recruits_group_id"), "group_recruits", ["group_id"])
    op.create_index(
        op.f("ix_group_recruits_participant_id"), "group_recruits", ["participant_id"]
    )
    op.create_table(
        "group_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(length=64), nullable=False),
        sa.Column("from_stage", sa.String(length=64), nullable=False),
        sa.Column("to_stage", sa.String(length=64), nullable=False),
        sa.Column("invited", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("by", sa.String(length=320), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["working_groups.id"],
            name=op.f("fk_group_moves_group_id_working_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"],
            name=op.f("fk_group_moves_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_moves")),
    )
    op.create_index(op.f("ix_group_moves_group_id"), "group_moves", ["group_id"])
    op.create_index(op.f("ix_group_moves_participant_id"), "group_moves", ["participant_id"])


def downgrade() -> None:
    op.drop_table("group_moves")
    op.drop_table("group_recruits")
    with op.batch_alter_table("working_groups") as batch:
        for column in (
            "updated_by", "updated_at", "attendance", "support_json", "meeting_pattern",
            "topics_json", "purpose",
        ):
            batch.drop_column(column)

"""The views inbox: a status per view, answers superseded by a newer answer to the same
question, views hidden while their author has withdrawn share_views; themes and their tags on
views, notes, working groups and views shared with them; partial indexes for the inbox.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

LISTED = sa.text("NOT superseded AND NOT withdrawn")
LISTED_INDEXES = {
    "ix_views_listed_at": ["at", "view_id"],
    "ix_views_listed_id": ["view_id"],
    "ix_views_listed_consultation": ["consultation", "at", "view_id"],
    "ix_views_listed_question": ["question_id", "at", "view_id"],
    "ix_views_listed_language": ["language", "at", "view_id"],
    "ix_views_listed_status": ["status", "at", "view_id"],
    "ix_views_listed_channel": ["channel", "at", "view_id"],
}


def upgrade() -> None:
    with op.batch_alter_table("views") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=16), server_default="new", nullable=False)
        )
        batch.add_column(
            sa.Column("superseded", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(
            sa.Column("withdrawn", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Earlier answers to a question the same person answered again are superseded.
    op.execute(
        "UPDATE views SET superseded = true WHERE EXISTS (SELECT 1 FROM views AS newer"
        " WHERE newer.participant_id = views.participant_id AND newer.flow = views.flow"
        " AND newer.question_id = views.question_id AND (newer.at > views.at OR"
        " (newer.at = views.at AND newer.view_id > views.view_id)))"
    )
    # Views of people whose latest share_views consent is a withdrawal are hidden.
    op.execute(
        "UPDATE views SET withdrawn = true WHERE participant_id IN (SELECT c.participant_id"
        " FROM consents AS c WHERE c.purpose = 'share_views' AND c.id = (SELECT max(c2.id)"
        " FROM consents AS c2 WHERE c2.participant_id = c.participant_id"
        " AND c2.purpose = 'share_views') AND NOT c.granted)"
    )
    for name, columns in LISTED_INDEXES.items():
        op.create_index(
            name,
            "views",
            columns,
            postgresql_where=LISTED,
            sqlite_where=LISTED,
            postgresql_include=[] if "status" in columns else ["status"],
        )
    op.create_index("ix_views_answers", "views", ["participant_id", "flow", "question_id"])
    op.create_table(
        "view_tallies",
        sa.Column("consultation", sa.String(length=200), nullable=False),
        sa.Column("question_id", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=64), nullable=False),
        sa.Column("register", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "consultation", "question_id", "language", "register", "channel", "status",
            "shard", name=op.f("pk_view_tallies"),
        ),
    )
    op.execute(
        "INSERT INTO view_tallies (consultation, question_id, language, register, channel,"
        " status, shard, n) SELECT coalesce(consultation, ''), question_id, language,"
        " register, channel, status, 0, count(*) FROM views"
        " WHERE NOT superseded AND NOT withdrawn"
        " GROUP BY coalesce(consultation, ''), question_id, language, register, channel, status"
    )
    op.create_table(
        "working_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_working_groups_name")),
    )
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("keywords_json", sa.Text(), server_default="{}", nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["working_groups.id"], name=op.f("fk_themes_group_id_working_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("name", name=op.f("uq_themes_name")),
    )
    op.create_index(op.f("ix_themes_group_id"), "themes", ["group_id"])
    op.create_table(
        "view_themes",
        sa.Column("view_id", sa.String(length=64), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_view_themes_theme_id_themes")
        ),
        sa.ForeignKeyConstraint(
            ["view_id"], ["views.view_id"], name=op.f("fk_view_themes_view_id_views")
        ),
        sa.PrimaryKeyConstraint("view_id", "theme_id", name=op.f("pk_view_themes")),
    )
    op.create_index("ix_view_themes_theme_state", "view_themes", ["theme_id", "state", "view_id"])
    op.create_table(
        "view_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("view_id", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["view_id"], ["views.view_id"], name=op.f("fk_view_notes_view_id_views")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_view_notes")),
    )
    op.create_index(op.f("ix_view_notes_view_id"), "view_notes", ["view_id"])
    op.create_table(
        "view_shares",
        sa.Column("view_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["working_groups.id"], name=op.f("fk_view_shares_group_id_working_groups")
        ),
        sa.ForeignKeyConstraint(
            ["view_id"], ["views.view_id"], name=op.f("fk_view_shares_view_id_views")
        ),
        sa.PrimaryKeyConstraint("view_id", "group_id", name=op.f("pk_view_shares")),
    )
    op.create_index("ix_view_shares_group", "view_shares", ["group_id", "view_id"])


def downgrade() -> None:
    op.drop_table("view_shares")
    op.drop_table("view_notes")
    op.drop_table("view_themes")
    op.drop_table("themes")
    op.drop_table("working_groups")
    op.drop_table("view_tallies")
    op.drop_index("ix_views_answers", table_name="views")
    for name in LISTED_INDEXES:
        op.drop_index(name, table_name="views")
    with op.batch_alter_table("views") as batch:
        batch.drop_column("withdrawn")
        batch.drop_column("superseded")
        batch.drop_column("status")

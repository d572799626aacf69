"""Initial tables: participants and what they told us, anonymous totals, inbox and outbox.

Revision ID: 0001
Revises: none
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table('anonymous_totals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anonymous_totals')),
    sa.UniqueConstraint('metric', 'subject', 'language', 'channel', name=op.f('uq_anonymous_totals_metric_subject_language_channel'))
    )
    op.create_table('participants',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('language', sa.String(length=64), nullable=True),
    sa.Column('register', sa.String(length=64), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants'))
    )
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('text_id', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_consents_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    op.create_index(op.f('ix_consents_participant_id'), 'consents', ['participant_id'], unique=False)

    op.create_table('group_interests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('topics_json', sa.Text(), nullable=False),
    sa.Column('availability_json', sa.Text(), nullable=False),
    sa.Column('access_needs_json', sa.Text(), nullable=False),
    sa.Column('interpreter_language', sa.String(length=64), nullable=True),
    sa.Column('contact_method', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_group_interests_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_interests'))
    )
    op.create_index(op.f('ix_group_interests_participant_id'), 'group_interests', ['participant_id'], unique=False)

    op.create_table('handover_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('flow', sa.String(length=200), nullable=True),
    sa.Column('step', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_handover_requests_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_requests'))
    )
    op.create_index(op.f('ix_handover_requests_participant_id'), 'handover_requests', ['participant_id'], unique=False)

    op.create_table('inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('provider_key', sa.String(length=200), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload_ciphertext', sa.LargeBinary(), nullable=True),
    sa.Column('sender_hmac', sa.String(length=64), nullable=True),
    sa.Column('participant_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'processing', 'done', 'failed')", name=op.f('ck_inbox_status')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_inbox_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
    sa.UniqueConstraint('channel', 'provider_key', name=op.f('uq_inbox_channel_provider_key'))
    )
    op.create_index(op.f('ix_inbox_channel_sender_hmac'), 'inbox', ['channel', 'sender_hmac'], unique=False)
    op.create_index(op.f('ix_inbox_participant_id'), 'inbox', ['participant_id'], unique=False)
    op.create_index(op.f('ix_inbox_status_id'), 'inbox', ['status', 'id'], unique=False)

    op.create_table('message_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_id', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_message_log_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_log'))
    )
    op.create_index(op.f('ix_message_log_participant_id'), 'message_log', ['participant_id'], unique=False)

    op.create_table('outbox',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('recipient_hmac', sa.String(length=64), nullable=False),
    sa.Column('recipient_ciphertext', sa.LargeBinary(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('choices_json', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=64), nullable=True),
    sa.Column('encoding', sa.String(length=16), nullable=True),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider_message_id', sa.String(length=200), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivery_status', sa.String(length=32), nullable=True),
    sa.Column('delivery_error_code', sa.String(length=32), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_status')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_outbox_participant_id_participants')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox')),
    sa.UniqueConstraint('id', name=op.f('uq_outbox_id'))
    )
    op.create_index(op.f('ix_outbox_channel_recipient_hmac'), 'outbox', ['channel', 'recipient_hmac'], unique=False)
    op.create_index(op.f('ix_outbox_channel_status_next_attempt_at'), 'outbox', ['channel', 'status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbox_participant_id'), 'outbox', ['participant_id'], unique=False)
    op.create_index(op.f('ix_outbox_provider_message_id'), 'outbox', ['provider_message_id'], unique=False)

    op.create_table('participant_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('address_hmac', sa.String(length=64), nullable=False),
    sa.Column('address_ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participant_addresses_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_addresses')),
    sa.UniqueConstraint('channel', 'address_hmac', name=op.f('uq_participant_addresses_channel_address_hmac'))
    )
    op.create_index(op.f('ix_participant_addresses_participant_id'), 'participant_addresses', ['participant_id'], unique=False)

    op.create_table('profile_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_profile_answers_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_answers'))
    )
    op.create_index(op.f('ix_profile_answers_participant_id'), 'profile_answers', ['participant_id'], unique=False)

    op.create_table('safeguarding_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('matched', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_safeguarding_alerts_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_alerts'))
    )
    op.create_index(op.f('ix_safeguarding_alerts_participant_id'), 'safeguarding_alerts', ['participant_id'], unique=False)

    op.create_table('sessions',
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('session_json', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_sessions_participant_id_participants')),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_sessions'))
    )
    op.create_table('views',
    sa.Column('view_id', sa.String(length=64), nullable=False),
    sa.Column('participant_id', sa.String(length=64), nullable=False),
    sa.Column('consultation', sa.String(length=200), nullable=True),
    sa.Column('flow', sa.String(length=200), nullable=False),
    sa.Column('question_id', sa.String(length=200), nullable=False),
    sa.Column('question_text', sa.Text(), nullable=False),
    sa.Column('answer_value', sa.Text(), nullable=False),
    sa.Column('original_text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=64), nullable=False),
    sa.Column('register', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_views_participant_id_participants')),
    sa.PrimaryKeyConstraint('view_id', name=op.f('pk_views'))
    )
    op.create_index(op.f('ix_views_consultation'), 'views', ['consultation'], unique=False)
    op.create_index(op.f('ix_views_participant_id'), 'views', ['participant_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_views_participant_id'), table_name='views')
    op.drop_index(op.f('ix_views_consultation'), table_name='views')

    op.drop_table('views')
    op.drop_table('sessions')
    op.drop_index(op.f('ix_safeguarding_alerts_participant_id'), table_name='safeguarding_alerts')

    op.drop_table('safeguarding_alerts')
    op.drop_index(op.f('ix_profile_answers_participant_id'), table_name='profile_answers')

    op.drop_table('profile_answers')
    op.drop_index(op.f('ix_participant_addresses_participant_id'), table_name='participant_addresses')

    op.drop_table('participant_addresses')
    op.drop_index(op.f('ix_outbox_provider_message_id'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_participant_id'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_channel_status_next_attempt_at'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_channel_recipient_hmac'), table_name='outbox')

    op.drop_table('outbox')
    op.drop_index(op.f('ix_message_log_participant_id'), table_name='message_log')

    op.drop_table('message_log')
    op.drop_index(op.f('ix_inbox_status_id'), table_name='inbox')
    op.drop_index(op.f('ix_inbox_participant_id'), table_name='inbox')
    op.drop_index(op.f('ix_inbox_channel_sender_hmac'), table_name='inbox')

    op.drop_table('inbox')
    op.drop_index(op.f('ix_handover_requests_participant_id'), table_name='handover_requests')

    op.drop_table('handover_requests')
    op.drop_index(op.f('ix_group_interests_participant_id'), table_name='group_interests')

    op.drop_table('group_interests')
    op.drop_index(op.f('ix_consents_participant_id'), table_name='consents')

    op.drop_table('consents')
    op.drop_table('participants')
    op.drop_table('anonymous_totals')

"""who acted for whom (an SC for an Account Manager) on emails, list shares and
summary sends; the From and Reply-To each email was queued with; what calendar invitation
each person of a meeting last received

Revision ID: a3c5e7f9b1d2
Revises: 53eaca96dd1b
Create Date: 2026-12-05 19:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c5e7f9b1d2'
down_revision = '954647b42127'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('first_sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_invitations_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_meeting_invitations_person_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_invitations')),
    sa.UniqueConstraint('meeting_id', 'person_id', name=op.f('uq_meeting_invitations_meeting_id'))
    )
    with op.batch_alter_table('meeting_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_invitations_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('list_shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting_for_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_list_shares_acting_for_id_users'), 'users', ['acting_for_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('meeting_summary_sends', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting_for_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meeting_summary_sends_acting_for_id_users'), 'users', ['acting_for_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('sent_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acting_for_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_sent_by_id_users'), 'users', ['sent_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_acting_for_id_users'), 'users', ['acting_for_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_acting_for_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_sent_by_id_users'), type_='foreignkey')
        batch_op.drop_column('acting_for_id')
        batch_op.drop_column('sent_by_id')
        batch_op.drop_column('reply_to')
        batch_op.drop_column('sender')

    with op.batch_alter_table('meeting_summary_sends', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_summary_sends_acting_for_id_users'), type_='foreignkey')
        batch_op.drop_column('acting_for_id')

    with op.batch_alter_table('list_shares', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_list_shares_acting_for_id_users'), type_='foreignkey')
        batch_op.drop_column('acting_for_id')

    with op.batch_alter_table('meeting_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_invitations_person_id'))

    op.drop_table('meeting_invitations')

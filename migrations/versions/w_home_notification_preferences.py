"""users choose which emails they receive: new registrations, meeting changes

Revision ID: w_home_notify
Revises: 53eaca96dd1b
Create Date: 2026-12-05 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w_home_notify'
down_revision = '915b8ea17dbc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_registrations', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('notify_meeting_changes', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_meeting_changes')
        batch_op.drop_column('notify_registrations')
